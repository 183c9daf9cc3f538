// The lab's caching policies (issue 12): /page/cache names one resource per policy a
// browser's HTTP cache meets, each under /page/cached/NAME served with that policy and
// answering conditional requests (If-None-Match, If-Modified-Since) with 304, so a repeat
// view shows each rule's outcome. The policies, by NAME:
//   max-age.css              Cache-Control: max-age=604800            fresh (good)
//   expires.png              Date and Expires one day later            fresh (fair)
//   last-modified.png        Last-Modified 30 days ago only            fresh by the 10 % heuristic
//   last-modified-revalidate.png  Last-Modified (fixed), must-revalidate   304 to If-Modified-Since
//   etag.js                  ETag only                                 304 to If-None-Match
//   no-cache.css             Cache-Control: no-cache and an ETag       304 to If-None-Match; its
//                            background no-cache-bg.png (max-age) is fetched once it applies
//   no-store.png             Cache-Control: no-store                   fetched again
//   none.png                 no caching headers                        fetched again
//   vary.png                 max-age=86400, Vary: Accept               fresh (the same Accept)
//   vary-star.png            max-age=86400, Vary: *                    fetched again
//   moved.png                301 to moved-target.png (max-age)         both fresh
//   icon.ico                 max-age=604800: the page's icon
#pragma once

#include <string_view>

#include "lab/http_request.h"
#include "lab/response_plan.h"

namespace pageload::lab {

// /page/cache: the page naming every policy's resource.
ResponsePlan cache_page_plan();

// /page/cached/NAME: the resource with NAME's policy, or 304 to a request whose
// validators match it; 404 for a NAME not above.
ResponsePlan cached_plan(std::string_view name, const Request& request);

}  // namespace pageload::lab
