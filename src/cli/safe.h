// Text from outside (servers, URLs, the user) made safe for a terminal line.
#pragma once

#include <cstddef>
#include <string>

namespace pageload::cli {

// `s` made safe for a terminal line: C0 controls (a line break included) and DEL as
// \xNN, C1 controls and bidirectional overrides as \u{NNNN}, bytes that are not UTF-8
// as \xNN; cut with "…" once the output reaches `max` bytes, never inside a character.
std::string safe(const std::string& s, std::size_t max = 160);

}  // namespace pageload::cli
