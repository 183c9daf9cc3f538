// The CSS scanner (src/page/css_scanner.h), its tokenizer, selectors, media queries and
// srcset, over a stranger's stylesheet: as a stylesheet of a small document (so selectors
// are matched and fonts chosen), as a style attribute, as a media query list and as a
// srcset. It must end, stay within the bytes and keep its limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

#include "core/url.h"
#include "page/css_scanner.h"
#include "page/discovery.h"
#include "page/srcset.h"

using namespace pageload;
using namespace pageload::page;

namespace {

constexpr const char* kDocument =
    "<!doctype html><html lang=en><head><title>t</title></head><body class='home page'>"
    "<header id=top><nav><ul class=menu><li class='item first'><a href=/a>a</a></li><li class=item>"
    "<a href=/b data-kind=Photo>b</a></li></ul></nav></header><main><article class=post>"
    "<h1 class=title>x</h1><p style='font-family: Lab Sans'>y</p><img class=hero src=/h.png></article>"
    "</main><footer><div class='a b c'><span>z</span></div></footer></body></html>";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view css(reinterpret_cast<const char*>(data), size);
  Screen screen;

  CssLimits css_limits;
  css_limits.max_rules = 500;
  SheetSummary s = scan_stylesheet(css, screen, css_limits);
  if (s.rules.size() > css_limits.max_rules) std::abort();
  for (const auto& r : s.rules) {
    if (r.urls.empty() && r.font_lists.empty() && !r.bold && !r.italic && r.custom_urls.empty() && r.var_images.empty())
      std::abort();  // only rules that matter
    if (r.selector_text.size() > 210) std::abort();
  }

  (void)scan_inline_style(css, screen);
  (void)media_matches(css, screen);
  double size_px = source_size(css, screen);
  if (!(size_px >= 0)) std::abort();
  (void)pick_image_url("/src.png", css, css, screen, 100);
  if (parse_srcset(css, 50).size() > 50) std::abort();

  Limits limits;
  limits.max_references = 300;
  limits.max_match_steps = 100000;
  limits.max_import_depth = 3;
  DocumentDiscovery d("https://fuzz.test/page.html", limits);
  d.feed(kDocument);
  d.finish();
  std::set<std::string> seen;
  for (const auto& r : d.stylesheet("https://fuzz.test/css/a.css", css, 1)) {
    if (!parse_url(r.url).ok() || r.url.find('#') != std::string::npos) std::abort();
    // Once per URL and CORS mode: a font and an image of one URL are two requests, as in Chromium.
    if (!seen.insert(r.cors_anonymous ? r.url + "\n cors" : r.url).second) std::abort();
    if (r.type == ResourceType::kStylesheet && r.import_depth != 2) std::abort();
  }
  return 0;
}
