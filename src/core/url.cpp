#include "core/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace pageload {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

std::string get_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* out = nullptr;
  CURLUcode rc = curl_url_get(u, part, &out, flags);
  // curl may hand back a string even when it fails (7.88 does for a host that cannot be
  // converted to punycode): free it either way.
  std::string s = rc == CURLUE_OK && out ? out : "";
  curl_free(out);
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool is_ip_literal(const std::string& host) {
  if (host.find(':') != std::string::npos) return true;  // IPv6
  if (host.empty()) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return dots == 3;
}

// Fills a Url from a parsed handle; checks scheme and port. `settle`: see the end.
StatusOr<Url> from_handle(CURLU* u, Code code, std::string_view text, bool settle = true) {
  Url url;
  url.scheme = lower(get_part(u, CURLUPART_SCHEME));
  if (url.scheme != "http" && url.scheme != "https")
    return Status(code, "unsupported scheme '" + url.scheme + "' (only http and https)");
  std::string host = get_part(u, CURLUPART_HOST, CURLU_PUNYCODE);
  if (host.empty()) host = get_part(u, CURLUPART_HOST);
  if (host.empty()) return Status(code, "no host in '" + std::string(text) + "'");
  for (unsigned char c : host)
    if (c >= 0x80) return Status(code, "host '" + host + "' cannot be converted to punycode (needs a UTF-8 locale)");
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  url.host = lower(host);
  url.host_is_ip = is_ip_literal(url.host);
  std::string port = get_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
  try {
    url.port = std::stoi(port);
  } catch (...) {
    return Status(code, "bad port in '" + std::string(text) + "'");
  }
  if (url.port <= 0 || url.port > 65535) return Status(code, "bad port " + port);
  // Normalise the host to punycode and lower case in the full URL as well: host names
  // are case-insensitive, so "http://WWW.TEST/" is the URL "http://www.test/" (as
  // browsers print it) for redirect loops and connection reuse alike.
  curl_url_set(u, CURLUPART_HOST, url.host.c_str(), 0);
  url.full = get_part(u, CURLUPART_URL);
  std::string path = get_part(u, CURLUPART_PATH);
  std::string query = get_part(u, CURLUPART_QUERY);
  url.target = (path.empty() ? "/" : path) + (query.empty() ? "" : "?" + query);
  // curl decodes %XX in a host but rewrites IPv4 forms ("27.0" -> "27.0.0.0") only while
  // it parses a whole URL, so "http://27.%30/" came out as host "27.0", not an IP. Parse
  // the result once more: then host and full are what a browser connects to, and
  // parse_url(full) gives full back (found by tests/fuzz/fuzz_url).
  if (settle) {
    UrlHandle again(curl_url());
    if (again && curl_url_set(again.get(), CURLUPART_URL, url.full.c_str(), 0) == CURLUE_OK) {
      auto settled = from_handle(again.get(), code, text, false);
      if (settled.ok()) return settled;
    }
  }
  return url;
}

std::string describe(CURLUcode rc) { return curl_url_strerror(rc); }

}  // namespace

std::string Url::origin() const { return scheme + "://" + host + ":" + std::to_string(port); }

std::string reference_scheme(std::string_view ref) {
  // RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ':'
  std::size_t i = 0;
  while (i < ref.size() && (ref[i] == ' ' || ref[i] == '\t')) ++i;
  std::size_t start = i;
  if (i >= ref.size() || !std::isalpha(static_cast<unsigned char>(ref[i]))) return {};
  while (i < ref.size()) {
    unsigned char c = ref[i];
    if (c == ':') return lower(std::string(ref.substr(start, i - start)));
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return {};
    ++i;
  }
  return {};
}

StatusOr<Url> parse_url(std::string_view text) {
  if (text.empty()) return Status(Code::kBadUrl, "empty URL");
  if (text.size() > kMaxUrlLength)
    return Status(Code::kBadUrl, "URL is " + std::to_string(text.size()) + " bytes long (limit " +
                                     std::to_string(kMaxUrlLength) + ")");
  std::string input(text);
  std::string scheme = reference_scheme(input);
  // Every URL a message quotes is in quotes, so redact_text() finds a password in it
  // even when it holds spaces.
  if (scheme.empty() || input.find("://") == std::string::npos) {
    if (scheme == "http" || scheme == "https")
      return Status(Code::kBadUrl, "no '//' after '" + scheme + ":' in '" + input + "'");
    return Status(Code::kBadUrl, "no scheme in '" + input + "' (did you mean 'https://" + input + "'?)");
  }
  if (scheme != "http" && scheme != "https")
    return Status(Code::kBadUrl, "unsupported scheme '" + scheme + "' (only http and https)");
  UrlHandle u(curl_url());
  if (!u) return Status(Code::kInternal, "out of memory");
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, input.c_str(), 0);
  if (rc != CURLUE_OK) return Status(Code::kBadUrl, "bad URL '" + input + "': " + describe(rc));
  return from_handle(u.get(), Code::kBadUrl, input);
}

StatusOr<Url> resolve_location(const Url& base, std::string_view location) {
  std::string loc(location);
  // Header values arrive without surrounding white space, but be lenient as browsers are.
  while (!loc.empty() && (loc.back() == ' ' || loc.back() == '\t')) loc.pop_back();
  while (!loc.empty() && (loc.front() == ' ' || loc.front() == '\t')) loc.erase(0, 1);
  if (loc.empty()) return Status(Code::kBadRedirect, "empty Location");
  if (loc.size() > kMaxUrlLength)
    return Status(Code::kBadRedirect, "Location is " + std::to_string(loc.size()) + " bytes long");
  std::string scheme = reference_scheme(loc);
  if (!scheme.empty() && scheme != "http" && scheme != "https")
    return Status(Code::kBadRedirect, "redirect to unsupported scheme '" + scheme + "'");
  // WHATWG URL, for http and https: a backslash before the query or fragment is a slash,
  // so "\\host\x" is "//host/x" and "/a\b" is "/a/b", as every browser follows them.
  const std::size_t query = std::min(loc.find_first_of("?#"), loc.size());
  std::replace(loc.begin(), loc.begin() + static_cast<std::ptrdiff_t>(query), '\\', '/');
  UrlHandle u(curl_url());
  if (!u) return Status(Code::kInternal, "out of memory");
  if (curl_url_set(u.get(), CURLUPART_URL, base.full.c_str(), 0) != CURLUE_OK)
    return Status(Code::kInternal, "base URL does not parse: " + base.full);
  // Setting a URL on a handle that holds one resolves it as a reference (RFC 3986 5.2);
  // CURLU_URLENCODE percent-encodes spaces and controls as browsers do.
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, loc.c_str(), CURLU_URLENCODE);
  if (rc != CURLUE_OK)
    return Status(Code::kBadRedirect, "unparsable Location '" + loc + "': " + describe(rc));
  return from_handle(u.get(), Code::kBadRedirect, loc);
}

}  // namespace pageload
