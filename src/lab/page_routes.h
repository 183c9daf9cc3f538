// The lab's pages for page loads (issue 9), under /page/: small documents whose
// stylesheets, scripts, images, fonts and frames cover each rule of what a browser
// fetches for a page, so that pageload's requests can be checked against headless
// Chromium's. Each page's text lives in src/lab/pages/ (embedded at build time), one
// file per document or stylesheet; images, fonts and empty scripts come from
// /page/asset/ (page_assets.h); /page/many is generated. On every /page/ URL:
//   ?delay=MS      the answer starts MS ms late (at most 60000)
//   {{port}}       in a page's text, the port the request came in on, so pages name
//                  other *.test hosts (all the lab) on the same server and protocol
//   <!--lab:pause MS-->, /*lab:pause MS*/  in a page's text: the bytes after it follow
//                  MS ms later
// and every answer carries Access-Control-Allow-Origin: * (fonts and module scripts
// from other hosts are CORS fetches) and Timing-Allow-Origin: *.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "lab/http_request.h"
#include "lab/query.h"
#include "lab/response_plan.h"
#include "lab/routes.h"

namespace pageload::lab {

// The answer for a request whose path is /page or starts with /page/.
ResponsePlan plan_page(const Request& request, const Query& query);

// Every page, with what it shows, in the order `pageload lab` and /page/ list them.
std::vector<RouteInfo> page_list();

// The text of an embedded page file ("fonts/fonts.css", "images.html") as stored, before
// {{port}} and pause markers are worked out; nullopt when there is none.
std::optional<std::string_view> page_file(std::string_view path);

}  // namespace pageload::lab
