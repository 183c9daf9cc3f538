// The facts read off DNS messages: id, question, and what a reply says, from messages
// built byte by byte (dns_bytes.h).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "dns/message.h"
#include "dns_bytes.h"

using namespace pageload::dns;

namespace {

using namespace pageload::dns::testing;

Bytes message(unsigned id, unsigned flags, unsigned qtype, unsigned ancount) {
  return dns_message(id, flags, qtype, ancount);
}
void answer(Bytes& b, unsigned type, const Bytes& rdata) { put_answer(b, type, rdata); }
void u16(Bytes& b, unsigned v) { put_u16(b, v); }

std::optional<MessageInfo> parse(const Bytes& b) { return parse_message(b.data(), b.size()); }

}  // namespace

TEST_CASE("a query gives its id and its question in lower case") {
  auto m = parse(message(0xbeef, 0x0100, kTypeAaaa, 0));
  REQUIRE(m);
  CHECK(m->id == 0xbeef);
  CHECK_FALSE(m->response);
  CHECK(m->qname == "www.example.test");
  CHECK(m->qtype == kTypeAaaa);
  CHECK(m->well_formed);
}

TEST_CASE("a reply with an address of the asked type is NOERROR") {
  Bytes b = message(7, 0x8180, kTypeA, 1);
  answer(b, kTypeA, {127, 0, 0, 1});
  auto m = parse(b);
  REQUIRE(m);
  CHECK(m->response);
  CHECK(m->records_of_qtype == 1);
  CHECK(reply_outcome(*m) == "NOERROR");
}

TEST_CASE("a NOERROR reply without a record of the asked type is NODATA") {
  Bytes b = message(7, 0x8180, kTypeAaaa, 1);
  answer(b, kTypeA, {127, 0, 0, 1});  // an A record does not answer an AAAA question
  auto m = parse(b);
  REQUIRE(m);
  CHECK(m->records_of_qtype == 0);
  CHECK(reply_outcome(*m) == "NODATA");
  CHECK(reply_outcome(*parse(message(7, 0x8180, kTypeA, 0))) == "NODATA");
}

TEST_CASE("a reply's RCODE is named") {
  CHECK(reply_outcome(*parse(message(1, 0x8183, kTypeA, 0))) == "NXDOMAIN");
  CHECK(reply_outcome(*parse(message(1, 0x8182, kTypeA, 0))) == "SERVFAIL");
  CHECK(reply_outcome(*parse(message(1, 0x8185, kTypeA, 0))) == "REFUSED");
  CHECK(reply_outcome(*parse(message(1, 0x8181, kTypeA, 0))) == "FORMERR");
  CHECK(reply_outcome(*parse(message(1, 0x8184, kTypeA, 0))) == "NOTIMP");
  CHECK(reply_outcome(*parse(message(1, 0x8189, kTypeA, 0))) == "RCODE9");
}

TEST_CASE("a reply with the TC bit is TRUNCATED") {
  CHECK(reply_outcome(*parse(message(1, 0x8380, kTypeA, 0))) == "TRUNCATED");
}

TEST_CASE("a record cut inside its data makes the reply a BADREPLY") {
  Bytes b = message(3, 0x8180, kTypeA, 1);
  answer(b, kTypeA, {127, 0, 0, 1});
  b.resize(b.size() - 2);
  auto m = parse(b);
  REQUIRE(m);  // the question is intact: the reply can still be matched to its query
  CHECK(m->qname == "www.example.test");
  CHECK_FALSE(m->well_formed);
  CHECK(reply_outcome(*m) == "BADREPLY");
}

TEST_CASE("a record whose name points outside the message makes the reply a BADREPLY") {
  Bytes b = message(3, 0x8180, kTypeA, 1);
  for (uint8_t x : {0xff, 0xff, 0x00, 0x01, 0xde, 0xad}) b.push_back(x);  // what malformed.test sends
  CHECK(reply_outcome(*parse(b)) == "BADREPLY");
}

TEST_CASE("more records announced than the message holds make it a BADREPLY") {
  Bytes b = message(3, 0x8180, kTypeA, 2);
  answer(b, kTypeA, {127, 0, 0, 1});
  CHECK(reply_outcome(*parse(b)) == "BADREPLY");
}

TEST_CASE("a message without a whole header and question gives nothing") {
  CHECK_FALSE(parse_message(nullptr, 0));
  CHECK_FALSE(parse(Bytes(11, 0)));
  Bytes no_question = message(1, 0x0100, kTypeA, 0);
  no_question[5] = 0;  // QDCOUNT 0
  CHECK_FALSE(parse(no_question));
  Bytes cut = message(1, 0x0100, kTypeA, 0);
  cut.resize(cut.size() - 3);  // inside QTYPE
  CHECK_FALSE(parse(cut));
}

TEST_CASE("a question name made of a pointer to itself is refused, not followed forever") {
  Bytes b;
  u16(b, 1);
  u16(b, 0x0100);
  u16(b, 1);
  u16(b, 0);
  u16(b, 0);
  u16(b, 0);
  u16(b, 0xc00c);  // points at offset 12: itself
  u16(b, kTypeA);
  u16(b, 1);
  CHECK_FALSE(parse(b));
}

TEST_CASE("type names are A, AAAA or TYPEn") {
  CHECK(type_name(kTypeA) == "A");
  CHECK(type_name(kTypeAaaa) == "AAAA");
  CHECK(type_name(5) == "TYPE5");
}
