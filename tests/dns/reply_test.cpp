// The walk's reading of replies (reply.h): every section with its owners, through
// c-ares's name expansion, and nothing read past the bytes given.
#include <catch2/catch.hpp>

#include "dns/reply.h"
#include "dns_bytes.h"

using namespace pageload::dns;
using namespace pageload::dns::testing;

namespace {

std::optional<Reply> parse(const Bytes& b) { return parse_reply(b.data(), b.size()); }

}  // namespace

TEST_CASE("a referral's NS records and glue are read with their owners from the authority and additional sections") {
  Bytes b = reply_bytes(kQr, "www.Shop.test", 1, {}, {ns_rr("shop.test", "ns1.shop.test"), ns_rr("shop.test", "ns2.other.test")},
                        {a_rr("ns1.shop.test", ipv4(127, 0, 0, 55), 86400)});
  auto r = parse(b);
  REQUIRE(r);
  CHECK(r->qname == "www.shop.test");
  CHECK(r->qtype == 1);
  CHECK_FALSE(r->authoritative);
  CHECK(r->rcode == 0);
  CHECK(r->answers.empty());
  REQUIRE(r->authority.size() == 2);
  CHECK(r->authority[0].name == "shop.test");
  CHECK(r->authority[0].type == kTypeNs);
  CHECK(r->authority[0].value == "ns1.shop.test");
  CHECK(r->authority[1].value == "ns2.other.test");
  REQUIRE(r->additional.size() == 1);
  CHECK(r->additional[0].name == "ns1.shop.test");
  CHECK(r->additional[0].value == "127.0.0.55");
  CHECK(r->additional[0].ttl == 86400);
}

TEST_CASE("compressed owners and NS targets are expanded, and the AA bit and RCODE are read") {
  Bytes b = dns_message(7, kQr | kAa | 3, 1, 1);  // NXDOMAIN, one answer
  // An answer owned by a pointer to the question; its CNAME target "x" + pointer.
  put_answer(b, 5, Bytes{1, 'x', 0xc0, 12});
  auto r = parse(b);
  REQUIRE(r);
  CHECK(r->authoritative);
  CHECK(r->rcode == 3);
  REQUIRE(r->answers.size() == 1);
  CHECK(r->answers[0].name == "www.example.test");
  CHECK(r->answers[0].value == "x.www.example.test");
}

TEST_CASE("a record running past the end fails the whole reply") {
  Bytes b = reply_bytes(kQr, "a.test", 1, {a_rr("a.test", ipv4(127, 0, 0, 1))});
  for (std::size_t cut = 1; cut < 15; ++cut) {
    INFO("cut " << cut);
    Bytes shorter(b.begin(), b.end() - static_cast<long>(cut));
    CHECK_FALSE(parse(shorter));
  }
  CHECK(parse(b));
}

TEST_CASE("a query, or a message without exactly one question, is not a reply") {
  CHECK_FALSE(parse(dns_message(1, 0x0100, 1, 0)));  // QR clear
  Bytes two = dns_message(1, kQr, 1, 0);
  two[5] = 2;
  CHECK_FALSE(parse(two));
  CHECK_FALSE(parse(Bytes{0x12}));
  CHECK_FALSE(parse_reply(nullptr, 0));
}

TEST_CASE("a compression pointer loop is refused") {
  Bytes b = dns_message(1, kQr, 1, 1);
  const auto at = b.size();
  put_u16(b, 0xc000 | static_cast<unsigned>(at));  // an owner pointing at itself
  put_u16(b, 1);
  put_u16(b, 1);
  put_u16(b, 0);
  put_u16(b, 0);
  put_u16(b, 4);
  b.insert(b.end(), {127, 0, 0, 1});
  CHECK_FALSE(parse(b));
}

TEST_CASE("an NS target longer than its RDATA is kept without a value") {
  Bytes b = reply_bytes(kQr, "a.test", 1, {}, {Rr{"test", 2, Bytes{3, 'n', 's', '1', 0}}});
  b[b.size() - 6] = 2;  // RDLENGTH 2: the name's bytes spill past it
  b.resize(b.size() - 3);
  auto r = parse(b);
  REQUIRE(r);
  REQUIRE(r->authority.size() == 1);
  CHECK(r->authority[0].value.empty());
}

TEST_CASE("records of other types, an EDNS OPT among them, are kept with no value") {
  Bytes b = reply_bytes(kQr, "a.test", 1, {a_rr("a.test", ipv4(127, 0, 0, 1))}, {}, {Rr{"", 41, {}, 0}});
  auto r = parse(b);
  REQUIRE(r);
  REQUIRE(r->additional.size() == 1);
  CHECK(r->additional[0].type == 41);
  CHECK(r->additional[0].name.empty());
  CHECK(r->additional[0].value.empty());
}

TEST_CASE("names compare label by label, an escaped dot inside a label included") {
  CHECK(is_at_or_below("www.shop.test", "shop.test"));
  CHECK(is_at_or_below("shop.test", "shop.test"));
  CHECK(is_at_or_below("shop.test", ""));
  CHECK(is_at_or_below("", ""));
  CHECK_FALSE(is_at_or_below("shop.test", "www.shop.test"));
  CHECK_FALSE(is_at_or_below("bigshop.test", "shop.test"));
  CHECK_FALSE(is_at_or_below("x\\.shop.test", "shop.test"));  // one label "x.shop", then "test"
  CHECK(name_labels("x\\.shop.test") == std::vector<std::string>{"x\\.shop", "test"});
  CHECK(name_labels("").empty());
  CHECK(zone_text("") == ".");
  CHECK(zone_text("test") == "test");
  CHECK(name_key("WWW.Shop.Test.") == "www.shop.test");
}
