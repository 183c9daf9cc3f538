#include "lab/certs.h"

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <fcntl.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace pageload::lab {
namespace {

constexpr long kDay = 24 * 60 * 60;
constexpr std::size_t kMaxCachedNames = 4096;

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};
struct X509ExtensionDeleter {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

Status openssl_error(std::string_view what) {
  return Status(Code::kInternal, "lab certificates: " + std::string(what) + " failed");
}

EvpPkeyPtr new_key() { return EvpPkeyPtr(EVP_EC_gen("P-256")); }

struct CertSpec {
  std::string common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  long not_before_offset = -kDay;  // seconds from now
  long not_after_offset = 30 * kDay;
  bool is_ca = false;
};

bool add_conf_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, X509ExtensionDeleter> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, const_cast<char*>(value)));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// SANs built as GENERAL_NAMEs (not a config string) so a name can't smuggle in more.
bool add_san(X509* cert, const CertSpec& spec) {
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> names(sk_GENERAL_NAME_new_null());
  if (!names) return false;
  auto push = [&names](int type, const std::string& value) {
    GENERAL_NAME* name = a2i_GENERAL_NAME(nullptr, nullptr, nullptr, type, value.c_str(), 0);
    if (name == nullptr) return false;
    if (sk_GENERAL_NAME_push(names.get(), name) == 0) {
      GENERAL_NAME_free(name);
      return false;
    }
    return true;
  };
  for (const auto& dns : spec.dns_names)
    if (!push(GEN_DNS, dns)) return false;
  for (const auto& ip : spec.ip_addresses)
    if (!push(GEN_IPADD, ip)) return false;
  return X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

// Makes a certificate for `key` per `spec`, signed by `issuer` (nullptr: self-signed).
X509Ptr make_cert(const CertSpec& spec, EVP_PKEY* key, const Identity* issuer) {
  X509Ptr cert(X509_new());
  if (!cert) return nullptr;
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) return nullptr;
  serial >>= 1;  // positive
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(spec.common_name.c_str());
  const auto* org = reinterpret_cast<const unsigned char*>("pageload lab");
  bool ok = X509_set_version(cert.get(), 2) == 1 &&
            ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_offset) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after_offset) != nullptr &&
            X509_set_pubkey(cert.get(), key) == 1 &&
            X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC, org, -1, -1, 0) == 1 &&
            X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1;
  if (!ok) return nullptr;
  X509* issuer_cert = issuer != nullptr ? issuer->cert.get() : cert.get();
  EVP_PKEY* signing_key = issuer != nullptr ? issuer->key.get() : key;
  ok = X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert)) == 1 &&
       add_conf_ext(cert.get(), issuer_cert, NID_subject_key_identifier, "hash");
  if (!ok) return nullptr;
  if (spec.is_ca) {
    ok = add_conf_ext(cert.get(), issuer_cert, NID_basic_constraints, "critical,CA:TRUE") &&
         add_conf_ext(cert.get(), issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = add_conf_ext(cert.get(), issuer_cert, NID_basic_constraints, "CA:FALSE") &&
         add_conf_ext(cert.get(), issuer_cert, NID_key_usage, "critical,digitalSignature") &&
         add_conf_ext(cert.get(), issuer_cert, NID_ext_key_usage, "serverAuth") && add_san(cert.get(), spec);
  }
  if (ok && issuer != nullptr) ok = add_conf_ext(cert.get(), issuer_cert, NID_authority_key_identifier, "keyid:always");
  if (!ok || X509_sign(cert.get(), signing_key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

std::shared_ptr<const Identity> make_identity(const CertSpec& spec, const Identity* issuer, EVP_PKEY* reuse_key = nullptr) {
  auto identity = std::make_shared<Identity>();
  if (reuse_key != nullptr) {
    EVP_PKEY_up_ref(reuse_key);
    identity->key.reset(reuse_key);
  } else {
    identity->key = new_key();
  }
  if (!identity->key) return nullptr;
  identity->cert = make_cert(spec, identity->key.get(), issuer);
  if (!identity->cert) return nullptr;
  return identity;
}

CertSpec leaf_spec(std::string common_name, std::vector<std::string> dns_names) {
  CertSpec spec;
  spec.common_name = std::move(common_name);
  spec.dns_names = std::move(dns_names);
  return spec;
}

// A fresh leaf for an ordinary name keeps the default SANs and adds the name itself.
CertSpec valid_leaf_spec(std::string_view name) {
  std::vector<std::string> dns{"*.test", "localhost"};
  if (!name.empty() && name != "localhost") dns.insert(dns.begin(), std::string(name));
  CertSpec spec = leaf_spec(name.empty() ? "pageload lab" : std::string(name), dns);
  spec.ip_addresses = {"127.0.0.1", "::1"};
  return spec;
}

// Files holding a private key are created 0600, even in a state dir the user chose.
bool write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, key != nullptr ? 0600 : 0644);
  if (fd < 0) return false;
  std::unique_ptr<std::FILE, FileCloser> f(::fdopen(fd, "w"));
  if (!f) {
    ::close(fd);
    return false;
  }
  if (cert != nullptr && PEM_write_X509(f.get(), cert) != 1) return false;
  if (key != nullptr && PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// Only plain host names get a per-name leaf; anything else gets the default one.
bool is_plain_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
  });
}

