// --cache DIR: a browser profile's HTTP cache kept across invocations, in DIR/http-cache.db,
// a SQLite file of its own (not the runs database: a cache is thrown away, runs are not).
// One table, `responses`, one row per URL (see kCacheSchema in http_cache_file.cpp);
// PRAGMA user_version says its version, application_id that it is pageload's cache.
#pragma once

#include <string>
#include <vector>

#include "pageload/cached_response.h"
#include "pageload/status.h"

namespace pageload::store {

// The file the cache of `dir` lives in.
std::string http_cache_path(const std::string& dir);

// The responses kept in `dir`'s cache; none when the directory has no cache file yet.
// kDatabase when the file is not a pageload cache (or not SQLite, or a newer version);
// kFile when `dir` is not a directory.
StatusOr<std::vector<CachedResponse>> read_http_cache(const std::string& dir);

// Replaces what `dir`'s cache holds with `responses`, in one transaction (creating the
// file). An error leaves the file as it was.
Status write_http_cache(const std::string& dir, const std::vector<CachedResponse>& responses);

}  // namespace pageload::store
