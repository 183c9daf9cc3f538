// HTTP-date (RFC 9110 5.6.7): the three forms a recipient must accept, as Unix seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pageload::cache {

// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate), "Sunday, 06-Nov-94 08:49:37 GMT"
// (RFC 850) or "Sun Nov  6 08:49:37 1994" (asctime); nullopt for anything else.
std::optional<int64_t> parse_http_date(std::string_view text);

// `t` as an IMF-fixdate, as If-Modified-Since and the lab send it.
std::string format_http_date(int64_t t);

}  // namespace pageload::cache
