// The rules that turn messages seen on the wire into a query's attempts, without a network.
#include <catch2/catch.hpp>

#include "dns/attempts.h"

using namespace pageload;
using namespace pageload::dns;

namespace {
const std::string kDead = "127.0.0.1:1";
const std::string kGood = "127.0.0.1:53";
}  // namespace

TEST_CASE("one message answered is one attempt from send to reply") {
  std::vector<DnsAttempt> a;
  attempt_sent(a, kGood, 1.0);
  CHECK(attempt_replied(a, kGood, "NOERROR", 3.5));
  REQUIRE(a.size() == 1);
  CHECK(a[0].server == kGood);
  CHECK(a[0].start_ms == 1.0);
  CHECK(a[0].end_ms == 3.5);
  CHECK(a[0].outcome == "NOERROR");
  CHECK(answering_server(a) == kGood);
}

TEST_CASE("a message sent while the previous one waits means that one timed out") {
  std::vector<DnsAttempt> a;
  attempt_sent(a, kDead, 0.0);
  attempt_sent(a, kGood, 2500.0);
  REQUIRE(a.size() == 2);
  CHECK(a[0].outcome == "TIMEOUT");
  CHECK(a[0].end_ms == 2500.0);
  CHECK_FALSE(a[1].end_ms);
  CHECK(attempt_replied(a, kGood, "NXDOMAIN", 2501.0));
  CHECK(a[1].outcome == "NXDOMAIN");
  CHECK(answering_server(a) == kGood);
}

TEST_CASE("a socket error ends the open attempts to that server only") {
  std::vector<DnsAttempt> a;
  attempt_sent(a, kDead, 0.0);
  server_failed(a, kGood, kAttemptUnreachable, 0.1);
  CHECK_FALSE(a[0].end_ms);
  server_failed(a, kDead, kAttemptUnreachable, 0.2);
  CHECK(a[0].outcome == "UNREACHABLE");
  CHECK(a[0].end_ms == 0.2);
  attempt_sent(a, kGood, 0.3);
  CHECK(a[0].outcome == "UNREACHABLE");  // not re-closed as TIMEOUT
  CHECK(answering_server(a).empty());
}

TEST_CASE("a late reply counts for the earliest try to that server still without one") {
  std::vector<DnsAttempt> a;
  attempt_sent(a, kGood, 0.0);
  attempt_sent(a, kGood, 100.0);  // the retransmit: the first try timed out
  CHECK(attempt_replied(a, kGood, "NOERROR", 150.0));
  CHECK(a[0].outcome == "NOERROR");
  CHECK(a[0].end_ms == 150.0);
  CHECK_FALSE(a[1].end_ms);  // still waiting when the answer ended the query
  CHECK(a[1].outcome.empty());
  CHECK(answering_server(a) == kGood);
}

TEST_CASE("a reply from a server that was not asked is not ours") {
  std::vector<DnsAttempt> a;
  attempt_sent(a, kGood, 0.0);
  CHECK_FALSE(attempt_replied(a, kDead, "NOERROR", 1.0));
  CHECK(attempt_replied(a, kGood, "NOERROR", 1.0));
  CHECK_FALSE(attempt_replied(a, kGood, "NOERROR", 2.0));  // a duplicate finds no try waiting
  CHECK(a[0].end_ms == 1.0);
}

TEST_CASE("a truncated reply is not the answer, the retry over TCP is") {
  std::vector<DnsAttempt> a;
  attempt_sent(a, kGood, 0.0);
  attempt_replied(a, kGood, "TRUNCATED", 1.0);
  CHECK(answering_server(a).empty());
  attempt_sent(a, kGood, 1.0);
  attempt_replied(a, kGood, "NOERROR", 2.0);
  CHECK(a[0].outcome == "TRUNCATED");
  CHECK(a[1].outcome == "NOERROR");
  CHECK(answering_server(a) == kGood);
}

TEST_CASE("closing open attempts leaves the finished ones as they were") {
  std::vector<DnsAttempt> a;
  attempt_sent(a, kDead, 0.0);
  server_failed(a, kDead, kAttemptUnreachable, 0.5);
  attempt_sent(a, kGood, 0.5);
  close_open_attempts(a, kAttemptTimeout, 300.0);
  CHECK(a[0].outcome == "UNREACHABLE");
  CHECK(a[0].end_ms == 0.5);
  CHECK(a[1].outcome == "TIMEOUT");
  CHECK(a[1].end_ms == 300.0);
}

TEST_CASE("reply outcomes are told from the others") {
  for (const char* reply : {"NOERROR", "NODATA", "NXDOMAIN", "SERVFAIL", "REFUSED", "BADREPLY", "RCODE9"})
    CHECK(is_reply_outcome(reply));
  for (const char* other : {"TIMEOUT", "UNREACHABLE", "ERROR", "TRUNCATED", ""}) CHECK_FALSE(is_reply_outcome(other));
}
