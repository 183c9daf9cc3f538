// Which proxy an exchange goes through, decided by pageload rather than by libcurl, so it
// is known, recorded and warned about. libcurl obeys proxy environment variables on its
// own; the driver instead hands curl this decision (CURLOPT_PROXY, "" for none), so curl
// never reads its environment. The rules are curl 7.88's (lib/url.c detect_proxy, lib/
// noproxy.c), so a user's environment means what it means to curl:
//  - SCHEME_proxy, then SCHEME_PROXY (but never HTTP_PROXY, for CGI safety), then
//    all_proxy, then ALL_PROXY; the first that is set wins, even when empty (= none);
//  - no_proxy, else NO_PROXY, unless --noproxy is given: '*' alone turns every proxy
//    off; otherwise a list of host names (matching the host and its subdomains, a
//    leading or trailing dot ignored), IPv4 or IPv6 addresses, or CIDR ranges, separated
//    by commas or blanks.
// Pure: the environment comes in as a value (the CLI reads it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/url.h"

namespace pageload::transfer {

// The variables that matter, as set (name -> value); names not set are absent.
using ProxyEnvironment = std::map<std::string, std::string>;

struct Proxy {
  std::string url;       // what curl is given ("http://" added when the value had no scheme)
  std::string shown;     // url with its user and password redacted: stored, printed, warned about
  std::string variable;  // where it came from, e.g. "http_proxy", or "-x"
  // curl resolves the target host itself and connects through the proxy to an address
  // (socks4://, socks5://): the target still needs a DNS lookup of ours.
  bool resolves_locally = false;
  // The proxy's own host (no brackets) and port (curl's defaults: 443 for an https://
  // proxy, else 1080): a name needs a lookup of ours, as any host does.
  std::string host;
  int port = 0;
  bool host_is_ip = false;
};

// The proxy curl would use for `url`, or none. `noproxy` is --noproxy, which replaces
// no_proxy/NO_PROXY as curl's CURLOPT_NOPROXY does. `explicit_proxy` is -x (curl's
// CURLOPT_PROXY): set, it is used instead of the variables (its `variable` is "-x"), and
// "" means no proxy; a host in the no-proxy list still goes direct (curl 7.88's
// create_conn_helper_init_proxy).
std::optional<Proxy> proxy_for(const Url& url, const ProxyEnvironment& env,
                               const std::optional<std::string>& noproxy,
                               const std::optional<std::string>& explicit_proxy = std::nullopt);

// Why -x URL cannot be used ("socks5:// proxies are not supported: ..."), or "" when it
// can: an http:// proxy, or a host[:port] curl reads as one.
std::string unsupported_proxy(std::string_view url);

// Whether `host` (a name, or an IP literal without brackets) is in a no_proxy `list`.
bool noproxy_matches(std::string_view host, std::string_view list);

}  // namespace pageload::transfer
