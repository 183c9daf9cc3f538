#include "transfer/tls_capture.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>

#include "core/clock.h"
#include "transfer/tls_messages.h"
#include "transfer/transfer.h"

namespace pageload::transfer {

// What an SSL_CTX's ex data points at: the capture, or nullptr once it has ended.
struct CaptureLink {
  TlsCapture* sink = nullptr;
};

TlsCapture::TlsCapture() : link(std::make_shared<CaptureLink>(CaptureLink{this})) {}
TlsCapture::~TlsCapture() { link->sink = nullptr; }

void TlsCapture::restart_handshake() {
  link->sink = nullptr;
  link = std::make_shared<CaptureLink>(CaptureLink{this});
  handshake_start_us = handshake_done_us = 0;
  steps.clear();
  steps_dropped = 0;
  session_offered = resumed = false;
}

namespace {

// As curl checks names: a wildcard only as a whole left-most label.
constexpr unsigned int kHostFlags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::string name_to_string(X509_NAME* name) {
  if (!name) return {};
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string time_to_iso(const ASN1_TIME* t) {
  if (!t) return {};
  tm parsed{};
  if (ASN1_TIME_to_tm(t, &parsed) != 1) return {};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", parsed.tm_year + 1900,
                parsed.tm_mon + 1, parsed.tm_mday, parsed.tm_hour, parsed.tm_min, parsed.tm_sec);
  return buf;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// "example.com." names the same host as "example.com"; certificates carry the latter.
std::string without_trailing_dot(std::string host) {
  if (host.size() > 1 && host.back() == '.') host.pop_back();
  return host;
}

void free_link(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::shared_ptr<CaptureLink>*>(ptr);
}

// The SSL_CTX ex-data slot holding a heap std::shared_ptr<CaptureLink>, deleted with the
// SSL_CTX (allocated once, thread-safely).
int link_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_link);
  return index;
}

// curl 7.88 frees an HTTP/2 connection's SSL without a close_notify, and OpenSSL then
// marks the connection's session as not resumable (TLS 1.0's rule, which TLS 1.1 and
// later dropped: RFC 4346 7.2.1), so a later connection to the same host could never
// resume one, where a browser would. So no session in curl's cache is ever a live
// connection's own: curl is handed a copy of each new session, and a connection that
// resumes one from the cache works on a copy of it. A fatal alert on the connection
// still makes the sessions it added or used unresumable (RFC 5246 7.2.2).
struct SessionCopies {
  int (*curl_new_session)(SSL*, SSL_SESSION*) = nullptr;
  // Sessions in curl's cache this connection added or resumed, one reference each, ours.
  std::vector<SSL_SESSION*> cached;
  bool fatal = false;  // a fatal alert was sent or received
};

void free_copies(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  auto* copies = static_cast<SessionCopies*>(ptr);
  if (!copies) return;
  for (SSL_SESSION* s : copies->cached) SSL_SESSION_free(s);
  delete copies;
}

int copies_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_copies);
  return index;
}

SessionCopies* copies_of(const SSL* ssl) {
  return ssl ? static_cast<SessionCopies*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), copies_index())) : nullptr;
}

int new_session_callback(SSL* ssl, SSL_SESSION* session) {
  SessionCopies* c = copies_of(ssl);
  if (!c || !c->curl_new_session) return 0;
  if (c->fatal) return c->curl_new_session(ssl, session);
  SSL_SESSION* copy = SSL_SESSION_dup(session);
  if (!copy) return c->curl_new_session(ssl, session);
  if (!c->curl_new_session(ssl, copy)) {  // curl did not keep it
    SSL_SESSION_free(copy);
    return 0;
  }
  SSL_SESSION_up_ref(copy);
  c->cached.push_back(copy);
  return 0;  // OpenSSL keeps `session` to itself
}

// Before the ClientHello: the session curl set from its cache is swapped for a copy.
void use_copy_of_cached_session(SSL* ssl) {
  SessionCopies* c = copies_of(ssl);
  SSL_SESSION* cached = SSL_get_session(ssl);
  if (!c || !cached) return;
  SSL_SESSION* copy = SSL_SESSION_dup(cached);
  if (!copy) return;
  SSL_SESSION_up_ref(cached);
  c->cached.push_back(cached);
  SSL_set_session(ssl, copy);  // the SSL takes its own reference
  SSL_SESSION_free(copy);
}

