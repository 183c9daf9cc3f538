#include "store/json_list.h"

#include <nlohmann/json.hpp>

namespace pageload::store::detail {

std::string to_json_list(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> from_json_list(const std::string& json) {
  std::vector<std::string> out;
  if (json.empty()) return out;
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

}  // namespace pageload::store::detail
