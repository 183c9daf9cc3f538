// UTF-8 decoding and the code points that are never shown as they are, shared by the
// terminal's escaping (cli/safe.h) and the report's (report/format.h), so a server's
// string reads the same in both.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pageload {

// The length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong form, no
// surrogate, nothing past U+10FFFF) and its code point in `cp`; 0 if the bytes there are
// not one. `i` must be below s.size().
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp);

// `cp` (at most U+10FFFF) appended as UTF-8. A surrogate is encoded as any other code
// point, in three bytes (as WTF-8 holds a JavaScript string's lone surrogate): callers
// that must not keep one replace it first.
void append_utf8(std::string& out, char32_t cp);

// Code points a terminal acts on, that reorder what is shown around them, or that show
// as nothing: the C1 controls (U+009B is CSI, as ESC [ is), the bidirectional formatting
// characters (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069: U+202E can make
// "moc.evil//:sptth" read as a harmless URL), and the invisible ones (U+200B..U+200D,
// U+2060..U+2064, the byte order mark U+FEFF, the soft hyphen U+00AD, ...): a U+FEFF
// before "http://" hides why a URL has no scheme. The line and paragraph separators
// U+2028, U+2029 are not among them: they show as a line break, and the report shows
// them as text (tests/browser).
bool is_hidden_control(char32_t cp);

// `cp` as visible text: "\u{202e}".
std::string escape_code_point(char32_t cp);

}  // namespace pageload
