// Lists of strings stored as JSON arrays (certificate SANs, DNS servers, warnings), so
// users can query them with json_each(). An empty list is stored as NULL.
#pragma once

#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload::store::detail {

// ["a","b"] for {"a","b"}; "" for an empty list (bound as NULL).
std::string to_json_list(const std::vector<std::string>& items);
// The strings of a JSON array; {} for "" or text that is not an array of strings.
std::vector<std::string> from_json_list(const std::string& json);

// DNS records as a JSON array of {"type", "name", "value", "ttl"} (a trace step's glue and
// records); "" for an empty list.
std::string to_json_records(const std::vector<DnsAnswer>& records);
// The records of such an array; {} for "" or anything else, items missing a field skipped.
std::vector<DnsAnswer> from_json_records(const std::string& json);

}  // namespace pageload::store::detail
