// Naming what OpenSSL's message callback reports, from the bytes it hands over.
#include <catch2/catch.hpp>

#include <string>

#include "transfer/tls_messages.h"

using namespace pageload;
using namespace pageload::transfer;

namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// A ServerHello (type 2, length, version 3 3) with `random` as its 32-byte random.
std::string server_hello(const std::string& random) { return bytes({2, 0, 0, 70, 3, 3}) + random + std::string(34, '\0'); }

const std::string kHelloRetryRandom =
    bytes({0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
           0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C});

}  // namespace

TEST_CASE("a handshake message is named by its type, with its direction and size") {
  auto hello = describe_tls_message(true, kContentHandshake, bytes({1, 0, 0, 2, 3, 3}));
  REQUIRE(hello);
  CHECK(hello->message == "ClientHello");
  CHECK(hello->sent());
  CHECK(hello->bytes == 6);
  auto ee = describe_tls_message(false, kContentHandshake, bytes({8, 0, 0, 0}));
  REQUIRE(ee);
  CHECK(ee->message == "EncryptedExtensions");
  CHECK_FALSE(ee->sent());
  for (auto [type, name] : {std::pair{11, "Certificate"}, {12, "ServerKeyExchange"}, {13, "CertificateRequest"},
                            {14, "ServerHelloDone"}, {15, "CertificateVerify"}, {16, "ClientKeyExchange"},
                            {20, "Finished"}, {4, "NewSessionTicket"}, {24, "KeyUpdate"}})
    CHECK(describe_tls_message(false, kContentHandshake, bytes({type}))->message == name);
  CHECK(describe_tls_message(false, kContentHandshake, bytes({99}))->message == "Handshake(99)");
}

TEST_CASE("a ServerHello with the HelloRetryRequest random is a HelloRetryRequest") {
  CHECK(describe_tls_message(false, kContentHandshake, server_hello(kHelloRetryRandom))->message == "HelloRetryRequest");
  CHECK(describe_tls_message(false, kContentHandshake, server_hello(std::string(32, 'x')))->message == "ServerHello");
  // Cut short before the end of the random: an ordinary ServerHello, nothing read past the end.
  CHECK(describe_tls_message(false, kContentHandshake, server_hello(kHelloRetryRandom).substr(0, 20))->message ==
        "ServerHello");
}

TEST_CASE("an alert carries its level and RFC name, ChangeCipherSpec is a step of its own") {
  auto fatal = describe_tls_message(false, kContentAlert, bytes({2, 40}));
  REQUIRE(fatal);
  CHECK(fatal->message == "Alert");
  CHECK(fatal->alert == "handshake_failure");
  CHECK(fatal->fatal);
  auto close = describe_tls_message(true, kContentAlert, bytes({1, 0}));
  CHECK(close->alert == "close_notify");
  CHECK_FALSE(close->fatal);
  CHECK(describe_tls_message(true, kContentChangeCipherSpec, bytes({1}))->message == "ChangeCipherSpec");
}

TEST_CASE("a received ChangeCipherSpec is known by its record header, other headers are no step") {
  auto ccs = describe_tls_message(false, kRecordHeader, bytes({20, 3, 3, 0, 1}));
  REQUIRE(ccs);
  CHECK(ccs->message == "ChangeCipherSpec");
  CHECK(ccs->bytes == 1);
  CHECK_FALSE(describe_tls_message(true, kRecordHeader, bytes({20, 3, 3, 0, 1})));   // sent: reported itself
  CHECK_FALSE(describe_tls_message(false, kRecordHeader, bytes({22, 3, 3, 0, 40})));  // a handshake record
  CHECK_FALSE(describe_tls_message(false, kRecordHeader, bytes({20, 3})));
}

TEST_CASE("empty and cut-short messages and other content types are no step") {
  CHECK_FALSE(describe_tls_message(true, kContentHandshake, ""));
  CHECK_FALSE(describe_tls_message(true, kContentChangeCipherSpec, ""));
  CHECK_FALSE(describe_tls_message(false, kContentAlert, bytes({2})));
  CHECK_FALSE(describe_tls_message(false, 23, "data"));
  CHECK_FALSE(describe_tls_message(false, 257, bytes({22})));  // TLS 1.3's inner content type
}
