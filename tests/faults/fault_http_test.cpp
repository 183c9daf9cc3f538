// Hostile HTTP responses from the lab's fault server: each ends as a recorded run with
// its phase and class, within the timeouts given, and nothing unbounded is kept.
#include "faults/fault_support.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

LoadOptions fault_path(const std::string& path) { return fault_options(shared_lab().fault_url("fault.test", path)); }

}  // namespace

TEST_CASE("a garbage status line is a protocol error in the wait phase") {
  Timed t = timed_load(fault_path("/garbage-status"));
  check_failed(t.run, Phase::kWait, Code::kProtocolError);
  CHECK(t.seconds < 3);
}

TEST_CASE("a response that is not HTTP at all is a protocol error in the wait phase") {
  Timed t = timed_load(fault_path("/not-http"));
  check_failed(t.run, Phase::kWait, Code::kProtocolError);
  CHECK(t.seconds < 3);
}

// Once a valid status line has arrived the wait (time to first byte) is over: what goes
// wrong after it fails the receive phase.
TEST_CASE("a 2 MB response header is a protocol error, not an internal one") {
  Timed t = timed_load(fault_path("/huge-header"));
  check_failed(t.run, Phase::kReceive, Code::kProtocolError);
  CHECK(t.run.exit_status() == 3);
  CHECK(t.seconds < 3);
  for (const auto& [name, value] : t.run.requests[0].response_headers) CHECK(value.size() < 200'000);
}

TEST_CASE("20,000 response headers load, but only the first 1000 are stored") {
  Timed t = timed_load(fault_path("/many-headers"));
  CHECK(t.run.outcome == Outcome::kOk);
  CHECK(t.seconds < 3);
  CHECK(t.run.requests[0].response_headers.size() == 1000);
  REQUIRE(t.run.requests[0].warnings.size() == 1);
  CHECK(t.run.requests[0].warnings[0].find("19001 more response headers not recorded") != std::string::npos);
}

TEST_CASE("a response cut inside the headers is a receive failure, not a complete response") {
  Timed t = timed_load(fault_path("/cut-in-headers"));
  check_failed(t.run, Phase::kReceive, Code::kRecvError);
  CHECK(t.run.failure->message == "connection closed inside the response headers");
  CHECK(t.seconds < 3);
}

TEST_CASE("a chunked body cut inside a chunk is a receive failure") {
  Timed t = timed_load(fault_path("/cut-in-body"));
  check_failed(t.run, Phase::kReceive, Code::kRecvError);
  CHECK(t.run.requests[0].status == 200);
  CHECK(t.seconds < 3);
}

TEST_CASE("a body shorter than its Content-Length is a receive failure that keeps the bytes counted") {
  Timed t = timed_load(fault_path("/length-longer"));
  check_failed(t.run, Phase::kReceive, Code::kRecvError);
  CHECK(t.run.requests[0].body_bytes == 400);
  CHECK(t.seconds < 3);
}

TEST_CASE("bytes beyond the Content-Length are not counted as body") {
  Run run = load_and_store(fault_path("/length-shorter"));
  CHECK(run.outcome == Outcome::kOk);
  CHECK(run.requests[0].body_bytes == 10);
}

TEST_CASE("broken chunked encoding fails in the receive phase and says so") {
  Timed t = timed_load(fault_path("/bad-chunked"));
  check_failed(t.run, Phase::kReceive, Code::kRecvError);
  CHECK(t.run.failure->message.find("chunk") != std::string::npos);
  CHECK(t.seconds < 3);
}

TEST_CASE("an endless body stops at --max-filesize") {
  auto o = fault_path("/endless");
  o.max_filesize = 1 << 20;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kReceive, Code::kTooLarge);
  CHECK(t.run.requests[0].body_decoded.value_or(0) <= (2 << 20));
  CHECK(t.seconds < 4);
}

TEST_CASE("an endless body without --max-filesize stops at --max-time") {
  auto o = fault_path("/endless");
  o.max_time_ms = 700;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kReceive, Code::kTimeout);
  CHECK(t.run.requests[0].body_bytes.value_or(0) > 0);
  CHECK(t.seconds < 3);
}

TEST_CASE("a gzip bomb stops at --max-filesize counted on the decoded size") {
  auto o = fault_path("/gzip-bomb");
  o.max_filesize = 1 << 20;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kReceive, Code::kTooLarge);
  CHECK(t.run.requests[0].body_decoded.value_or(0) <= (1 << 20) + 256 * 1024);
  CHECK(t.seconds < 3);
}

TEST_CASE("a gzip bomb without a limit is counted, never stored") {
  Run run = load_and_store(fault_path("/gzip-bomb"));
  CHECK(run.outcome == Outcome::kOk);
  CHECK(run.requests[0].body_decoded == 10 * 1024 * 1024);
  CHECK(run.requests[0].body_bytes.value_or(0) < 100 * 1024);
}

TEST_CASE("a server sending one byte a second is stopped by --max-time in the wait phase") {
  auto o = fault_path("/slow");
  o.max_time_ms = 1500;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kWait, Code::kTimeout);
  CHECK(t.seconds < 4);
}

TEST_CASE("a server that accepts and never answers is stopped by --max-time in the wait phase") {
  auto o = fault_path("/silent");
  o.max_time_ms = 500;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kWait, Code::kTimeout);
  CHECK(t.seconds < 3);
}
