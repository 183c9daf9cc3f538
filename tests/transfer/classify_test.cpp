// How a curl transfer's end maps to the failing phase and our error code.
#include <catch2/catch.hpp>

#include <curl/curl.h>
#include <openssl/x509_vfy.h>

#include <cerrno>

#include "transfer/classify.h"

using namespace pageload;
using namespace pageload::transfer;

namespace {

Progress reached(bool connected, bool handshaken, bool sent, bool first_byte, bool tls = true) {
  Progress p;
  p.tls = tls;
  p.connected = connected;
  p.handshaken = handshaken;
  p.request_sent = sent;
  p.first_byte = first_byte;
  return p;
}

}  // namespace

TEST_CASE("a refused connect is connect_refused in the connect phase") {
  auto c = classify_failure(CURLE_COULDNT_CONNECT, ECONNREFUSED, reached(false, false, false, false), 0, true);
  CHECK(c.phase == Phase::kConnect);
  CHECK(c.code == Code::kConnectRefused);
}

TEST_CASE("an unreachable network is connect_unreachable") {
  CHECK(classify_failure(CURLE_COULDNT_CONNECT, ENETUNREACH, reached(false, false, false, false), 0, true).code ==
        Code::kConnectUnreachable);
}

TEST_CASE("a timeout is named after the phase it cut short") {
  CHECK(classify_failure(CURLE_OPERATION_TIMEDOUT, 0, reached(false, false, false, false), 0, true).code ==
        Code::kConnectTimeout);
  auto wait = classify_failure(CURLE_OPERATION_TIMEDOUT, 0, reached(true, true, true, false), 0, true);
  CHECK(wait.phase == Phase::kWait);
  CHECK(wait.code == Code::kTimeout);
  auto body = classify_failure(CURLE_OPERATION_TIMEDOUT, 0, reached(true, true, true, true), 0, true);
  CHECK(body.phase == Phase::kReceive);
}

TEST_CASE("certificate failures are told apart by the verify result, not the message") {
  auto expired = classify_failure(CURLE_PEER_FAILED_VERIFICATION, 0, reached(true, false, false, false),
                                  X509_V_ERR_CERT_HAS_EXPIRED, true);
  CHECK(expired.phase == Phase::kTls);
  CHECK(expired.code == Code::kTlsCertExpired);
  CHECK(classify_failure(CURLE_PEER_FAILED_VERIFICATION, 0, reached(true, false, false, false),
                         X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, true)
            .code == Code::kTlsCertUntrusted);
  CHECK(classify_failure(CURLE_PEER_FAILED_VERIFICATION, 0, reached(true, false, false, false),
                         X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, true)
            .code == Code::kTlsCertUntrusted);
  CHECK(classify_failure(CURLE_PEER_FAILED_VERIFICATION, 0, reached(true, false, false, false), X509_V_OK, false)
            .code == Code::kTlsCertHostname);
}

TEST_CASE("a hostname mismatch reported by OpenSSL is tls_cert_hostname, not untrusted") {
  for (long result : {X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH}) {
    INFO(result);
    auto c = classify_failure(CURLE_PEER_FAILED_VERIFICATION, 0, reached(true, false, false, false), result, false);
    CHECK(c.phase == Phase::kTls);
    CHECK(c.code == Code::kTlsCertHostname);
  }
}

TEST_CASE("a handshake cut off is tls_handshake in the tls phase") {
  auto c = classify_failure(CURLE_SSL_CONNECT_ERROR, 0, reached(true, false, false, false), 0, true);
  CHECK(c.phase == Phase::kTls);
  CHECK(c.code == Code::kTlsHandshake);
}

TEST_CASE("a reset after the first byte is a receive error") {
  auto c = classify_failure(CURLE_RECV_ERROR, ECONNRESET, reached(true, true, true, true), 0, true);
  CHECK(c.phase == Phase::kReceive);
  CHECK(c.code == Code::kRecvError);
}

TEST_CASE("nothing back after the request is a failure of the wait phase") {
  auto c = classify_failure(CURLE_GOT_NOTHING, 0, reached(true, true, true, false, false), 0, true);
  CHECK(c.phase == Phase::kWait);
  CHECK(c.code == Code::kRecvError);
}

TEST_CASE("a garbage reply is a protocol error") {
  auto c = classify_failure(CURLE_WEIRD_SERVER_REPLY, 0, reached(true, true, true, true, false), 0, true);
  CHECK(c.code == Code::kProtocolError);
}

TEST_CASE("exceeding --max-filesize is too_large in the receive phase") {
  auto c = classify_failure(CURLE_FILESIZE_EXCEEDED, 0, reached(true, true, true, true), 0, true);
  CHECK(c.phase == Phase::kReceive);
  CHECK(c.code == Code::kTooLarge);
}
