// No password seeded into a URL survives any output path. The fuzzer's bytes choose how
// a URL with a password is written (scheme-relative, one slash, backslashes, no slash,
// an unparsable port or host, upper case, another scheme), what surrounds it, and the
// password itself; the URL is then used as a redirect's Location and as the user's URL
// the way the loader uses them (resolve_location, parse_url, their error messages), the
// run is redacted as the loader redacts it (redact_run), and the text the user can see
// is searched: the --json object, `show`, the terminal summary, the HTML report, and
// redact_url / redact_text themselves.
//
// The password is "~PW" + bytes + "WP~" and no other part of the input holds a '~', so a
// leak of any end of it, or of all of it, shows as "~PW" or "WP~" in the output.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cli/output.h"
#include "core/redact.h"
#include "core/url.h"
#include "report/html.h"

using namespace pageload;

namespace {

constexpr std::string_view kUser =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._!$&'()*+,;=%";
// A password may also hold ':' and '@' (the last '@' ends it) and, in one URL, spaces.
constexpr std::string_view kPasswordExtra = ":@ ";
constexpr std::string_view kHost = "abcdefghijklmnopqrstuvwxyz0123456789.-[]:%";
constexpr const char* kForms[] = {"http://", "https://", "HTTP://", "//",      "http:/",  "http:",
                                  "http:\\\\", "\\\\",   "/\\",     "https:///", "ftp://", "Http:\\/"};
constexpr const char* kRests[] = {"", "/ok", "\\ok", "?q=1", "#f", ":99999/ok", ":8080/a?b=c", "/x@y", "/?n=a:b@c"};

// Hands out the input's NUL-separated pieces in turn; "" once they run out.
class Pieces {
 public:
  explicit Pieces(std::string_view input) {
    std::size_t start = 0;
    for (;;) {
      auto nul = input.find('\0', start);
      pieces_.emplace_back(input.substr(start, nul - start));
      if (nul == std::string_view::npos) break;
      start = nul + 1;
    }
  }
  std::string_view next() { return i_ < pieces_.size() ? pieces_[i_++] : std::string_view(); }
  // A number from the next piece's first byte, below `n`.
  std::size_t choose(std::size_t n) {
    std::string_view p = next();
    return p.empty() ? 0 : static_cast<unsigned char>(p[0]) % n;
  }

 private:
  std::vector<std::string_view> pieces_;
  std::size_t i_ = 0;
};

// `s` with every byte outside `alphabet` mapped into it.
std::string within(std::string_view s, std::string_view alphabet) {
  std::string out;
  for (char c : s) out += alphabet.find(c) != std::string_view::npos ? c : alphabet[static_cast<unsigned char>(c) % alphabet.size()];
  return out;
}

// Printable ASCII but '~': what may surround a URL in a message.
std::string text_around(std::string_view s) {
  std::string out;
  for (char c : s) out += c >= 0x20 && c < 0x7f && c != '~' ? c : ' ';
  return out;
}

void check(std::string_view output) {
  if (output.find("~PW") != std::string_view::npos || output.find("WP~") != std::string_view::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Pieces p(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::string form = kForms[p.choose(std::size(kForms))];
  const std::string rest = kRests[p.choose(std::size(kRests))];
  const std::string user = within(p.next(), kUser);
  const std::string password = "~PW" + within(p.next(), std::string(kUser) + std::string(kPasswordExtra)) + "WP~";
  const std::string host = within(p.next(), kHost);
  const std::string tail = text_around(p.next());
  const std::string before = text_around(p.next());
  const std::string url = form + user + ":" + password + "@" + host + rest + tail;
  const bool spaced = password.find(' ') != std::string::npos;

  // The functions themselves: one URL; a URL quoted in a message; bare in a message
  // (where white space ends it, so only for a password without any).
  const std::string redacted = redact_url(url);
  check(redacted);
  if (redact_url(redacted) != redacted) std::abort();  // nothing left to redact
  check(redact_text(before + " '" + url + "': " + tail));
  check(redact_text(before + " \"" + url + "\" " + tail));
  if (!spaced) check(redact_text(before + " " + url + " " + tail));

  // A run as the loader builds it: the URL as the user's, and as a 302's Location.
  Run run;
  run.id = 1;
  run.url = url;
  if (auto parsed = parse_url(url); parsed.ok()) run.url = parsed->full;
  else run.failure = Failure{parsed.status().code(), parsed.status().message()};
  Request hop;
  hop.method = "GET";
  hop.url = "http://www.test:8080/a";
  hop.status = 302;
  hop.reason = "Found";
  hop.location = url;
  hop.response_headers = {{"Location", url}, {"Content-Location", url}};
  if (!spaced) hop.response_headers.push_back({"Refresh", "0; url=" + url});
  hop.phases.push_back(PhaseRecord{Phase::kWait, Span{1, 2}, std::nullopt});
  hop.span = Span{0, 2};
  const auto next = resolve_location(*parse_url(hop.url), url);
  if (next.ok()) {
    hop.redirect_url = next->full;
    hop.warnings.push_back("redirect downgrades https to http: " + next->full);
    run.requests.push_back(hop);
    Request second;
    second.seq = 1;
    second.redirect_from = 0;
    second.method = "GET";
    second.url = next->full;
    second.status = 200;
    second.span = Span{2, 3};
    run.requests.push_back(second);
    if (!run.failure) run.failure = Failure{Code::kRedirectLoop, "redirect loop: " + next->full + " was already requested"};
  } else {
    hop.failure = Failure{next.status().code(), next.status().message()};
    run.failure = hop.failure;
    run.requests.push_back(hop);
  }
  run.final_url = run.requests.back().url;
  run.outcome = Outcome::kFailed;
  run.total_ms = 3;
  redact_run(run);

  check(cli::format_json(run));
  check(cli::format_show(run));
  check(cli::format_summary(run, false));
  check(report::render_html(run));
  return 0;
}
