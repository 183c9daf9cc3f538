// A run's cookies, as a browser profile keeps them for a page: what one exchange's
// Set-Cookie stored is sent by the next (the redirect's next hop, the page's
// subresources). libcurl's cookie engine does the parsing, domain and path matching and
// expiry; this jar only carries its cookies from one easy handle to the next, as the
// lines of curl's cookie file (Netscape format, CURLINFO_COOKIELIST). Not thread-safe:
// one jar per run, on the loader's event loop. No curl type here.
#pragma once

#include <string>
#include <vector>

#include "pageload/status.h"

namespace pageload::transfer {

class CookieJar {
 public:
  CookieJar() = default;
  // Starts with these lines (from read_cookie_file: -b FILE).
  explicit CookieJar(std::vector<std::string> lines);

  // The cookies, one Netscape-format line each, in the order first stored.
  const std::vector<std::string>& lines() const { return lines_; }

  // What one exchange did to the cookies it was given (`before`, the jar's lines when it
  // started) leaving `after` (its easy handle's cookies when it ended): a cookie it set
  // or changed replaces the jar's of the same domain, path and name; one it removed
  // (expired by a Set-Cookie) goes. Cookies it never saw (set meanwhile by an exchange
  // running beside it) stay as they are.
  void apply(const std::vector<std::string>& before, const std::vector<std::string>& after);

  // The jar as curl's -c writes it: its header comment, then one line per cookie.
  std::string netscape_file() const;

 private:
  std::vector<std::string> lines_;
};

// The cookies of a file as curl -b FILE reads it (Netscape format, or lines of
// "Set-Cookie: ..." headers), parsed by libcurl, as jar lines; "-" reads standard input
// (curl -b -). kFile when the file cannot be read.
StatusOr<std::vector<std::string>> read_cookie_file(const std::string& path);

}  // namespace pageload::transfer
