// Reads what a TLS handshake showed: version, cipher, ALPN and the server certificate.
// Certificate fields are captured from inside OpenSSL's verify callback, so they are
// known even when verification fails and the handshake is aborted.
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "pageload/result.h"

namespace pageload::transfer {

// Fills subject, issuer, SANs and validity from a certificate.
void read_certificate(X509* cert, TlsInfo& out);
// Fills version, cipher, ALPN (and the certificate if not yet captured) from a live SSL.
void read_session(SSL* ssl, TlsInfo& out);
// True when cert matches host (DNS name or IP address), as a browser checks it.
bool certificate_matches_host(X509* cert, const std::string& host);

// What a handshake showed, filled while it runs.
struct TlsCapture {
  TlsInfo info;
  std::string host;                 // the name we connect to, for the host name check
  bool saw_leaf = false;
  bool hostname_ok = true;          // leaf matches host (checked even under -k)
  // Our clock when OpenSSL began the handshake: TCP is connected by then. curl 7.88
  // leaves CONNECT_TIME at 0 when the handshake fails, so this is what ends connect.
  int64_t handshake_start_us = 0;
};

// Installs a verify callback on ctx (keeping curl's verify mode and decision) that
// records the leaf certificate, the host name check and the first verification error
// into *sink, and an info callback stamping the handshake start. *sink must outlive
// the handshake.
void install_verify_capture(SSL_CTX* ctx, TlsCapture* sink);

}  // namespace pageload::transfer
