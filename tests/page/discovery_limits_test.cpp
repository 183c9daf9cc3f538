#include <catch2/catch.hpp>

#include "discovery_support.h"

using namespace pageload;
using namespace pageload::page;
using namespace pageload::page::testing;

TEST_CASE("a document over the byte limit is parsed up to it and says so") {
  Limits l = no_favicon();
  l.max_document_bytes = 100;
  DocumentDiscovery d(kPage, l);
  auto refs = d.feed("<img src=/a.png>" + std::string(200, ' ') + "<img src=/b.png>");
  CHECK(d.finish().empty());
  CHECK(urls(refs) == std::vector<std::string>{at("/a.png")});
  REQUIRE_FALSE(d.notes().empty());
  CHECK(d.notes()[0] == "document parsed up to 100 of its 232 bytes");
}

TEST_CASE("a million img tags yield at most the reference limit") {
  std::string html;
  html.reserve(30 << 20);
  for (int i = 0; i < 1000000; ++i) html += "<img src=/i" + std::to_string(i) + ".png>";
  Limits l = no_favicon();
  l.max_document_bytes = 32 << 20;
  DocumentDiscovery d(kPage, l);
  auto refs = d.feed(html);
  auto rest = d.finish();
  CHECK(refs.size() + rest.size() <= l.max_references);
  bool noted = false;
  for (const auto& n : d.notes()) noted = noted || n.find("elements") != std::string::npos || n.find("references") != std::string::npos;
  CHECK(noted);
}

// The review's deep2.html: 600 nested <div>s, then an image outside them. Chromium fetches
// it; pageload stopped parsing at the 513th <div> and never saw it.
TEST_CASE("an image after markup nested deeper than 512 elements is still found") {
  std::string html = "<body><img src=/top.png>";
  for (int i = 0; i < 600; ++i) html += "<div>";
  html += "<img src=/deep.png><p style='background:url(/deep-bg.png)'>x";
  for (int i = 0; i < 600; ++i) html += "</div>";
  html += "<img src=/after-deep.png>";
  auto refs = discover(html);
  CHECK(urls(refs) == std::vector<std::string>{at("/top.png"), at("/deep.png"), at("/after-deep.png"), at("/deep-bg.png")});
  DocumentDiscovery d(kPage, no_favicon());
  d.feed(html);
  d.finish();
  bool noted = false;
  for (const auto& n : d.notes()) noted = noted || n.find("nested deeper than 512") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("100,000 nested divs cost a bounded parse and references after them are found") {
  std::string html = "<img src=/top.png>";
  for (int i = 0; i < 100000; ++i) html += "<div>";
  html += "<img src=/deep.png>";
  for (int i = 0; i < 100000; ++i) html += "</div>";
  html += "<img src=/after.png>";
  auto refs = discover(html);
  CHECK(urls(refs) == std::vector<std::string>{at("/top.png"), at("/deep.png"), at("/after.png")});
}

TEST_CASE("a 10 MB srcset costs no more than its candidate limit") {
  std::string srcset;
  for (int i = 0; i < 500000; ++i) srcset += "/s" + std::to_string(i) + ".png 1x, ";
  auto refs = discover("<img srcset='" + srcset + "'>", [] {
    Limits l = no_favicon();
    l.max_document_bytes = 16 << 20;
    return l;
  }());
  CHECK(urls(refs) == std::vector<std::string>{at("/s0.png")});
  // Read in part, the choice may not be Chromium's: the request says so.
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].note.find("srcset read up to its first 1000 candidates") != std::string::npos);
}

TEST_CASE("a srcset within the candidate limit leaves no note and one just over it does") {
  auto srcset_of = [](int n) {
    std::string s;
    for (int i = 1; i <= n; ++i) s += "/w" + std::to_string(i) + ".png " + std::to_string(i * 10) + "w, ";
    return s;
  };
  Limits l = no_favicon();
  l.max_srcset_candidates = 3;
  auto within = discover("<img srcset='" + srcset_of(3) + "'>", l);
  REQUIRE(within.size() == 1);
  CHECK(within[0].note.empty());
  auto over = discover("<img srcset='" + srcset_of(4) + "'>", l);
  REQUIRE(over.size() == 1);
  CHECK(over[0].note.find("srcset read up to its first 3 candidates") != std::string::npos);
  auto picture = discover("<picture><source srcset='" + srcset_of(4) + "'><img src=/fallback.png></picture>", l);
  REQUIRE(picture.size() == 1);
  CHECK(picture[0].note.find("srcset read up to") != std::string::npos);
}

TEST_CASE("a document URL that does not parse yields nothing and a note") {
  DocumentDiscovery d("not a url", no_favicon());
  CHECK(d.feed("<img src=/a.png>").empty());
  CHECK(d.finish().empty());
  REQUIRE_FALSE(d.notes().empty());
}

TEST_CASE("a reference longer than the URL limit is skipped and counted") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed("<img src='/" + std::string(10000, 'a') + "'>");
  CHECK(d.finish().empty());
  CHECK(d.notes().back().find("longer than 8192 bytes 1") != std::string::npos);
}

TEST_CASE("a document arriving a byte at a time is parsed about twice over, not once per byte") {
  std::string html = "<html><head><link rel=stylesheet href=/a.css></head><body>";
  while (html.size() < 100000) html += "<p>Some text <img src=/i" + std::to_string(html.size()) + ".png></p>\n";
  DocumentDiscovery d(kPage, no_favicon());
  std::size_t found = 0;
  for (char c : html) found += d.feed(std::string_view(&c, 1)).size();
  found += d.finish().size();
  CHECK(found > 1000);
  // Prefixes at the first byte, then each time the bytes have doubled (after 4 KB), then
  // the whole document once more.
  CHECK(d.bytes_parsed() <= 3 * html.size() + 4096 * 2);
  CHECK(d.bytes_parsed() >= html.size());
}

TEST_CASE("srcdoc documents are read at most 100 per document and no deeper than the srcdoc limit") {
  std::string html;
  for (int i = 0; i < 150; ++i) html += "<iframe srcdoc='<img src=/s" + std::to_string(i) + ".png>'></iframe>";
  DocumentDiscovery d(kPage, no_favicon());
  auto refs = d.feed(html);
  auto rest = d.finish();
  refs.insert(refs.end(), rest.begin(), rest.end());
  CHECK(refs.size() == 100);
  bool noted = false;
  for (const auto& n : d.notes()) noted = noted || n == "only the first 100 iframe srcdoc documents read";
  CHECK(noted);
  Limits one_deep = no_favicon();
  one_deep.max_srcdoc_depth = 1;
  auto nested = discover("<iframe srcdoc=\"<iframe srcdoc='<img src=/d2.png>'></iframe><img src=/d1.png>\"></iframe>", one_deep);
  CHECK(urls(nested) == std::vector<std::string>{at("/d1.png")});
  // The ones cut are counted, from every level, for the loader to name the bound that
  // applied; no note repeats "iframe srcdoc: " per level (a review found four in a row).
  DocumentDiscovery two(kPage, one_deep);
  two.feed("<iframe srcdoc=\"<iframe srcdoc='<p>'></iframe><iframe srcdoc='<p>'></iframe>\"></iframe>"
           "<iframe srcdoc=\"<iframe srcdoc='<p>'></iframe>\"></iframe>");
  two.finish();
  CHECK(two.srcdocs_too_deep() == 3);
  for (const auto& n : two.notes()) CHECK(n.find("srcdoc") == std::string::npos);
}
