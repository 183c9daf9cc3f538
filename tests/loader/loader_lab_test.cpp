// The loader against the lab, asserting on the rows read back from SQLite.
#include <catch2/catch.hpp>

#include "fixtures/skip.h"

#include "core/redact.h"
#include "fixtures/lab_fixture.h"

using namespace pageload;
using pageload::testing::lab_options;
using pageload::testing::load_and_store;
using pageload::testing::shared_lab;

namespace {

std::vector<Phase> phase_list(const Request& r) {
  std::vector<Phase> out;
  for (const auto& p : r.phases) out.push_back(p.phase);
  return out;
}

const std::string* header(const std::vector<Header>& hs, const std::string& name) {
  for (const auto& h : hs)
    if (iequals(h.first, name)) return &h.second;
  return nullptr;
}

}  // namespace

TEST_CASE("an https load records dns, connect, tls, send, wait and receive in order") {
  Run run = load_and_store(lab_options(shared_lab().https_url("secure.test", "/status/200")));
  REQUIRE(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 1);
  const Request& r = run.requests[0];
  CHECK(r.status == 200);
  CHECK(r.http_version == "HTTP/2");  // the lab's HTTPS offers h2 by ALPN, and curl takes it
  CHECK_FALSE(r.reused);
  REQUIRE(phase_list(r) == std::vector<Phase>{Phase::kDns, Phase::kConnect, Phase::kTls, Phase::kSend, Phase::kWait,
                                              Phase::kReceive});
  for (std::size_t i = 0; i < r.phases.size(); ++i) {
    INFO(phase_name(r.phases[i].phase));
    CHECK(r.phases[i].span.start_ms >= 0);
    CHECK(r.phases[i].span.end_ms >= r.phases[i].span.start_ms);
    if (i > 0) CHECK(r.phases[i].span.start_ms >= r.phases[i - 1].span.end_ms - 0.001);
  }
  CHECK(r.span.start_ms <= r.phases.front().span.start_ms);
  // The run's origin is where loading starts, not before bookkeeping (which took hundreds of
  // ms); loose, as a shared machine's scheduling delays come on top (5 ms was missed once).
  CHECK(r.span.start_ms < 50);
  CHECK(r.span.end_ms >= r.phases.back().span.end_ms - 0.001);
  CHECK(run.total_ms.value_or(0) >= r.span.end_ms - 0.001);

  // The connection row: addresses, TLS details from the lab's certificate.
  REQUIRE(r.connection);
  const Connection& c = run.connections.at(*r.connection);
  CHECK(c.remote_ip == "127.0.0.1");
  CHECK(c.remote_port == shared_lab().https_port());
  CHECK(c.local_port > 0);
  CHECK(c.family == 4);
  REQUIRE(c.tls);
  CHECK(c.tls->version.rfind("TLSv1.", 0) == 0);
  CHECK_FALSE(c.tls->cipher.empty());
  CHECK(c.tls->alpn == "h2");
  CHECK(c.tls->verified);
  CHECK(c.tls->verify_result == 0);
  CHECK_FALSE(c.tls->issuer.empty());
  CHECK_FALSE(c.tls->not_after.empty());
  CHECK(std::find(c.tls->sans.begin(), c.tls->sans.end(), "*.test") != c.tls->sans.end());

  // The DNS lookup that fed it.
  REQUIRE(r.dns_lookup);
  const DnsLookup& d = run.dns_lookups.at(*r.dns_lookup);
  CHECK(d.source == "dns");
  CHECK(d.outcome == "NOERROR");
  REQUIRE_FALSE(d.answers.empty());
  CHECK(d.answers.back().value == "127.0.0.1");
  CHECK(d.answers.back().ttl > 0);
}

TEST_CASE("a host name starting with a dash loads instead of reading as a curl removal entry") {
  // "-a.test:PORT:ADDR" is curl's syntax for removing a --resolve entry: the load ended
  // as "internal: Could not resolve host".
  Run run = load_and_store(lab_options(shared_lab().http_url("-a.test", "/status/200")));
  INFO((run.failure ? run.failure->message : std::string("no failure")));
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 1);
  CHECK(run.requests[0].status == 200);
  REQUIRE(run.connections.size() == 1);
  CHECK(run.connections[0].remote_ip == "127.0.0.1");
}

