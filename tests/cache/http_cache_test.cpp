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

// A re-review found --cache DIR's file holding `Authorization: Bearer …`, cookies and
// Set-Cookie values in clear, although the README says secrets are never stored.
TEST_CASE("the cache keeps no secret: only the request headers Vary names, a secret one as a fingerprint, no Set-Cookie") {
  FakeClock t;
  HttpCache cache(t.clock());
  CachedResponse r = response("http://a.test/x", {{"Cache-Control", "max-age=60"}, {"Vary", "Cookie, Accept"},
                                                  {"Set-Cookie", "session=server-secret"}});
  r.request_headers = {{"Cookie", "sid=cookie-secret"}, {"Authorization", "Bearer token-secret"}, {"Accept", "text/css"}};
  REQUIRE(cache.store("GET", r));
  const CachedResponse& kept = cache.entries().at("http://a.test/x");
  std::string all;
  for (const auto& [n, v] : kept.request_headers) all += n + ": " + v + "\n";
  for (const auto& [n, v] : kept.response_headers) all += n + ": " + v + "\n";
  INFO(all);
  CHECK(all.find("cookie-secret") == std::string::npos);
  CHECK(all.find("token-secret") == std::string::npos);  // not named by Vary: not kept at all
  CHECK(all.find("server-secret") == std::string::npos);
  CHECK(all.find("Accept: text/css") != std::string::npos);  // not a secret: kept as sent
  REQUIRE(kept.request_headers.size() == 2);
  // Vary still matches: the same cookie is fresh, another is not.
  auto same = cache.lookup("http://a.test/x", {{"Cookie", "sid=cookie-secret"}, {"Accept", "text/css"}});
  REQUIRE(same);
  CHECK(same->decision.use == Use::kFresh);
  auto other = cache.lookup("http://a.test/x", {{"Cookie", "sid=someone-else"}, {"Accept", "text/css"}});
  REQUIRE(other);
  CHECK(other->decision.use != Use::kFresh);
}
