// listen_pair(): one port number on two addresses, and what happens when the second
// address is missing or its port is taken.
#include <catch2/catch.hpp>

#include "fixtures/skip.h"

#include "lab/listen.h"
#include "raw_socket.h"

using namespace pageload::lab;
using namespace pageload::lab::testing;

namespace {

// Whether this machine can listen on ::1 at all.
bool have_ipv6_loopback() {
  auto probe = listen_pair("::1", "", 0);
  return probe.ok();
}

}  // namespace

TEST_CASE("a pair listens on 127.0.0.1 and ::1 with one port number") {
  if (!have_ipv6_loopback()) {
    SKIP_OR_FAIL("no IPv6 loopback here");
    return;
  }
  auto pair = listen_pair("127.0.0.1", "::1", 0);
  REQUIRE(pair.ok());
  REQUIRE(pair->primary.valid());
  REQUIRE(pair->secondary.valid());
  CHECK(pair->unavailable.empty());
  CHECK(bound_port(pair->primary.get()) == pair->port);
  CHECK(bound_port(pair->secondary.get()) == pair->port);
  CHECK(RawSocket(pair->port, "127.0.0.1").connected());
  CHECK(RawSocket(pair->port, "::1").connected());
}

TEST_CASE("a second address the machine does not have is left out with a note") {
  // 192.0.2.1 (TEST-NET-1) is on no interface here, so bind() fails: nothing is sent.
  auto pair = listen_pair("127.0.0.1", "192.0.2.1", 0);
  REQUIRE(pair.ok());
  CHECK(pair->primary.valid());
  CHECK_FALSE(pair->secondary.valid());
  CHECK(pair->unavailable.find("192.0.2.1:" + std::to_string(pair->port)) != std::string::npos);
  CHECK(RawSocket(pair->port, "127.0.0.1").connected());
}

TEST_CASE("a given port taken on the second address fails instead of listening on one") {
  if (!have_ipv6_loopback()) {
    SKIP_OR_FAIL("no IPv6 loopback here");
    return;
  }
  auto taken = listen_pair("::1", "", 0);
  REQUIRE(taken.ok());
  auto pair = listen_pair("127.0.0.1", "::1", taken->port);
  REQUIRE_FALSE(pair.ok());
  CHECK(pair.status().code() == pageload::Code::kConnectError);
  CHECK(pair.status().message().find("[::1]:" + std::to_string(taken->port)) != std::string::npos);
}

TEST_CASE("a bad second address is a usage error") {
  auto pair = listen_pair("127.0.0.1", "localhost", 0);
  REQUIRE_FALSE(pair.ok());
  CHECK(pair.status().code() == pageload::Code::kUsage);
}
