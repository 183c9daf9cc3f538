// The run's DNS cache, with explicit clock readings.
#include <catch2/catch.hpp>

#include "dns/cache.h"

using namespace pageload;
using namespace pageload::dns;

namespace {

DnsLookup success(const std::string& host, int family, uint32_t ttl) {
  DnsLookup l;
  l.host = host;
  l.family = family;
  l.span = Span{10, 25};
  l.outcome = "NOERROR";
  l.ares_status = "ARES_SUCCESS";
  l.queries = {DnsQuery{"A", "NOERROR", "ARES_SUCCESS", Span{10, 25}}};
  l.answers = {{"CNAME", host, "real.test", 60}, {"A", "real.test", "127.0.0.1", ttl}};
  return l;
}

}  // namespace

TEST_CASE("a cached lookup comes back marked cache with a zero-length span") {
  DnsCache cache;
  cache.put(success("www.test", 4, 300), 25);
  auto hit = cache.get("www.test", 4, 1500);
  REQUIRE(hit);
  CHECK(hit->source == "cache");
  CHECK(hit->span.start_ms == 1500);
  CHECK(hit->span.end_ms == 1500);
  CHECK(hit->queries.empty());
  CHECK(hit->outcome == "NOERROR");
  CHECK(hit->addresses() == std::vector<std::string>{"127.0.0.1"});
  CHECK(hit->answers[0].ttl == 59);   // one whole second elapsed
  CHECK(hit->answers[1].ttl == 299);
}

TEST_CASE("an entry expires after its smallest TTL") {
  DnsCache cache;
  cache.put(success("ttl-1.test", 4, 1), 100);
  CHECK(cache.get("ttl-1.test", 4, 1099.9));
  CHECK(cache.get("ttl-1.test", 4, 1099.9)->answers[1].ttl == 1);
  CHECK_FALSE(cache.get("ttl-1.test", 4, 1100));
  CHECK_FALSE(cache.get("ttl-1.test", 4, 5000));
}

TEST_CASE("a TTL of 0 is not cached") {
  DnsCache cache;
  cache.put(success("ttl-0.test", 4, 0), 0);
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.get("ttl-0.test", 4, 0));
}

TEST_CASE("failed and cached lookups are not stored") {
  DnsCache cache;
  DnsLookup failed = success("nxdomain.test", 4, 300);
  failed.outcome = "NXDOMAIN";
  failed.answers.clear();
  failed.failure = Failure{Code::kDnsNxdomain, "nxdomain.test: no such name (NXDOMAIN)"};
  cache.put(failed, 0);
  DnsLookup from_cache = success("www.test", 4, 300);
  from_cache.source = "cache";
  cache.put(from_cache, 0);
  CHECK(cache.size() == 0);
}

TEST_CASE("the family is part of the key, the host's case is not") {
  DnsCache cache;
  cache.put(success("WWW.Test", 4, 300), 0);
  CHECK_FALSE(cache.get("www.test", 0, 1));
  CHECK_FALSE(cache.get("www.test", 6, 1));
  auto hit = cache.get("www.test", 4, 1);
  REQUIRE(hit);
  CHECK(hit->host == "www.test");
}

// RFC 2181 8: a TTL with the top bit set is to be treated as 0. Stored negative before,
// such an answer was "expired" at once by accident; now it is not cached by rule.
TEST_CASE("an answer with a TTL of 2^31 or more is not cached, as RFC 2181 says") {
  CHECK(cache_ttl(0x7fffffffu) == 0x7fffffffu);
  CHECK(cache_ttl(0x80000000u) == 0);
  CHECK(cache_ttl(0xffffffffu) == 0);
  DnsCache cache;
  cache.put(success("big.test", 4, 0x80000000u), 100);
  CHECK(cache.size() == 0);
  cache.put(success("max.test", 4, 0x7fffffffu), 100);
  auto hit = cache.get("max.test", 4, 2100);
  REQUIRE(hit);
  CHECK(hit->answers[1].ttl == 0x7fffffffu - 2);
}

TEST_CASE("a cached copy of a traced lookup has no steps: the walk was sent for the first lookup only") {
  DnsCache cache;
  DnsLookup traced = success("www.shop.test", 4, 300);
  traced.source = "trace";
  DnsStep step;
  step.server = "127.0.0.53:5300";
  step.zone = ".";
  step.kind = "referral";
  traced.steps = {step, step, step};
  cache.put(traced, 25);
  auto hit = cache.get("www.shop.test", 4, 30);
  REQUIRE(hit);
  CHECK(hit->source == "cache");
  CHECK(hit->steps.empty());
  CHECK(hit->addresses() == std::vector<std::string>{"127.0.0.1"});
}
