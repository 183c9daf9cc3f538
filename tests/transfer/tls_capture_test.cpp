// The host name check tls_capture makes (and hands OpenSSL as a verify parameter), on the
// lab's real certificates.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "lab/certs.h"
#include "transfer/tls_capture.h"

using namespace pageload;
using namespace pageload::transfer;

namespace {

// The lab's certificates, generated once into a temporary directory.
lab::LabCertificates& certs() {
  static std::unique_ptr<lab::LabCertificates> certs = [] {
    char tmpl[] = "/tmp/pageload-certs-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    auto made = lab::LabCertificates::generate(dir);
    std::filesystem::remove_all(dir);
    REQUIRE(made.ok());
    return std::move(made).value();
  }();
  return *certs;
}

X509* leaf_for(const char* name) { return certs().identity_for(name)->cert.get(); }

}  // namespace

TEST_CASE("a host name with a trailing dot matches its certificate") {
  CHECK(certificate_matches_host(leaf_for("secure.test"), "secure.test"));
  CHECK(certificate_matches_host(leaf_for("secure.test"), "secure.test."));
  CHECK(certificate_matches_host(leaf_for("secure.test"), "SECURE.test"));
}

TEST_CASE("a certificate for another name does not match") {
  CHECK_FALSE(certificate_matches_host(leaf_for("wronghost.test"), "wronghost.test"));
  CHECK_FALSE(certificate_matches_host(leaf_for("secure.test"), "other.test"));
}

TEST_CASE("an IP literal host matches only the certificate's IP addresses") {
  CHECK(certificate_matches_host(leaf_for("secure.test"), "127.0.0.1"));
  CHECK(certificate_matches_host(leaf_for("secure.test"), "::1"));
  CHECK_FALSE(certificate_matches_host(leaf_for("secure.test"), "127.0.0.2"));
  CHECK_FALSE(certificate_matches_host(leaf_for("wronghost.test"), "127.0.0.1"));
}
