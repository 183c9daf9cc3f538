// The HTTP cache in page loads (issue 12): a first view fills a browser's cache, a repeat
// view (a new loader: new connections, as a browser started again) is answered from it
// as each of the lab's caching policies (/page/cache, src/lab/cache_routes.h) says.
#include <catch2/catch.hpp>

#include <set>

#include "cache/http_cache.h"
#include "fixtures/lab_fixture.h"
#include "request_lookup.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

bool sent_header(const Request& r, const std::string& name) {
  for (const auto& [n, v] : r.request_headers)
    if (n == name) return true;
  return false;
}

struct Views {
  Run first, repeat;
};

Views first_and_repeat(const std::string& url) {
  cache::HttpCache http_cache;
  LoadOptions o = lab_options(url);
  o.http_cache = &http_cache;
  Views v;
  v.first = load_and_store(o);  // each load_and_store has a loader of its own: new connections
  v.repeat = load_and_store(o);
  return v;
}

}  // namespace

TEST_CASE("a repeat view of the caching policies page answers fresh ones from the cache with no network phases") {
  Views v = first_and_repeat(shared_lab().http_url("www.test", "/page/cache"));
  REQUIRE(v.first.outcome == Outcome::kOk);
  REQUIRE(v.repeat.outcome == Outcome::kOk);
  for (const Request& r : v.first.requests) {
    CHECK(r.cache_lookup == "miss");
    CHECK_FALSE(r.from_cache);
  }
  for (const char* fresh : {"/max-age.css", "/expires.png", "/last-modified.png", "/vary.png", "/moved.png",
                            "/moved-target.png", "/icon.ico", "/no-cache-bg.png"}) {
    INFO(fresh);
    const Request& r = by_url(v.repeat, fresh);
    CHECK(r.from_cache);
    CHECK(r.cache_lookup == "fresh");
    CHECK(r.phases.empty());
    CHECK_FALSE(r.connection);
    CHECK_FALSE(r.dns_lookup);
    CHECK(r.request_headers.empty());
    CHECK(r.bytes_saved == by_url(v.first, fresh).body_bytes);
  }
  CHECK(by_url(v.repeat, "/moved.png").status == 301);
  CHECK(by_url(v.repeat, "/moved-target.png").redirect_from == by_url(v.repeat, "/moved.png").seq);
}

TEST_CASE("a repeat view revalidates ETag, no-cache and must-revalidate resources and records the 304s") {
  Views v = first_and_repeat(shared_lab().http_url("www.test", "/page/cache"));
  REQUIRE(v.repeat.outcome == Outcome::kOk);
  struct Expect {
    const char* url;
    const char* validator;
  };
  for (const Expect& e : {Expect{"/etag.js", "If-None-Match"}, Expect{"/no-cache.css", "If-None-Match"},
                          Expect{"/last-modified-revalidate.png", "If-Modified-Since"}}) {
    INFO(e.url);
    const Request& r = by_url(v.repeat, e.url);
    CHECK(r.status == 304);
    CHECK(r.cache_lookup == "revalidated");
    CHECK_FALSE(r.from_cache);
    CHECK(sent_header(r, e.validator));
    CHECK(r.phase(Phase::kWait));
    CHECK(r.connection);
    REQUIRE(r.bytes_saved);
    CHECK(*r.bytes_saved == by_url(v.first, e.url).body_bytes);
    CHECK(*r.bytes_saved > 0);
  }
}

TEST_CASE("a repeat view fetches no-store, uncacheable and Vary star resources again") {
  Views v = first_and_repeat(shared_lab().http_url("www.test", "/page/cache"));
  REQUIRE(v.repeat.outcome == Outcome::kOk);
  for (const char* again : {"/no-store.png", "/none.png", "/vary-star.png", "/page/cache"}) {
    INFO(again);
    const Request& r = by_url(v.repeat, again);
    CHECK(r.status == 200);
    CHECK(r.cache_lookup == "miss");
    CHECK_FALSE(r.bytes_saved);
    CHECK(r.phase(Phase::kWait));
  }
  CHECK(by_url(v.repeat, "/no-store.png").cache_reason == "no-store");
  CHECK(by_url(v.repeat, "/vary-star.png").cache_reason == "not-storable");
  CHECK(by_url(v.repeat, "/none.png").cache_reason == "none");
}