TEST_CASE("a host name with a trailing dot and an IP literal both verify against the certificate") {
  auto& lab = shared_lab();
  std::string ip_url = "https://127.0.0.1:" + std::to_string(lab.https_port()) + "/";
  for (const std::string& url : {lab.https_url("secure.test.", "/"), ip_url}) {
    INFO(url);
    Run run = load_and_store(lab_options(url));
    CHECK(run.outcome == Outcome::kOk);
    REQUIRE(run.connections.size() == 1);
    REQUIRE(run.connections[0].tls);
    CHECK(run.connections[0].tls->verified);
    CHECK(run.connections[0].tls->verify_result == 0);
  }
}

TEST_CASE("a 301, 302, 303, 307, 308 chain is one row per hop with its status and method") {
  auto o = lab_options(shared_lab().http_url("chain.test", "/chain/301,302,303,307,308"));
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 6);
  const int want[] = {301, 302, 303, 307, 308, 200};
  for (int i = 0; i < 6; ++i) {
    INFO("hop " << i);
    CHECK(run.requests[i].seq == i);
    CHECK(run.requests[i].status == want[i]);
    CHECK(run.requests[i].method == "GET");
    if (i > 0) CHECK(run.requests[i].redirect_from == i - 1);
  }
  CHECK_FALSE(run.requests[0].redirect_from);
  CHECK(run.requests[0].location == "/chain/302,303,307,308");
  CHECK(run.requests[0].redirect_url == shared_lab().http_url("chain.test", "/chain/302,303,307,308"));
  CHECK(run.final_status == 200);
  CHECK(run.final_url == shared_lab().http_url("chain.test", "/chain/"));
}

TEST_CASE("a POST keeps its method through 307 and 308 and becomes GET after 303") {
  auto o = lab_options(shared_lab().http_url("post.test", "/chain/307,308,303,200"));
  o.data = "a=1";
  Run run = load_and_store(o);
  REQUIRE(run.requests.size() == 4);
  CHECK(run.requests[0].method == "POST");
  CHECK(run.requests[1].method == "POST");
  CHECK(run.requests[2].method == "POST");
  CHECK(run.requests[3].method == "GET");
}

TEST_CASE("a POST becomes GET after a 301 and after a 302") {
  for (const char* code : {"301", "302"}) {
    auto o = lab_options(shared_lab().http_url("post.test", std::string("/chain/") + code));
    o.data = "a=1";
    Run run = load_and_store(o);
    REQUIRE(run.requests.size() == 2);
    CHECK(run.requests[0].method == "POST");
    CHECK(run.requests[1].method == "GET");
  }
}

TEST_CASE("same-host hops reuse the connection and have no dns, connect or tls phase") {
  Run run = load_and_store(lab_options(shared_lab().https_url("reuse.test", "/chain/301,302")));
  REQUIRE(run.requests.size() == 3);
  REQUIRE(run.connections.size() == 1);
  CHECK_FALSE(run.requests[0].reused);
  for (int i = 1; i < 3; ++i) {
    INFO("hop " << i);
    const Request& r = run.requests[i];
    CHECK(r.reused);
    CHECK(r.connection == run.requests[0].connection);
    CHECK(phase_list(r) == std::vector<Phase>{Phase::kSend, Phase::kWait, Phase::kReceive});
  }
  CHECK(run.connections[0].requests == 3);
}

TEST_CASE("a cross-host hop opens a new connection") {
  auto& lab = shared_lab();
  Run run = load_and_store(
      lab_options(lab.http_url("one.test", "/redirect/302?to=" + lab.http_url("two.test", "/status/200"))));
  REQUIRE(run.requests.size() == 2);
  REQUIRE(run.connections.size() == 2);
  CHECK(run.requests[0].connection != run.requests[1].connection);
  CHECK_FALSE(run.requests[1].reused);
  CHECK(run.requests[1].phase(Phase::kDns));
  CHECK(run.requests[1].phase(Phase::kConnect));
  CHECK(run.dns_lookups.size() == 2);
}

TEST_CASE("the --no-keepalive flag opens a new connection per hop and answers DNS from the run's cache") {
  auto o = lab_options(shared_lab().http_url("fresh.test", "/chain/301,302"));
  o.keepalive = false;
  Run run = load_and_store(o);
  REQUIRE(run.requests.size() == 3);
  CHECK(run.connections.size() == 3);
  for (const auto& r : run.requests) CHECK_FALSE(r.reused);
  CHECK(run.requests[0].phase(Phase::kDns));
  for (int i = 1; i < 3; ++i) {
    INFO("hop " << i);
    CHECK_FALSE(run.requests[i].phase(Phase::kDns));
    CHECK(run.requests[i].phase(Phase::kConnect));
    REQUIRE(run.requests[i].dns_lookup);
    CHECK(run.dns_lookups.at(*run.requests[i].dns_lookup).source == "cache");
  }
}

