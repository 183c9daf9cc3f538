// What the client takes apart itself from a response head (src/transfer/response_head)
// and the proxy rules (src/transfer/proxy): any bytes, split into lines as curl's header
// callback delivers them, must keep the promises: after the final head ends nothing is a
// status line or a header again, folds and limits hold, a violation says why.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "transfer/proxy.h"
#include "transfer/response_head.h"

using namespace pageload;
using namespace pageload::transfer;
using Line = ResponseHead::Line;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  ResponseHead head;
  std::size_t fields_at_head_end = 0;
  bool ended = false;
  std::string_view rest = input;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
    rest.remove_prefix(line.size());
    const bool was_complete = head.final_head_complete();
    const Line kind = head.feed(line);
    if (was_complete) {
      // Trailers only: never a status line, never a header field again.
      if (kind != Line::kTrailer && kind != Line::kIgnored) std::abort();
      if (head.fields().size() != fields_at_head_end) std::abort();
    }
    if (kind == Line::kViolation && head.violation().empty()) std::abort();
    if (kind == Line::kViolation) {
      ended = true;
      break;  // curl stops here
    }
    if (head.final_head_complete() && !was_complete) fields_at_head_end = head.fields().size();
  }
  if (head.fields().size() > ResponseHead::kMaxFields || head.trailers().size() > ResponseHead::kMaxFields) std::abort();
  for (const auto* list : {&head.fields(), &head.trailers()})
    for (const auto& [name, value] : *list) {
      if (name.empty() || name.find(':') != std::string::npos) std::abort();
      if (name.front() == ' ' || name.front() == '\t') std::abort();  // a fold is never a field
    }
  if (head.final_head_complete() && !head.final_status()) std::abort();
  if (!ended && !head.violation().empty()) std::abort();
  (void)head.warnings();

  // The no_proxy matcher and the proxy choice take any host and list.
  const std::size_t cut = input.find('\n');
  const std::string host(input.substr(0, cut == std::string_view::npos ? 0 : cut));
  const std::string list(cut == std::string_view::npos ? input : input.substr(cut + 1));
  if (!host.empty() && list == "*" && !noproxy_matches(host, list)) std::abort();
  (void)noproxy_matches(host, list);
  Url url;
  url.scheme = "http";
  url.host = host;
  // -x takes the same text; an unsupported scheme is named by its scheme alone, never
  // with what follows it (a user and password).
  auto p = proxy_for(url, {{"http_proxy", list}, {"no_proxy", host}}, std::nullopt);
  auto given = proxy_for(url, {}, std::nullopt, list);
  if (given && given->variable != "-x") std::abort();
  // The message depends on the scheme alone: the same for the scheme with nothing after it.
  // (Asking that the rest not appear in it failed on a rest that is a piece of the message's
  // own words: "c://' is not a proxy sche".)
  if (const std::size_t sep = list.find("://"); sep != std::string::npos) {
    if (unsupported_proxy(list) != unsupported_proxy(list.substr(0, sep + 3))) std::abort();
  }
  if (p) {
    // Whatever the user part held, what is shown of the authority keeps no password: the
    // user (when there is a password) and "[redacted]", or "[redacted]" alone, then '@'.
    const std::string& shown = p->shown;
    const std::size_t from = shown.find("://") + 3;
    const std::string authority = shown.substr(from, shown.find_first_of("/?#", from) - from);
    const std::size_t at = authority.rfind('@');  // a user may hold '@' itself
    const std::string_view mark = "[redacted]";
    if (at != std::string::npos && (at < mark.size() || authority.compare(at - mark.size(), mark.size(), mark) != 0))
      std::abort();
  }
  return 0;
}
