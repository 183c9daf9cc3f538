// Assembling a lookup from its queries: answer order, outcome precedence, failure.
#include <catch2/catch.hpp>

#include "dns/assemble.h"

using namespace pageload;
using namespace pageload::dns;

namespace {

QueryResult query(const std::string& type, const std::string& outcome, const std::string& status,
                  double end_ms) {
  QueryResult r;
  r.query = DnsQuery{type, outcome, status, Span{1, end_ms}};
  return r;
}

DnsLookup lookup_of(const std::string& host, int family) {
  DnsLookup l;
  l.host = host;
  l.family = family;
  l.span.start_ms = 1;
  return l;
}

}  // namespace

TEST_CASE("answers list the CNAME chain once, then A, then AAAA") {
  QueryResult a = query("A", "NOERROR", "ARES_SUCCESS", 5);
  a.cnames = {{"CNAME", "www.test", "dual.test", 60}};
  a.addresses = {{"A", "dual.test", "127.0.0.1", 300}};
  QueryResult aaaa = query("AAAA", "NOERROR", "ARES_SUCCESS", 7);
  aaaa.cnames = a.cnames;
  aaaa.addresses = {{"AAAA", "dual.test", "::1", 300}};
  DnsLookup l = lookup_of("www.test", 0);
  assemble_lookup(l, {aaaa, a});
  REQUIRE(l.answers.size() == 3);
  CHECK(l.answers[0].type == "CNAME");
  CHECK(l.answers[1].type == "A");
  CHECK(l.answers[2].type == "AAAA");
  CHECK(l.outcome == "NOERROR");
  CHECK_FALSE(l.failure);
  CHECK(l.span.end_ms == 7);
  CHECK(l.queries.size() == 2);
}

TEST_CASE("any address makes the lookup a success") {
  QueryResult a = query("A", "TIMEOUT", "ARES_ETIMEOUT", 200);
  QueryResult aaaa = query("AAAA", "NOERROR", "ARES_SUCCESS", 3);
  aaaa.addresses = {{"AAAA", "v6.test", "::1", 300}};
  DnsLookup l = lookup_of("v6.test", 0);
  assemble_lookup(l, {a, aaaa});
  CHECK(l.outcome == "NOERROR");
  CHECK(l.ares_status == "ARES_SUCCESS");
  CHECK(l.addresses() == std::vector<std::string>{"::1"});
}

TEST_CASE("without an address the most informative failure wins") {
  DnsLookup l = lookup_of("x.test", 0);
  assemble_lookup(l, {query("A", "NODATA", "ARES_ENODATA", 2), query("AAAA", "TIMEOUT", "ARES_ETIMEOUT", 9)});
  CHECK(l.outcome == "TIMEOUT");
  CHECK(l.ares_status == "ARES_ETIMEOUT");
  REQUIRE(l.failure);
  CHECK(l.failure->code == Code::kDnsTimeout);

  assemble_lookup(l, {query("A", "SERVFAIL", "ARES_ESERVFAIL", 2), query("AAAA", "NXDOMAIN", "ARES_ENOTFOUND", 2)});
  CHECK(l.outcome == "NXDOMAIN");
  CHECK(l.failure->message == "x.test: no such name (NXDOMAIN)");
}

TEST_CASE("a success without addresses of the family is NODATA") {
  DnsLookup l = lookup_of("x.test", 6);
  assemble_lookup(l, {query("AAAA", "NOERROR", "ARES_SUCCESS", 2)});
  CHECK(l.outcome == "NODATA");
  CHECK(l.failure->code == Code::kDnsNoData);
  CHECK(l.failure->message == "x.test: no AAAA record (NODATA)");
}

TEST_CASE("a lookup without queries is an ERROR") {
  DnsLookup l = lookup_of("x.test", 0);
  assemble_lookup(l, {});
  CHECK(l.outcome == "ERROR");
  CHECK(l.failure->code == Code::kDnsError);
  CHECK(l.span.end_ms == l.span.start_ms);
}
