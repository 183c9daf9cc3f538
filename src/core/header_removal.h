// curl's -H 'Name:' (leave the header out, libcurl's own one included) as an entry of
// LoadOptions::headers: the name, with a value no -H can give (a line break), so that the
// loader and the transfer tell it from a header to send. The transfer hands it to libcurl
// as "Name:", libcurl's way to leave out a header it would add itself (Accept,
// User-Agent, Host...); 'Name;' stays a header sent with an empty value.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "pageload/result.h"

namespace pageload {

inline constexpr std::string_view kRemovedHeaderValue = "\n";

inline Header removed_header(std::string name) { return {std::move(name), std::string(kRemovedHeaderValue)}; }
inline bool is_removed_header(const Header& h) { return h.second == kRemovedHeaderValue; }

}  // namespace pageload
