#include "cache/http_date.h"

#include <ctime>
#include <string>

namespace pageload::cache {

std::optional<int64_t> parse_http_date(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  const std::string s(text);
  // strptime's %a/%A/%b take the C locale's English names, as HTTP writes them.
  static constexpr const char* kForms[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850
      "%a %b %e %H:%M:%S %Y",       // asctime
  };
  for (const char* form : kForms) {
    std::tm t{};
    const char* end = strptime(s.c_str(), form, &t);
    if (end == nullptr || *end != '\0') continue;
    // RFC 9110 5.6.7: a two-digit year more than 50 years in the future is the past
    // century's; strptime's %y already maps 69..99 to 19xx and 00..68 to 20xx.
    return static_cast<int64_t>(timegm(&t));
  }
  return std::nullopt;
}

std::string format_http_date(int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace pageload::cache
