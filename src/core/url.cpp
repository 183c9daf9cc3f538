#include "core/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstdio>
#include <memory>

#include "core/text.h"

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
    if (c >= 0x80)
      return Status(code, "host '" + host + "' cannot be converted to punycode" +
                              (MB_CUR_MAX > 1 ? std::string(" (not a valid international name)")
                                              : std::string(" (needs a UTF-8 locale)")));
  if (host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else {
    // WHATWG's forbidden domain code points, which curl lets through once it has decoded
    // %XX ("http:/%7f" gave the host DEL, and a URL that did not parse again).
    for (unsigned char c : host)
      if (c <= 0x20 || c == 0x7f || std::string_view("#%/:<>?@[\\]^|").find(static_cast<char>(c)) != std::string_view::npos)
        return Status(code, "bad host in '" + std::string(text) + "': a space, control or reserved character");
  }
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

bool is_slash(char c) { return c == '/' || c == '\\'; }

std::size_t leading_slashes(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && is_slash(s[n])) ++n;
  return n;
}

// `s` starts at an authority: the userinfo ends at the LAST '@' before the authority's
// end ('/', '\\', '?', '#'), so an earlier '@' is part of the password and is
// percent-encoded, as a browser serialises it ("u:p@ss@h" -> "u:p%40ss@h"); curl would
// end the userinfo at the first.
std::string authority_and_rest(std::string_view s) {
  const std::size_t end = std::min(s.find_first_of("/\\?#"), s.size());
  const std::size_t at = s.substr(0, end).rfind('@');
  if (at == std::string_view::npos) return std::string(s);
  std::string out;
  for (char c : s.substr(0, at)) out += c == '@' ? std::string("%40") : std::string(1, c);
  out.append(s.substr(at));
  return out;
}

// A reference without a scheme (or with the base's own, which WHATWG reads the same way)
// as the RFC 3986 reference a browser reads it as: two or more slashes or backslashes
// start an authority, one a path from the root; a first path segment with a ':' gets
// "./" so curl does not take it for a scheme; nothing at all is the base itself.
std::string relative_reference(std::string_view rest, const Url& base) {
  const std::size_t slashes = leading_slashes(rest);
  if (slashes >= 2) return "//" + authority_and_rest(rest.substr(slashes));
  if (slashes == 1) return "/" + std::string(rest.substr(1));
  if (rest.empty()) return base.full.substr(0, base.full.find('#'));
  const std::string_view first_segment = rest.substr(0, rest.find_first_of("/\\?#"));
  if (first_segment.find(':') != std::string_view::npos) return "./" + std::string(rest);
  return std::string(rest);
}

// WHATWG URL (https://url.spec.whatwg.org/, as Chromium's url/ parser implements it) for
// the special schemes http and https, where it differs from RFC 3986 as curl's URL API
// applies it. `ref` rewritten into the RFC 3986 reference that means what a browser
// reads in it, for curl; `base` is null for a URL with nothing to resolve against.
//  - "http:x", "http:/x", "http:\\x" with an http: base (the base's own scheme and no
//    "//" after it) are relative: a path on the base's host, not a host.
//  - Another special scheme, or any without a base, reads its authority after any
//    number of slashes or backslashes, none included: "https:host/x", "http:////h/".
//  - A reference without a scheme starts an authority with any number (two or more) of
//    slashes or backslashes: "///h/x", "\\\\h\\x", "/\\h/x".
//  - The last '@' of the authority ends the userinfo (authority_and_rest).
// Backslashes in the path become slashes afterwards (see resolve_location).
std::string whatwg_special(std::string_view ref, const Url* base) {
  const std::string scheme = reference_scheme(ref);
  if (scheme.empty()) return base ? relative_reference(ref, *base) : std::string(ref);
  if (scheme != "http" && scheme != "https") return std::string(ref);
  const std::string_view rest = ref.substr(ref.find(':') + 1);
  if (base && scheme == base->scheme && rest.substr(0, 2) != "//") return relative_reference(rest, *base);
  return scheme + "://" + authority_and_rest(rest.substr(leading_slashes(rest)));
}

