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

TEST_CASE("100,000 nested divs are cut at the depth limit") {
  std::string html;
  for (int i = 0; i < 100000; ++i) html += "<div>";
  auto p = safe_prefix(html, NestingBounds{});
  CHECK(p.bytes == 512 * 5);
  CHECK(p.reason.find("nested deeper than 512") != std::string::npos);
}

TEST_CASE("self-closing syntax closes nothing outside svg, so <div/> cannot slip past") {
  std::string html;
  for (int i = 0; i < 1000; ++i) html += "<div/>";
  NestingBounds b;
  b.max_depth = 100;
  CHECK(safe_prefix(html, b).bytes < html.size());
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
