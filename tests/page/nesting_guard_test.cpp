#include <catch2/catch.hpp>

#include "page/nesting_guard.h"

using namespace pageload::page;

TEST_CASE("an ordinary page is parsed whole") {
  std::string html = "<!doctype html><html><head><title>x <div></title><script>'<div><div>'</script></head>"
                     "<body><div><p>a<p>b<ul><li>1<li>2</ul><img src=a><br></div>"
                     "<svg><path d='M0'/><path/></svg></body></html>";
  NestingBounds b;
  b.max_depth = 6;
  auto p = safe_prefix(html, b);
  CHECK(p.bytes == html.size());
  CHECK(p.reason.empty());
}

TEST_CASE("100,000 nested divs are flattened past the depth limit, not cut") {
  std::string html;
  for (int i = 0; i < 100000; ++i) html += "<div>";
  auto p = safe_prefix(html, NestingBounds{});
  CHECK(p.bytes == html.size());
  CHECK(p.reason.find("nested deeper than 512") != std::string::npos);
  REQUIRE(p.flatten.size() == 100000 - 512);
  CHECK(p.flatten.front().at == 513 * 5);
  CHECK(p.flatten.front().insert == "</div>");
}

// Blink attaches an element deeper than 512 to its parent's parent and parses on; pageload
// stopped parsing there, so an image after a 600-deep nest was never fetched.
TEST_CASE("markup nested past the depth limit is rewritten so the parser's stack stays bounded") {
  std::string html = "<body>";
  for (int i = 0; i < 6; ++i) html += "<div class=d" + std::to_string(i) + ">";
  html += "x";
  for (int i = 0; i < 6; ++i) html += "</div>";
  html += "<img src=/after.png>";
  NestingBounds b;
  b.max_depth = 4;
  auto p = safe_prefix(html, b);
  CHECK(p.bytes == html.size());
  CHECK(flattened(html, p) ==
        "<body><div class=d0><div class=d1><div class=d2><div class=d3><div class=d4></div><div class=d5></div>x"
        "</div></div></div></div><img src=/after.png>");
}

TEST_CASE("self-closing syntax closes nothing outside svg, so <div/> cannot slip past") {
  std::string html;
  for (int i = 0; i < 1000; ++i) html += "<div/>";
  NestingBounds b;
  b.max_depth = 100;
  CHECK(safe_prefix(html, b).flatten.size() == 900);
}

TEST_CASE("unclosed formatting elements count the clones the parser would make") {
  std::string html;
  for (int i = 0; i < 50; ++i) html += "<b id=" + std::to_string(i) + ">";
  for (int i = 0; i < 100000; ++i) html += "<p>x";
  NestingBounds b;
  b.max_estimated_nodes = 200000;
  auto p = safe_prefix(html, b);
  CHECK(p.bytes < html.size());
  CHECK(p.reason.find("elements") != std::string::npos);
}
