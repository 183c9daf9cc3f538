#include "loader/host_rules.h"

#include <string_view>

#include "core/redact.h"

namespace pageload::loader {
namespace {

bool is_localhost(const std::string& host) {
  constexpr std::string_view kSuffix = ".localhost";
  return iequals(host, "localhost") ||
         (host.size() > kSuffix.size() && iequals(std::string_view(host).substr(host.size() - kSuffix.size()), kSuffix));
}

std::vector<std::string> loopback_addresses(int ip_version) {
  if (ip_version == 4) return {"127.0.0.1"};
  if (ip_version == 6) return {"::1"};
  return {"127.0.0.1", "::1"};
}

}  // namespace

std::optional<std::vector<std::string>> fixed_addresses(const Url& url, const LoadOptions& options) {
  if (url.host_is_ip) return std::vector<std::string>{};
  for (const auto& r : options.resolve)
    if (iequals(r.host, url.host) && r.port == url.port) return r.addresses;
  if (is_localhost(url.host)) return loopback_addresses(options.ip_version);
  return std::nullopt;
}

std::optional<DnsLookup> hosts_lookup(const Url& url, const LoadOptions& options, double now_ms) {
  if (url.host_is_ip || !is_localhost(url.host)) return std::nullopt;
  for (const auto& r : options.resolve)
    if (iequals(r.host, url.host) && r.port == url.port) return std::nullopt;  // --resolve's, not hosts'
  DnsLookup lookup;
  lookup.host = url.host;
  lookup.source = "hosts";
  lookup.family = options.ip_version;
  lookup.span = Span{now_ms, now_ms};
  lookup.outcome = "NOERROR";
  for (const auto& address : loopback_addresses(options.ip_version))
    lookup.answers.push_back(DnsAnswer{address.find(':') == std::string::npos ? "A" : "AAAA", url.host, address, 0});
  return lookup;
}

}  // namespace pageload::loader
