// Failures are results: each class is stored with its phase, and what was measured
// before the failure is kept.
#include <catch2/catch.hpp>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixtures/closed_port.h"
#include "fixtures/lab_fixture.h"

using namespace pageload;
using pageload::testing::lab_options;
using pageload::testing::load_and_store;
using pageload::testing::closed_port;
using pageload::testing::shared_lab;

namespace {

int closed_udp_port() { return closed_port(SOCK_DGRAM); }

void check_failed(const Run& run, Phase phase, Code code) {
  INFO("run error: " << (run.failure ? run.failure->message : "none"));
  CHECK(run.outcome == Outcome::kFailed);
  REQUIRE(run.failure);
  CHECK(run.failure->code == code);
  CHECK(run.exit_status() == 3);
  REQUIRE_FALSE(run.requests.empty());
  const Request& last = run.requests.back();
  REQUIRE(last.error_phase);
  CHECK(*last.error_phase == phase);
  const PhaseRecord* p = last.phase(phase);
  REQUIRE(p);
  REQUIRE(p->failure);
  CHECK(p->failure->code == code);
  CHECK_FALSE(p->failure->message.empty());
}

}  // namespace

TEST_CASE("NXDOMAIN fails the run in its dns phase") {
  Run run = load_and_store(lab_options(shared_lab().http_url("nxdomain.test", "/")));
  check_failed(run, Phase::kDns, Code::kDnsNxdomain);
  REQUIRE(run.requests[0].dns_lookup);
  CHECK(run.dns_lookups[*run.requests[0].dns_lookup].outcome == "NXDOMAIN");
  CHECK(run.connections.empty());
}

TEST_CASE("SERVFAIL fails the run in its dns phase") {
  check_failed(load_and_store(lab_options(shared_lab().http_url("servfail.test", "/"))), Phase::kDns,
               Code::kDnsServfail);
}

TEST_CASE("a DNS server that never answers is a dns timeout") {
  auto o = lab_options(shared_lab().http_url("silent.test", "/"));
  o.dns_timeout_ms = 200;
  Run run = load_and_store(o);
  check_failed(run, Phase::kDns, Code::kDnsTimeout);
  CHECK(run.total_ms.value_or(0) < 5000);
}

TEST_CASE("the --max-time flag bounds the DNS lookup too") {
  auto o = lab_options(shared_lab().http_url("delay-2000.test", "/"));
  o.max_time_ms = 300;
  Run run = load_and_store(o);
  check_failed(run, Phase::kDns, Code::kTimeout);
  CHECK(run.total_ms.value_or(0) < 1000);
}

TEST_CASE("a lookup cut off by --max-time is stored as TIMEOUT with its tries so far and linked") {
  // It used to be dropped: no dns_lookups row, requests.dns_lookup_id NULL.
  auto o = lab_options(shared_lab().http_url("delay-2000.test", "/"));
  o.max_time_ms = 300;
  o.dns_timeout_ms = 15000;  // one try each: the lab answers after 2 s
  Run run = load_and_store(o);
  check_failed(run, Phase::kDns, Code::kTimeout);
  const Request& r = run.requests.at(0);
  REQUIRE(r.dns_lookup);
  const DnsLookup& d = run.dns_lookups.at(static_cast<std::size_t>(*r.dns_lookup));
  CHECK(d.host == "delay-2000.test");
  CHECK(d.servers == std::vector<std::string>{shared_lab().dns_server()});
  CHECK(d.outcome == "TIMEOUT");
  CHECK(d.ares_status.empty());
  REQUIRE(d.failure);
  CHECK(d.failure->code == Code::kTimeout);
  CHECK(d.span.duration_ms() >= 290);
  CHECK(d.span.end_ms == r.phase(Phase::kDns)->span.end_ms);
  REQUIRE(d.queries.size() == 2);
  for (const auto& q : d.queries) {
    INFO(q.type);
    CHECK(q.outcome == "TIMEOUT");
    CHECK(q.server.empty());
    REQUIRE(q.attempts.size() == 1);
    CHECK(q.attempts[0].server == shared_lab().dns_server());
    CHECK(q.attempts[0].outcome == "TIMEOUT");
    CHECK(q.attempts[0].end_ms == d.span.end_ms);
  }
}