// "localhost:8080/x", "example.com:443": a host and a port that read as a scheme and a
// path (RFC 3986 and WHATWG both take "localhost" for the scheme), typed without one.
bool names_host_and_port(std::string_view input, const std::string& scheme) {
  if (scheme == "http" || scheme == "https") return false;
  const std::string_view rest = input.substr(input.find(':') + 1);
  std::size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  return digits > 0 && (digits == rest.size() || std::string_view("/?#").find(rest[digits]) != std::string_view::npos);
}

// Whether `input` reads as a host name (and maybe a port and path) typed without a
// scheme: "example.com", "www.test:8080/x", "bücher.test", "[::1]:80": only then is
// "https://" + input worth suggesting ("bad line" or "\u{feff}http://..." is not).
bool looks_like_host(std::string_view input) {
  for (char c : input)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;  // would not parse either
  std::string_view host = input.substr(0, input.find_first_of("/?#"));
  if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos && host.front() != '[') {
    const std::string_view port = host.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
    host = host.substr(0, colon);
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') return true;
  if (host.empty() || host.front() == '.' || host.front() == '-') return false;
  for (std::size_t i = 0; i < host.size();) {
    const unsigned char c = static_cast<unsigned char>(host[i]);
    if (c < 0x80) {
      if (!std::isalnum(c) && c != '-' && c != '.' && c != '_') return false;
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(host, i, cp);
    if (n == 0 || is_hidden_control(cp) || cp == 0xa0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200a)) return false;
    i += n;
  }
  return true;
}

// What to add to "no scheme in '...'": the invisible character it starts with (a byte
// order mark inside a file, a zero-width space pasted with it), or the https:// URL
// meant when the text is a host name; nothing otherwise.
std::string missing_scheme_hint(std::string_view input) {
  char32_t cp = 0;
  if (!input.empty() && static_cast<unsigned char>(input[0]) >= 0x80 && utf8_sequence(input, 0, cp) > 0 &&
      is_hidden_control(cp)) {
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
    return std::string(" (it starts with the invisible character ") + code + ")";
  }
  if (looks_like_host(input)) return " (did you mean 'https://" + std::string(input) + "'?)";
  return {};
}