TEST_CASE("a repeat view sends fewer requests on the wire and opens no connection for what the cache answers") {
  Views v = first_and_repeat(shared_lab().http_url("www.test", "/page/cache"));
  REQUIRE(v.repeat.outcome == Outcome::kOk);
  auto on_wire = [](const Run& run) {
    std::size_t n = 0;
    for (const Request& r : run.requests) n += !r.from_cache;
    return n;
  };
  CHECK(v.first.requests.size() == v.repeat.requests.size());
  CHECK(on_wire(v.first) == v.first.requests.size());
  CHECK(on_wire(v.repeat) == v.first.requests.size() - 8);
  for (const Request& r : v.repeat.requests)
    if (r.from_cache) CHECK_FALSE(r.phase(Phase::kConnect));
  CHECK(v.repeat.figures().transfer_bytes < v.first.figures().transfer_bytes);
}

TEST_CASE("every response says how long a cache may keep it and which header decided, without a cache too") {
  Run run = load_and_store(lab_options(shared_lab().http_url("www.test", "/page/cache")));
  REQUIRE(run.outcome == Outcome::kOk);
  CHECK(by_url(run, "/max-age.css").cache_reason == "max-age");
  CHECK(by_url(run, "/max-age.css").cache_lifetime_s == 604800);
  CHECK(by_url(run, "/expires.png").cache_reason == "expires");
  CHECK(by_url(run, "/expires.png").cache_lifetime_s == Approx(86400).margin(2));
  CHECK(by_url(run, "/last-modified.png").cache_reason == "last-modified");
  CHECK(by_url(run, "/last-modified.png").cache_lifetime_s == Approx(3 * 86400).margin(2));
  CHECK(by_url(run, "/no-cache.css").cache_reason == "no-cache");
  CHECK(by_url(run, "/moved.png").cache_reason == "permanent");
  for (const Request& r : run.requests) CHECK(r.cache_lookup.empty());  // no cache: nothing looked up
}

TEST_CASE("a stylesheet revalidated with a 304 is still applied: the image it names is requested") {
  Views v = first_and_repeat(shared_lab().http_url("www.test", "/page/cache"));
  REQUIRE(v.repeat.outcome == Outcome::kOk);
  REQUIRE(by_url(v.repeat, "/no-cache.css").status == 304);
  const Request& bg = by_url(v.repeat, "/no-cache-bg.png");
  CHECK(bg.initiator == by_url(v.repeat, "/no-cache.css").seq);
  CHECK(bg.from_cache);
}

TEST_CASE("a repeat view over HTTP/2 answers the same resources from the cache") {
  Views v = first_and_repeat(shared_lab().https_url("www.test", "/page/cache"));
  REQUIRE(v.repeat.outcome == Outcome::kOk);
  std::size_t fresh = 0, revalidated = 0;
  for (const Request& r : v.repeat.requests) {
    fresh += r.from_cache;
    revalidated += r.cache_lookup == "revalidated";
  }
  CHECK(fresh == 8);
  CHECK(revalidated == 3);
}

// A module script from the cache still names its imports: its body was kept only for
// documents and stylesheets, so a repeat view of /page/modules asked for main.js (from the
// cache) and none of what it imports.
TEST_CASE("a repeat view finds the static imports of module scripts the cache answered") {
  Views v = first_and_repeat(shared_lab().https_url("www.test", "/page/modules"));
  REQUIRE(v.first.outcome == Outcome::kOk);
  REQUIRE(v.repeat.outcome == Outcome::kOk);
  CHECK(v.repeat.requests.size() == v.first.requests.size());
  for (const char* path : {"/page/modules/main.js", "/page/modules/dep.js", "/page/modules/shared.js",
                           "/page/modules/reexport.js", "/page/modules/leaf.js", "/page/modules/preloaded.js"}) {
    INFO(path);
    const Request& r = by_url(v.repeat, path);
    CHECK(r.from_cache);
    CHECK(r.cache_lookup == "fresh");
  }
  // The second level too: leaf.js is named by dep.js, itself named by main.js from the cache.
  CHECK(by_url(v.repeat, "/page/modules/leaf.js").initiator == by_url(v.repeat, "/page/modules/dep.js").seq);
  CHECK(count(v.repeat, "/page/modules/shared.js") == 1);
  CHECK_FALSE(requested(v.repeat, "/page/modules/after-bare.js"));
  CHECK_FALSE(by_url(v.repeat, "/page/modules").from_cache);  // the page itself may not be cached
}
