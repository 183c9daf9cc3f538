#include "loader/host_rules.h"

#include <string_view>

#include <arpa/inet.h>

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

bool is_ip(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::optional<Dial> connect_to_for(const Url& url, const LoadOptions& options) {
  for (const auto& c : options.connect_to) {
    if ((!c.host.empty() && !iequals(c.host, url.host)) || (c.port && *c.port != url.port)) continue;
    Dial dial{c.to_host.empty() ? url.host : c.to_host, c.to_port.value_or(url.port), false, &c};
    if (iequals(dial.host, url.host) && dial.port == url.port) return std::nullopt;
    dial.host_is_ip = c.to_host.empty() ? url.host_is_ip : is_ip(dial.host);
    return dial;
  }
  return std::nullopt;
}

const ResolveEntry* resolve_entry_for(const Url& url, const LoadOptions& options) {
  for (const auto& r : options.resolve)
    if (iequals(r.host, url.host) && r.port == url.port) return &r;
  for (const auto& r : options.resolve)
    if (r.host == "*" && r.port == url.port) return &r;
  return nullptr;
}

std::optional<std::vector<std::string>> fixed_addresses(const Url& url, const LoadOptions& options) {
  if (url.host_is_ip) return std::vector<std::string>{};
  if (const ResolveEntry* r = resolve_entry_for(url, options)) return r->addresses;
  if (is_localhost(url.host)) return loopback_addresses(options.ip_version);
  return std::nullopt;
}

std::optional<DnsLookup> hosts_lookup(const Url& url, const LoadOptions& options, double now_ms) {
  if (url.host_is_ip || !is_localhost(url.host)) return std::nullopt;
  if (resolve_entry_for(url, options)) return std::nullopt;  // --resolve's, not hosts'
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
