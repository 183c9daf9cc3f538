// One response as a browser's HTTP cache keeps it: what src/cache decides with and what
// the store keeps across invocations (--cache DIR). A plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload {

struct CachedResponse {
  std::string url;  // the key: a GET of this URL (fragment dropped)
  int status = 0;
  std::string http_version;
  std::vector<Header> response_headers;  // updated by each 304 that revalidates it
  // The headers the request was sent with: those its Vary names must match a new request's.
  std::vector<Header> request_headers;
  // Unix seconds (wall clock) when the request was sent and its response arrived: the
  // request_time and response_time of RFC 9111 4.2.3's age calculation.
  int64_t request_time_s = 0;
  int64_t response_time_s = 0;
  // The body as the page reads it (decoded), kept for documents, stylesheets and module
  // scripts: a page loaded from the cache still names its subresources (a module its
  // imports). Absent for other types: their bytes are never read, their size is enough.
  std::optional<std::string> body;
  int64_t body_bytes = 0;    // on the wire when it was fetched: what a cache hit saves
  int64_t body_decoded = 0;  // after content decoding
  std::string content_type;

  bool operator==(const CachedResponse&) const = default;
};

}  // namespace pageload
