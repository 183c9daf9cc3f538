// Phase spans from an exchange's boundaries, with made-up times (ms on the run clock).
#include <catch2/catch.hpp>

#include "transfer/phases.h"

using namespace pageload;
using namespace pageload::transfer::detail;

namespace {

std::vector<Phase> names(const std::vector<PhaseRecord>& phases) {
  std::vector<Phase> out;
  for (const auto& p : phases) out.push_back(p.phase);
  return out;
}

const PhaseRecord& find(const std::vector<PhaseRecord>& phases, Phase p) {
  for (const auto& r : phases)
    if (r.phase == p) return r;
  FAIL("no phase " << phase_name(p));
  throw;
}

// An https exchange that waited in curl's queue from 0 to 250 ms, then connected.
Boundaries queued_new_connection() {
  Boundaries b;
  b.start = 0;
  b.new_connection = true;
  b.tls = true;
  b.socket_opened = 250;
  b.tcp_connected = 250.2;
  b.tls_done = 255;
  b.ready = 255.1;
  b.last_out = b.sent = 255.2;
  b.first_byte = 455.2;
  b.done = 456;
  return b;
}

}  // namespace

TEST_CASE("a transfer that waited in curl's queue keeps its connect and tls where the socket opened") {
  auto phases = build_phases(queued_new_connection(), std::nullopt, Phase::kReceive, 999);
  REQUIRE(names(phases) == std::vector<Phase>{Phase::kConnect, Phase::kTls, Phase::kSend, Phase::kWait, Phase::kReceive});
  CHECK(find(phases, Phase::kConnect).span.start_ms == 250);
  CHECK(find(phases, Phase::kConnect).span.duration_ms() == Approx(0.2));
  CHECK(find(phases, Phase::kTls).span.duration_ms() == Approx(4.8));
  CHECK(find(phases, Phase::kWait).span.duration_ms() == Approx(200));
  CHECK(find(phases, Phase::kReceive).span.end_ms == 456);
}

TEST_CASE("a reused connection has send, wait and receive only, from the exchange's own stamps") {
  Boundaries b;
  b.start = 0;
  b.ready = 300;  // waited 300 ms for a connection to be free
  b.last_out = b.sent = 300.1;
  b.first_byte = 350.1;
  b.done = 351;
  auto phases = build_phases(b, std::nullopt, Phase::kReceive, 999);
  REQUIRE(names(phases) == std::vector<Phase>{Phase::kSend, Phase::kWait, Phase::kReceive});
  CHECK(find(phases, Phase::kSend).span.start_ms == 300);
  CHECK(find(phases, Phase::kWait).span.duration_ms() == Approx(50));
}

TEST_CASE("a request body sent after a 100 Continue ends send at its last byte, and wait at the response") {
  Boundaries b;
  b.ready = 1;
  b.last_out = b.sent = 3;  // headers at 1, the 100 at 2, the body written by 3
  b.first_byte = 203;
  b.done = 204;
  auto phases = build_phases(b, std::nullopt, Phase::kReceive, 999);
  CHECK(find(phases, Phase::kSend).span.end_ms == 3);
  CHECK(find(phases, Phase::kWait).span.duration_ms() == Approx(200));
  CHECK(find(phases, Phase::kReceive).span.duration_ms() == Approx(1));
}

TEST_CASE("a refused connect is a failed connect phase ending at the failure, and nothing after it") {
  Boundaries b;
  b.new_connection = true;
  b.socket_opened = 1;
  Failure f{Code::kConnectRefused, "refused"};
  auto phases = build_phases(b, f, Phase::kConnect, 1.5);
  REQUIRE(names(phases) == std::vector<Phase>{Phase::kConnect});
  CHECK(phases[0].span.end_ms == 1.5);
  CHECK(phases[0].failure);
}

TEST_CASE("a failure in wait keeps connect, tls and send, and ends wait at the failure") {
  Boundaries b = queued_new_connection();
  b.first_byte.reset();
  b.done.reset();
  auto phases = build_phases(b, Failure{Code::kRecvError, "reset"}, Phase::kWait, 400);
  REQUIRE(names(phases) == std::vector<Phase>{Phase::kConnect, Phase::kTls, Phase::kSend, Phase::kWait});
  CHECK(find(phases, Phase::kWait).span.end_ms == 400);
  CHECK_FALSE(find(phases, Phase::kSend).failure);
}

TEST_CASE("what the exchange reached follows its boundaries") {
  Boundaries b = queued_new_connection();
  transfer::Progress p = progress_of(b);
  CHECK(p.connected);
  CHECK(p.handshaken);
  CHECK(p.request_sent);
  CHECK(p.first_byte);
  b.tls_done.reset();
  CHECK_FALSE(progress_of(b).handshaken);
  b.tcp_connected.reset();
  CHECK_FALSE(progress_of(b).connected);
}

// Through an HTTP proxy an https origin is reached through a CONNECT tunnel (issue 11):
// connect is the TCP connect to the proxy, the tunnel the CONNECT up to the proxy's
// answer, and tls the handshake with the origin inside it.
TEST_CASE("through a proxy an https request's CONNECT is a tunnel phase between connect and tls") {
  Boundaries b = queued_new_connection();
  b.tunnel = true;
  b.tunnel_done = 251.0;  // the proxy answered 0.8 ms after the TCP connect
  auto phases = build_phases(b, std::nullopt, Phase::kReceive, 999);
  REQUIRE(names(phases) == std::vector<Phase>{Phase::kConnect, Phase::kTunnel, Phase::kTls, Phase::kSend,
                                              Phase::kWait, Phase::kReceive});
  CHECK(find(phases, Phase::kConnect).span.end_ms == 250.2);
  CHECK(find(phases, Phase::kTunnel).span.start_ms == 250.2);
  CHECK(find(phases, Phase::kTunnel).span.end_ms == 251.0);
  CHECK(find(phases, Phase::kTls).span.start_ms == 251.0);
  CHECK(find(phases, Phase::kTls).span.end_ms == 255);
}

TEST_CASE("a proxy that refuses the tunnel fails the tunnel phase, and no tls phase follows") {
  Boundaries b = queued_new_connection();
  b.tunnel = true;
  b.tls_done.reset();
  b.ready.reset();
  b.last_out.reset();
  b.sent.reset();
  b.first_byte.reset();
  b.done.reset();
  const pageload::transfer::Progress p = progress_of(b);
  CHECK(p.connected);
  CHECK_FALSE(p.tunneled);
  auto phases = build_phases(b, Failure{Code::kConnectRefused, "the proxy answered 403"}, Phase::kTunnel, 252);
  REQUIRE(names(phases) == std::vector<Phase>{Phase::kConnect, Phase::kTunnel});
  CHECK(find(phases, Phase::kTunnel).failure);
  CHECK(find(phases, Phase::kTunnel).span.end_ms == 252);
}
