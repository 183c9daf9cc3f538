// Hostile response heads the client takes apart itself (issue 8, items 5, 6, 10): trailers,
// folded lines, a Content-Length past 2^63, an interim response and nothing after it.
#include "faults/fault_support.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

LoadOptions fault_path(const std::string& path) { return fault_options(shared_lab().fault_url("fault.test", path)); }

std::string header(const std::vector<Header>& list, const std::string& name) {
  for (const auto& [n, v] : list)
    if (n == name) return v;
  return "(none)";
}

}  // namespace

TEST_CASE("a trailer line that starts with HTTP/ is stored as a trailer, not as a second response") {
  Run run = load_and_store(fault_path("/trailer-status"));
  INFO((run.failure ? run.failure->message : "ok"));
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 1);
  const Request& r = run.requests[0];
  CHECK(r.status == 200);
  CHECK(r.reason == "OK");
  CHECK(header(r.response_headers, "Transfer-Encoding") == "chunked");
  CHECK(r.response_trailers == std::vector<Header>{{"HTTP/1.1 404 Not Found", "x"}});
  CHECK(r.body_decoded == 2);
}

TEST_CASE("a Location sent in a trailer is stored as a trailer and not followed") {
  Run run = load_and_store(fault_path("/trailer-location"));
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 2);
  CHECK(run.requests[0].location == "/landing");
  CHECK(run.requests[0].response_trailers == std::vector<Header>{{"Location", "/trailer-target"}});
  CHECK(run.requests[1].url == shared_lab().fault_url("fault.test", "/landing"));
  CHECK(run.final_status == 200);
}

TEST_CASE("an obs-fold line is folded into the header before it and its Location is not followed") {
  Run run = load_and_store(fault_path("/obs-fold"));
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 2);
  const Request& r = run.requests[0];
  CHECK(r.location == "/landing");
  CHECK(header(r.response_headers, "X-Fold") == "a Location: /folded");
  int locations = 0;
  for (const auto& [n, v] : r.response_headers) locations += n == "Location";
  CHECK(locations == 1);
  CHECK(run.requests[1].url == shared_lab().fault_url("fault.test", "/landing"));
  REQUIRE_FALSE(r.warnings.empty());
  CHECK(r.warnings[0].find("obs-fold") != std::string::npos);
}

TEST_CASE("a Content-Length over 2^63 is a protocol error, not a body read to the close") {
  Timed t = timed_load(fault_path("/huge-content-length"));
  check_failed(t.run, Phase::kReceive, Code::kProtocolError);
  CHECK(t.run.failure->message == "Content-Length 9223372036854775808 is over 2^63 - 1 bytes");
  CHECK(t.seconds < 3);
}

TEST_CASE("a 103 followed by a close is a receive failure with no final status") {
  Timed t = timed_load(fault_path("/early-hints-close"));
  check_failed(t.run, Phase::kReceive, Code::kRecvError);
  CHECK_FALSE(t.run.final_status);
  CHECK_FALSE(t.run.requests[0].status);
  CHECK(t.run.failure->message == "connection closed after an interim 103 response, before the final response");
  CHECK(t.run.requests[0].response_headers.empty());
}

// The server closes a keep-alive connection right after a redirect. The next hop needs
// a new connection, and the answer it would reuse has a TTL of 0: it must look again.
TEST_CASE("a new connection after the server closed a keep-alive one looks the host up again when its TTL ran out") {
  Run run = load_and_store(fault_options(shared_lab().fault_url("ttl-0.test", "/close-after-redirect")));
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 2);
  const Request& next = run.requests[1];
  CHECK_FALSE(next.reused);
  REQUIRE(next.connection);
  CHECK(next.connection != run.requests[0].connection);
  REQUIRE(next.phase(Phase::kDns));  // asked again: a TTL of 0 is not cached
  REQUIRE(next.dns_lookup);
  CHECK(run.dns_lookups.at(*next.dns_lookup).source == "dns");
  CHECK(run.dns_lookups.size() == 2);
}

TEST_CASE("a new connection after the server closed a keep-alive one uses a cached answer still within its TTL") {
  Run run = load_and_store(fault_options(shared_lab().fault_url("ttl-60.test", "/close-after-redirect")));
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 2);
  const Request& next = run.requests[1];
  CHECK_FALSE(next.reused);
  CHECK_FALSE(next.phase(Phase::kDns));
  REQUIRE(next.dns_lookup);
  CHECK(run.dns_lookups.at(*next.dns_lookup).source == "cache");
}

// The connection a redirect came on looked alive, so the next hop was handed to curl to
// reuse it without addresses (its TTL-0 answer had expired); the server closed it when the
// request arrived, and curl needed a new connection. It failed in connect ("no current
// addresses") about one load in three; now the host is looked up again and the hop loads.
TEST_CASE("a reused connection found closed after an answer expired is looked up again, not failed") {
  for (int i = 0; i < 5; ++i) {
    INFO("load " << i);
    Run run = load_and_store(fault_options(shared_lab().fault_url("ttl-0.test", "/drop-next-request")));
    CHECK(run.outcome == Outcome::kOk);
    REQUIRE(run.requests.size() == 2);
    const Request& next = run.requests[1];
    CHECK(next.status == 200);
    CHECK_FALSE(next.failure);
    REQUIRE(next.connection);
    CHECK(next.connection != run.requests[0].connection);
  }
}