TEST_CASE("a dead DNS server listed first costs no timeout and the tries show why") {
  auto o = lab_options(shared_lab().http_url("www.test", "/"));
  const std::string dead = "127.0.0.1:" + std::to_string(closed_udp_port());
  o.dns_servers = {dead, shared_lab().dns_server()};
  o.dns_timeout_ms = 15000;
  Run run = load_and_store(o);
  CHECK(run.outcome == Outcome::kOk);
  const DnsLookup& d = run.dns_lookups.at(0);
  CHECK(d.span.duration_ms() < 1000);
  for (const auto& q : d.queries) {
    INFO(q.type);
    CHECK(q.server == shared_lab().dns_server());
    REQUIRE(q.attempts.size() == 2);
    CHECK(q.attempts[0].server == dead);
    CHECK(q.attempts[0].outcome == "UNREACHABLE");
    CHECK(q.attempts[1].server == shared_lab().dns_server());
  }
}

TEST_CASE("a refused connection fails in the connect phase") {
  Run run = load_and_store(lab_options("http://127.0.0.1:" + std::to_string(closed_port()) + "/"));
  check_failed(run, Phase::kConnect, Code::kConnectRefused);
  REQUIRE(run.connections.size() == 1);
  REQUIRE(run.connections[0].attempts.size() == 1);
  CHECK_FALSE(run.connections[0].attempts[0].error.empty());
  CHECK_FALSE(run.requests[0].phase(Phase::kDns));  // an IP literal needs no lookup
}

TEST_CASE("an expired certificate fails in the tls phase and keeps the certificate") {
  Run run = load_and_store(lab_options(shared_lab().https_url("expired.test", "/")));
  check_failed(run, Phase::kTls, Code::kTlsCertExpired);
  REQUIRE(run.connections.size() == 1);
  REQUIRE(run.connections[0].tls);
  CHECK(run.connections[0].tls->subject.find("expired.test") != std::string::npos);
  CHECK_FALSE(run.connections[0].tls->verified);
  REQUIRE(run.requests[0].phase(Phase::kConnect));
  CHECK(run.requests[0].phase(Phase::kConnect)->ok());
  CHECK(run.connections[0].remote_ip == "127.0.0.1");
  REQUIRE(run.connections[0].attempts.size() == 1);
  CHECK(run.connections[0].attempts[0].error.empty());
}

TEST_CASE("a self-signed certificate is untrusted") {
  check_failed(load_and_store(lab_options(shared_lab().https_url("selfsigned.test", "/"))), Phase::kTls,
               Code::kTlsCertUntrusted);
}

TEST_CASE("a certificate for another name fails the host name check") {
  check_failed(load_and_store(lab_options(shared_lab().https_url("wronghost.test", "/"))), Phase::kTls,
               Code::kTlsCertHostname);
}

TEST_CASE("with -k an expired certificate loads and records certificate has expired, not a missing issuer") {
  auto o = lab_options(shared_lab().https_url("expired.test", "/"));
  o.insecure = true;
  Run run = load_and_store(o);
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.connections.at(0).tls);
  CHECK_FALSE(run.connections[0].tls->verified);
  CHECK(run.connections[0].tls->verify_result == X509_V_ERR_CERT_HAS_EXPIRED);
  CHECK(run.connections[0].tls->verify_message == X509_verify_cert_error_string(X509_V_ERR_CERT_HAS_EXPIRED));
}

TEST_CASE("with -k a valid certificate is recorded as verified") {
  auto o = lab_options(shared_lab().https_url("secure.test", "/"));
  o.insecure = true;
  Run run = load_and_store(o);
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.connections.at(0).tls);
  CHECK(run.connections[0].tls->verified);
  CHECK(run.connections[0].tls->verify_result == X509_V_OK);
  CHECK(run.connections[0].tls->verify_message.empty());
}

TEST_CASE("with -k and no --cacert the certificate is verified against the system store, as without -k") {
  auto o = lab_options(shared_lab().https_url("secure.test", "/"));
  o.cacert.clear();
  Run strict = load_and_store(o);
  check_failed(strict, Phase::kTls, Code::kTlsCertUntrusted);
  REQUIRE(strict.connections.at(0).tls);
  o.insecure = true;
  Run run = load_and_store(o);
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.connections.at(0).tls);
  CHECK_FALSE(run.connections[0].tls->verified);
  CHECK(run.connections[0].tls->verify_result == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  CHECK(run.connections[0].tls->verify_result == strict.connections[0].tls->verify_result);
}

