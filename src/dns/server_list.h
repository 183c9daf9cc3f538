// DNS server addresses as the user writes them (--dns-server) and as c-ares takes them.
// Only numeric addresses: a resolver cannot need DNS to find its DNS server.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pageload/status.h"

namespace pageload::dns {

inline constexpr int kDnsPort = 53;

// Normalises one server: "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare "V6" (no
// port) becomes "ADDR:PORT" or "[V6]:PORT", port 53 when none was given. Fails with
// kUsage naming the problem (not numeric, bad port, stray brackets...).
StatusOr<std::string> normalize_server(std::string_view text);

// normalize_server over a list; the first bad entry fails the whole list.
StatusOr<std::vector<std::string>> normalize_servers(const std::vector<std::string>& servers);

// The normalised servers joined with commas: the form ares_set_servers_ports_csv reads.
std::string servers_csv(const std::vector<std::string>& normalized);

}  // namespace pageload::dns
