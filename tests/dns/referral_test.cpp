// What a reply means to a walk from the root (referral.h), rule by rule, on crafted
// replies.
#include <catch2/catch.hpp>

#include "dns/referral.h"
#include "dns/message.h"
#include "dns_bytes.h"

using namespace pageload;
using namespace pageload::dns;
using namespace pageload::dns::testing;

namespace {

StepReading read(const Bytes& b, std::string_view zone, std::string_view qname, uint16_t qtype = kTypeA) {
  auto reply = parse_reply(b.data(), b.size());
  REQUIRE(reply);
  return read_step(*reply, zone, qname, qtype);
}

const Bytes kLocal = ipv4(127, 0, 0, 1);

}  // namespace

TEST_CASE("an address of the asked type from the zone's server is the answer") {
  auto s = read(reply_bytes(kQr | kAa, "www.shop.test", 1, {a_rr("www.shop.test", kLocal, 300)}), "shop.test", "www.shop.test");
  CHECK(s.kind == kStepAnswer);
  REQUIRE(s.addresses.size() == 1);
  CHECK(s.addresses[0] == DnsAnswer{"A", "www.shop.test", "127.0.0.1", 300});
  CHECK(s.cnames.empty());
}

TEST_CASE("a CNAME inside the zone is followed to its address in the same reply") {
  auto s = read(reply_bytes(kQr | kAa, "www.shop.test", 1,
                            {cname_rr("www.shop.test", "web.shop.test"), a_rr("web.shop.test", kLocal)}),
                "shop.test", "www.shop.test");
  CHECK(s.kind == kStepAnswer);
  REQUIRE(s.cnames.size() == 1);
  CHECK(s.cnames[0] == DnsAnswer{"CNAME", "www.shop.test", "web.shop.test", 60});
  CHECK(s.addresses.at(0).name == "web.shop.test");
}

TEST_CASE("a CNAME out of the zone is a cname step, and the other zone's records in the reply are not believed") {
  auto s = read(reply_bytes(kQr | kAa, "www.cname.test", 1,
                            {cname_rr("www.cname.test", "www.bank.test"), a_rr("www.bank.test", ipv4(6, 6, 6, 6))}),
                "cname.test", "www.cname.test");
  CHECK(s.kind == kStepCname);
  CHECK(s.next_name == "www.bank.test");
  CHECK(s.addresses.empty());
  CHECK(s.cnames.size() == 1);
}

TEST_CASE("a chain that ends inside the zone without an address is asked again from its end") {
  auto s = read(reply_bytes(kQr | kAa, "a.shop.test", 1, {cname_rr("a.shop.test", "b.shop.test")}), "shop.test", "a.shop.test");
  CHECK(s.kind == kStepCname);
  CHECK(s.next_name == "b.shop.test");
}

TEST_CASE("a CNAME loop inside one reply is an error") {
  auto s = read(reply_bytes(kQr | kAa, "a.shop.test", 1,
                            {cname_rr("a.shop.test", "b.shop.test"), cname_rr("b.shop.test", "a.shop.test")}),
                "shop.test", "a.shop.test");
  CHECK(s.kind == kStepError);
  CHECK(s.code == Code::kDnsReferralLoop);
}

TEST_CASE("NXDOMAIN ends the walk, also after a CNAME inside the zone") {
  CHECK(read(reply_bytes(kQr | kAa | 3, "nx.shop.test", 1, {}, {soa_rr("shop.test")}), "shop.test", "nx.shop.test").kind ==
        kStepNxDomain);
  auto s = read(reply_bytes(kQr | kAa | 3, "a.shop.test", 1, {cname_rr("a.shop.test", "gone.shop.test")}), "shop.test",
                "a.shop.test");
  CHECK(s.kind == kStepNxDomain);  // about the chain's end (RFC 6604), which the zone holds
  CHECK(s.cnames.size() == 1);
  CHECK(read(reply_bytes(kQr | 3, "nosuch.test", 1, {}, {soa_rr("test")}), "test", "nosuch.test").kind == kStepNxDomain);
}

