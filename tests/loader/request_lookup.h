// Finding a run's request by URL in the loader's lab tests.
#pragma once

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "pageload/result.h"

namespace pageload::testing {

// The first request whose URL ends with `suffix`; fails the test when there is none.
inline const Request& by_url(const Run& run, const std::string& suffix) {
  for (const Request& r : run.requests)
    if (r.url.size() >= suffix.size() && r.url.compare(r.url.size() - suffix.size(), suffix.size(), suffix) == 0)
      return r;
  FAIL("no request for " << suffix);
  throw std::logic_error("unreachable");
}

}  // namespace pageload::testing
