#include <catch2/catch.hpp>

#include "discovery_support.h"
#include "page/charset.h"

using namespace pageload;
using namespace pageload::page;
using namespace pageload::page::testing;

namespace {

std::vector<std::string> served_as(const std::string& html, const std::string& content_type) {
  DocumentDiscovery d(kPage, no_favicon(), Screen{}, content_type);
  auto out = d.feed(html);
  auto rest = d.finish();
  out.insert(out.end(), rest.begin(), rest.end());
  return urls(out);
}

}  // namespace

TEST_CASE("a document's encoding is sniffed as the HTML standard says") {
  CHECK(sniff_charset("\xEF\xBB\xBF<p>", "text/html; charset=windows-1252").charset == Charset::kUtf8);
  CHECK(sniff_charset("<p>", "text/html; charset=UTF-8").charset == Charset::kUtf8);
  CHECK(sniff_charset("<p>", "text/html;charset=\"iso-8859-1\"").charset == Charset::kWindows1252);
  CHECK(sniff_charset("<meta charset=utf-8>", "text/html").charset == Charset::kUtf8);
  CHECK(sniff_charset("<!-- <meta charset=utf-8> --><meta http-equiv=Content-Type content='text/html; charset=latin1'>",
                      "text/html").charset == Charset::kWindows1252);
  CHECK(sniff_charset("<p>no declaration</p>", "text/html").charset == Charset::kWindows1252);
  CHECK(sniff_charset("<p>", "text/html; charset=shift_jis").charset == Charset::kOther);
  CHECK(sniff_charset(std::string(2000, ' ') + "<meta charset=utf-8>", "text/html").charset == Charset::kWindows1252);
}

// pageload read every document as UTF-8; Chromium reads one that declares no charset as
// windows-1252 and encodes a query in the document's encoding. Each `want` is the URL
// headless Chromium requested for the same bytes served as text/html (review of issue 9, A9).
TEST_CASE("a document without a charset is read as windows-1252 and its queries encoded in it, as Chromium does") {
  const std::string page = "<!doctype html><body><img src=\"/w-\xe9.png?q=\xe9&amp;e=&#x20AC;&amp;z=&#x4E2D;&amp;r=\xc3\xa9\">"
                           "<img src=\"/\xe2\x80\xaegnp.exe\">";
  CHECK(served_as(page, "text/html") ==
        std::vector<std::string>{at("/w-%C3%A9.png?q=%E9&e=%80&z=%26%2320013%3B&r=%C3%A9"),
                                 at("/%C3%A2%E2%82%AC%C2%AEgnp.exe")});
  CHECK(served_as("<meta http-equiv=Content-Type content='text/html; charset=iso-8859-1'><img src=\"/m-\xe9.png?q=\xe9\">",
                  "text/html") == std::vector<std::string>{at("/m-%C3%A9.png?q=%E9")});
  const std::string utf8 = "<img src=\"/u-\xc3\xa9.png?\xc3\xa9=\xc3\xa9&amp;e=\xe2\x82\xac\">";
  const std::vector<std::string> want{at("/u-%C3%A9.png?%C3%A9=%C3%A9&e=%E2%82%AC")};
  CHECK(served_as("<meta charset=\"utf-8\">" + utf8, "text/html") == want);
  CHECK(served_as(utf8, "text/html; charset=utf-8") == want);
  CHECK(served_as(utf8, "text/html; charset=shift_jis") == want);  // not decoded: read as UTF-8
}

TEST_CASE("a document held back for its encoding is still found as it arrives once 1024 bytes are in") {
  DocumentDiscovery d(kPage, no_favicon(), Screen{}, std::string("text/html"));
  CHECK(d.feed("<link rel=stylesheet href=/a.css>").empty());
  auto early = d.feed(std::string(1100, ' ') + "<img src=/b.png>");
  CHECK(urls(early) == std::vector<std::string>{at("/a.css"), at("/b.png")});
}

// The loader's slow document (head at once, body 500 ms later) was held back waiting for
// 1024 bytes although its Content-Type named the charset: its stylesheet came late.
TEST_CASE("a document whose Content-Type names its charset, or whose head has ended, is not held back") {
  DocumentDiscovery d(kPage, no_favicon(), Screen{}, std::string("text/html; charset=utf-8"));
  CHECK(urls(d.feed("<link rel=stylesheet href=/a.css>")) == std::vector<std::string>{at("/a.css")});
  DocumentDiscovery e(kPage, no_favicon(), Screen{}, std::string("text/html"));
  CHECK(urls(e.feed("<head><link rel=stylesheet href=/b.css></head>")) == std::vector<std::string>{at("/b.css")});
}
