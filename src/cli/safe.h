// Text from outside (servers, URLs, the user) made safe for a terminal line.
#pragma once

#include <cstddef>
#include <string>

namespace pageload::cli {

// `s` made safe for a terminal line: C0 controls (a line break included) and DEL as
// \xNN, C1 controls and bidirectional overrides as \u{NNNN}, bytes that are not UTF-8
// as \xNN; cut with "…" once the output reaches `max` bytes, never inside a character.
std::string safe(const std::string& s, std::size_t max = 160);

// How much of a failure's message a line shows: pageload writes the message, and its end
// says where the cause came from ("(through proxy URL given with -x)"), so it is cut only
// where a server's text in it has made it unreasonably long.
inline constexpr std::size_t kFailureText = 400;

}  // namespace pageload::cli