TEST_CASE("a certificate for another name records hostname mismatch, not an unspecified verify error") {
  Run run = load_and_store(lab_options(shared_lab().https_url("wronghost.test", "/")));
  check_failed(run, Phase::kTls, Code::kTlsCertHostname);
  REQUIRE(run.connections.at(0).tls);
  CHECK_FALSE(run.connections[0].tls->verified);
  CHECK(run.connections[0].tls->verify_result == X509_V_ERR_HOSTNAME_MISMATCH);
  CHECK(run.connections[0].tls->verify_message == X509_verify_cert_error_string(X509_V_ERR_HOSTNAME_MISMATCH));
  CHECK(run.failure->message == "certificate does not match host name wronghost.test");
}

TEST_CASE("a handshake that fails on the certificate keeps the version and cipher the ServerHello chose") {
  Run run = load_and_store(lab_options(shared_lab().https_url("expired.test", "/")));
  check_failed(run, Phase::kTls, Code::kTlsCertExpired);
  REQUIRE(run.connections.at(0).tls);
  CHECK(run.connections[0].tls->version.rfind("TLSv1.", 0) == 0);
  CHECK_FALSE(run.connections[0].tls->cipher.empty());
}

TEST_CASE("a --max-time reached while waiting is a timeout in the wait phase") {
  auto o = lab_options(shared_lab().http_url("slow.test", "/delay/3000"));
  o.max_time_ms = 300;
  Run run = load_and_store(o);
  check_failed(run, Phase::kWait, Code::kTimeout);
  REQUIRE(run.requests[0].phase(Phase::kConnect));
  CHECK(run.requests[0].phase(Phase::kConnect)->ok());
}

TEST_CASE("a reset in the middle of the body is a receive failure") {
  check_failed(load_and_store(lab_options(shared_lab().http_url("www.test", "/reset"))), Phase::kReceive,
               Code::kRecvError);
}

TEST_CASE("a failed hop keeps the hops measured before it") {
  auto& lab = shared_lab();
  Run run = load_and_store(lab_options(lab.http_url("www.test", "/redirect/302?to=" + lab.http_url("nxdomain.test", "/"))));
  REQUIRE(run.requests.size() == 2);
  CHECK(run.requests[0].status == 302);
  CHECK(run.requests[0].phase(Phase::kReceive));
  check_failed(run, Phase::kDns, Code::kDnsNxdomain);
}

TEST_CASE("a redirect loop is detected") {
  Run run = load_and_store(lab_options(shared_lab().http_url("loop.test", "/loop/a")));
  CHECK(run.outcome == Outcome::kFailed);
  REQUIRE(run.failure);
  CHECK(run.failure->code == Code::kRedirectLoop);
  CHECK(run.requests.size() == 2);
  CHECK(run.exit_status() == 3);
}

TEST_CASE("the --max-redirs flag limits the chain") {
  auto o = lab_options(shared_lab().http_url("www.test", "/chain/301,302,303"));
  o.max_redirs = 2;
  Run run = load_and_store(o);
  REQUIRE(run.failure);
  CHECK(run.failure->code == Code::kTooManyRedirects);
  CHECK(run.requests.size() == 3);
}

TEST_CASE("a redirect to another scheme ends the run with a clear error") {
  for (const char* to : {"ftp://x.test/", "javascript:alert(1)", "file:///etc/passwd"}) {
    INFO(to);
    Run run = load_and_store(lab_options(shared_lab().http_url("www.test", std::string("/redirect/302?to=") + to)));
    REQUIRE(run.failure);
    CHECK(run.failure->code == Code::kBadRedirect);
    CHECK(run.failure->message.find("unsupported scheme") != std::string::npos);
    CHECK(run.requests.size() == 1);
  }
}

TEST_CASE("a redirect without a Location is a bad redirect") {
  Run run = load_and_store(lab_options(shared_lab().http_url("www.test", "/redirect/301")));
  REQUIRE(run.failure);
  CHECK(run.failure->code == Code::kBadRedirect);
}

TEST_CASE("an https to http downgrade is followed with a warning") {
  auto& lab = shared_lab();
  Run run = load_and_store(lab_options(lab.https_url("secure.test", "/redirect/302?to=" + lab.http_url("plain.test", "/status/200"))));
  REQUIRE(run.requests.size() == 2);
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.requests[0].warnings.size() == 1);
  CHECK(run.requests[0].warnings[0].find("downgrade") != std::string::npos);
}
