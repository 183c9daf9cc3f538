#include <catch2/catch.hpp>

#include "discovery_support.h"

using namespace pageload;
using namespace pageload::page;
using namespace pageload::page::testing;

namespace {
const char* kDoc =
    "<html><head><link rel=stylesheet href=/css/site.css></head>"
    "<body class=home><div id=main class='hero wide'><ul><li class=item><a href=/x>x</a></li></ul></div>"
    "<p style=\"background-image: url('inline.png'); font-family: 'Inline Face'\">t</p></body></html>";
}  // namespace

TEST_CASE("a stylesheet's @imports are returned at once, resolved against the sheet") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(kDoc);
  auto refs = d.stylesheet(at("/css/site.css"), "@import 'base.css'; @import url(/print.css) print;");
  REQUIRE(refs.size() == 2);
  CHECK(refs[0].url == at("/css/base.css"));
  CHECK(refs[0].found_by == "css @import");
  CHECK(refs[0].import_depth == 1);
  CHECK(refs[1].lazy);
}

TEST_CASE("backgrounds are fetched only for selectors that match an element, once the document is complete") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(kDoc);
  auto before = d.stylesheet(at("/css/site.css"),
                             ".hero { background: url(hero.jpg) } .missing { background: url(none.jpg) }"
                             "body.home li > a { background: url(../icons/link.svg) }"
                             "a:hover { background: url(hover.png) }");
  CHECK(before.empty());  // waits for the element tree
  auto after = d.finish();
  CHECK(urls(after) == std::vector<std::string>{at("/css/hero.jpg"), at("/icons/link.svg"), at("/dir/inline.png")});
  CHECK(find(after, at("/css/hero.jpg"))->found_by == "css url() for .hero");
  CHECK(find(after, at("/css/hero.jpg"))->type == ResourceType::kImage);
  CHECK(find(after, at("/dir/inline.png"))->found_by == "css url() in style attribute");
}

// Chromium keeps a control character in an attribute value, and a selector naming it
// (CSS escape \1b) matches: pageload's marks for gumbo leaked into the values (a review).
TEST_CASE("attribute selectors match values holding control characters") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(std::string("<p data-esc=\"a\x1b" "b\" class=\"k\x07x\" id=\"i\x01" "d\">text</p>"));
  d.stylesheet(at("/css/site.css"), "[data-esc=\"a\\1b b\"] { background: url(esc.png) }"
                                    ".k\\7 x { background: url(cls.png) } #i\\1 d { background: url(id.png) }"
                                    "[data-esc=ab] { background: url(no.png) }");
  auto refs = d.finish();
  CHECK(urls(refs) == std::vector<std::string>{at("/css/esc.png"), at("/css/cls.png"), at("/css/id.png")});
}

TEST_CASE("a stylesheet arriving after the document is complete is applied at once") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(kDoc);
  d.finish();
  auto refs = d.stylesheet(at("/css/late.css"), "ul li { background: url(bullet.png) } table { background: url(t.png) }");
  CHECK(urls(refs) == std::vector<std::string>{at("/css/bullet.png")});
}

TEST_CASE("a complex selector is treated as matching and the reference says so") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(kDoc);
  d.finish();
  auto refs = d.stylesheet(at("/css/x.css"), "li:nth-child(2n) + li .nope { background: url(sib.png) }");
  REQUIRE(refs.empty());  // .nope matches nothing, whatever is approximated
  refs = d.stylesheet(at("/css/y.css"), "li:first-child a { background: url(first.png) }");
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].note == "selector 'li:first-child a' treated as matching (:first-child)");
}

TEST_CASE("a web font is fetched when a rule gives its family to rendered text, with the list's next web font as Chromium's fallback") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(kDoc);
  d.finish();
  auto refs = d.stylesheet(at("/css/fonts.css"),
                           "@font-face { font-family: 'Lab Sans'; src: url(lab.woff2) format('woff2'), url(lab.woff) }"
                           "@font-face { font-family: 'Unused'; src: url(unused.woff2) }"
                           "@font-face { font-family: 'Second'; src: url(second.woff2) }"
                           "@font-face { font-family: 'Table Face'; src: url(table.woff2) }"
                           "@font-face { font-family: 'Inline Face'; src: url(inline.woff2) }"
                           "body { font-family: NotInstalled, 'Lab Sans', 'Second', sans-serif }"
                           "table { font-family: 'Table Face' }");
  CHECK(urls(refs) == std::vector<std::string>{at("/css/lab.woff2"), at("/css/second.woff2"), at("/css/inline.woff2")});
  CHECK(refs[0].type == ResourceType::kFont);
  CHECK(refs[0].found_by == "css @font-face 'Lab Sans'");
}

TEST_CASE("a font declared in one sheet and used in another is fetched when both have arrived") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(kDoc);
  d.finish();
  CHECK(d.stylesheet(at("/css/use.css"), "#main { font: bold 16px/1.5 'Split Face', serif }").empty());
  auto refs = d.stylesheet(at("/css/face.css"), "@font-face { font-family: 'Split Face'; src: url(split.woff2) }");
  CHECK(urls(refs) == std::vector<std::string>{at("/css/split.woff2")});
}

