// Addresses a request gets without asking DNS: an IP literal, a --resolve entry, or
// "localhost" (RFC 6761 6.3: the loopback host, never sent to a DNS server; c-ares 1.18
// refuses to). Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/url.h"
#include "pageload/options.h"

namespace pageload::loader {

// The addresses to hand curl for `url` without a lookup (empty for an IP literal: curl
// connects to it directly), or nullopt when DNS must be asked.
std::optional<std::vector<std::string>> fixed_addresses(const Url& url, const LoadOptions& options);

}  // namespace pageload::loader
