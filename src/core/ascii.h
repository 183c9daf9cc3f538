// Small ASCII string helpers for header names and header-like values (HTTP's case-insensitive
// tokens, "a=1; b=2" lists), written once: the HAR writer and reader both use them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pageload {

// `s` with A-Z made a-z; other bytes (UTF-8 included) as they are.
std::string ascii_lower_copy(std::string_view s);

// `s` without the spaces and tabs at either end (HTTP's optional whitespace, RFC 9110 5.6.3).
std::string_view trim_ows(std::string_view s);

// The pieces of `s` between each `sep`: "a;b;" -> {"a", "b", ""}; "" -> {""}. The views
// point into `s`.
std::vector<std::string_view> split_on(std::string_view s, char sep);

}  // namespace pageload
