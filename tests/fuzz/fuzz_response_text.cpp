// What pageload's client side does itself with bytes a server sent: header lines and the
// reason phrase (src/transfer/response_text), redaction of secret header values and URL
// passwords (src/core/redact), and the terminal's safe() (src/cli/safe). Each must take
// any bytes and keep its promise.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cli/safe.h"
#include "core/redact.h"
#include "transfer/response_text.h"

using namespace pageload;

namespace {

// Every byte of `s` forms valid UTF-8 (no overlong, surrogate or out-of-range form).
bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    char32_t cp = n == 1 ? b : b & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const unsigned char c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    if (cp >= 0x80 && cp <= 0x9f) return false;  // C1 controls must come out escaped
    i += n;
  }
  return true;
}

void check_safe(const std::string& in) {
  for (std::size_t max : {std::size_t{0}, std::size_t{7}, std::size_t{160}}) {
    const std::string out = cli::safe(in, max);
    for (unsigned char c : out)
      if (c < 0x20 || c == 0x7f) std::abort();  // nothing a terminal acts on
    if (!valid_utf8(out)) std::abort();
    // Cut once it reaches max: at most one escape (\u{NNNNNN}) or character, then "…".
    if (out.size() > max + 10 + std::string("…").size()) std::abort();
  }
}

void check_header(std::string_view line) {
  Header h;
  if (!transfer::split_header(line, h)) return;
  if (h.first.empty() || h.first.find(':') != std::string::npos) std::abort();
  for (const std::string* part : {&h.first, &h.second}) {
    if (part->empty()) continue;
    const char first = part->front(), last = part->back();
    if (first == ' ' || first == '\t' || last == ' ' || last == '\t' || last == '\r' || last == '\n') std::abort();
  }
  // A secret header's value never survives redaction whole: an Authorization value is
  // redacted whenever there is one, a cookie header whenever its first pair is not blank.
  if (h.second.empty()) return;
  for (const char* name : {"Authorization", "Proxy-Authorization"})
    if (redact_value(name, h.second).find(kRedacted) == std::string::npos) std::abort();
  const std::string_view first_pair = transfer::trim(std::string_view(h.second).substr(0, h.second.find(';')));
  if (first_pair.empty()) return;
  for (const char* name : {"cookie", "Set-Cookie"})
    if (redact_value(name, h.second).find(kRedacted) == std::string::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  check_safe(input);
  check_header(input);
  const std::string reason = transfer::reason_phrase(input);
  if (input.find(reason) == std::string::npos) std::abort();  // a part of the status line

  // Stable (nothing left to redact), and each password, which ends at an '@' of its own,
  // grows the text by at most "[redacted]".
  const std::string url = redact_url(input), text = redact_text(input);
  if (redact_url(url) != url || redact_text(text) != text) std::abort();
  const std::size_t ats = static_cast<std::size_t>(std::count(input.begin(), input.end(), '@'));
  for (const std::string* redacted : {&url, &text})
    if (redacted->size() > input.size() + ats * kRedacted.size()) std::abort();
  return 0;
}
