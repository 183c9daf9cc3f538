// Addresses a request gets without asking DNS: an IP literal, a --resolve entry, or
// "localhost" (RFC 6761 6.3: the loopback host, never sent to a DNS server; c-ares 1.18
// refuses to). Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/url.h"
#include "pageload/options.h"
#include "pageload/result.h"

namespace pageload::loader {

// Where a request for `url` connects under --connect-to: the first entry whose host and
// port match (an empty one matches any), with its empty fields filled from the URL.
// nullopt when no entry matches, or the one that does changes neither host nor port.
struct Dial {
  std::string host;  // no brackets
  int port = 0;
  bool host_is_ip = false;
  const ConnectToEntry* entry = nullptr;  // the entry applied (options own it)
};
std::optional<Dial> connect_to_for(const Url& url, const LoadOptions& options);

// The addresses to hand curl for `url` without a lookup (empty for an IP literal: curl
// connects to it directly), or nullopt when DNS must be asked.
std::optional<std::vector<std::string>> fixed_addresses(const Url& url, const LoadOptions& options);
// The --resolve entry for url's host and port, as curl picks it: one naming the host,
// else a '*' one for the port (curl 7.64); nullptr when none.
const ResolveEntry* resolve_entry_for(const Url& url, const LoadOptions& options);

// The lookup to record for a host that fixed_addresses() answers as "localhost" (not an
// IP literal, not a --resolve entry): source "hosts", no query sent, its loopback
// addresses as answers (TTL 0), a zero-length span at `now_ms`. nullopt for other hosts.
std::optional<DnsLookup> hosts_lookup(const Url& url, const LoadOptions& options, double now_ms);

}  // namespace pageload::loader
