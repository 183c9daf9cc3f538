// The HTTPS side of the lab server: an OpenSSL server context that picks the leaf
// certificate by SNI (see certs.h), selects ALPN "http/1.1" when offered (never h2), and
// stalls the handshake for SNI names with a "tls-delay-N" label.
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

class TlsServerContext {
 public:
  // Builds the context over `certs` (shared: the leaf cache lives there).
  static StatusOr<std::shared_ptr<TlsServerContext>> create(std::shared_ptr<LabCertificates> certs);

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

  std::shared_ptr<LabCertificates> certs_;
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx_;
};

}  // namespace pageload::lab
