#include "cli/safe.h"

#include <cstdio>

#include "core/text.h"

namespace pageload::cli {

// Strings from the network go to a terminal: control characters would let a server
// move the cursor or recolour the screen, so they are shown escaped: C0 and DEL as \xNN,
// C1 and bidi controls as \u{NNNN} (core/text.h), and bytes that are not UTF-8 as \xNN.
std::string safe(const std::string& s, std::size_t max) {
  std::string out;
  char buf[16];
  for (std::size_t i = 0; i < s.size();) {
    if (out.size() >= max) {
      out += "…";
      break;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) {
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(s, i, cp);
    if (n == 0) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      ++i;
    } else if (is_hidden_control(cp)) {
      out += escape_code_point(cp);
      i += n;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace pageload::cli
