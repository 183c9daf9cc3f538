// Requests without credentials: a CORS request whose credentials mode is "same-origin"
// (an @font-face font, a module script, an element with crossorigin) to another origin
// than its document's goes without cookies and on a connection pool of its own, as
// Chromium keeps sockets and HTTP/2 sessions with and without credentials apart. Against
// the lab's /page/cross-host, whose font on c.test is named by b.test's stylesheet.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <vector>
#include <string>

#include "core/page_notes.h"
#include "core/redact.h"
#include "fixtures/lab_fixture.h"
#include "request_lookup.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

bool sent(const Request& r, const char* name) {
  for (const Header& h : r.request_headers)
    if (iequals(h.first, name)) return true;
  return false;
}

// The lab's page with a cookie in the jar for each of its hosts (-b FILE), as a browser
// profile that has visited them.
LoadOptions with_cookies(const std::string& url) {
  LoadOptions o = lab_options(url);
  for (const char* host : {"www.test", "b.test", "c.test"})
    o.cookies.push_back(std::string(host) + "\tFALSE\t/\tFALSE\t0\tvisited\tyes");
  return o;
}

constexpr const char* kFont = "/page/asset/cross-host-c.woff2";

}  // namespace

TEST_CASE("a cross-origin font goes without cookies on a connection of its own over HTTP/1.1 and HTTP/2") {
  auto& lab = shared_lab();
  struct Case {
    const char* name;
    std::string url;
    const char* version;
  };
  for (const Case& c : {Case{"HTTP/1.1 over TLS", "https://www.test:" + std::to_string(lab.https11_port()) + "/page/cross-host", "HTTP/1.1"},
                        Case{"plain HTTP/1.1", lab.http_url("www.test", "/page/cross-host"), "HTTP/1.1"},
                        Case{"HTTP/2", lab.https_url("www.test", "/page/cross-host"), "HTTP/2"}}) {
    INFO(c.name);
    Run run = load_and_store(with_cookies(c.url));
    REQUIRE(run.outcome == Outcome::kOk);
    const Request& font = by_url(run, kFont);
    REQUIRE(font.status == 200);
    CHECK(font.http_version == c.version);
    CHECK(sent_without_credentials(font));
    CHECK_FALSE(sent(font, "Cookie"));
    REQUIRE(font.connection);
    CHECK_FALSE(font.reused);  // it opened its connection: nothing with credentials was there to take
    // c.test's requests with credentials carried the cookie, on other connections.
    int others = 0;
    for (const Request& r : run.requests) {
      if (r.host != "c.test" || r.seq == font.seq) continue;
      INFO(r.url);
      ++others;
      CHECK_FALSE(sent_without_credentials(r));
      CHECK(sent(r, "Cookie"));
      REQUIRE(r.connection);
      CHECK(*r.connection != *font.connection);
    }
    CHECK(others == 2);  // the script and the image
    // Same-origin and no-cors requests keep their credentials.
    CHECK(sent(by_url(run, "/page/cross-host"), "Cookie"));
    CHECK(sent(by_url(run, "/page/cross-host/b.css"), "Cookie"));
    // The font's connection says why it exists; no other does.
    for (const Connection& conn : run.connections) {
      INFO("connection #" << conn.id << " to " << conn.host);
      CHECK(connection_purpose_note(run, conn).empty() == (conn.id != *font.connection));
    }
    if (std::string(c.version) == "HTTP/2") {
      std::set<int> c_test;
      for (const Connection& conn : run.connections)
        if (conn.host == "c.test") {
          c_test.insert(conn.id);
          REQUIRE(conn.tls);
          CHECK(conn.tls->alpn == "h2");
        }
      CHECK(c_test.size() == 2);  // one with credentials, one without
    }
  }
}

