#include "cache/http_cache.h"

#include <chrono>

namespace pageload::cache {

WallClock system_wall_clock() {
  return [] {
    return static_cast<int64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  };
}

std::optional<HttpCache::Hit> HttpCache::lookup(const std::string& url,
                                                const std::vector<Header>& request_headers) const {
  auto it = entries_.find(url);
  if (it == entries_.end()) return std::nullopt;
  return Hit{&it->second, evaluate(it->second, request_headers, now_s())};
}

bool HttpCache::store(const std::string& method, CachedResponse response) {
  if (not_storable(method, response.status, response.response_headers)) {
    entries_.erase(response.url);
    return false;
  }
  if (response.body && response.body->size() > kMaxKeptBodyBytes) response.body->resize(kMaxKeptBodyBytes);
  response.request_headers = kept_request_headers(response.response_headers, response.request_headers);
  response.response_headers = kept_response_headers(std::move(response.response_headers));
  entries_[response.url] = std::move(response);
  return true;
}

bool HttpCache::revalidated(const std::string& url, const std::vector<Header>& headers_304, int64_t request_time_s,
                            int64_t response_time_s) {
  auto it = entries_.find(url);
  if (it == entries_.end()) return false;
  CachedResponse& e = it->second;
  e.response_headers = kept_response_headers(merge_304_headers(e.response_headers, headers_304));
  e.request_time_s = request_time_s;
  e.response_time_s = response_time_s;
  return true;
}

}  // namespace pageload::cache