// The WHATWG URL serializer's percent-encoding of a reference's path, query and fragment
// (https://url.spec.whatwg.org/#percent-encoded-bytes), as Chromium applies it: C0
// controls, space, DEL and every non-ASCII byte (UTF-8) always; in the path also
// " # < > ? ` { } and, as Chromium does beyond the standard, | and ^; in the query (the
// special-query set of http and https) " # < > '; in the fragment " < > `. Existing "%XX"
// and a stray '%' are left as they are. Hex digits in upper case, as browsers write them.
// The scheme and authority are left to curl (a host becomes punycode there).
void percent_encode_reference(std::string& ref) {
  std::size_t path = 0;
  const std::size_t colon = ref.find(':');
  const std::size_t authority = ref.compare(0, 2, "//") == 0                                 ? 2
                                : colon != std::string::npos && ref.compare(colon + 1, 2, "//") == 0 &&
                                          ref.find_first_of("/?#") > colon                   ? colon + 3
                                                                                             : std::string::npos;
  if (authority != std::string::npos) path = std::min(ref.find_first_of("/?#", authority), ref.size());
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(ref, 0, path);
  out.reserve(ref.size() + ref.size() / 4);
  enum { kPath, kQuery, kFragment } part = kPath;
  for (std::size_t i = path; i < ref.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(ref[i]);
    if (c == '?' && part == kPath) {
      part = kQuery;
      out += '?';
      continue;
    }
    if (c == '#' && part != kFragment) {
      part = kFragment;
      out += '#';
      continue;
    }
    bool encode = c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>';
    if (part == kPath) encode = encode || std::string_view("`{}|^").find(static_cast<char>(c)) != std::string_view::npos;
    if (part == kQuery) encode = encode || c == '\'';
    if (part == kFragment) encode = encode || c == '`';
    if (!encode) {
      out += static_cast<char>(c);
      continue;
    }
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  ref = std::move(out);
}

// A backslash before the query or fragment is a slash in an http(s) URL.
void backslashes_to_slashes(std::string& s) {
  const std::size_t query = std::min(s.find_first_of("?#"), s.size());
  std::replace(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(query), '\\', '/');
}

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
  const std::string input(text);
  const std::string scheme = reference_scheme(input);
  // Every URL a message quotes is in quotes, so redact_text() finds a password in it
  // even when it holds spaces.
  if (scheme.empty() || names_host_and_port(input, scheme))
    return Status(Code::kBadUrl, "no scheme in '" + input + "'" + missing_scheme_hint(input));
  if (scheme != "http" && scheme != "https")
    return Status(Code::kBadUrl, "unsupported scheme '" + scheme + "' (only http and https)");
  // As a browser reads it: "http:/host", "http:host" and "http:////host" name a host.
  std::string rfc = whatwg_special(input, nullptr);
  backslashes_to_slashes(rfc);
  UrlHandle u(curl_url());
  if (!u) return Status(Code::kInternal, "out of memory");
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, rfc.c_str(), 0);
  if (rc != CURLUE_OK) return Status(Code::kBadUrl, "bad URL '" + input + "': " + describe(rc));
  return from_handle(u.get(), Code::kBadUrl, input);
}

StatusOr<Url> resolve_location(const Url& base, std::string_view location) {
  // As a browser reads any URL: C0 controls and spaces around it are dropped, and tabs
  // and line breaks anywhere in it (an href split over lines).
  std::size_t first = 0, last = location.size();
  while (first < last && static_cast<unsigned char>(location[first]) <= 0x20) ++first;
  while (last > first && static_cast<unsigned char>(location[last - 1]) <= 0x20) --last;
  std::string loc;
  for (char c : location.substr(first, last - first))
    if (c != '\t' && c != '\n' && c != '\r') loc += c;
  if (loc.empty()) return Status(Code::kBadRedirect, "empty Location");
  if (loc.size() > kMaxUrlLength)
    return Status(Code::kBadRedirect, "Location is " + std::to_string(loc.size()) + " bytes long");
  std::string scheme = reference_scheme(loc);
  if (!scheme.empty() && scheme != "http" && scheme != "https")
    return Status(Code::kBadRedirect, "redirect to unsupported scheme '" + scheme + "'");
  std::string ref = whatwg_special(loc, &base);
  backslashes_to_slashes(ref);
  // A fragment alone is the base with that fragment (curl 7.88 drops the base's last
  // segment and query for it).
  if (!ref.empty() && ref.front() == '#') ref = base.full.substr(0, base.full.find('#')) + ref;
  percent_encode_reference(ref);
  UrlHandle u(curl_url());
  if (!u) return Status(Code::kInternal, "out of memory");
  if (curl_url_set(u.get(), CURLUPART_URL, base.full.c_str(), 0) != CURLUE_OK)
    return Status(Code::kInternal, "base URL does not parse: " + base.full);
  // Setting a URL on a handle that holds one resolves it as a reference (RFC 3986 5.2);
  // its path, query and fragment are already percent-encoded as a browser encodes them,
  // so curl is not asked to encode (CURLU_URLENCODE would write lower-case hex and leave
  // '"', '<' and '>' raw).
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, ref.c_str(), 0);
  if (rc != CURLUE_OK)
    return Status(Code::kBadRedirect, "unparsable Location '" + loc + "': " + describe(rc));
  return from_handle(u.get(), Code::kBadRedirect, loc);
}

}  // namespace pageload