TEST_CASE("a same-origin font keeps its credentials and shares the page's connection") {
  Run run = load_and_store(with_cookies(shared_lab().https_url("www.test", "/page/fonts")));
  REQUIRE(run.outcome == Outcome::kOk);
  int fonts = 0;
  for (const Request& r : run.requests) {
    if (r.resource_type != ResourceType::kFont) continue;
    INFO(r.url);
    ++fonts;
    CHECK_FALSE(sent_without_credentials(r));
    CHECK(sent(r, "Cookie"));
  }
  CHECK(fonts >= 2);
  CHECK(run.connections.size() == 1);  // one HTTP/2 connection for the whole page
}

TEST_CASE("with --share-connections a later run's font reuses the batch's connection without credentials") {
  auto loader = Loader::create();
  REQUIRE(loader.ok());
  LoadOptions o = with_cookies("https://www.test:" + std::to_string(shared_lab().https11_port()) + "/page/cross-host");
  o.share_connections = true;
  auto first = loader.value()->load(o);
  REQUIRE(first.ok());
  auto second = loader.value()->load(o);
  REQUIRE(second.ok());
  REQUIRE(second->outcome == Outcome::kOk);
  const Request& font = by_url(*second, kFont);
  CHECK(font.reused);
  CHECK_FALSE(sent(font, "Cookie"));
  // The connection it reused carried only requests without credentials in the first run.
  const Request& first_font = by_url(*first, kFont);
  REQUIRE(first_font.connection);
  const Connection& conn = first->connections.at(static_cast<std::size_t>(*first_font.connection));
  for (const Request& r : second->requests) {
    if (r.host != "c.test" || r.seq == font.seq || !r.connection) continue;
    const Connection& theirs = second->connections.at(static_cast<std::size_t>(*r.connection));
    CHECK(theirs.local_port != conn.local_port);
  }
  const Connection& reused = second->connections.at(static_cast<std::size_t>(*font.connection));
  CHECK(reused.local_port == conn.local_port);
}

TEST_CASE("a URL used with and without credentials is fetched twice, a preloaded font without crossorigin included") {
  // Blink's memory cache reuses a resource only for a request of the same credentials.
  auto& lab = shared_lab();
  const Run run = load_and_store(with_cookies(lab.https_url("www.test", "/page/credentials")));
  REQUIRE(run.outcome == Outcome::kOk);
  for (const char* asset : {"/page/asset/credentials.woff2", "/page/asset/credentials.png"}) {
    INFO(asset);
    std::vector<const Request*> fetches;
    for (const Request& r : run.requests)
      if (r.url.find(asset) != std::string::npos) fetches.push_back(&r);
    REQUIRE(fetches.size() == 2);
    // One with the cookie (the preload, the plain image), one without (the font, the crossorigin image).
    CHECK(sent_without_credentials(*fetches[0]) != sent_without_credentials(*fetches[1]));
    for (const Request* r : fetches) CHECK(sent(*r, "Cookie") == !sent_without_credentials(*r));
  }
}

TEST_CASE("over HTTP/1.1 each pool has six requests in flight to a host, as Chromium runs them") {
  // /page/credentials: 7 images with credentials and 7 with crossorigin on c.test, each
  // answered 150 ms late. Counted together, at most 6 would ever be on the network.
  auto& lab = shared_lab();
  LoadOptions o = with_cookies("https://www.test:" + std::to_string(lab.https11_port()) + "/page/credentials");
  const Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  struct Edge {
    double at;
    int delta;
  };
  std::vector<Edge> edges;
  for (const Request& r : run.requests) {
    if (r.url.find("/page/asset/cred-") == std::string::npos) continue;
    const PhaseRecord* send = r.phase(Phase::kSend);
    REQUIRE(send);
    edges.push_back({send->span.start_ms, +1});
    edges.push_back({r.span.end_ms, -1});
  }
  REQUIRE(edges.size() == 28);
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    return a.at != b.at ? a.at < b.at : a.delta < b.delta;  // an end before a start at the same moment
  });
  int in_flight = 0, most = 0;
  for (const Edge& e : edges) most = std::max(most, in_flight += e.delta);
  CHECK(most > 6);
  CHECK(most <= 12);
}
