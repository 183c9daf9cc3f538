// Lists of strings stored as JSON arrays (certificate SANs, DNS servers, warnings), so
// users can query them with json_each(). An empty list is stored as NULL.
#pragma once

#include <string>
#include <vector>

namespace pageload::store::detail {

// ["a","b"] for {"a","b"}; "" for an empty list (bound as NULL).
std::string to_json_list(const std::vector<std::string>& items);
// The strings of a JSON array; {} for "" or text that is not an array of strings.
std::vector<std::string> from_json_list(const std::string& json);

}  // namespace pageload::store::detail
