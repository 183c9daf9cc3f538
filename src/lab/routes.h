// The lab's routes: what the HTTP and HTTPS servers answer for each path, whatever the
// Host, over HTTP/1.1 and HTTP/2 alike. One table (kRoutes in routes.cpp) maps a path to
// its handler and its one-line description, which `pageload lab` prints; the pages for
// page loads under /page/ live in page_routes.h.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lab/http_request.h"
#include "lab/response_plan.h"

namespace pageload::lab {

struct RouteInfo {
  std::string_view example;      // e.g. "/status/404"
  std::string_view description;  // one line
};

// Counts the requests for each /refuse/N target, so that of every N+1 requests for one
// target the first N are refused and the next one answered: a client that retries
// refused streams (curl does, on a new connection) gets through, every time.
// Thread-safe; one per server.
class RefusalCounter {
 public:
  // Whether this request for `target` is to be refused.
  bool refuse(const std::string& target, int first_n);

 private:
  static constexpr std::size_t kMaxTargets = 10'000;  // then it starts over
  std::mutex mu_;
  std::unordered_map<std::string, long long> seen_;
};

// What a server keeps for its routes across requests.
struct RouteState {
  RefusalCounter refusals;
  // Added to the start of every answer under /page/ and of /favicon.ico (HttpServerOptions).
  std::chrono::milliseconds page_delay{0};
};

// The plan that answers `request`. Never throws but for bad_alloc; bad input gets a
// 4xx plan. The query options `reason=` (HTTP/1.1 only) and `header=Name:value`
// (repeatable) apply to every route.
ResponsePlan plan_response(const Request& request, RouteState& state);

// Every route, in the order `pageload lab` lists them (the /page/ routes not included:
// see page_list() in page_routes.h).
std::vector<RouteInfo> route_list();

}  // namespace pageload::lab
