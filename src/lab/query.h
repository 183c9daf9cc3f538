// Query-string reading for lab routes: RFC 3986 percent-decoding ('+' stays a plus, so
// a `to=` URL passes through untouched) and name=value pairs in order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pageload::lab {

// Decodes %XX escapes; a malformed escape is kept literally.
std::string percent_decode(std::string_view text);

class Query {
 public:
  // Splits on '&', then on the first '='. A parameter without '=' has an empty value.
  explicit Query(std::string_view query);
  // The first decoded value of `name`, or nullopt when it is absent.
  std::optional<std::string> get(std::string_view name) const;
  // Every decoded value of `name`, in order.
  std::vector<std::string> all(std::string_view name) const;
  // The first value as an integer in [min, max]; `fallback` when absent or not a number,
  // clamped when out of range.
  long long get_int(std::string_view name, long long fallback, long long min, long long max) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// Parses a decimal integer (the whole string) and clamps it to [min, max].
std::optional<long long> parse_clamped(std::string_view text, long long min, long long max);

}  // namespace pageload::lab
