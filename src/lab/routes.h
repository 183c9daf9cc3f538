// The lab's routes: what the HTTP and HTTPS servers answer for each path, whatever the
// Host. One table (kRoutes in routes.cpp) maps a path to its handler and its one-line
// description, which `pageload lab` prints.
#pragma once

#include <string_view>
#include <vector>

#include "lab/http_request.h"
#include "lab/response_writer.h"

namespace pageload::lab {

struct RouteInfo {
  std::string_view example;      // e.g. "/status/404"
  std::string_view description;  // one line
};

// Answers `request` through `writer`. Never throws; bad input gets a 4xx response.
// The query options `reason=` and `header=Name:value` (repeatable) apply to every route.
void serve_request(const Request& request, ResponseWriter& writer);

// Every route, in the order `pageload lab` lists them.
std::vector<RouteInfo> route_list();

}  // namespace pageload::lab
