// Browser redirect rules, as pure functions the loader applies between hops.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload {

inline bool is_redirect_status(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

struct NextRequest {
  std::string method;
  std::optional<std::string> body;
};

// The method and body of the request that follows a redirect (Fetch standard, 4.4):
// 303 turns anything but HEAD into a body-less GET; 301 and 302 turn POST into GET;
// 307 and 308 keep both.
NextRequest method_after_redirect(int status, const std::string& method, const std::optional<std::string>& body);

// User headers for a hop to `origin` ("scheme://host:port"), given the origin the user
// asked for: Authorization, Proxy-Authorization and Cookie go only to that origin. A
// hop to another host, port or scheme (https -> http would send them in clear text)
// drops them, as curl (since 7.83) and the Fetch standard do. A dropped body also drops
// Content-Type/Content-Length the user set for it.
std::vector<Header> headers_for_hop(const std::vector<Header>& user_headers, const std::string& first_origin,
                                    const std::string& origin, bool has_body);

}  // namespace pageload
