// Time to first byte of requests with a body (issue 8, item 3): libcurl 7.88 stamps
// STARTTRANSFER when an upload starts, which put the server's delay in `receive`. The
// first byte is now the first response status line after the request (not a 100
// Continue), from pageload's own header callback.
#include <catch2/catch.hpp>

#include "fixtures/lab_fixture.h"

using namespace pageload;
using pageload::testing::lab_options;
using pageload::testing::load_and_store;
using pageload::testing::shared_lab;

namespace {

// Loads `o` (a request to /delay/200), checks the delay lands in wait, loosely, and
// returns the request.
Request check_delay_in_wait(const LoadOptions& o) {
  Run run = load_and_store(o);
  INFO((run.failure ? run.failure->message : std::string("ok")));
  REQUIRE(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 1);
  const Request r = run.requests[0];
  const PhaseRecord* send = r.phase(Phase::kSend);
  const PhaseRecord* wait = r.phase(Phase::kWait);
  const PhaseRecord* receive = r.phase(Phase::kReceive);
  REQUIRE(send);
  REQUIRE(wait);
  REQUIRE(receive);
  CHECK(wait->span.duration_ms() >= 195);
  CHECK(wait->span.duration_ms() < 1000);
  CHECK(receive->span.duration_ms() < 100);
  CHECK(send->span.end_ms <= wait->span.start_ms + 0.001);
  return r;
}

}  // namespace

TEST_CASE("the first byte of a 100 KB POST over HTTP/1.1 ends wait, not receive") {
  auto o = lab_options(shared_lab().http_url("post.test", "/delay/200"));
  o.data = std::string(100 * 1024, 'p');
  check_delay_in_wait(o);
}

TEST_CASE("the first byte of a PUT over HTTP/1.1 ends wait, not receive") {
  auto o = lab_options(shared_lab().http_url("put.test", "/delay/200"));
  o.method = "PUT";
  o.data = "hello";
  check_delay_in_wait(o);
}

TEST_CASE("a 100 Continue is not the first byte: an Expect: 100-continue POST waits for the final response") {
  auto o = lab_options(shared_lab().http_url("expect.test", "/delay/200"));
  o.headers = {{"Expect", "100-continue"}};
  o.data = std::string(20 * 1024, 'e');
  check_delay_in_wait(o);
}

TEST_CASE("the first byte of a POST over HTTP/2 ends wait, not receive") {
  auto o = lab_options(shared_lab().https_url("post.test", "/delay/200"));
  o.data = "hello";
  CHECK(check_delay_in_wait(o).http_version == "HTTP/2");
}

TEST_CASE("the first byte of a POST over TLS and HTTP/1.1 ends wait, not receive") {
  auto o = lab_options(shared_lab().https11_url("post.test", "/delay/200"));
  o.data = "hello";
  CHECK(check_delay_in_wait(o).http_version == "HTTP/1.1");
}