TEST_CASE("an inline style element's imports are found early and its rules applied at the end") {
  DocumentDiscovery d(kPage, no_favicon());
  auto early = d.feed("<html><head><style>@import 'in.css'; .hero { background: url(h.png) }</style></head>");
  CHECK(urls(early) == std::vector<std::string>{at("/dir/in.css")});
  d.feed(std::string("<body><div class=hero></div>") + std::string(5000, ' '));
  auto rest = d.finish();
  CHECK(urls(rest) == std::vector<std::string>{at("/dir/h.png")});
}

TEST_CASE("a style element whose media does not match applies no rules") {
  auto refs = discover("<style media=print>.a { background: url(p.png) }</style><div class=a></div>");
  CHECK(refs.empty());
}

TEST_CASE("an @import cycle ends because each URL is returned once") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed("<link rel=stylesheet href=/a.css>");
  d.finish();
  auto b = d.stylesheet(at("/a.css"), "@import '/b.css';", 0);
  REQUIRE(b.size() == 1);
  auto a = d.stylesheet(at("/b.css"), "@import '/a.css';", b[0].import_depth);
  CHECK(a.empty());
}

TEST_CASE("an @import chain stops at the depth limit and says so") {
  Limits l = no_favicon();
  l.max_import_depth = 2;
  DocumentDiscovery d(kPage, l);
  d.finish();
  CHECK(d.stylesheet(at("/1.css"), "@import '/2.css';", 0).size() == 1);
  CHECK(d.stylesheet(at("/2.css"), "@import '/3.css';", 1).size() == 1);
  CHECK(d.stylesheet(at("/3.css"), "@import '/4.css';", 2).empty());
  auto notes = d.notes();
  REQUIRE_FALSE(notes.empty());
  CHECK(notes[0].find("@import chains longer than 2") != std::string::npos);
}

TEST_CASE("the stylesheet whose @imports the depth limit cut is named with how many were cut") {
  Limits l = no_favicon();
  l.max_import_depth = 1;
  DocumentDiscovery d(kPage, l);
  d.finish();
  CHECK(d.stylesheet(at("/1.css"), "@import '/2.css';", 0).size() == 1);
  CHECK(d.imports_not_followed(at("/1.css")) == 0);
  CHECK(d.stylesheet(at("/2.css"), "@import '/3.css'; @import '/4.css';", 1).empty());
  CHECK(d.imports_not_followed(at("/2.css")) == 2);
  CHECK(d.imports_not_followed(at("/3.css")) == 0);
}

TEST_CASE("hidden elements load no backgrounds and elements without text load no fonts") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed("<body><div class=empty></div><span class=gone style='color: red; display: none'>text</span>"
         "<p hidden class=hid>text</p><input type=hidden class=field><p class=shown>text</p></body>");
  d.finish();
  auto refs = d.stylesheet(at("/css/h.css"),
                           "@font-face { font-family: EmptyOnly; src: url(empty.woff2) }"
                           "@font-face { font-family: GoneOnly; src: url(gone.woff2) }"
                           "@font-face { font-family: Shown; src: url(shown.woff2) }"
                           ".empty { font-family: EmptyOnly; background: url(empty-bg.png) }"
                           ".gone { font-family: GoneOnly; background: url(gone-bg.png) }"
                           ".hid, .field { background: url(hid-bg.png) }"
                           "script, head { background: url(ua-hidden.png) }"
                           ".shown { font-family: Shown }");
  CHECK(urls(refs) == std::vector<std::string>{at("/css/empty-bg.png"), at("/css/shown.woff2")});
}

TEST_CASE("of a family's faces, the regular one is fetched, the bold one only for bold text, as Chromium matches fonts") {
  // What headless Chromium fetched for this page: used.woff2 and used-bold.woff2 (the <h1>
  // is bold), not used-italic.woff2 (nothing is italic).
  DocumentDiscovery d(kPage, no_favicon());
  d.feed("<body><p>text</p><h1>Bold heading</h1></body>");
  d.finish();
  auto refs = d.stylesheet(at("/f.css"),
                           "@font-face { font-family: Used; src: url(used.woff2) }"
                           "@font-face { font-family: Used; font-weight: 700; src: url(used-bold.woff2) }"
                           "@font-face { font-family: Used; font-style: italic; src: url(used-italic.woff2) }"
                           "@font-face { font-family: Variable; font-weight: 100 900; src: url(variable.woff2) }"
                           "p { font-family: Used } h1 { font-family: Variable, Used }");
  CHECK(urls(refs) == std::vector<std::string>{at("/used.woff2"), at("/used-bold.woff2"), at("/variable.woff2")});
  auto italic = d.stylesheet(at("/i.css"), "p { font-style: italic }");
  CHECK(urls(italic) == std::vector<std::string>{at("/used-italic.woff2")});
}

