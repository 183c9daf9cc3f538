#include <catch2/catch.hpp>

#include <cstdint>

#include "page/css_scanner.h"

using namespace pageload::page;

namespace {
SheetSummary scan(std::string_view css) { return scan_stylesheet(css, Screen{}, CssLimits{}); }
}  // namespace

TEST_CASE("@import takes url(), quoted url() and a bare string, with media") {
  auto s = scan("@charset 'utf-8'; @import url(a.css); @import url('b.css') screen; @import \"c.css\" print;"
                "@import url(d.css) layer(base) supports(display: grid);");
  REQUIRE(s.imports.size() == 4);
  CHECK(s.imports[0].url == "a.css");
  CHECK(s.imports[1].url == "b.css");
  CHECK(s.imports[1].media_matches);
  CHECK(s.imports[2].url == "c.css");
  CHECK_FALSE(s.imports[2].media_matches);
  CHECK(s.imports[3].url == "d.css");
  CHECK(s.imports[3].media_matches);
}

TEST_CASE("@import after a style rule is ignored, as browsers ignore it") {
  auto s = scan("a { color: red } @import url(late.css);");
  CHECK(s.imports.empty());
}

TEST_CASE("style rules keep the url()s of image properties with their selector") {
  auto s = scan(".hero { background: #000 url(hero.jpg) no-repeat; color: red }\n"
                "ul.x > li { list-style-image: url(\"dot.png\") }\n"
                ".plain { color: blue }\n"
                ".custom { --bg: url(never.png); behavior: url(x.htc) }");
  REQUIRE(s.rules.size() == 3);
  CHECK(s.rules[0].selector_text == ".hero");
  REQUIRE(s.rules[0].urls.size() == 1);
  CHECK(s.rules[0].urls[0].url == "hero.jpg");
  CHECK(s.rules[0].urls[0].property == "background");
  CHECK(s.rules[1].selector_text == "ul.x > li");
  CHECK(s.rules[1].urls[0].url == "dot.png");
  // A custom property's url() is not an image of the rule; it is kept for var() readers.
  CHECK(s.rules[2].urls.empty());
  REQUIRE(s.rules[2].custom_urls.size() == 1);
  CHECK(s.rules[2].custom_urls[0].first == "--bg");
}

TEST_CASE("rules inside an @media that does not match are skipped") {
  auto s = scan("@media print { .a { background: url(print.png) } }"
                "@media screen and (min-width: 600px) { .b { background: url(wide.png) } }"
                "@supports (display: grid) { .c { background: url(grid.png) } }");
  REQUIRE(s.rules.size() == 2);
  CHECK(s.rules[0].urls[0].url == "wide.png");
  CHECK(s.rules[1].urls[0].url == "grid.png");
}

TEST_CASE("a rule whose selector is invalid is dropped whole") {
  auto s = scan("a:frobnicate, .ok { background: url(x.png) } .ok2 { background: url(y.png) }");
  REQUIRE(s.rules.size() == 1);
  CHECK(s.rules[0].urls[0].url == "y.png");
}

TEST_CASE("image-set picks the 1x option of a supported type") {
  auto s = scan(".a { background-image: image-set(url(a2.png) 2x, 'a1.avif' type('image/avif') 1x, 'a1.jxl' type('image/jxl') 1x) }");
  REQUIRE(s.rules.size() == 1);
  REQUIRE(s.rules[0].urls.size() == 1);
  CHECK(s.rules[0].urls[0].url == "a1.avif");
}

TEST_CASE("@font-face keeps its family and the first source in a supported format") {
  auto s = scan("@font-face { font-family: 'Lab Sans'; src: local('Lab Sans'), url(lab.eot) format('embedded-opentype'),"
                " url(lab.woff2) format('woff2'), url(lab.woff) format('woff') }"
                "@font-face { font-family: Other Face; src: url(other.svg) format('svg') }");
  REQUIRE(s.font_faces.size() == 2);
  CHECK(s.font_faces[0].family == "Lab Sans");
  CHECK(s.font_faces[0].url == "lab.woff2");
  CHECK_FALSE(s.font_faces[0].note.empty());
  CHECK(s.font_faces[1].family == "Other Face");
  CHECK(s.font_faces[1].url.empty());
}

TEST_CASE("font-family and the font shorthand give family lists") {
  auto s = scan("body { font-family: 'Lab Sans', Helvetica Neue, sans-serif }"
                "h1 { font: italic bold 2em/1.2 \"Lab Serif\", serif }"
                "p { font: 12px Lab Mono }");
  REQUIRE(s.rules.size() == 3);
  CHECK(s.rules[0].font_lists[0] == std::vector<std::string>{"lab sans", "helvetica neue", "sans-serif"});
  CHECK(s.rules[1].font_lists[0] == std::vector<std::string>{"lab serif", "serif"});
  CHECK(s.rules[2].font_lists[0] == std::vector<std::string>{"lab mono"});
}

