#include "cache/http_cache.h"

#include <catch2/catch.hpp>

#include "cache/http_date.h"

using namespace pageload;
using namespace pageload::cache;

namespace {

constexpr int64_t kStart = 1'700'000'000;

struct FakeClock {
  int64_t now = kStart;
  WallClock clock() {
    return [this] { return now; };
  }
};

CachedResponse response(std::string url, std::vector<Header> headers) {
  CachedResponse r;
  r.url = std::move(url);
  r.status = 200;
  r.response_headers = std::move(headers);
  r.response_headers.insert(r.response_headers.begin(), {"Date", format_http_date(kStart)});
  r.request_time_s = r.response_time_s = kStart;
  r.body_bytes = 1000;
  return r;
}

}  // namespace

TEST_CASE("the cache answers fresh until max-age passes on its clock") {
  FakeClock t;
  HttpCache cache(t.clock());
  REQUIRE(cache.store("GET", response("http://a.test/x", {{"Cache-Control", "max-age=60"}})));
  auto hit = cache.lookup("http://a.test/x", {});
  REQUIRE(hit);
  CHECK(hit->decision.use == Use::kFresh);
  CHECK(hit->stored->body_bytes == 1000);
  t.now += 61;
  CHECK(cache.lookup("http://a.test/x", {})->decision.use == Use::kUnusable);
  CHECK_FALSE(cache.lookup("http://a.test/other", {}));
}

TEST_CASE("a no-store response is not kept and removes what the URL had") {
  FakeClock t;
  HttpCache cache(t.clock());
  cache.store("GET", response("http://a.test/x", {{"Cache-Control", "max-age=60"}}));
  CHECK_FALSE(cache.store("GET", response("http://a.test/x", {{"Cache-Control", "no-store"}})));
  CHECK(cache.entries().empty());
}

TEST_CASE("a 304 makes a stale entry fresh again from the time it came") {
  FakeClock t;
  HttpCache cache(t.clock());
  cache.store("GET", response("http://a.test/x", {{"Cache-Control", "max-age=60"}, {"ETag", "\"1\""}}));
  t.now += 120;
  auto stale = cache.lookup("http://a.test/x", {});
  REQUIRE(stale->decision.use == Use::kRevalidate);
  REQUIRE(cache.revalidated("http://a.test/x", {{"Date", format_http_date(t.now)}}, t.now, t.now));
  CHECK(cache.lookup("http://a.test/x", {})->decision.use == Use::kFresh);
  CHECK_FALSE(cache.revalidated("http://a.test/none", {}, t.now, t.now));
}

TEST_CASE("a kept body is cut at the most the page module reads") {
  HttpCache cache;
  CachedResponse r = response("http://a.test/big", {{"Cache-Control", "max-age=60"}});
  r.body = std::string(kMaxKeptBodyBytes + 10, 'x');
  cache.store("GET", r);
  CHECK(cache.entries().at("http://a.test/big").body->size() == kMaxKeptBodyBytes);
}
