#include "core/redact.h"

#include <algorithm>
#include <cctype>

namespace pageload {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool is_secret_header(std::string_view name) {
  return iequals(name, "authorization") || iequals(name, "proxy-authorization") ||
         iequals(name, "cookie") || iequals(name, "set-cookie");
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "a=1; b=2" -> "a=[redacted]; b=[redacted]"
std::string redact_cookie_pairs(std::string_view value) {
  std::string out;
  while (!value.empty()) {
    auto semi = value.find(';');
    std::string_view pair = trim(value.substr(0, semi));
    auto eq = pair.find('=');
    if (!out.empty()) out += "; ";
    out += (eq == std::string_view::npos) ? std::string(kRedacted)
                                          : std::string(pair.substr(0, eq + 1)) + std::string(kRedacted);
    if (semi == std::string_view::npos) break;
    value.remove_prefix(semi + 1);
  }
  return out;
}

// "id=secret; Path=/; HttpOnly" -> "id=[redacted]; Path=/; HttpOnly"
std::string redact_set_cookie(std::string_view value) {
  auto semi = value.find(';');
  std::string first = redact_cookie_pairs(value.substr(0, semi));
  if (semi == std::string_view::npos) return first;
  return first + std::string(value.substr(semi));
}

}  // namespace

std::string redact_value(std::string_view name, std::string_view value) {
  if (iequals(name, "cookie")) return redact_cookie_pairs(value);
  if (iequals(name, "set-cookie")) return redact_set_cookie(value);
  if (is_secret_header(name)) {
    // Keep the scheme ("Bearer", "Basic"): it is useful and not secret.
    auto sp = trim(value).find(' ');
    if (sp != std::string_view::npos) return std::string(trim(value).substr(0, sp)) + " " + std::string(kRedacted);
    return std::string(kRedacted);
  }
  return std::string(value);
}

std::string redact_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const std::size_t authority = scheme_end + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
  const std::size_t at = url.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
  if (at == std::string_view::npos || at < authority) return std::string(url);
  const std::size_t colon = url.find(':', authority);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + std::string(kRedacted) + std::string(url.substr(at));
}

void redact_headers(std::vector<Header>& headers) {
  for (auto& [name, value] : headers)
    if (is_secret_header(name)) value = redact_value(name, value);
}

}  // namespace pageload
