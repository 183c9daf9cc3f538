#include "transfer/proxy.h"

#include <curl/curl.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

#include "core/redact.h"

namespace pageload::transfer {
namespace {

const std::string* get(const ProxyEnvironment& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// "http://user:pw@host:1/" -> "http://user:[redacted]@host:1/": the password goes, the
// user stays to tell which proxy account was used, as a URL's everywhere else. A user
// name alone ("http://token@host/") may be a token some proxies take: it goes whole.
std::string redact_userinfo(const std::string& url) {
  const std::size_t authority = url.find("://") + 3;
  const std::size_t end = std::min(url.find_first_of("/?#", authority), url.size());
  const std::size_t at = url.rfind('@', end == 0 ? 0 : end - 1);
  if (at == std::string::npos || at < authority) return url;
  const std::size_t colon = url.find(':', authority);
  if (colon < at) return url.substr(0, colon + 1) + std::string(kRedacted) + url.substr(at);
  return url.substr(0, authority) + std::string(kRedacted) + url.substr(at);
}

// `address` (text) in `network`/`bits`; bits 0 means the whole address.
bool cidr_match(int family, const std::string& address, const std::string& network, int bits) {
  std::array<unsigned char, 16> a{}, n{};
  if (inet_pton(family, address.c_str(), a.data()) != 1) return false;
  if (inet_pton(family, network.c_str(), n.data()) != 1) return false;
  const int width = family == AF_INET ? 32 : 128;
  if (bits <= 0 || bits > width) bits = width;
  for (int i = 0; i < bits; ++i) {
    const int byte = i / 8, bit = 7 - i % 8;
    if (((a[byte] >> bit) & 1) != ((n[byte] >> bit) & 1)) return false;
  }
  return true;
}

bool token_matches(std::string_view host, int family, std::string_view token) {
  if (family == 0) {  // a host name: the name itself or a subdomain of it
    if (!token.empty() && token.back() == '.') token.remove_suffix(1);
    if (!token.empty() && token.front() == '.') token.remove_prefix(1);
    if (token.empty() || token.size() > host.size()) return false;
    if (token.size() == host.size()) return iequals(token, host);
    return host[host.size() - token.size() - 1] == '.' && iequals(token, host.substr(host.size() - token.size()));
  }
  std::string network(token);
  int bits = 0;
  if (auto slash = network.find('/'); slash != std::string::npos) {
    bits = std::atoi(network.c_str() + slash + 1);
    network.resize(slash);
  }
  return cidr_match(family, std::string(host), network, bits);
}

}  // namespace

bool noproxy_matches(std::string_view host, std::string_view list) {
  if (host.empty() || list.empty()) return false;
  if (list == "*") return true;
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::array<unsigned char, 16> scratch{};
  const std::string host_text(host);
  int family = inet_pton(AF_INET, host_text.c_str(), scratch.data()) == 1    ? AF_INET
               : inet_pton(AF_INET6, host_text.c_str(), scratch.data()) == 1 ? AF_INET6
                                                                             : 0;
  if (family == 0 && host.back() == '.') host.remove_suffix(1);
  while (!list.empty()) {
    while (!list.empty() && (is_blank(list.front()) || list.front() == ',')) list.remove_prefix(1);
    std::size_t end = 0;
    while (end < list.size() && !is_blank(list[end]) && list[end] != ',') ++end;
    if (end > 0 && token_matches(host, family, list.substr(0, end))) return true;
    list.remove_prefix(end);
  }
  return false;
}

std::string unsupported_proxy(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return {};
  const std::string scheme = lower(std::string(url.substr(0, sep)));
  if (scheme == "http") return {};
  if (scheme == "https")
    return "https:// proxies (TLS to the proxy) are not supported: only http:// proxies "
           "(an https origin still goes through a CONNECT tunnel, with TLS end to end)";
  if (scheme.starts_with("socks"))
    return scheme + ":// proxies are not supported: only http:// proxies";
  return "'" + scheme + "://' is not a proxy scheme pageload supports: only http:// proxies";
}

std::optional<Proxy> proxy_for(const Url& url, const ProxyEnvironment& env, const std::optional<std::string>& noproxy,
                               const std::optional<std::string>& explicit_proxy) {
  const std::string* no = noproxy ? &*noproxy : get(env, "no_proxy");
  if (!no) no = get(env, "NO_PROXY");
  if (no && noproxy_matches(url.host, *no)) return std::nullopt;

  const std::string scheme_var = lower(url.scheme) + "_proxy";
  std::string variable = scheme_var;
  const std::string* value = nullptr;
  if (explicit_proxy) {
    value = &*explicit_proxy;
    variable = "-x";
  } else {
    value = get(env, scheme_var);
    if (!value && scheme_var != "http_proxy") value = get(env, variable = upper(scheme_var));
    if (!value) value = get(env, variable = "all_proxy");
    if (!value) value = get(env, variable = "ALL_PROXY");
  }
  if (!value || value->empty()) return std::nullopt;

  Proxy p;
  p.url = value->find("://") == std::string::npos ? "http://" + *value : *value;
  p.shown = redact_userinfo(p.url);
  p.variable = variable;
  const std::string proxy_scheme = lower(p.url.substr(0, p.url.find("://")));
  p.resolves_locally = proxy_scheme == "socks4" || proxy_scheme == "socks5";
  if (CURLU* u = curl_url()) {
    if (curl_url_set(u, CURLUPART_URL, p.url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
      char* host = nullptr;
      char* port = nullptr;
      if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host) p.host = host;
      if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port) p.port = std::atoi(port);
      curl_free(host);
      curl_free(port);
    }
    curl_url_cleanup(u);
  }
  if (p.host.size() > 1 && p.host.front() == '[' && p.host.back() == ']') p.host = p.host.substr(1, p.host.size() - 2);
  if (!p.port) p.port = proxy_scheme == "https" ? 443 : 1080;
  unsigned char scratch[16];
  p.host_is_ip = inet_pton(AF_INET, p.host.c_str(), scratch) == 1 || inet_pton(AF_INET6, p.host.c_str(), scratch) == 1;
  return p;
}

}  // namespace pageload::transfer