// After a fatal alert no session of the connection may be resumed (SSL_CTX_remove_session
// marks a session not resumable, whichever cache holds it).
void forget_cached_sessions(SSL* ssl) {
  SessionCopies* c = copies_of(ssl);
  if (!c || c->fatal) return;
  c->fatal = true;
  for (SSL_SESSION* s : c->cached) SSL_CTX_remove_session(SSL_get_SSL_CTX(ssl), s);
}

TlsCapture* sink_of(const SSL* ssl) {
  if (!ssl) return nullptr;
  auto* link = static_cast<std::shared_ptr<CaptureLink>*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), link_index()));
  return link && *link ? (*link)->sink : nullptr;
}

int verify_callback(int preverify_ok, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  TlsCapture* sink = sink_of(ssl);
  if (!sink) return preverify_ok;
  if (!sink->saw_leaf) {
    // The certificate being verified is the leaf, whichever depth reports first.
    if (X509* leaf = X509_STORE_CTX_get0_cert(store)) {
      read_certificate(leaf, sink->info);
      sink->hostname_ok = certificate_matches_host(leaf, sink->host);
      sink->saw_leaf = true;
    }
    read_negotiated(ssl, sink->info);  // the ServerHello came before the certificate
  }
  if (!preverify_ok && sink->info.verify_result == 0) {
    int err = X509_STORE_CTX_get_error(store);
    sink->info.verify_result = err;
    sink->info.verify_message = X509_verify_cert_error_string(err);
  }
  // Without -k, curl's decision stands (a failure aborts the handshake). Under -k
  // OpenSSL would go on anyway (SSL_VERIFY_NONE); accepting lets it finish the checks.
  return sink->insecure ? 1 : preverify_ok;
}

void info_callback(const SSL* ssl, int where, int) {
  TlsCapture* sink = sink_of(ssl);
  if (!sink) return;
  if ((where & SSL_CB_HANDSHAKE_START) && !sink->handshake_start_us) {
    sink->handshake_start_us = mono_now_us();
    // curl hands OpenSSL a cached session (SSL_set_session) before the handshake starts.
    const SSL_SESSION* session = SSL_get_session(ssl);
    sink->session_offered = session && SSL_SESSION_is_resumable(session);
    // The handshake has not begun: the session may still be replaced (see SessionCopies).
    if (sink->session_offered) use_copy_of_cached_session(const_cast<SSL*>(ssl));
  }
  // TLS 1.3 tickets after the handshake call this again: the first one is the handshake.
  if ((where & SSL_CB_HANDSHAKE_DONE) && !sink->handshake_done_us) {
    sink->handshake_done_us = mono_now_us();
    sink->resumed = SSL_session_reused(ssl) == 1;
  }
  // A handshake that fails after the ServerHello ends with an alert: keep what was agreed.
  if ((where & SSL_CB_ALERT) && sink->info.version.empty()) read_negotiated(ssl, sink->info);
}

// Every handshake message, ChangeCipherSpec and alert, as OpenSSL writes or reads it.
void message_callback(int write_p, int, int content_type, const void* buf, size_t len, SSL* ssl, void*) {
  const int64_t now = mono_now_us();
  if (!buf) return;
  auto step = describe_tls_message(write_p == 1, content_type, std::string_view(static_cast<const char*>(buf), len));
  if (!step) return;
  if (step->message == "Alert" && step->fatal) forget_cached_sessions(ssl);
  TlsCapture* sink = sink_of(ssl);
  if (!sink) return;
  // OpenSSL reports a ChangeCipherSpec it receives only as a record header: should it
  // also report the message itself, it is the same one.
  if (!step->sent() && step->message == "ChangeCipherSpec" && content_type == kContentChangeCipherSpec &&
      !sink->steps.empty() && !sink->steps.back().step.sent() && sink->steps.back().step.message == "ChangeCipherSpec")
    return;
  if (sink->steps.size() >= kMaxTlsSteps) {
    ++sink->steps_dropped;
    return;
  }
  step->after_handshake = sink->handshake_done_us != 0;
  sink->steps.push_back({std::move(*step), now});
}

}  // namespace

void read_certificate(X509* cert, TlsInfo& out) {
  out.subject = name_to_string(X509_get_subject_name(cert));
  out.issuer = name_to_string(X509_get_issuer_name(cert));
  out.not_before = time_to_iso(X509_get0_notBefore(cert));
  out.not_after = time_to_iso(X509_get0_notAfter(cert));
  out.sans.clear();
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      const ASN1_STRING* s = gn->d.dNSName;
      out.sans.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                            static_cast<std::size_t>(ASN1_STRING_length(s)));
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = gn->d.iPAddress;
      char buf[INET6_ADDRSTRLEN] = {};
      int af = ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6;
      if (inet_ntop(af, ASN1_STRING_get0_data(ip), buf, sizeof buf)) out.sans.push_back(std::string("IP:") + buf);
    }
  }
  GENERAL_NAMES_free(names);
}