// Review of issue 10 (stop 23) F1: over TLS, curl's close_notify drew the lab's FIN before
// curl closed the socket, and 10 to 13 of /page/showcase's 16 connections were recorded as
// found closed by the server (with false keep-alive failures in the report).
TEST_CASE("under --no-keepalive over TLS every connection is closed by pageload after its request, not by the server") {
  auto o = lab_options(shared_lab().https_url("www.test", "/page/showcase"));
  o.keepalive = false;
  o.http11 = true;
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  REQUIRE(run.connections.size() >= 10);  // a connection per request
  for (const Connection& c : run.connections) {
    INFO("connection #" << c.id);
    REQUIRE(c.closed);
    CHECK(c.closed->by == ClosedBy::kPageload);
    CHECK(c.closed->reason == CloseReason::kNoKeepalive);
  }
}

TEST_CASE("a lookup whose TTL has run out is asked again") {
  auto o = lab_options(shared_lab().http_url("ttl-0.test", "/chain/301"));
  o.keepalive = false;
  Run run = load_and_store(o);
  REQUIRE(run.requests.size() == 2);
  CHECK(run.requests[1].phase(Phase::kDns));
  CHECK(run.dns_lookups.at(*run.requests[1].dns_lookup).source == "dns");
}

TEST_CASE("Connection: close makes the next same-host hop open a new connection") {
  auto& lab = shared_lab();
  Run run = load_and_store(
      lab_options(lab.http_url("close.test", "/redirect/302?to=/status/200&header=Connection:%20close")));
  REQUIRE(run.requests.size() == 2);
  CHECK_FALSE(run.requests[1].reused);
  CHECK(run.connections.size() == 2);
  CHECK(run.requests[1].phase(Phase::kConnect));
  CHECK_FALSE(run.requests[1].phase(Phase::kDns));  // the address came from the run's DNS cache
}

TEST_CASE("an http to https redirect and a relative Location are followed") {
  auto& lab = shared_lab();
  Run run = load_and_store(lab_options(lab.http_url("www.test", "/redirect/301?to=" + lab.https_url("secure.test", "/redirect/302?to=../status/200"))));
  REQUIRE(run.requests.size() == 3);
  CHECK(run.requests[1].scheme == "https");
  CHECK(run.requests[2].url == lab.https_url("secure.test", "/status/200"));
  CHECK(run.requests[2].status == 200);
}

TEST_CASE("Authorization and Cookie given by the user are not sent to a different host") {
  auto& lab = shared_lab();
  auto o = lab_options(lab.http_url("first.test", "/redirect/302?to=" + lab.http_url("second.test", "/echo")));
  o.headers = {{"Authorization", "Bearer s3cret"}, {"Cookie", "sid=abc"}, {"X-Trace", "t1"}};
  o.keep_secrets = true;
  Run run = load_and_store(o);
  REQUIRE(run.requests.size() == 2);
  REQUIRE(header(run.requests[0].request_headers, "Authorization"));
  CHECK(*header(run.requests[0].request_headers, "Authorization") == "Bearer s3cret");
  CHECK_FALSE(header(run.requests[1].request_headers, "Authorization"));
  CHECK_FALSE(header(run.requests[1].request_headers, "Cookie"));
  CHECK(header(run.requests[1].request_headers, "X-Trace"));
}

TEST_CASE("secret header values are redacted in the stored run by default") {
  auto o = lab_options(shared_lab().http_url("secret.test", "/set-cookie"));
  o.headers = {{"Authorization", "Bearer s3cret"}, {"Cookie", "sid=abc"}};
  Run run = load_and_store(o);
  REQUIRE(run.requests.size() == 1);
  const auto& r = run.requests[0];
  REQUIRE(header(r.request_headers, "Authorization"));
  CHECK(*header(r.request_headers, "Authorization") == "Bearer [redacted]");
  CHECK(*header(r.request_headers, "Cookie") == "sid=[redacted]");
  REQUIRE(header(r.response_headers, "Set-Cookie"));
  CHECK(header(r.response_headers, "Set-Cookie")->find("s3cr3t") == std::string::npos);
  CHECK(run.options_json.find("s3cret") == std::string::npos);
}

