// DNS, connect and TLS faults. NXDOMAIN, SERVFAIL, the silent server, a refused connect
// and the expired, wrong-host and self-signed certificates are covered by
// tests/loader/loader_failure_test.cpp; these are the remaining cases.
#include "faults/fault_support.h"

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

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

// OpenSSL's verify result for each lab name under -k, verified against the lab CA.
struct InsecureCase {
  const char* host;
  long verify_result;
};
const InsecureCase kInsecureCases[] = {
    {"expired.test", X509_V_ERR_CERT_HAS_EXPIRED},
    {"wronghost.test", X509_V_ERR_HOSTNAME_MISMATCH},
    {"selfsigned.test", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT},
    // The server sends only the leaf; its CA is in no store.
    {"untrusted.test", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
    {"secure.test", X509_V_OK},
};

TEST_CASE("with -k every certificate loads and records its own verify result") {
  for (const auto& c : kInsecureCases) {
    INFO(c.host);
    auto o = fault_options(shared_lab().https_url(c.host, "/"));
    o.insecure = true;
    Run run = load_and_store(o);
    CHECK(run.outcome == Outcome::kOk);
    CHECK(run.exit_status() == 0);
    REQUIRE(run.connections.size() == 1);
    REQUIRE(run.connections[0].tls);
    const TlsInfo& tls = *run.connections[0].tls;
    CHECK(tls.verify_result == c.verify_result);
    CHECK(tls.verified == (c.verify_result == X509_V_OK));
    CHECK(tls.verify_message == (c.verify_result == X509_V_OK ? "" : X509_verify_cert_error_string(c.verify_result)));
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
