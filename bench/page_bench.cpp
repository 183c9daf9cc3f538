// page_bench: the cost of HTML and CSS discovery (src/page) on a large realistic page,
// fed as a network would deliver it. Prints measured figures; asserts nothing.
//   build/bench/page_bench [runs]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "page/discovery.h"

using namespace pageload::page;

namespace {

// About 1 MB of HTML: a head with stylesheets, preloads and scripts, then articles with
// text, links, images (some responsive, some lazy), inline styles and a few iframes;
// about 500 distinct references.
std::string make_page() {
  std::string h =
      "<!doctype html><html lang=en><head><meta charset=utf-8><title>Bench page</title>\n";
  for (int i = 0; i < 8; ++i) h += "<link rel=stylesheet href=/css/s" + std::to_string(i) + ".css>\n";
  for (int i = 0; i < 4; ++i) h += "<link rel=preload as=font type=font/woff2 href=/f/p" + std::to_string(i) + ".woff2 crossorigin>\n";
  for (int i = 0; i < 12; ++i) h += "<script src=/js/a" + std::to_string(i) + ".js" + (i % 3 ? " defer" : "") + "></script>\n";
  h += "<style>.inline-hero{background:url(/img/inline-hero.jpg)} .x{color:red}</style></head>\n<body class=home>\n";
  int image = 0;
  for (int a = 0; h.size() < 1'000'000; ++a) {
    h += "<article class='post post-" + std::to_string(a) + "'><header><h2 class=title><a href=/p/" +
         std::to_string(a) + ">Article " + std::to_string(a) + "</a></h2></header>\n";
    for (int p = 0; p < 6; ++p)
      h += "<p>Lorem ipsum dolor sit amet, <em>consectetur</em> adipiscing elit, sed do eiusmod tempor "
           "incididunt ut labore et dolore magna aliqua. <a href=/l/" + std::to_string(a * 10 + p) +
           " class=inline-link>Ut enim</a> ad minim veniam, quis nostrud exercitation ullamco.</p>\n";
    if (image < 460) {
      std::string n = std::to_string(image++);
      if (a % 3 == 0)
        h += "<img src=/img/" + n + ".jpg srcset='/img/" + n + "-480.jpg 480w, /img/" + n + "-1280.jpg 1280w, /img/" + n +
             "-1920.jpg 1920w' sizes='(max-width: 600px) 100vw, 1280px' alt=''>\n";
      else
        h += "<img src=/img/" + n + ".png width=320 height=200 alt='' style='border:1px solid #ccc'>\n";
    } else {
      h += "<img src=/img/lazy" + std::to_string(a) + ".jpg loading=lazy alt=''>\n";
    }
    if (a % 200 == 0) h += "<iframe src=/frame/" + std::to_string(a) + ".html></iframe>\n";
    h += "<footer><ul class=tags><li class=tag>one<li class=tag>two<li class=tag>three</ul></footer></article>\n";
  }
  h += "</body></html>\n";
  return h;
}

std::string make_stylesheet() {
  std::string css = "@import url(/css/base.css);\n@font-face{font-family:'Bench Sans';src:url(/f/bench.woff2) format('woff2')}\n"
                    "body{font:16px/1.5 'Bench Sans',sans-serif}\n";
  for (int i = 0; i < 3000; ++i) {
    css += ".c" + std::to_string(i) + " .d > li.tag:first-child, #id" + std::to_string(i) +
           "{margin:0;padding:1px 2px;background:#fff url(/bg/" + std::to_string(i) + ".png) no-repeat}\n";
  }
  css += ".post .title a{background-image:url(/bg/title.png)}\n";
  return css;
}

// CPU time of this process in ms: on a shared machine wall time also counts the waits for
// a core.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  std::string page = make_page();
  std::string css = make_stylesheet();
  std::vector<double> doc_ms, sheet_ms;
  std::size_t refs = 0, parsed = 0;
  for (int r = 0; r < runs; ++r) {
    double t0 = cpu_ms();
    DocumentDiscovery d("https://bench.test/index.html");
    std::size_t found = 0;
    for (std::size_t at = 0; at < page.size(); at += 16384) found += d.feed(std::string_view(page).substr(at, 16384)).size();
    found += d.finish().size();
    parsed = d.bytes_parsed();
    doc_ms.push_back(cpu_ms() - t0);
    double t1 = cpu_ms();
    found += d.stylesheet("https://bench.test/css/s0.css", css).size();
    sheet_ms.push_back(cpu_ms() - t1);
    refs = found;
  }
  std::sort(doc_ms.begin(), doc_ms.end());
  std::sort(sheet_ms.begin(), sheet_ms.end());
  std::printf("document: %zu bytes fed in 16 KB chunks, %zu references (stylesheet included)\n", page.size(), refs);
  std::printf("discovery of the document (feeds + finish), CPU time: median %.1f ms, best %.1f ms (%.0f MB/s)\n",
              doc_ms[doc_ms.size() / 2], doc_ms.front(), page.size() / 1e3 / doc_ms[doc_ms.size() / 2]);
  std::printf("HTML parser input, all parses: %zu bytes (%.2f times the document)\n", parsed,
              static_cast<double>(parsed) / page.size());
  std::printf("stylesheet of %zu bytes, 3000 rules matched against the page, CPU time: median %.1f ms, best %.1f ms\n",
              css.size(), sheet_ms[sheet_ms.size() / 2], sheet_ms.front());
  return 0;
}
