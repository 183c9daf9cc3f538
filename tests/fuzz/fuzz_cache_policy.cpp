// The HTTP cache's reading of a server's headers (src/cache/): Cache-Control, Expires,
// Date, Last-Modified, Age and Vary come from any server. Each input line is a response
// header "Name: value"; the first line's first bytes pick the status. Whatever they say,
// the rules must not crash, overflow or give a negative lifetime or age, and a date that
// parses must format and parse back to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cache/http_cache.h"
#include "cache/http_date.h"
#include "cache/policy.h"

using namespace pageload;
using namespace pageload::cache;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Header> headers;
  std::size_t from = 0;
  while (from < text.size() && headers.size() < 64) {
    const std::size_t end = std::min(text.find('\n', from), text.size());
    const std::string_view line = text.substr(from, end - from);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) headers.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
    from = end + 1;
  }
  const int statuses[] = {200, 203, 206, 300, 301, 302, 304, 307, 308, 404, 410, 500};
  const int status = statuses[size ? data[0] % 12 : 0];
  const int64_t now = 1'700'000'000;

  for (const auto& [name, value] : headers)
    if (auto t = parse_http_date(value)) {
      if (parse_http_date(format_http_date(*t)) != *t) __builtin_trap();
    }
  const Freshness f = freshness(status, headers, now);
  if (f.lifetime_s < 0) __builtin_trap();
  (void)not_storable("GET", status, headers);

  CachedResponse stored;
  stored.url = "http://a.test/x";
  stored.status = status;
  stored.response_headers = headers;
  stored.request_headers = headers;
  stored.request_time_s = now - 5;
  stored.response_time_s = now;
  if (current_age(stored, now + 60) < 0) __builtin_trap();
  (void)evaluate(stored, headers, now + 60);
  (void)merge_304_headers(headers, headers);
  (void)kept_request_headers(headers, headers);
  HttpCache cache([] { return int64_t{1'700'000'100}; });
  cache.store("GET", stored);
  (void)cache.lookup(stored.url, headers);
  return 0;
}
