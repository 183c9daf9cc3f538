// Finding a run's request by URL in the loader's lab tests.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "pageload/result.h"

namespace pageload::testing {

inline bool url_ends_with(const Request& r, const std::string& suffix) {
  return r.url.size() >= suffix.size() && r.url.compare(r.url.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The first request whose URL ends with `suffix`; fails the test when there is none.
inline const Request& by_url(const Run& run, const std::string& suffix) {
  for (const Request& r : run.requests)
    if (url_ends_with(r, suffix)) return r;
  FAIL("no request for " << suffix);
  throw std::logic_error("unreachable");
}

// How many requests' URLs end with `suffix`; whether any does.
inline int count(const Run& run, const std::string& suffix) {
  return static_cast<int>(
      std::count_if(run.requests.begin(), run.requests.end(), [&](const Request& r) { return url_ends_with(r, suffix); }));
}
inline bool requested(const Run& run, const std::string& suffix) { return count(run, suffix) > 0; }

}  // namespace pageload::testing