TEST_CASE("a 200 ms first-byte delay is measured in the wait phase") {
  Run run = load_and_store(lab_options(shared_lab().http_url("slow.test", "/delay/200")));
  REQUIRE(run.requests.size() == 1);
  const PhaseRecord* wait = run.requests[0].phase(Phase::kWait);
  REQUIRE(wait);
  CHECK(wait->span.duration_ms() >= 200);
  CHECK(wait->span.duration_ms() < 400);
}

TEST_CASE("a slow DNS answer is measured in the dns phase") {
  Run run = load_and_store(lab_options(shared_lab().http_url("delay-100.test", "/")));
  const PhaseRecord* dns = run.requests.at(0).phase(Phase::kDns);
  REQUIRE(dns);
  CHECK(dns->span.duration_ms() >= 100);
  CHECK(dns->span.duration_ms() < 300);
}

TEST_CASE("a CNAME chain is stored in order with its TTLs") {
  Run run = load_and_store(lab_options(shared_lab().http_url("cname-2.www.test", "/")));
  REQUIRE(run.requests.at(0).dns_lookup);
  const DnsLookup& d = run.dns_lookups.at(*run.requests[0].dns_lookup);
  REQUIRE(d.answers.size() >= 3);
  CHECK(d.answers[0].type == "CNAME");
  CHECK(d.answers[0].name == "cname-2.www.test");
  CHECK(d.answers[0].value == "cname-1.www.test");
  CHECK(d.answers[1].type == "CNAME");
  CHECK(d.answers[1].value == "www.test");
  CHECK(d.answers[2].type == "A");
  CHECK(d.answers[2].value == "127.0.0.1");
}

