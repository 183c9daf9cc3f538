#include "cache/policy.h"

#include <catch2/catch.hpp>

#include "cache/http_date.h"

using namespace pageload;
using namespace pageload::cache;

namespace {

// A response generated at kNow (its Date), received at once.
constexpr int64_t kNow = 1'700'000'000;  // Tue, 14 Nov 2023 22:13:20 GMT
constexpr int64_t kDay = 24 * 3600;

std::vector<Header> with_date(std::vector<Header> hs) {
  hs.insert(hs.begin(), {"Date", format_http_date(kNow)});
  return hs;
}

CachedResponse stored(int status, std::vector<Header> hs) {
  CachedResponse r;
  r.url = "http://shop.test/a.css";
  r.status = status;
  r.response_headers = with_date(std::move(hs));
  r.request_time_s = r.response_time_s = kNow;
  return r;
}

}  // namespace

TEST_CASE("an HTTP-date is read in all three forms and nothing else") {
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == 784111777);
  CHECK_FALSE(parse_http_date("0"));
  CHECK_FALSE(parse_http_date("-1"));
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing"));
  CHECK(format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_CASE("max-age decides freshness before Expires and Last-Modified") {
  auto f = freshness(200, with_date({{"Cache-Control", "public, max-age=600"},
                                     {"Expires", format_http_date(kNow + kDay)},
                                     {"Last-Modified", format_http_date(kNow - 100 * kDay)}}),
                     kNow);
  CHECK(f.reason == Reason::kMaxAge);
  CHECK(f.lifetime_s == 600);
}

TEST_CASE("s-maxage is for shared caches and a browser ignores it") {
  auto f = freshness(200, with_date({{"Cache-Control", "s-maxage=600"}}), kNow);
  CHECK(f.reason == Reason::kNone);
  CHECK(f.lifetime_s == 0);
}

TEST_CASE("a max-age that is not a number falls through to Expires") {
  auto f = freshness(200, with_date({{"Cache-Control", "max-age=ten"}, {"Expires", format_http_date(kNow + 60)}}), kNow);
  CHECK(f.reason == Reason::kExpires);
  CHECK(f.lifetime_s == 60);
}

TEST_CASE("Expires counts from Date, and from the response time without a Date") {
  CHECK(freshness(200, with_date({{"Expires", format_http_date(kNow + 3600)}}), kNow + 50).lifetime_s == 3600);
  auto no_date = freshness(200, {{"Expires", format_http_date(kNow + 3600)}}, kNow + 600);
  CHECK(no_date.lifetime_s == 3000);
}

TEST_CASE("an Expires in the past or that does not parse is stale at once") {
  auto past = freshness(200, with_date({{"Expires", format_http_date(kNow - 10)}}), kNow);
  CHECK(past.reason == Reason::kExpires);
  CHECK(past.lifetime_s == 0);
  auto zero = freshness(200, with_date({{"Expires", "0"}, {"Last-Modified", format_http_date(kNow - kDay)}}), kNow);
  CHECK(zero.reason == Reason::kExpires);
  CHECK(zero.lifetime_s == 0);
}

TEST_CASE("the heuristic is a tenth of Date minus Last-Modified for 200, 203 and 206") {
  const auto hs = with_date({{"Last-Modified", format_http_date(kNow - 10 * kDay)}});
  for (int status : {200, 203, 206}) {
    auto f = freshness(status, hs, kNow);
    CHECK(f.reason == Reason::kLastModified);
    CHECK(f.lifetime_s == kDay);
  }
  CHECK(freshness(404, hs, kNow).reason == Reason::kNone);
}

TEST_CASE("must-revalidate turns the heuristic off, and is named as what decided") {
  auto f = freshness(200, with_date({{"Cache-Control", "must-revalidate"},
                                     {"Last-Modified", format_http_date(kNow - 10 * kDay)}}),
                     kNow);
  CHECK(f.reason == Reason::kMustRevalidate);
  CHECK(f.lifetime_s == 0);
}

TEST_CASE("a Last-Modified after Date gives no heuristic freshness") {
  auto f = freshness(200, with_date({{"Last-Modified", format_http_date(kNow + kDay)}}), kNow);
  CHECK(f.reason == Reason::kNone);
}

TEST_CASE("301 and 308 without freshness headers are fresh for ever, 302 is not") {
  CHECK(freshness(301, with_date({}), kNow).reason == Reason::kPermanent);
  CHECK(freshness(308, with_date({}), kNow).lifetime_s == kForeverS);
  CHECK(freshness(302, with_date({}), kNow).reason == Reason::kNone);
  CHECK(freshness(301, with_date({{"Cache-Control", "max-age=5"}}), kNow).lifetime_s == 5);
}

TEST_CASE("no-cache and Pragma no-cache give no freshness whatever else is said") {
  auto f = freshness(200, with_date({{"Cache-Control", "no-cache, max-age=600"}}), kNow);
  CHECK(f.reason == Reason::kNoCache);
  CHECK(f.lifetime_s == 0);
  CHECK(freshness(200, with_date({{"Pragma", "no-cache"}}), kNow).reason == Reason::kNoCache);
}

TEST_CASE("no-store is never stored, wherever the directive sits") {
  CHECK(not_storable("GET", 200, {{"Cache-Control", "max-age=60"}, {"cache-control", "NO-STORE"}}) == Reason::kNoStore);
  CHECK(freshness(200, {{"Cache-Control", "no-store"}}, kNow).reason == Reason::kNoStore);
}

TEST_CASE("only final GET responses are stored, not 206, not Vary star") {
  CHECK_FALSE(not_storable("GET", 200, {}));
  CHECK_FALSE(not_storable("GET", 404, {}));
  CHECK(not_storable("POST", 200, {}) == Reason::kNotStorable);
  CHECK(not_storable("GET", 206, {}) == Reason::kNotStorable);
  CHECK(not_storable("GET", 304, {}) == Reason::kNotStorable);
  CHECK(not_storable("GET", 200, {{"Vary", "Accept, *"}}) == Reason::kNotStorable);
}

TEST_CASE("the age of a stored response counts Age, the response delay and the time resident") {
  CachedResponse r = stored(200, {{"Age", "100"}});
  r.request_time_s = kNow - 2;  // the request took 2 s
  CHECK(current_age(r, kNow) == 102);
  CHECK(current_age(r, kNow + 50) == 152);
  CachedResponse late = stored(200, {});
  late.response_headers = {{"Date", format_http_date(kNow - 30)}};  // generated 30 s before it arrived
  CHECK(current_age(late, kNow) == 30);
}

TEST_CASE("an Age or max-age too large to add counts as 2^31 seconds") {
  // RFC 9111 1.2.2. The largest int64 as Age once overflowed Age + delay (found by fuzzing).
  CachedResponse r = stored(200, {{"Age", "09223372036854775807"}});
  r.request_time_s = kNow - 5;
  CHECK(current_age(r, kNow + 60) == (int64_t{1} << 31) + 65);
  CachedResponse huge = stored(200, {{"Age", "99999999999999999999999"}});
  CHECK(current_age(huge, kNow) == (int64_t{1} << 31));
  auto f = freshness(200, with_date({{"Cache-Control", "max-age=9223372036854775807"}}), kNow);
  CHECK(f.lifetime_s == static_cast<double>(int64_t{1} << 31));
}

TEST_CASE("a response is fresh while its age is below its lifetime") {
  CachedResponse r = stored(200, {{"Cache-Control", "max-age=600"}});
  CHECK(evaluate(r, {}, kNow + 599).use == Use::kFresh);
  CHECK(evaluate(r, {}, kNow + 600).use == Use::kUnusable);  // stale, nothing to revalidate with
}

TEST_CASE("a stale response is revalidated with its ETag and its Last-Modified") {
  const std::string lm = format_http_date(kNow - kDay);
  CachedResponse r = stored(200, {{"Cache-Control", "max-age=0"}, {"ETag", "\"v1\""}, {"Last-Modified", lm}});
  Decision d = evaluate(r, {}, kNow + 1);
  CHECK(d.use == Use::kRevalidate);
  CHECK(d.validators.headers() == std::vector<Header>{{"If-None-Match", "\"v1\""}, {"If-Modified-Since", lm}});
  CachedResponse etag_only = stored(200, {{"ETag", "W/\"x\""}});
  CHECK(evaluate(etag_only, {}, kNow).validators.headers() == std::vector<Header>{{"If-None-Match", "W/\"x\""}});
}

TEST_CASE("no-cache is stored but always revalidated, even when just fetched") {
  CachedResponse r = stored(200, {{"Cache-Control", "no-cache"}, {"ETag", "\"n\""}});
  CHECK_FALSE(not_storable("GET", 200, r.response_headers));
  CHECK(evaluate(r, {}, kNow).use == Use::kRevalidate);
}

TEST_CASE("Vary needs the same value of each header it names, absent matching absent") {
  CachedResponse r = stored(200, {{"Cache-Control", "max-age=600"}, {"Vary", "Accept-Language, X-Absent"}});
  r.request_headers = {{"Accept-Language", "en"}};
  CHECK(evaluate(r, {{"accept-language", "en"}}, kNow).use == Use::kFresh);
  CHECK(evaluate(r, {{"Accept-Language", "fr"}}, kNow).use == Use::kUnusable);
  CHECK(evaluate(r, {}, kNow).use == Use::kUnusable);
  CHECK(evaluate(r, {{"Accept-Language", "en"}, {"X-Absent", "1"}}, kNow).use == Use::kUnusable);
}

TEST_CASE("Vary star never matches a new request") {
  CachedResponse r = stored(200, {{"Cache-Control", "max-age=600"}, {"Vary", "*"}, {"ETag", "\"e\""}});
  CHECK(evaluate(r, {}, kNow).use == Use::kUnusable);
}

TEST_CASE("a 304 replaces the stored headers it carries and keeps the body's framing") {
  std::vector<Header> old{{"Date", "old"}, {"ETag", "\"1\""}, {"Content-Length", "500"}, {"Content-Type", "text/css"}};
  auto merged = merge_304_headers(old, {{"Date", "new"}, {"Content-Length", "0"}, {"Cache-Control", "max-age=9"}});
  CHECK(merged == std::vector<Header>{{"ETag", "\"1\""}, {"Content-Length", "500"}, {"Content-Type", "text/css"},
                                      {"Date", "new"}, {"Cache-Control", "max-age=9"}});
}
