// The HTTPS server: certificates by SNI, ALPN, handshake delays, the same routes.
#include <openssl/x509_vfy.h>

#include <catch2/catch.hpp>

#include "lab/tls_context.h"
#include "lab_fixture.h"

using namespace pageload::lab;
using namespace pageload::lab::testing;

TEST_CASE("the default certificate verifies against the lab CA") {
  LabFixture f;
  Fetch r = f.client->fetch(f.https("/"));
  INFO(r.error);
  CHECK(r.code == CURLE_OK);
  CHECK(r.status == 200);
  CHECK(r.verify_result == X509_V_OK);
  CHECK(r.appconnect_ms > 0);
}

TEST_CASE("any *.test name and localhost get a certificate that verifies") {
  LabFixture f;
  for (const char* host : {"a.test", "b.test", "localhost"}) {
    INFO(host);
    Fetch r = f.client->fetch(f.https("/status/200", host));
    INFO(r.error);
    CHECK(r.code == CURLE_OK);
  }
  Fetch by_ip = f.client->fetch(f.https("/", "127.0.0.1"));
  INFO(by_ip.error);
  CHECK(by_ip.code == CURLE_OK);
}

TEST_CASE("without the lab CA the certificate is not trusted") {
  LabFixture f;
  Client no_ca("", {f.lab->https_port()});
  Fetch r = no_ca.fetch(f.https("/"));
  CHECK(r.code == CURLE_PEER_FAILED_VERIFICATION);
}

TEST_CASE("each bad-certificate name fails verification for its own reason") {
  LabFixture f;
  struct Case {
    const char* host;
    long verify_result;
  };
  const Case cases[] = {
      {"expired.test", X509_V_ERR_CERT_HAS_EXPIRED},
      {"selfsigned.test", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT},
      {"untrusted.test", X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
  };
  for (const auto& c : cases) {
    INFO(c.host);
    Fetch r = f.client->fetch(f.https("/", c.host));
    INFO(r.error);
    CHECK(r.code == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(r.verify_result == c.verify_result);
  }
  // The chain is fine; only the name does not match, which curl checks itself (and then
  // reports as X509_V_ERR_UNSPECIFIED).
  Fetch wrong = f.client->fetch(f.https("/", "wronghost.test"));
  INFO(wrong.error);
  CHECK(wrong.code == CURLE_PEER_FAILED_VERIFICATION);
  CHECK(wrong.verify_result != X509_V_ERR_CERT_HAS_EXPIRED);
  CHECK(wrong.verify_result != X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  CHECK(wrong.error.find("subject name") != std::string::npos);
}

TEST_CASE("bad-certificate names still serve the routes when verification is off") {
  LabFixture f;
  for (const char* host : {"expired.test", "wronghost.test", "selfsigned.test", "untrusted.test"}) {
    INFO(host);
    CHECK(f.client->fetch(f.https("/status/201", host), {.verify = false}).status == 201);
  }
}

TEST_CASE("a tls-delay-N name lengthens the TLS handshake by at least N ms") {
  LabFixture f;
  Fetch fast = f.client->fetch(f.https("/", "a.test"));
  Client fresh(f.lab->ca_file(), {f.lab->https_port()});
  Fetch slow = fresh.fetch(f.https("/", "tls-delay-300.test"));
  INFO(slow.error);
  CHECK(slow.code == CURLE_OK);
  CHECK(slow.appconnect_ms >= 300);
  CHECK(slow.appconnect_ms - fast.appconnect_ms >= 250);
}

TEST_CASE("tls_delay_ms reads the delay from any label") {
  CHECK(tls_delay_ms("tls-delay-50.test") == 50);
  CHECK(tls_delay_ms("www.tls-delay-7.test") == 7);
  CHECK(tls_delay_ms("tls-delay-999999.test") == 60000);
  CHECK(tls_delay_ms("tls-delay-.test") == 0);
  CHECK(tls_delay_ms("tls-delay-x.test") == 0);
  CHECK(tls_delay_ms("a.test") == 0);
  CHECK(tls_delay_ms("") == 0);
}

TEST_CASE("ALPN selects h2 when the client offers it and http/1.1 when that is all it offers") {
  LabFixture f;
  Fetch h2 = f.client->fetch(f.https("/"));
  REQUIRE(h2.code == CURLE_OK);
  CHECK(h2.alpn == "h2");
  CHECK(h2.http_version == CURL_HTTP_VERSION_2_0);
  Fetch h1 = f.client->fetch(f.https("/"), {.http_version = CURL_HTTP_VERSION_1_1});
  REQUIRE(h1.code == CURLE_OK);
  CHECK(h1.alpn == "http/1.1");
  CHECK(h1.head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
}

TEST_CASE("the HTTP/1.1-only HTTPS port selects http/1.1 even when h2 is offered first") {
  LabFixture f;
  Fetch r = f.client->fetch(f.https11("/"));
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.alpn == "http/1.1");
  CHECK(r.http_version == CURL_HTTP_VERSION_1_1);
  CHECK(f.lab->https11_connections() == 1);
  CHECK(f.lab->https_connections() == 0);
}

TEST_CASE("keep-alive works over TLS too") {
  LabFixture f;
  CHECK(f.client->fetch(f.https("/")).status == 200);
  CHECK(f.client->fetch(f.https("/echo")).status == 200);
  CHECK(f.lab->https_connections() == 1);
  CHECK(f.lab->http_connections() == 0);
}

TEST_CASE("routes behave the same over TLS") {
  LabFixture f;
  Fetch chain = f.client->fetch(f.https("/chain/301,302,303,307,308"), {.follow = true});
  CHECK(chain.status == 200);
  CHECK(chain.redirects == 5);
  Fetch large = f.client->fetch(f.https("/large/10485760"));
  CHECK(large.body.size() == 10485760u);
  Fetch gz = f.client->fetch(f.https("/gzip"), {.accept_encoding = "gzip"});
  CHECK(gz.header("Content-Encoding") == "gzip");
  Fetch reset = f.client->fetch(f.https("/reset"));
  CHECK(reset.code == CURLE_RECV_ERROR);
  Fetch closed = f.client->fetch(f.https("/close"));
  CHECK(closed.status == 200);
}

TEST_CASE("a plain HTTP request to the HTTPS port fails without hurting the lab") {
  LabFixture f;
  Fetch r = f.client->fetch("http://a.test:" + std::to_string(f.lab->https_port()) + "/");
  CHECK(r.code != CURLE_OK);
  CHECK(f.client->fetch(f.https("/")).status == 200);
}

TEST_CASE("special certificate names keep their certificate under timing labels") {
  CHECK(cert_kind_for("expired.tls-delay-50.test") == CertKind::kExpired);
  CHECK(cert_kind_for("WrongHost.delay-20.test.") == CertKind::kWrongHost);
  CHECK(cert_kind_for("tls-delay-5.selfsigned.test") == CertKind::kSelfSigned);
  CHECK(cert_kind_for("untrusted.ttl-0.test") == CertKind::kUntrusted);
  CHECK(cert_kind_for("www.expired.test") == CertKind::kValid);
  CHECK(cert_kind_for("delay-x.expired.test") == CertKind::kValid);
}