TEST_CASE("every address tried is recorded with why it failed") {
  Run run = load_and_store(lab_options(shared_lab().http_url("fallback.test", "/")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Connection& c = run.connections.at(0);
  REQUIRE(c.attempts.size() == 2);
  CHECK(c.attempts[0].address == "127.0.0.2");
  CHECK_FALSE(c.attempts[0].error.empty());
  CHECK(c.attempts[1].address == "127.0.0.1");
  CHECK(c.attempts[1].error.empty());
  CHECK(c.remote_ip == "127.0.0.1");
}

TEST_CASE("the --resolve flag skips DNS entirely") {
  auto& lab = shared_lab();
  auto o = lab_options(lab.http_url("pinned.example", "/"));
  o.resolve = {{"pinned.example", lab.http_port(), {"127.0.0.1"}}};
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  CHECK_FALSE(run.requests[0].phase(Phase::kDns));
  CHECK(run.dns_lookups.empty());
  CHECK(run.requests[0].phase(Phase::kConnect));
}

TEST_CASE("gzip bodies record wire and decoded sizes") {
  Run run = load_and_store(lab_options(shared_lab().http_url("gz.test", "/gzip")));
  const Request& r = run.requests.at(0);
  REQUIRE(r.body_bytes);
  REQUIRE(r.body_decoded);
  CHECK(*r.body_bytes < *r.body_decoded);
  CHECK(r.content_type.find("text/") == 0);
}

TEST_CASE("a 404 ends the run as http_error with exit status 1") {
  Run run = load_and_store(lab_options(shared_lab().http_url("www.test", "/status/404")));
  CHECK(run.outcome == Outcome::kHttpError);
  CHECK(run.final_status == 404);
  CHECK(run.requests[0].reason == "Not Found");
  CHECK(run.exit_status() == 1);
}

TEST_CASE("localhost is the loopback host and is never asked of a DNS server") {
  auto o = lab_options("http://localhost:" + std::to_string(shared_lab().http_port()) + "/");
  o.ip_version = 4;
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  // Its lookup is recorded as answered from hosts, with no query sent and no dns phase.
  for (const auto& l : run.dns_lookups) {
    CHECK(l.source == "hosts");
    CHECK(l.queries.empty());
  }
  CHECK_FALSE(run.requests[0].phase(Phase::kDns));
  CHECK(run.connections.at(0).remote_ip == "127.0.0.1");
}

// The lab's HTTP and HTTPS servers listen on ::1 too (same ports) when the machine has
// an IPv6 loopback; without one these tests say so and pass (fail under PAGELOAD_REQUIRE_ALL).
#define SKIP_WITHOUT_IPV6()                                                            \
  do {                                                                                 \
    if (shared_lab().also_bound().empty()) {                                           \
      SKIP_OR_FAIL("no IPv6 loopback here: " << shared_lab().also_unavailable());      \
      return;                                                                          \
    }                                                                                  \
  } while (0)

TEST_CASE("a load of v6.test connects over IPv6 to ::1") {
  SKIP_WITHOUT_IPV6();
  Run run = load_and_store(lab_options(shared_lab().http_url("v6.test", "/")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Connection& c = run.connections.at(0);
  CHECK(c.family == 6);
  CHECK(c.remote_ip == "::1");
  CHECK(c.remote_port == shared_lab().http_port());
  CHECK(c.local_ip == "::1");
  REQUIRE(c.attempts.size() == 1);
  CHECK(c.attempts[0].address == "::1");
  CHECK(c.attempts[0].family == 6);
  CHECK(c.attempts[0].error.empty());
}

TEST_CASE("an https load of v6.test verifies the lab certificate over IPv6") {
  SKIP_WITHOUT_IPV6();
  Run run = load_and_store(lab_options(shared_lab().https_url("v6.test", "/")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Connection& c = run.connections.at(0);
  CHECK(c.remote_ip == "::1");
  REQUIRE(c.tls);
  CHECK(c.tls->verified);
}

TEST_CASE("with -6 dual.test is looked up as AAAA only and connects over ::1") {
  SKIP_WITHOUT_IPV6();
  auto o = lab_options(shared_lab().http_url("dual.test", "/"));
  o.ip_version = 6;
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  const DnsLookup& d = run.dns_lookups.at(0);
  REQUIRE(d.queries.size() == 1);
  CHECK(d.queries[0].type == "AAAA");
  const Connection& c = run.connections.at(0);
  CHECK(c.family == 6);
  CHECK(c.remote_ip == "::1");
  REQUIRE(c.attempts.size() == 1);
  CHECK(c.attempts[0].address == "::1");
}

TEST_CASE("with -4 dual.test connects over 127.0.0.1") {
  SKIP_WITHOUT_IPV6();
  auto o = lab_options(shared_lab().http_url("dual.test", "/"));
  o.ip_version = 4;
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  const Connection& c = run.connections.at(0);
  CHECK(c.family == 4);
  CHECK(c.remote_ip == "127.0.0.1");
  REQUIRE(c.attempts.size() == 1);
  CHECK(c.attempts[0].address == "127.0.0.1");
}

TEST_CASE("dual.test tries its A address first and, connected, tries no other") {
  SKIP_WITHOUT_IPV6();
  Run run = load_and_store(lab_options(shared_lab().http_url("dual.test", "/")));
  REQUIRE(run.outcome == Outcome::kOk);
  // Both families were asked for and both answers kept, A first: curl starts with the
  // first address's family and would start IPv6 only if IPv4 failed or took 200 ms.
  const DnsLookup& d = run.dns_lookups.at(0);
  REQUIRE(d.addresses() == std::vector<std::string>{"127.0.0.1", "::1"});
  const Connection& c = run.connections.at(0);
  CHECK(c.family == 4);
  CHECK(c.remote_ip == "127.0.0.1");
  REQUIRE(c.attempts.size() == 1);
  CHECK(c.attempts[0].address == "127.0.0.1");
  CHECK(c.attempts[0].error.empty());
}

TEST_CASE("dual-fallback.test falls back from a refused IPv4 address to IPv6") {
  SKIP_WITHOUT_IPV6();
  Run run = load_and_store(lab_options(shared_lab().http_url("dual-fallback.test", "/")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Connection& c = run.connections.at(0);
  REQUIRE(c.attempts.size() == 2);
  CHECK(c.attempts[0].address == "127.0.0.2");
  CHECK(c.attempts[0].family == 4);
  CHECK_FALSE(c.attempts[0].error.empty());
  CHECK(c.attempts[1].address == "::1");
  CHECK(c.attempts[1].family == 6);
  CHECK(c.attempts[1].error.empty());
  CHECK(c.family == 6);
  CHECK(c.remote_ip == "::1");
}

// curl 7.88 retries a refused HTTP/2 stream on a fresh connection, up to five times. Once
// shown as one connection with six "connected" attempts and the retries' time missing.
TEST_CASE("an HTTP/2 REFUSED_STREAM retried by curl shows each try as a connection given up") {
  Run run = load_and_store(lab_options(shared_lab().https_url("h2-refuse.test", "/refuse/5?loader=1")));
  INFO((run.failure ? run.failure->message : std::string("ok")));
  REQUIRE(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 1);
  const Request& r = run.requests[0];
  CHECK(r.status == 200);
  CHECK(r.http_version == "HTTP/2");
  REQUIRE(run.connections.size() == 6);
  for (int i = 0; i < 5; ++i) {
    INFO("connection " << i);
    CHECK(run.connections[i].retry_reason.find("REFUSED_STREAM") == 0);
    CHECK(run.connections[i].attempts.size() == 1);
    REQUIRE(run.connections[i].connect);
    if (i > 0) CHECK(run.connections[i].connect->start_ms >= run.connections[i - 1].connect->start_ms);
  }
  REQUIRE(r.connection);
  CHECK(*r.connection == 5);
  const Connection& last = run.connections[5];
  CHECK(last.retry_reason.empty());
  CHECK(last.attempts.size() == 1);
  CHECK(last.connect->start_ms >= run.connections[4].connect->end_ms);
  CHECK(r.phase(Phase::kConnect)->span.start_ms == Approx(last.connect->start_ms));
  bool warned = false;
  for (const auto& w : r.warnings) warned |= w.find("curl retried the request on 5 new connections") == 0;
  CHECK(warned);
}

// Address attempts had no times (issue 11): a connect of 200 ms that was curl's
// happy-eyeballs wait read as a slow network. Each attempt now has its span, and one that
// curl's fallback timer started is marked.
TEST_CASE("each address tried has when it began and how long it took, and a wait for curl's timer after a refused one is marked") {
  Run run = load_and_store(lab_options(shared_lab().http_url("fallback.test", "/")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Connection& c = run.connections.at(0);
  REQUIRE(c.attempts.size() == 2);
  const ConnectAttempt& refused = c.attempts[0];
  const ConnectAttempt& won = c.attempts[1];
  CHECK(refused.address == "127.0.0.2");
  REQUIRE(refused.span);
  REQUIRE(won.span);
  CHECK(refused.span->start_ms >= run.requests[0].span.start_ms);
  CHECK(refused.span->end_ms <= won.span->start_ms);
  CHECK(refused.span->duration_ms() < 50);  // refused at once on loopback
  CHECK(won.span->end_ms >= won.span->start_ms);
  CHECK(won.span->end_ms <= c.connect->end_ms + 0.5);  // the winner's end is the connect
  // libcurl 7.88 opens the next address's socket only when its happy-eyeballs timer fires:
  // the 200 ms between the two is curl's wait, and the attempt says so.
  CHECK(won.span->start_ms - refused.span->start_ms >= kHappyEyeballsMs - 2);
  CHECK(won.after_fallback_delay);
  CHECK_FALSE(refused.after_fallback_delay);
}

TEST_CASE("an IPv6 attempt started by curl's happy-eyeballs delay after a silent IPv4 address is marked as such") {
  SKIP_WITHOUT_IPV6();
  // The fault server's never-accepting port drops IPv4 SYNs; on ::1 the same port answers.
  const int port = shared_lab().fault_port(lab::FaultPort::kBacklogFull);
  Run run = load_and_store(lab_options("http://dual.test:" + std::to_string(port) + "/ok"));
  INFO((run.failure ? run.failure->message : std::string("ok")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Connection& c = run.connections.at(0);
  CHECK(c.remote_ip == "::1");
  REQUIRE(c.attempts.size() == 2);
  const ConnectAttempt& v4 = c.attempts[0];
  const ConnectAttempt& v6 = c.attempts[1];
  REQUIRE(v4.span);
  REQUIRE(v6.span);
  CHECK(v4.family == 4);
  CHECK(v4.error == "abandoned");  // still waiting for a SYN-ACK when IPv6 connected
  CHECK(v6.span->start_ms - v4.span->start_ms >= kHappyEyeballsMs - 2);
  CHECK(v6.after_fallback_delay);
  CHECK_FALSE(v4.after_fallback_delay);
  CHECK(c.connect->duration_ms() >= kHappyEyeballsMs - 2);  // the wait is in connect, and now explained
}
