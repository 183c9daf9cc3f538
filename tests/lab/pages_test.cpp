// The pages for page loads (/page/...): served over every port and protocol, naming
// other hosts with the request's own port, each URL they name served (but those meant
// to fail), their pauses where their text puts them, and assets of valid formats.
#include <curl/curl.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "lab/page_assets.h"
#include "lab/page_routes.h"
#include "lab/routes.h"
#include "lab_fixture.h"

using namespace pageload::lab;
using namespace pageload::lab::testing;

namespace {

// `ref` resolved against `base` with libcurl's URL parser; "" when it cannot be.
std::string resolve(const std::string& base, const std::string& ref) {
  CURLU* u = curl_url();
  std::string out;
  if (curl_url_set(u, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
      curl_url_set(u, CURLUPART_URL, ref.c_str(), 0) == CURLUE_OK) {
    char* text = nullptr;
    if (curl_url_get(u, CURLUPART_URL, &text, 0) == CURLUE_OK) out = text;
    curl_free(text);
  }
  curl_url_cleanup(u);
  return out;
}

// Every URL a page's HTML or CSS names (attributes, srcset candidates, url(), @import),
// relative ones as written. Good enough for the lab's own pages, which quote attributes.
std::vector<std::string> references(const std::string& text) {
  std::vector<std::string> refs;
  static const std::regex attr(R"re(\b(?:src|href|poster)="([^"]*)")re");
  static const std::regex srcset(R"re(\bsrcset="([^"]*)")re");
  static const std::regex url(R"re(url\(\s*['"]?([^'")]+)['"]?\s*\))re");
  static const std::regex import(R"re(@import\s+"([^"]+)")re");
  for (const std::regex* re : {&attr, &url, &import})
    for (std::sregex_iterator it(text.begin(), text.end(), *re), end; it != end; ++it)
      refs.push_back(std::regex_replace(std::string((*it)[1]), std::regex("&amp;"), "&"));  // as an HTML parser reads it
  for (std::sregex_iterator it(text.begin(), text.end(), srcset), end; it != end; ++it) {
    std::string list = (*it)[1];
    if (list.rfind("data:", 0) == 0) continue;  // its commas are not candidate separators
    static const std::regex candidate(R"re(\s*([^\s,]+)[^,]*)re");
    for (std::sregex_iterator c(list.begin(), list.end(), candidate), cend; c != cend; ++c) refs.push_back((*c)[1]);
  }
  return refs;
}

// The first <base href> of a document, if any.
std::string base_href(const std::string& html) {
  static const std::regex base(R"re(<base href="([^"]*)")re");
  std::smatch m;
  return std::regex_search(html, m, base) ? std::string(m[1]) : std::string();
}

uint32_t be32(std::string_view s, std::size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

// Whether `png` is a PNG whose chunks all have good CRCs, from IHDR to a final IEND.
bool valid_png(std::string_view png) {
  if (png.substr(0, 8) != std::string_view("\x89PNG\r\n\x1a\n", 8)) return false;
  std::size_t at = 8;
  bool first = true;
  while (at + 12 <= png.size()) {
    uint32_t length = be32(png, at);
    if (at + 12 + length > png.size()) return false;
    std::string_view type = png.substr(at + 4, 4);
    if (first && type != "IHDR") return false;
    first = false;
    uLong crc = crc32(0, reinterpret_cast<const Bytef*>(png.data() + at + 4), 4 + length);
    if (crc != be32(png, at + 8 + length)) return false;
    at += 12 + length;
    if (type == "IEND") return at == png.size();
  }
  return false;
}

Request get(std::string target, int port = 8443) {
  Request r;
  r.method = "GET";
  r.target = std::move(target);
  r.local_port = port;
  return r;
}

}  // namespace

TEST_CASE("every page answers with HTML over HTTP/1.1, HTTP/2 and the HTTP/1.1-only HTTPS port") {
  LabFixture f;
  for (const RouteInfo& page : page_list()) {
    std::string path(page.example);
    if (path.rfind("/page/asset/", 0) == 0) continue;
    INFO(path);
    for (const std::string& url : {f.http(path), f.https(path), f.https11(path)}) {
      Fetch r = f.client->fetch(url);
      CHECK(r.status == 200);
      std::string type = r.header("Content-Type");
      if (path == "/page/octet-stream") CHECK(type == "application/octet-stream");
      else if (path == "/page/no-content-type") CHECK(type.empty());  // no field at all
      else CHECK(type == "text/html; charset=utf-8");
      CHECK(r.header("Access-Control-Allow-Origin") == "*");
      CHECK(r.body.rfind("<!doctype html>", 0) == 0);
      CHECK(r.body.find("{{") == std::string::npos);
      CHECK(r.body.find("lab:pause") == std::string::npos);
    }
  }
  CHECK(f.lab->https_http2_connections() == 1);
  Fetch index = f.client->fetch(f.https("/page/"));
  CHECK(index.body.find("href=\"/page/fonts\"") != std::string::npos);
}

TEST_CASE("a page names other hosts with the port its request came in on") {
  LabFixture f;
  for (const auto& [url, port] : {std::pair{f.http("/page/cross-host"), f.lab->http_port()},
                                  std::pair{f.https("/page/cross-host"), f.lab->https_port()},
                                  std::pair{f.https11("/page/cross-host"), f.lab->https11_port()}}) {
    Fetch r = f.client->fetch(url);
    CHECK(r.body.find("//b.test:" + std::to_string(port) + "/page/cross-host/b.css") != std::string::npos);
  }
  // The Host header's port, when the client names one the server does not listen on.
  Fetch proxied = f.client->fetch(f.http("/page/third-party"), {.headers = {"Host: www.test:8080"}});
  CHECK(proxied.body.find("//nxdomain.test:8080/") != std::string::npos);
}

TEST_CASE("every URL the pages name is served, but the ones meant to fail") {
  LabFixture f;
  std::set<std::string> seen;
  std::deque<std::string> queue;
  for (const RouteInfo& page : page_list()) {
    std::string path(page.example);
    if (path.rfind("/page/asset/", 0) != 0) queue.push_back(f.https(path));
  }
  int fetched = 0;
  while (!queue.empty()) {
    std::string url = queue.front();
    queue.pop_front();
    if (!seen.insert(url).second) continue;
    INFO(url);
    Fetch r = f.client->fetch(url);
    ++fetched;
    bool meant_to_fail = url.find("/page/missing/") != std::string::npos;
    // /page/redirects names a redirect chain and a redirect loop on purpose.
    bool redirect = url.find("/chain/") != std::string::npos || url.find("/loop") != std::string::npos;
    CHECK(r.status == (meant_to_fail ? 404 : redirect ? 302 : 200));
    std::string type = r.header("Content-Type");
    bool html = type.rfind("text/html", 0) == 0, css = url.find(".css") != std::string::npos;
    if (!html && !css) continue;
    std::string base = html && !base_href(r.body).empty() ? resolve(url, base_href(r.body)) : url;
    for (const std::string& ref : references(r.body)) {
      if (ref.rfind("data:", 0) == 0 || ref.rfind("#", 0) == 0) continue;
      // Served at once: the pages' delays are not what this checks.
      std::string next = std::regex_replace(resolve(base, ref), std::regex(R"re(delay=\d+)re"), "delay=0");
      // References only a browser's percent-encoding makes requestable (spaces, quotes, an
      // escape character): /page/encoding's, checked against Chromium by compare_pages.
      if (next.empty()) {
        CHECK(url.find("/page/encoding") != std::string::npos);
        continue;
      }
      if (next.find("//nxdomain.test:") != std::string::npos) continue;
      // <base href> itself is not a resource, and the ignored second base names a directory.
      if (next.back() == '/') continue;
      queue.push_back(next);
    }
  }
  CHECK(fetched > 150);
}

TEST_CASE("the slow document sends its head at once and the rest 500 ms later") {
  LabFixture f;
  Fetch r = f.client->fetch(f.http("/page/slow-document"));
  REQUIRE(r.status == 200);
  CHECK(r.total_ms - r.starttransfer_ms >= 450);
  CHECK(r.header("Content-Length") == std::to_string(r.body.size()));

  RouteState state;
  ResponsePlan plan = plan_response(get("/page/slow-document"), state);
  REQUIRE(plan.body.size() == 2);
  CHECK(plan.body[0].delay.count() == 0);
  CHECK(plan.body[0].pattern.find("rel=\"stylesheet\"") != std::string::npos);
  CHECK(plan.body[0].pattern.find("<body>") == std::string::npos);
  CHECK(plan.body[1].delay.count() == 500);
  CHECK(plan.body[1].pattern.find("<body>") != std::string::npos);
}

TEST_CASE("/page/many names exactly n subresources, spread over three hosts") {
  RouteState state;
  for (int n : {1, 35, 1000}) {
    ResponsePlan plan = plan_response(get("/page/many?n=" + std::to_string(n) + "&each=120&size=3000", 4000), state);
    REQUIRE(plan.body.size() == 1);
    const std::string& html = plan.body[0].pattern;
    static const std::regex resource(R"re(//([abc])\.test:4000/page/asset/many-\d+\.(css|js|png)\?delay=120&size=3000)re");
    std::map<std::string, int> by_host, by_type;
    int total = 0;
    for (std::sregex_iterator it(html.begin(), html.end(), resource), end; it != end; ++it) {
      ++by_host[(*it)[1]];
      ++by_type[(*it)[2]];
      ++total;
    }
    INFO(n);
    CHECK(total == n);
    if (n >= 35) {
      CHECK(by_host.size() == 3);
      CHECK(by_type.size() == 3);
    }
  }
  CHECK(plan_response(get("/page/many?n=5000"), state).body[0].pattern.find("many-2999.") != std::string::npos);
  CHECK(plan_response(get("/page/many?n=5000"), state).body[0].pattern.find("many-3000.") == std::string::npos);
}

TEST_CASE("?delay= holds back any page URL and unknown page URLs are 404") {
  LabFixture f;
  Fetch slow = f.client->fetch(f.https("/page/asset/x.png?delay=300"));
  CHECK(slow.status == 200);
  CHECK(slow.starttransfer_ms >= 290);
  CHECK(f.client->fetch(f.https("/page/nope")).status == 404);
  CHECK(f.client->fetch(f.https("/page/asset/x.unknown")).status == 404);
  CHECK(f.client->fetch(f.https("/page/fonts.html/x")).status == 404);
  CHECK(f.client->fetch(f.https("/pages")).status == 404);
}

TEST_CASE("the wrong-type stylesheet is served as text/plain and its neighbour as text/css") {
  LabFixture f;
  CHECK(f.client->fetch(f.https("/page/wrong-type/plain.css")).header("Content-Type") == "text/plain; charset=utf-8");
  CHECK(f.client->fetch(f.https("/page/wrong-type/right.css")).header("Content-Type") == "text/css; charset=utf-8");
}

TEST_CASE("page images are valid files of their type, padded to the size asked") {
  for (uint64_t size : {0u, 100u, 5000u, 300000u}) {
    INFO(size);
    auto png = make_asset("a.png", size);
    REQUIRE(png);
    CHECK(png->content_type == "image/png");
    CHECK(valid_png(png->bytes));
    if (size >= 100) CHECK(png->bytes.size() == size);

    auto gif = make_asset("a.gif", size);
    CHECK(gif->bytes.rfind("GIF89a", 0) == 0);
    CHECK(gif->bytes.back() == '\x3b');
    CHECK(gif->bytes.size() >= size);

    auto ico = make_asset("a.ico", size);
    CHECK(ico->bytes.substr(0, 4) == std::string("\0\0\1\0", 4));
    CHECK(valid_png(std::string_view(ico->bytes).substr(22)));

    auto svg = make_asset("a.svg", size);
    CHECK(svg->bytes.rfind("<svg ", 0) == 0);
    if (size >= 200) CHECK(svg->bytes.size() == size);
  }
  CHECK(make_asset("a.png", 0)->bytes != make_asset("b.png", 0)->bytes);  // a colour each
  CHECK(make_asset("font.woff2", 0)->bytes.rfind("wOF2", 0) == 0);
  CHECK(make_asset("font.woff2", 0)->content_type == "font/woff2");
  CHECK(make_asset("x.mjs", 0)->bytes.find("export") != std::string::npos);
  CHECK(make_asset("x.wav", 0)->bytes.rfind("RIFF", 0) == 0);
  CHECK(make_asset("x.wav", 0)->bytes.size() == 44 + 800);
  CHECK(make_asset("x.mp3", 0)->content_type == "audio/mpeg");
  auto icon = make_asset("i.png", 0, 32);
  REQUIRE(icon);
  CHECK(valid_png(icon->bytes));
  CHECK(icon->bytes.substr(16, 8) == std::string("\0\0\0\x20\0\0\0\x20", 8));  // IHDR: 32 by 32
  CHECK(make_asset("x.css", 1000)->bytes.size() == 1000);
  CHECK(make_asset("x.js", 1000)->bytes.size() == 1000);
  CHECK(make_asset("huge.png", 1ull << 40)->bytes.size() <= kMaxAssetBytes + 64);
  CHECK_FALSE(make_asset("x.exe", 0));
  CHECK_FALSE(make_asset("noextension", 0));
}

TEST_CASE("/favicon.ico is an icon") {
  LabFixture f;
  Fetch r = f.client->fetch(f.http("/favicon.ico"));
  CHECK(r.status == 200);
  CHECK(r.header("Content-Type") == "image/x-icon");
}

TEST_CASE("a lab started with a page delay starts every /page/ answer and /favicon.ico that much later") {
  LabOptions options;
  options.page_delay = std::chrono::milliseconds(300);
  auto started = Lab::start(options);
  REQUIRE(started.ok());
  const Lab& lab = *started.value();
  Client client(lab.ca_file(), {lab.http_port(), lab.https_port(), lab.https11_port()});
  for (const std::string& url : {lab.http_url("a.test", "/page/asset/x.png"), lab.https_url("a.test", "/page/fonts"),
                                 lab.https11_url("a.test", "/favicon.ico")}) {
    INFO(url);
    Fetch r = client.fetch(url);
    CHECK(r.status == 200);
    CHECK(r.starttransfer_ms >= 250);
  }
  Fetch other = client.fetch(lab.http_url("a.test", "/status/204"));
  CHECK(other.status == 204);
  CHECK(other.starttransfer_ms < 250);
}

TEST_CASE("the keep-alive page's stylesheet names the font on the page's host, and only a host name passes") {
  LabFixture f;
  const std::string port = std::to_string(f.lab->https_port());
  Fetch page = f.client->fetch(f.https("/page/keep-alive", "c.test"));
  CHECK(page.body.find("late.css?delay=600&amp;page-host=c.test\"") != std::string::npos);
  Fetch css = f.client->fetch(f.https("/page/keep-alive/late.css?page-host=c.test"));
  CHECK(css.body.find("url(//c.test:" + port + "/page/asset/keep-alive.woff2)") != std::string::npos);
  Fetch hostile = f.client->fetch(f.https("/page/keep-alive/late.css?page-host=x%29%3Bbody%7Bdisplay:none"));
  CHECK(hostile.body.find("url(//www.test:" + port + "/page/asset/keep-alive.woff2)") != std::string::npos);
  CHECK(hostile.body.find("display:none") == std::string::npos);
}
