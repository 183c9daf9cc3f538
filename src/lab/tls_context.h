// The HTTPS side of the lab server: an OpenSSL server context that picks the leaf
// certificate by SNI (see certs.h), selects the ALPN protocol (h2 when the client offers
// it and the context allows it, else http/1.1), and stalls the handshake for SNI names
// with a "tls-delay-N" label. TLS 1.2 and 1.3 (or 1.2 alone), with OpenSSL's default
// session handling: a session-ID cache and session tickets for TLS 1.2 (curl asks for no
// tickets, so it resumes by session ID), two stateless tickets after each TLS 1.3
// handshake; both are kept for the context's life, so a client that offers one resumes.
// Names with a "client-cert" label require a client certificate (curl has none, so the
// server refuses: alert handshake_failure in TLS 1.2, certificate_required after the
// client's Finished in TLS 1.3); names with a "hello-retry" label accept only the P-256
// key share, so a TLS 1.3 client offering X25519 first gets a HelloRetryRequest.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string_view>

#include "lab/certs.h"
#include "lab/stop_flag.h"
#include "lab/stream.h"
#include "pageload/status.h"

namespace pageload::lab {

// The handshake delay asked for by a "tls-delay-N" label in `server_name` (N ms,
// capped at 60000), or 0.
int tls_delay_ms(std::string_view server_name);

// Which protocols the server's ALPN offers, in its order of preference.
enum class AlpnOffer {
  kH2AndHttp11,  // h2 when the client offers it, else http/1.1
  kHttp11Only,   // http/1.1 even when the client prefers h2 (a client offering only h2
                 // gets no ALPN answer, and speaks HTTP/1.1 or gives up)
};

// The ALPN protocol the handshake of `ssl` selected ("h2", "http/1.1"), or "" for none.
std::string_view selected_alpn(const SSL* ssl);

// The TLS versions a context accepts.
enum class TlsVersions {
  kTls12And13,  // TLS 1.3 preferred
  kTls12Only,   // TLS 1.2 alone: a client asking for 1.3 only gets alert protocol_version
};

// Whether `server_name` has the label `label` (case-insensitive), as "client-cert" in
// "client-cert.a.test".
bool has_label(std::string_view server_name, std::string_view label);

class TlsServerContext {
 public:
  // Builds the context over `certs` (shared: the leaf cache lives there).
  static StatusOr<std::shared_ptr<TlsServerContext>> create(std::shared_ptr<LabCertificates> certs,
                                                            AlpnOffer offer = AlpnOffer::kH2AndHttp11,
                                                            TlsVersions versions = TlsVersions::kTls12And13);

  // A server SSL object attached to socket `fd` (through a MSG_NOSIGNAL BIO), ready for
  // SSL_accept. `stop` (may be null) cuts tls-delay waits short. Null on failure.
  // Thread-safe.
  SslPtr new_session(int fd, const StopFlag* stop) const;

  LabCertificates& certificates() const { return *certs_; }

 private:
  struct CtxDeleter {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
  };
  static int on_certificate(SSL* ssl, void* self);
  // Per-name handshake rules that must be set before the ClientHello is processed.
  static int on_client_hello(SSL* ssl, int* alert, void* self);

  static int on_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                     unsigned int inlen, void* self);

  std::shared_ptr<LabCertificates> certs_;
  AlpnOffer offer_ = AlpnOffer::kH2AndHttp11;
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx_;
};

}  // namespace pageload::lab