// Drops the labels that only tune timing (tls-delay-N, and the DNS zone's delay-N and
// ttl-N), as the DNS server does, so "expired.tls-delay-50.test" is still expired.test.
std::string without_timing_labels(std::string_view name) {
  std::string out;
  while (!name.empty()) {
    std::size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    bool timing = false;
    for (std::string_view prefix : {"tls-delay-", "delay-", "ttl-"}) {
      if (label.size() > prefix.size() && label.substr(0, prefix.size()) == prefix &&
          std::all_of(label.begin() + static_cast<long>(prefix.size()), label.end(),
                      [](char c) { return c >= '0' && c <= '9'; }))
        timing = true;
    }
    if (!timing) {
      if (!out.empty()) out += '.';
      out += label;
    }
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  return out;
}

}  // namespace

CertKind cert_kind_for(std::string_view server_name) {
  std::string name = without_timing_labels(lower(server_name));
  if (name == "expired.test") return CertKind::kExpired;
  if (name == "wronghost.test") return CertKind::kWrongHost;
  if (name == "selfsigned.test") return CertKind::kSelfSigned;
  if (name == "untrusted.test") return CertKind::kUntrusted;
  return CertKind::kValid;
}

StatusOr<std::unique_ptr<LabCertificates>> LabCertificates::generate(const std::string& dir) {
  std::unique_ptr<LabCertificates> certs(new LabCertificates());

  CertSpec ca_spec;
  ca_spec.common_name = "pageload lab CA";
  ca_spec.not_after_offset = 365 * kDay;
  ca_spec.is_ca = true;
  certs->ca_.key = new_key();
  if (!certs->ca_.key) return openssl_error("CA key generation");
  certs->ca_.cert = make_cert(ca_spec, certs->ca_.key.get(), nullptr);
  if (!certs->ca_.cert) return openssl_error("CA certificate");

  CertSpec other_ca_spec = ca_spec;
  other_ca_spec.common_name = "pageload lab unpublished CA";
  auto other_ca = make_identity(other_ca_spec, nullptr);
  if (!other_ca) return openssl_error("second CA");

  certs->default_leaf_ = make_identity(valid_leaf_spec(""), &certs->ca_);
  CertSpec expired = leaf_spec("expired.test", {"expired.test"});
  expired.not_before_offset = -60 * kDay;
  expired.not_after_offset = -kDay;
  certs->expired_ = make_identity(expired, &certs->ca_);
  certs->wronghost_ = make_identity(leaf_spec("other.example", {"other.example"}), &certs->ca_);
  certs->selfsigned_ = make_identity(leaf_spec("selfsigned.test", {"selfsigned.test"}), nullptr);
  certs->untrusted_ = make_identity(leaf_spec("untrusted.test", {"untrusted.test"}), other_ca.get());
  if (!certs->default_leaf_ || !certs->expired_ || !certs->wronghost_ || !certs->selfsigned_ || !certs->untrusted_)
    return openssl_error("leaf certificates");

  certs->ca_file_ = dir + "/ca.pem";
  bool written = write_pem(certs->ca_file_, certs->ca_.cert.get(), nullptr) &&
                 write_pem(dir + "/ca-key.pem", nullptr, certs->ca_.key.get()) &&
                 write_pem(dir + "/default.pem", certs->default_leaf_->cert.get(), certs->default_leaf_->key.get()) &&
                 write_pem(dir + "/expired.pem", certs->expired_->cert.get(), certs->expired_->key.get()) &&
                 write_pem(dir + "/wronghost.pem", certs->wronghost_->cert.get(), certs->wronghost_->key.get()) &&
                 write_pem(dir + "/selfsigned.pem", certs->selfsigned_->cert.get(), certs->selfsigned_->key.get()) &&
                 write_pem(dir + "/untrusted.pem", certs->untrusted_->cert.get(), certs->untrusted_->key.get());
  if (!written) return Status(Code::kFile, "lab certificates: cannot write PEM files in " + dir);
  return certs;
}

std::shared_ptr<const Identity> LabCertificates::identity_for(std::string_view server_name) {
  switch (cert_kind_for(server_name)) {
    case CertKind::kExpired: return expired_;
    case CertKind::kWrongHost: return wronghost_;
    case CertKind::kSelfSigned: return selfsigned_;
    case CertKind::kUntrusted: return untrusted_;
    case CertKind::kValid: break;
  }
  std::string name = lower(server_name);
  if (!is_plain_host_name(name)) return default_leaf_;
  std::lock_guard lock(mu_);
  if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
  // Leaves share the default leaf's key: only the certificate differs, and signing one
  // costs well under a millisecond.
  auto leaf = make_identity(valid_leaf_spec(name), &ca_, default_leaf_->key.get());
  if (!leaf) return default_leaf_;
  if (by_name_.size() >= kMaxCachedNames) by_name_.clear();
  by_name_.emplace(name, leaf);
  return leaf;
}

}  // namespace pageload::lab
