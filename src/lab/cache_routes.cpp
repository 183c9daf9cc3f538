#include "lab/cache_routes.h"

#include <array>
#include <chrono>
#include <ctime>
#include <optional>
#include <string>

#include "lab/page_assets.h"

namespace pageload::lab {
namespace {

constexpr long kDay = 24 * 3600;
// The fixed Last-Modified of last-modified-revalidate.png (2024-01-01T00:00:00Z).
constexpr long kFixedLastModified = 1'704'067'200;

// Each policy: the resource's name and how it is served. `etag`, `last_modified_age` (s
// before now; -1: the fixed date above; 0: none) give validators; `headers` the rest.
struct Policy {
  std::string_view name;
  std::string_view cache_control;  // empty: none
  long expires_in = 0;             // Expires this many seconds after Date; 0: none
  long last_modified_age = 0;
  std::string_view etag;
  std::string_view vary;
  std::string_view redirect_to;    // a 301 to this name
};

constexpr std::array<Policy, 11> kPolicies{{
    {"max-age.css", "max-age=604800", 0, 0, "", "", ""},
    {"expires.png", "", kDay, 0, "", "", ""},
    {"last-modified.png", "", 0, 30 * kDay, "", "", ""},
    {"last-modified-revalidate.png", "must-revalidate", 0, -1, "", "", ""},
    {"etag.js", "", 0, 0, "\"etag-v1\"", "", ""},
    {"no-cache.css", "no-cache", 0, 0, "\"no-cache-v1\"", "", ""},
    {"no-store.png", "no-store", 0, 0, "", "", ""},
    {"none.png", "", 0, 0, "", "", ""},
    {"vary.png", "max-age=86400", 0, 0, "", "Accept", ""},
    {"vary-star.png", "max-age=86400", 0, 0, "", "*", ""},
    {"moved.png", "", 0, 0, "", "", "moved-target.png"},
}};
constexpr Policy kMovedTarget{"moved-target.png", "max-age=604800", 0, 0, "", "", ""};
constexpr Policy kIcon{"icon.ico", "max-age=604800", 0, 0, "", "", ""};  // the page's icon
// no-cache.css's background: found only when the stylesheet is applied (after its 304 too).
constexpr Policy kBackground{"no-cache-bg.png", "max-age=604800", 0, 0, "", "", ""};

long now_s() {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

std::string http_date(long t) {
  const std::time_t tt = t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<long> parse_http_date(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end) return std::nullopt;
  return static_cast<long>(timegm(&tm));
}

const Policy* find_policy(std::string_view name) {
  if (name == kMovedTarget.name) return &kMovedTarget;
  if (name == kIcon.name) return &kIcon;
  if (name == kBackground.name) return &kBackground;
  for (const Policy& p : kPolicies)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace

ResponsePlan cache_page_plan() {
  std::string body =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Caching policies</title>\n"
      "<link rel=\"icon\" href=\"/page/cached/icon.ico\">\n";
  for (const Policy& p : kPolicies) {
    const std::string url = "/page/cached/" + std::string(p.name);
    if (p.name.ends_with(".css")) body += "<link rel=\"stylesheet\" href=\"" + url + "\">\n";
    else if (p.name.ends_with(".js")) body += "<script src=\"" + url + "\" defer></script>\n";
  }
  body += "</head>\n<body>\n<h1>Caching policies</h1>\n";
  for (const Policy& p : kPolicies)
    if (p.name.ends_with(".png"))
      body += "<img src=\"/page/cached/" + std::string(p.name) + "\" width=\"16\" height=\"16\" alt=\"" +
              std::string(p.name) + "\">\n";
  body += "</body>\n</html>\n";
  return ResponsePlan::whole(200, {{"Content-Type", "text/html; charset=utf-8"}}, std::move(body));
}

ResponsePlan cached_plan(std::string_view name, const Request& request) {
  const Policy* p = find_policy(name);
  if (!p) return ResponsePlan::whole(404, {{"Content-Type", "text/plain; charset=utf-8"}}, "404 Not Found\n");
  const long now = now_s();
  HeaderList headers{{"Date", http_date(now)}};
  if (!p->cache_control.empty()) headers.push_back({"Cache-Control", std::string(p->cache_control)});
  if (p->expires_in) headers.push_back({"Expires", http_date(now + p->expires_in)});
  std::optional<long> last_modified;
  if (p->last_modified_age > 0) last_modified = now - p->last_modified_age;
  if (p->last_modified_age < 0) last_modified = kFixedLastModified;
  if (last_modified) headers.push_back({"Last-Modified", http_date(*last_modified)});
  if (!p->etag.empty()) headers.push_back({"ETag", std::string(p->etag)});
  if (!p->vary.empty()) headers.push_back({"Vary", std::string(p->vary)});
  if (!p->redirect_to.empty()) {
    headers.push_back({"Location", "/page/cached/" + std::string(p->redirect_to)});
    return ResponsePlan::whole(301, std::move(headers), "");
  }
  // A conditional request its validators match: 304, no body (RFC 9110 13.1.1: If-None-
  // Match is evaluated first, If-Modified-Since only without it).
  const std::string* inm = request.header("If-None-Match");
  const std::string* ims = request.header("If-Modified-Since");
  bool not_modified = false;
  if (inm) not_modified = !p->etag.empty() && *inm == p->etag;
  else if (ims && last_modified)
    if (auto since = parse_http_date(*ims)) not_modified = *since >= *last_modified;
  if (not_modified) return ResponsePlan::whole(304, std::move(headers), "");
  auto asset = make_asset(name, 0);
  if (name == "no-cache.css") asset->bytes = "body { background: url(no-cache-bg.png) }\n";
  headers.insert(headers.begin(), {"Content-Type", asset->content_type});
  return ResponsePlan::whole(200, std::move(headers), std::move(asset->bytes));
}

}  // namespace pageload::lab