TEST_CASE("a family with only a bold face is fetched for regular text too (the nearest weight renders it)") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed("<p>text</p>");
  d.finish();
  auto refs = d.stylesheet(at("/f.css"), "@font-face { font-family: B; font-weight: bold; src: url(b.woff2) } p { font-family: B }");
  CHECK(urls(refs) == std::vector<std::string>{at("/b.woff2")});
}

namespace {
// The CSS Google Fonts serves for one family and weight: a face per script subset.
const char* kSubsets =
    "@font-face { font-family: Sub; src: url(cyrillic.woff2) format('woff2');"
    " unicode-range: U+0301, U+0400-045F, U+0490-0491, U+04B0-04B1, U+2116; }"
    "@font-face { font-family: Sub; src: url(greek.woff2) format('woff2'); unicode-range: U+0370-0377, U+037A-037F, U+0384-038A, U+038C, U+038E-03A1, U+03A3-03FF; }"
    "@font-face { font-family: Sub; src: url(latin-ext.woff2) format('woff2');"
    " unicode-range: U+0100-02BA, U+1E00-1E9F, U+20A0-20AB; }"
    "@font-face { font-family: Sub; src: url(latin.woff2) format('woff2');"
    " unicode-range: U+0000-00FF, U+0131, U+0152-0153, U+2000-206F; }"
    "@font-face { font-family: Sub; font-weight: 700; src: url(latin-700.woff2) format('woff2');"
    " unicode-range: U+0000-00FF; }"
    "@font-face { font-family: Cyr; src: url(cyr-only.woff2); unicode-range: U+0400-04FF; }"
    "p { font-family: Sub } .c { font-family: Cyr, sans-serif }";
}  // namespace

TEST_CASE("of a family split by unicode-range, only the faces holding a character of the text are fetched") {
  // Chromium on a Latin page: latin.woff2 only; cyr-only.woff2 (U+0400-04FF) not at all.
  DocumentDiscovery d(kPage, no_favicon());
  d.feed("<meta charset=utf-8><body><p>Plain text</p><p class=c>Latin too</p><script>var s = 'Привет'</script></body>");
  d.finish();
  CHECK(urls(d.stylesheet(at("/f.css"), kSubsets)) == std::vector<std::string>{at("/latin.woff2")});
}

TEST_CASE("text in other scripts fetches the subsets that cover it, and hidden text none") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed("<meta charset=utf-8><body><p>Привет</p><div hidden><p>&#x1E00; &#x3B1;</p></div></body>");
  d.finish();
  CHECK(urls(d.stylesheet(at("/f.css"), kSubsets)) == std::vector<std::string>{at("/cyrillic.woff2")});
  DocumentDiscovery mixed(kPage, no_favicon());
  mixed.feed("<meta charset=utf-8><body><p>Привет, &#x3B1; and &#x1E9E;</p></body>");
  mixed.finish();
  CHECK(urls(mixed.stylesheet(at("/f.css"), kSubsets)) ==
        std::vector<std::string>{at("/cyrillic.woff2"), at("/greek.woff2"), at("/latin-ext.woff2"), at("/latin.woff2")});
}

TEST_CASE("an image named through a custom property loads when a rendered element's image property reads it") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(kDoc);
  d.finish();
  auto refs = d.stylesheet(at("/css/vars.css"),
                           ":root { --hero: url(hero-var.png); --unused: url(unused-var.png) }"
                           ".hero { background-image: var(--hero) }"
                           ".missing { background-image: var(--unused) }");
  CHECK(urls(refs) == std::vector<std::string>{at("/css/hero-var.png")});
  CHECK(refs[0].found_by == "css url() via var(--hero) for .hero");
}

TEST_CASE("url()s and fonts held for the complete document still name the stylesheet that named them") {
  // Found by the browser comparison: Chromium's initiator of such a background or font is
  // the stylesheet, and pageload named the document it waited for.
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(kDoc);
  CHECK(d.stylesheet(at("/css/site.css"),
                     "@font-face { font-family: 'Lab'; src: url(lab.woff2) format('woff2') }"
                     ".hero { background: url(hero.jpg); font-family: 'Lab' }")
            .empty());
  auto after = d.finish();
  for (const char* url : {"/css/hero.jpg", "/css/lab.woff2"}) {
    INFO(url);
    REQUIRE(find(after, at(url)));
    CHECK(find(after, at(url))->stylesheet == at("/css/site.css"));
    CHECK(find(after, at(url))->css_rule);
  }
  REQUIRE(find(after, at("/dir/inline.png")));
  CHECK(find(after, at("/dir/inline.png"))->stylesheet.empty());  // a style attribute: the document's
  CHECK(find(after, at("/dir/inline.png"))->css_rule);
}

TEST_CASE("an @import is not a CSS rule's url(): it names its sheet through the loader, at once") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(kDoc);
  auto refs = d.stylesheet(at("/css/site.css"), "@import 'base.css';");
  REQUIRE(refs.size() == 1);
  CHECK_FALSE(refs[0].css_rule);
}
