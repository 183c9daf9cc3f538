// The bits of a server's response text we take apart ourselves (curl parses the rest):
// header lines and the status line's reason phrase. Pure functions over untrusted
// bytes, fuzzed by tests/fuzz/fuzz_response_text.
#pragma once

#include <string>
#include <string_view>

#include "pageload/result.h"

namespace pageload::transfer {

// `s` without leading blanks and trailing blanks or line ends.
std::string_view trim(std::string_view s);
// "Name: value" -> {Name, value}, both trimmed. False for a line without a colon or
// with an empty name.
bool split_header(std::string_view line, Header& out);
// "HTTP/1.1 301 Moved Permanently" -> "Moved Permanently"; "" when there is none.
std::string reason_phrase(std::string_view status_line);

}  // namespace pageload::transfer
