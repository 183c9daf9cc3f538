// DNS, connect and TLS faults. NXDOMAIN, SERVFAIL, the silent server, a refused connect
// and the expired, wrong-host and self-signed certificates are covered by
// tests/loader/loader_failure_test.cpp; these are the remaining cases.
#include "faults/fault_support.h"

using namespace pageload;
using namespace pageload::testing;

TEST_CASE("an empty DNS answer is no data in the dns phase") {
  Timed t = timed_load(fault_options(shared_lab().http_url("empty.test", "/")));
  check_failed(t.run, Phase::kDns, Code::kDnsNoData);
  CHECK(t.run.connections.empty());
}

TEST_CASE("a malformed DNS reply is a bad reply in the dns phase") {
  auto o = fault_options(shared_lab().http_url("malformed.test", "/"));
  o.dns_timeout_ms = 300;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kDns, Code::kDnsBadReply);
  CHECK(t.seconds < 5);
}

TEST_CASE("a truncated DNS reply is a bad reply in the dns phase") {
  auto o = fault_options(shared_lab().http_url("truncated.test", "/"));
  o.dns_timeout_ms = 300;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kDns, Code::kDnsBadReply);
  CHECK(t.seconds < 5);
}

TEST_CASE("a name with only AAAA records under -4 fails in dns as no IPv4 data") {
  auto o = fault_options(shared_lab().http_url("v6.test", "/"));
  o.ip_version = 4;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kDns, Code::kDnsNoData);
  CHECK(t.seconds < 3);
  REQUIRE(t.run.requests[0].dns_lookup);
  const DnsLookup& d = t.run.dns_lookups[*t.run.requests[0].dns_lookup];
  REQUIRE(d.queries.size() == 1);
  CHECK(d.queries[0].type == "A");
}

TEST_CASE("a connect to a port whose accept queue is full times out in the connect phase") {
  auto o = fault_options("http://127.0.0.1:" + std::to_string(shared_lab().fault_port(lab::FaultPort::kBacklogFull)) + "/");
  o.connect_timeout_ms = 400;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kConnect, Code::kConnectTimeout);
  CHECK(t.seconds < 3);
  REQUIRE(t.run.connections.size() == 1);
  REQUIRE_FALSE(t.run.connections[0].attempts.empty());
  CHECK_FALSE(t.run.connections[0].attempts[0].error.empty());
}

TEST_CASE("a connection reset right after the request fails in the wait phase") {
  Timed t = timed_load(fault_options(shared_lab().fault_url("fault.test", "/reset")));
  check_failed(t.run, Phase::kWait, Code::kRecvError);
  REQUIRE(t.run.requests[0].phase(Phase::kConnect));
  CHECK(t.run.requests[0].phase(Phase::kConnect)->ok());
  CHECK(t.run.requests[0].failure->message.find("reset") != std::string::npos);
}

TEST_CASE("a certificate from an unknown CA is untrusted") {
  check_failed(load_and_store(fault_options(shared_lab().https_url("untrusted.test", "/"))), Phase::kTls,
               Code::kTlsCertUntrusted);
}

TEST_CASE("with -k every certificate failure loads and its verify failure is still recorded") {
  for (const char* host : {"expired.test", "wronghost.test", "selfsigned.test", "untrusted.test"}) {
    INFO(host);
    auto o = fault_options(shared_lab().https_url(host, "/"));
    o.insecure = true;
    Run run = load_and_store(o);
    CHECK(run.outcome == Outcome::kOk);
    CHECK(run.exit_status() == 0);
    REQUIRE(run.connections.size() == 1);
    REQUIRE(run.connections[0].tls);
    CHECK_FALSE(run.connections[0].tls->verified);
    CHECK_FALSE(run.connections[0].tls->verify_message.empty());
  }
}

TEST_CASE("a TLS handshake cut off after the ClientHello fails in the tls phase") {
  auto& lab = shared_lab();
  Timed t = timed_load(fault_options("https://fault.test:" + std::to_string(lab.fault_port(lab::FaultPort::kTlsCutOff)) + "/"));
  check_failed(t.run, Phase::kTls, Code::kTlsHandshake);
  CHECK(t.seconds < 3);
  REQUIRE(t.run.requests[0].phase(Phase::kConnect));
  CHECK(t.run.requests[0].phase(Phase::kConnect)->ok());
}

TEST_CASE("plain HTTP spoken on the TLS port fails the tls handshake") {
  auto& lab = shared_lab();
  Timed t =
      timed_load(fault_options("https://fault.test:" + std::to_string(lab.fault_port(lab::FaultPort::kTlsSpeaksHttp)) + "/"));
  check_failed(t.run, Phase::kTls, Code::kTlsHandshake);
  CHECK(t.seconds < 3);
  CHECK_FALSE(t.run.requests[0].status);
}
