// URL parsing and redirect Location resolution, over libcurl's URL API (CURLU) so we
// parse exactly as the transfer will. Only http and https are loadable.
#pragma once

#include <string>
#include <string_view>

#include "pageload/status.h"

namespace pageload {

struct Url {
  std::string full;    // normalised absolute URL (host in punycode)
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // without brackets for IPv6 literals; punycode for IDN
  int port = 0;        // explicit or the scheme's default
  std::string target;  // path and query: what goes on the request line
  bool host_is_ip = false;  // an IPv4 or IPv6 literal: no DNS lookup needed
  // "scheme://host:port": the key for connection reuse.
  std::string origin() const;
};

inline constexpr std::size_t kMaxUrlLength = 8192;

// Parses an absolute http(s) URL typed by a user. Fails with kBadUrl and a message
// naming the problem (no scheme, unsupported scheme, bad port, spaces, too long...).
StatusOr<Url> parse_url(std::string_view text);

// Resolves a redirect's Location against the URL of the hop that sent it (RFC 3986:
// relative paths, "//host/x", "?q", absolute URLs). Fails with kBadRedirect when the
// Location is empty, unparsable, too long, or names a scheme other than http/https.
StatusOr<Url> resolve_location(const Url& base, std::string_view location);

// The scheme of an absolute reference ("javascript" for "javascript:alert(1)"), or
// empty for a relative reference.
std::string reference_scheme(std::string_view ref);

}  // namespace pageload
