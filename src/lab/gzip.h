// gzip compression (zlib) for the lab's /gzip route.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pageload::lab {

// `data` as a gzip member (RFC 1952), or nullopt if zlib fails.
std::optional<std::string> gzip_compress(std::string_view data);

}  // namespace pageload::lab
