#include "loader/redirect.h"

#include "core/redact.h"

namespace pageload {

NextRequest method_after_redirect(int status, const std::string& method, const std::optional<std::string>& body) {
  if (status == 303 && method != "HEAD") return {"GET", std::nullopt};
  if ((status == 301 || status == 302) && method == "POST") return {"GET", std::nullopt};
  return {method, body};
}

std::vector<Header> headers_for_hop(const std::vector<Header>& user_headers, const std::string& first_origin,
                                    const std::string& origin, bool has_body) {
  std::vector<Header> out;
  bool same_origin = iequals(first_origin, origin);
  for (const auto& h : user_headers) {
    bool credential = iequals(h.first, "authorization") || iequals(h.first, "proxy-authorization") ||
                      iequals(h.first, "cookie");
    if (credential && !same_origin) continue;
    if (!has_body && (iequals(h.first, "content-type") || iequals(h.first, "content-length"))) continue;
    out.push_back(h);
  }
  return out;
}

}  // namespace pageload
