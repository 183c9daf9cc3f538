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

// curl 7.88's header store refuses these lines (CURLE_BAD_FUNCTION_ARGUMENT, before our
// header callback sees them); they were stored as `internal`, exit 4, with curl's "A
// libcurl function was given a bad argument" or "Failed reading the chunked-encoded
// stream". The server broke HTTP: protocol_error, exit 3.
TEST_CASE("an obs-fold as the first header line is a protocol error in receive, naming the line") {
  Timed t = timed_load(fault_path("/leading-fold"));
  check_failed(t.run, Phase::kReceive, Code::kProtocolError);
  CHECK(t.run.failure->message ==
        "malformed response header: a continuation line (obs-fold) with no header before it: ' Location: /folded' "
        "(curl refuses it)");
  CHECK(t.run.requests[0].status == 302);  // the status line came
  CHECK(t.run.requests.size() == 1);       // never followed
  CHECK(t.seconds < 3);
}

TEST_CASE("a trailer line without a colon is a protocol error in receive, not an internal error") {
  for (const char* path : {"/trailer-no-colon", "/trailer-fold"}) {
    INFO(path);
    Run run = load_and_store(fault_path(path));
    check_failed(run, Phase::kReceive, Code::kProtocolError);
    CHECK(run.failure->message ==
          "malformed trailer after the chunked body: a line without a colon, or a continuation line (curl refuses it)");
    CHECK(run.requests.size() == 1);
    CHECK(run.requests[0].status == 200);
  }
}

TEST_CASE("a malformed trailer or leading fold exits 3 with one error line") {
  TempDb tmp;
  for (const char* path : {"/leading-fold", "/trailer-no-colon"}) {
    auto r = pageload_cli(lab_args({"--db", tmp.path(), "-q", shared_lab().fault_url("fault.test", path)}), tmp.dir());
    INFO(r.err);
    CHECK(r.status == 3);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find("error: protocol_error: malformed ") != std::string::npos);
  }
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

// Review of issue 8: a kept-alive connection the server had closed, retried by curl, was
// stored with retry_reason "curl retried the request on a new connection" and warned
// "curl retried the request on 1 new connection (curl retried the request on a new
// connection)": curl's "Connection died, retrying" note was never matched.
TEST_CASE("a kept-alive connection the server closed is given up as closed by the server") {
  Run run = load_and_store(fault_options(shared_lab().fault_url("fault.test", "/drop-next-request")));
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 2);
  bool recorded = false;
  for (const auto& c : run.connections) recorded |= c.retry_reason == "the connection was closed by the server";
  CHECK(recorded);
  bool warned = false;
  for (const auto& w : run.requests[1].warnings)
    warned |= w.find("curl retried the request on 1 new connection (the connection was closed by the server), ") == 0;
  INFO((run.requests[1].warnings.empty() ? "no warning" : run.requests[1].warnings[0]));
  CHECK(warned);
}
