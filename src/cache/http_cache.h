// A browser profile's HTTP cache: stored responses by URL, the rules of cache/policy.h
// applied with the wall clock handed in. The loader asks it before a request goes to the
// network and tells it what came back; --repeat-view hands the first view's cache to the
// second, --cache DIR loads it from and saves it to a file (store/http_cache_file.h).
// Not thread-safe: one cache per load, on the loader's event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cache/policy.h"
#include "pageload/cached_response.h"

namespace pageload::cache {

// Unix seconds now. Tests hand in a fake one.
using WallClock = std::function<int64_t()>;
WallClock system_wall_clock();

// The most of a body kept to be read again (documents and stylesheets), as the page
// module reads them.
inline constexpr std::size_t kMaxKeptBodyBytes = 4u << 20;

class HttpCache {
 public:
  explicit HttpCache(WallClock clock = system_wall_clock()) : clock_(std::move(clock)) {}

  int64_t now_s() const { return clock_(); }

  // What the cache holds for a GET of `url` sent with `request_headers`, and what it may
  // do; nullopt when nothing is stored for the URL.
  struct Hit {
    const CachedResponse* stored;
    Decision decision;
  };
  std::optional<Hit> lookup(const std::string& url, const std::vector<Header>& request_headers) const;

  // Keeps `response` (replacing what the URL had) unless policy says it may not be stored;
  // a response that may not be stored also removes the URL's old entry, as a browser's
  // does. Returns whether it was stored.
  bool store(const std::string& method, CachedResponse response);

  // A 304 answered a revalidation of `url`: its headers join the stored ones and the entry
  // counts its age from this exchange. False when nothing is stored for it.
  bool revalidated(const std::string& url, const std::vector<Header>& headers_304, int64_t request_time_s,
                   int64_t response_time_s);

  const std::map<std::string, CachedResponse>& entries() const { return entries_; }
  void put(CachedResponse response) { entries_[response.url] = std::move(response); }

 private:
  WallClock clock_;
  std::map<std::string, CachedResponse> entries_;  // by URL
};

}  // namespace pageload::cache
