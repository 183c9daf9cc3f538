#include "lab/query.h"

#include <algorithm>
#include <charconv>

namespace pageload::lab {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

Query::Query(std::string_view query) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    if (!item.empty()) {
      std::size_t eq = item.find('=');
      std::string_view name = item.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
      params_.emplace_back(percent_decode(name), percent_decode(value));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

std::optional<std::string> Query::get(std::string_view name) const {
  for (const auto& [n, v] : params_)
    if (n == name) return v;
  return std::nullopt;
}

std::vector<std::string> Query::all(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [n, v] : params_)
    if (n == name) values.push_back(v);
  return values;
}

long long Query::get_int(std::string_view name, long long fallback, long long min, long long max) const {
  auto text = get(name);
  if (!text) return fallback;
  return parse_clamped(*text, min, max).value_or(fallback);
}

std::optional<long long> parse_clamped(std::string_view text, long long min, long long max) {
  if (text.empty()) return std::nullopt;
  // Long digit strings saturate instead of failing: "/large/99999999999999999999" is
  // simply "as large as allowed".
  bool negative = text.front() == '-';
  std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return negative ? min : max;
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return std::clamp(value, min, max);
}

}  // namespace pageload::lab