TEST_CASE("NS records for a zone below the asked one are a referral with the glue for its servers") {
  auto s = read(reply_bytes(kQr, "www.shop.test", 1, {},
                            {ns_rr("shop.test", "ns1.shop.test"), ns_rr("shop.test", "ns.hosting.test")},
                            {a_rr("ns1.shop.test", ipv4(127, 0, 0, 55)), a_rr("ns.hosting.test", ipv4(127, 0, 0, 56)),
                             a_rr("www.bank.test", ipv4(6, 6, 6, 6))}),
                "test", "www.shop.test");
  CHECK(s.kind == kStepReferral);
  CHECK(s.referral_zone == "shop.test");
  CHECK(s.ns == std::vector<std::string>{"ns1.shop.test", "ns.hosting.test"});
  // Both NS names lie inside test., the referring server's zone; www.bank.test is no NS.
  REQUIRE(s.glue.size() == 2);
  CHECK(s.glue[0].value == "127.0.0.55");
  CHECK(s.glue[1].name == "ns.hosting.test");
}

TEST_CASE("glue for a name server outside the referring server's zone is not believed") {
  auto s = read(reply_bytes(kQr, "www.shop.test", 1, {}, {ns_rr("shop.test", "ns.elsewhere.example")},
                            {a_rr("ns.elsewhere.example", ipv4(6, 6, 6, 6))}),
                "test", "www.shop.test");
  CHECK(s.kind == kStepReferral);
  CHECK(s.glue.empty());
}

TEST_CASE("the root refers to a TLD") {
  auto s = read(reply_bytes(kQr, "www.shop.test", 1, {}, {ns_rr("test", "ns1.nic.test")},
                            {a_rr("ns1.nic.test", ipv4(127, 0, 0, 54))}),
                "", "www.shop.test");
  CHECK(s.kind == kStepReferral);
  CHECK(s.referral_zone == "test");
  CHECK(s.glue.size() == 1);
}

TEST_CASE("a referral back up or to the same zone is a referral loop") {
  auto up = read(reply_bytes(kQr, "www.loop.test", 1, {}, {ns_rr("test", "ns1.nic.test")}), "loop.test", "www.loop.test");
  CHECK(up.kind == kStepError);
  CHECK(up.code == Code::kDnsReferralLoop);
  CHECK(up.reason == "referral back up to test");
  auto same = read(reply_bytes(kQr, "www.loop.test", 1, {}, {ns_rr("loop.test", "ns2.loop.test")}), "loop.test",
                   "www.loop.test");
  CHECK(same.code == Code::kDnsReferralLoop);
}

TEST_CASE("a referral to a zone that does not hold the name is lame") {
  auto s = read(reply_bytes(kQr, "www.shop.test", 1, {}, {ns_rr("other.test", "ns.other.test")}), "test", "www.shop.test");
  CHECK(s.kind == kStepError);
  CHECK(s.code == Code::kDnsLameDelegation);
}

TEST_CASE("no records from an authoritative server, or an SOA, is NODATA") {
  CHECK(read(reply_bytes(kQr | kAa, "www.shop.test", 28, {}), "shop.test", "www.shop.test", kTypeAaaa).kind == kStepNoData);
  CHECK(read(reply_bytes(kQr, "www.shop.test", 28, {}, {soa_rr("shop.test")}), "shop.test", "www.shop.test", kTypeAaaa)
            .kind == kStepNoData);
  // An address of the other type is no answer to this one.
  CHECK(read(reply_bytes(kQr | kAa, "www.shop.test", 28, {a_rr("www.shop.test", kLocal)}), "shop.test", "www.shop.test",
             kTypeAaaa)
            .kind == kStepNoData);
}

TEST_CASE("a server that refuses, or answers without authority and without a referral, is lame") {
  auto refused = read(reply_bytes(kQr | 5, "www.lame.test", 1, {}), "lame.test", "www.lame.test");
  CHECK(refused.kind == kStepError);
  CHECK(refused.code == Code::kDnsLameDelegation);
  CHECK(refused.reason == "REFUSED: not a server of lame.test");
  auto empty = read(reply_bytes(kQr, "www.dead.test", 1, {}), "dead.test", "www.dead.test");
  CHECK(empty.code == Code::kDnsLameDelegation);
  CHECK(read(reply_bytes(kQr | 2, "a.test", 1, {}), "test", "a.test").code == Code::kDnsServfail);
  CHECK(read(reply_bytes(kQr | 4, "a.test", 1, {}), "test", "a.test").reason == "answered NOTIMP");
}