TEST_CASE("a nested rule is kept and matched as its parent") {
  auto s = scan(".card { color: red; .icon { background: url(icon.png) } }");
  REQUIRE(s.rules.size() == 1);
  CHECK(s.rules[0].urls[0].url == "icon.png");
  CHECK(s.rules[0].selector_text == ".card .icon");
  REQUIRE_FALSE(s.rules[0].selectors.selectors.empty());
  CHECK(s.rules[0].selectors.selectors[0].approximations.back() == "a nested rule");
}

TEST_CASE("a style attribute's declarations give url()s and fonts") {
  auto r = scan_inline_style("background-image: url(in.png); font: 12px 'Lab Sans'", Screen{});
  REQUIRE(r.urls.size() == 1);
  CHECK(r.urls[0].url == "in.png");
  CHECK(r.font_lists == std::vector<std::vector<std::string>>{{"lab sans"}});
}

TEST_CASE("a stray brace in a style attribute does not let the text after it become a rule") {
  auto r = scan_inline_style("background-image: url(in.png); } .x { background: url(also.png)", Screen{});
  REQUIRE(r.urls.size() == 1);
  CHECK(r.urls[0].url == "in.png");
}

TEST_CASE("a stylesheet over the byte limit is parsed up to it and says so") {
  CssLimits limits;
  limits.max_bytes = 40;
  auto s = scan_stylesheet(".a { background: url(a.png) } .b { background: url(b.png) }", Screen{}, limits);
  CHECK(s.rules.size() == 1);
  REQUIRE(s.notes.size() == 1);
  CHECK(s.notes[0].find("parsed up to 40") != std::string::npos);
}

TEST_CASE("blocks nested thousands deep do not recurse without bound") {
  std::string css;
  for (int i = 0; i < 5000; ++i) css += "@media screen { ";
  css += ".a { background: url(deep.png) }";
  auto s = scan(css);
  CHECK(s.rules.empty());
  CHECK_FALSE(s.notes.empty());
}

namespace {
std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges(std::string_view text) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  auto parsed = parse_unicode_range(text);
  if (!parsed) return {{0xFFFFFFFF, 0}};  // invalid
  for (const auto& r : *parsed) out.emplace_back(r.first, r.last);
  return out;
}
}  // namespace

TEST_CASE("unicode-range takes single code points, ranges, ? wildcards and comma lists") {
  using V = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
  CHECK(ranges("U+26") == V{{0x26, 0x26}});
  CHECK(ranges("u+0-7F") == V{{0, 0x7F}});
  CHECK(ranges("U+4??") == V{{0x400, 0x4FF}});
  CHECK(ranges("U+1E00-1EFF") == V{{0x1E00, 0x1EFF}});
  CHECK(ranges(" U+0000-00FF, U+0131 ,U+2000-206F /* punctuation */, U+FEFF ") ==
        V{{0, 0xFF}, {0x131, 0x131}, {0x2000, 0x206F}, {0xFEFF, 0xFEFF}});
  CHECK(ranges("U+??????") == V{{0xFFFFFFFF, 0}});  // 0-FFFFFF goes past 10FFFF
  CHECK(ranges("U+10????") == V{{0x100000, 0x10FFFF}});
}

TEST_CASE("an invalid unicode-range is rejected whole") {
  using V = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
  const V invalid{{0xFFFFFFFF, 0}};
  CHECK(ranges("") == invalid);
  CHECK(ranges("U+") == invalid);
  CHECK(ranges("U+110000") == invalid);      // above 10FFFF
  CHECK(ranges("U+7F-0") == invalid);        // start after end
  CHECK(ranges("U+1234567") == invalid);     // 7 digits
  CHECK(ranges("U+4??-4FF") == invalid);     // '?' with '-'
  CHECK(ranges("U+0-7F,") == invalid);
  CHECK(ranges("U+0-7F U+100") == invalid);
  CHECK(ranges("0-7F") == invalid);
  CHECK(ranges("U+4?0") == invalid);
}

TEST_CASE("@font-face keeps its unicode-range from the text, an invalid one as none") {
  auto s = scan("@font-face { font-family: A; src: url(a.woff2); unicode-range: U+1E00-1EFF, U+0400-045F }"
                "@font-face { font-family: B; unicode-range: U+0-7F; src: url(b.woff2) }"
                "@font-face { font-family: C; src: url(c.woff2); unicode-range: cyrillic; }"
                "@font-face { font-family: D; src: url(d.woff2) }");
  REQUIRE(s.font_faces.size() == 4);
  REQUIRE(s.font_faces[0].ranges.size() == 2);
  CHECK(s.font_faces[0].ranges[0].first == 0x1E00);
  CHECK(s.font_faces[0].ranges[0].last == 0x1EFF);
  CHECK(s.font_faces[0].ranges[1].first == 0x400);
  CHECK(s.font_faces[0].ranges[1].last == 0x45F);
  REQUIRE(s.font_faces[1].ranges.size() == 1);
  CHECK(s.font_faces[1].ranges[0].last == 0x7F);
  CHECK(s.font_faces[1].url == "b.woff2");
  CHECK(s.font_faces[2].ranges.empty());
  CHECK(s.font_faces[2].note == "invalid unicode-range ignored");
  CHECK(s.font_faces[3].ranges.empty());
}
