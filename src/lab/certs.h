// The lab's certificates, generated with OpenSSL at start: a lab CA (published as a PEM
// file for --cacert) and the leaves the HTTPS server presents, chosen by TLS server name:
//   any other name     a leaf for that name (SANs: the name, *.test, localhost,
//                      127.0.0.1, ::1) signed by the lab CA, valid now-1d..now+30d
//   (no SNI)           the same leaf without the per-name SAN
//   expired.test       signed by the lab CA, notAfter in the past
//   wronghost.test     signed by the lab CA, SAN only other.example
//   selfsigned.test    self-signed
//   untrusted.test     signed by a second CA that is never published
// Labels tls-delay-N, delay-N and ttl-N are ignored when matching the special names
// (as the DNS zone does), so "expired.tls-delay-100.test" presents the expired leaf.
// Per-name leaves exist because curl (like browsers) refuses a wildcard directly under a
// top-level label, so "*.test" alone would not match "a.test".
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "pageload/status.h"

namespace pageload::lab {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

// A certificate and its private key. Immutable once made; shared by TLS sessions.
struct Identity {
  X509Ptr cert;
  EvpPkeyPtr key;
};

enum class CertKind { kValid, kExpired, kWrongHost, kSelfSigned, kUntrusted };

// The kind of certificate presented for `server_name` (case-insensitive, timing labels
// ignored).
CertKind cert_kind_for(std::string_view server_name);

class LabCertificates {
 public:
  // Generates every key and certificate and writes ca.pem (the lab CA) plus each fixed
  // leaf's cert and key into `dir`, which must exist. Fails with kFile or kInternal.
  static StatusOr<std::unique_ptr<LabCertificates>> generate(const std::string& dir);

  // Path of the lab CA's PEM file, for --cacert / CURLOPT_CAINFO.
  const std::string& ca_file() const { return ca_file_; }

  // The identity to present for `server_name` (empty when the client sent no SNI).
  // Thread-safe. Leaves for ordinary names are made on first use and cached.
  std::shared_ptr<const Identity> identity_for(std::string_view server_name);

 private:
  LabCertificates() = default;

  std::string ca_file_;
  Identity ca_;
  std::shared_ptr<const Identity> default_leaf_, expired_, wronghost_, selfsigned_, untrusted_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Identity>, std::less<>> by_name_;
};

}  // namespace pageload::lab
