// How a walk from the root (--dns-trace) reads on the terminal and in --json: its steps in
// order, indented by depth, what came of each, and nothing a server named printed raw.
#include <catch2/catch.hpp>

#include "cli/trace_output.h"

using namespace pageload;
using namespace pageload::cli;

namespace {

DnsStep step(std::string server, std::string zone, std::string kind) {
  DnsStep s;
  s.server = std::move(server);
  s.zone = std::move(zone);
  s.kind = std::move(kind);
  s.qname = "www.shop.test";
  s.qtype = "A";
  s.rcode = "NOERROR";
  return s;
}

DnsLookup walked() {
  DnsLookup l;
  l.host = "www.shop.test";
  l.source = "trace";
  l.queries = {DnsQuery{"A", "NOERROR", "", Span{0, 3}}};
  DnsStep root = step("127.0.0.53:5300", ".", "referral");
  root.span = {0, 0.5};
  root.referral_zone = "test";
  root.ns = {"ns1.nic.test"};
  root.glue = {{"A", "ns1.nic.test", "127.0.0.54", 172800}};
  DnsStep lame = step("127.0.0.58:5300", "shop.test", "error");
  lame.rcode = "REFUSED";
  lame.failure = Failure{Code::kDnsLameDelegation, "REFUSED: not a server of shop.test"};
  DnsStep ns = step("127.0.0.53:5300", ".", "referral");
  ns.depth = 1;
  ns.qname = "ns2.hosting.test";
  ns.referral_zone = "test";
  ns.ns = {"ns1.nic.test", "ns2.nic.test"};
  ns.glue = {{"A", "ns1.nic.test", "127.0.0.54", 172800}};
  DnsStep answer = step("127.0.0.55:5300", "shop.test", "answer");
  answer.authoritative = true;
  answer.records = {{"CNAME", "www.shop.test", "web.shop.test", 60}, {"A", "web.shop.test", "127.0.0.1", 300}};
  l.steps = {root, lame, ns, answer};
  return l;
}

}  // namespace

TEST_CASE("the walk's summary has a line per step: server, zone and what came of it") {
  const std::string text = format_walk_summary(walked(), false);
  CHECK(text.find("4 steps") != std::string::npos);
  CHECK(text.find("@127.0.0.53:5300 .") != std::string::npos);
  CHECK(text.find("→ referral to test via ns1.nic.test (glue)") != std::string::npos);
  CHECK(text.find("→ lame: REFUSED: not a server of shop.test") != std::string::npos);
  CHECK(text.find("via ns1.nic.test, ns2.nic.test (glue for 1 of 2)") != std::string::npos);
  CHECK(text.find("→ answer CNAME web.shop.test, A 127.0.0.1") != std::string::npos);
  CHECK(text.find(" A    ↳ ns2.hosting.test (A) @127.0.0.53:5300") != std::string::npos);  // an NS name's address
  CHECK(std::count(text.begin(), text.end(), '\n') == 5);
  CHECK(text.find('\033') == std::string::npos);
  CHECK(format_walk_summary(walked(), true).find("\033[31m") != std::string::npos);  // the lame step in red
}

TEST_CASE("a lookup that was not walked prints no walk") {
  DnsLookup plain;
  plain.host = "www.test";
  CHECK(format_walk_summary(plain, false).empty());
  CHECK(format_walk_show(plain).empty());
  CHECK(walk_json(plain).empty());
}

TEST_CASE("names a server sent reach the terminal escaped") {
  DnsLookup l = walked();
  l.steps[0].referral_zone = "evil\x1b[2J.test";
  l.steps[0].ns = {"ns\r\n1.test"};
  for (const std::string& text : {format_walk_summary(l, false), format_walk_show(l)}) {
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find('\r') == std::string::npos);
    CHECK(text.find("evil\\x1b[2J.test") != std::string::npos);
  }
}

TEST_CASE("the walk as --json carries every step with the database's nulls") {
  auto j = walk_json(walked());
  REQUIRE(j.size() == 4);
  CHECK(j[0]["seq"] == 0);
  CHECK(j[0]["query"] == "A");
  CHECK(j[0]["zone"] == ".");
  CHECK(j[0]["server_name"].is_null());
  CHECK(j[0]["glue"][0]["value"] == "127.0.0.54");
  CHECK(j[1]["error"]["class"] == "dns_lame_delegation");
  CHECK(j[2]["depth"] == 1);
  CHECK(j[3]["aa"] == true);
  CHECK(j[3]["referral_zone"].is_null());
  CHECK(j[3]["records"].size() == 2);
}