void read_negotiated(const SSL* ssl, TlsInfo& out) {
  // The current cipher is set once keys are in use; the pending one from the ServerHello.
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl);
  if (!c) c = SSL_get_pending_cipher(ssl);
  if (!c) return;  // no ServerHello yet: the version would be only what we offered
  out.version = SSL_get_version(ssl);
  out.cipher = SSL_CIPHER_get_name(c);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  if (alpn) out.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
}

void read_session(SSL* ssl, TlsInfo& out) {
  read_negotiated(ssl, out);
  if (out.subject.empty()) {
    if (X509* cert = SSL_get0_peer_certificate(ssl)) read_certificate(cert, out);
  }
}

bool certificate_matches_host(X509* cert, const std::string& host) {
  if (is_ip_literal(host)) return X509_check_ip_asc(cert, host.c_str(), 0) == 1;
  std::string name = without_trailing_dot(host);
  return X509_check_host(cert, name.c_str(), name.size(), kHostFlags, nullptr) == 1;
}

void install_verify_capture(SSL_CTX* ctx, TlsCapture* sink) {
  SSL_CTX_set_ex_data(ctx, link_index(), new std::shared_ptr<CaptureLink>(sink->link));
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_hostflags(param, kHostFlags);
  if (is_ip_literal(sink->host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, sink->host.c_str());
  } else {
    std::string name = without_trailing_dot(sink->host);
    X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  }
  if (sink->insecure) {
    // What curl loads when it verifies. A file that does not load leaves the store
    // without it, and verification then reports the missing issuer.
    if (!sink->ca_file.empty()) SSL_CTX_load_verify_file(ctx, sink->ca_file.c_str());
    if (!sink->ca_path.empty()) SSL_CTX_load_verify_dir(ctx, sink->ca_path.c_str());
    ERR_clear_error();  // so curl never reports a load error of ours as its own
    X509_STORE_set_flags(SSL_CTX_get_cert_store(ctx), X509_V_FLAG_TRUSTED_FIRST | X509_V_FLAG_PARTIAL_CHAIN);
  }
  SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), verify_callback);
  SSL_CTX_set_info_callback(ctx, info_callback);
  SSL_CTX_set_msg_callback(ctx, message_callback);
  SSL_CTX_set_msg_callback_arg(ctx, nullptr);
  if (auto* curl_new_session = SSL_CTX_sess_get_new_cb(ctx)) {
    auto* copies = new SessionCopies();
    copies->curl_new_session = curl_new_session;
    SSL_CTX_set_ex_data(ctx, copies_index(), copies);
    SSL_CTX_sess_set_new_cb(ctx, new_session_callback);
  }
}

void capture_session(SSL* ssl, TlsCapture& sink) {
  read_session(ssl, sink.info);
  if (sink.saw_leaf) return;
  // A resumed session: no chain was verified now; the session keeps the earlier result.
  if (X509* cert = SSL_get0_peer_certificate(ssl)) sink.hostname_ok = certificate_matches_host(cert, sink.host);
}

Status check_ca_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return Status(Code::kUsage, "--cacert " + path + ": " + std::strerror(errno));
  int certificates = 0;
  while (X509* cert = PEM_read_X509(file.get(), nullptr, nullptr, nullptr)) {
    ++certificates;
    X509_free(cert);
  }
  const bool unreadable = std::ferror(file.get()) != 0;
  const int error = errno;
  // The end of the file reads as "no start line" to PEM_read_X509; anything else is a block
  // curl would refuse the whole file for (a broken certificate after good ones).
  const unsigned long last = ERR_peek_last_error();
  const bool broken = last != 0 && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
  char reason[256] = "";
  if (broken) ERR_error_string_n(last, reason, sizeof reason);
  ERR_clear_error();
  if (unreadable) return Status(Code::kUsage, "--cacert " + path + ": " + std::strerror(error));
  if (broken)
    return Status(Code::kUsage, "--cacert " + path + ": certificate " + std::to_string(certificates + 1) +
                                    " cannot be read (" + reason + ")");
  if (certificates == 0)
    return Status(Code::kUsage, "--cacert " + path + ": no certificate in it (a PEM bundle is expected, as curl's)");
  return Status::Ok();
}

}  // namespace pageload::transfer
