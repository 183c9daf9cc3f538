#include "store/json_list.h"

#include <nlohmann/json.hpp>

#include <cstdint>

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

std::string to_json_records(const std::vector<DnsAnswer>& records) {
  if (records.empty()) return {};
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : records) out.push_back({{"type", r.type}, {"name", r.name}, {"value", r.value}, {"ttl", r.ttl}});
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<DnsAnswer> from_json_records(const std::string& json) {
  std::vector<DnsAnswer> out;
  if (json.empty()) return out;
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed) {
    if (!item.is_object()) continue;
    auto type = item.find("type"), name = item.find("name"), value = item.find("value"), ttl = item.find("ttl");
    if (type == item.end() || name == item.end() || value == item.end() || ttl == item.end() || !type->is_string() ||
        !name->is_string() || !value->is_string() || !ttl->is_number_unsigned() || ttl->get<uint64_t>() > UINT32_MAX)
      continue;
    out.push_back(DnsAnswer{type->get<std::string>(), name->get<std::string>(), value->get<std::string>(),
                            ttl->get<uint32_t>()});
  }
  return out;
}

}  // namespace pageload::store::detail
