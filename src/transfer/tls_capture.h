// Reads what a TLS handshake showed: version, cipher, ALPN, the server certificate and
// the result of verifying it. Certificate fields and the verify result are captured from
// inside OpenSSL's verify callback, so they are known even when verification fails and
// the handshake is aborted, and also under -k, where the certificate is verified against
// the same trust store but a failure does not stop the handshake. Every handshake
// message and alert is recorded from OpenSSL's message callback as it is written or read
// (TLS 1.3's encrypted ones after decryption), with whether a session was offered and
// resumed.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload::transfer {

// Fills subject, issuer, SANs and validity from a certificate.
void read_certificate(X509* cert, TlsInfo& out);
// Fills version, cipher and ALPN once the ServerHello has been processed (a cipher is
// chosen); leaves them alone before that. Safe mid-handshake.
void read_negotiated(const SSL* ssl, TlsInfo& out);
// Fills version, cipher, ALPN (and the certificate if not yet captured) from a live SSL.
void read_session(SSL* ssl, TlsInfo& out);
// True when cert matches host (DNS name or IP address) as curl and browsers check it:
// no partial wildcards, a trailing dot on the host ignored.
bool certificate_matches_host(X509* cert, const std::string& host);

struct CaptureLink;

// Messages recorded per connection at most; a server sending more (endless tickets or
// key updates) has the rest counted, not kept.
inline constexpr std::size_t kMaxTlsSteps = 100;

// A handshake message and the monotonic time OpenSSL wrote or read it.
struct CapturedStep {
  TlsStep step;  // at_ms unset: the exchange converts at_us with the run's clock
  int64_t at_us = 0;
};

// What a handshake showed, filled while it runs. Does not move: OpenSSL's callbacks
// reach it through the SSL_CTX, which may outlive it (a pooled connection), so the
// context holds a link that this object cuts when it dies.
struct TlsCapture {
  TlsCapture();
  ~TlsCapture();
  TlsCapture(const TlsCapture&) = delete;
  TlsCapture& operator=(const TlsCapture&) = delete;

  TlsInfo info;                     // verify_result: the first verification error, or 0
  std::string host;                 // the name we connect to, for the host name check
  // -k: curl neither loads a trust store nor checks the host name, so we load these
  // (what curl would have loaded without -k) and accept every verification error after
  // recording the first. Without -k curl loads them itself and decides.
  bool insecure = false;
  std::string ca_file;              // --cacert, else curl's default bundle
  std::string ca_path;              // curl's default CA directory, or empty
  bool saw_leaf = false;            // the verify callback ran: the chain was verified
  bool hostname_ok = true;          // leaf matches host (checked even under -k)
  // Our clock when OpenSSL began the handshake: TCP was connected before this.
  int64_t handshake_start_us = 0;
  // Our clock when OpenSSL finished the handshake (0: not yet).
  int64_t handshake_done_us = 0;
  // The connection's messages in order (sent and received), alerts included.
  std::vector<CapturedStep> steps;
  std::size_t steps_dropped = 0;    // beyond kMaxTlsSteps
  bool session_offered = false;     // curl had set a resumable session when it began
  bool resumed = false;             // the server accepted it (SSL_session_reused)

  // A new connection (curl retries on one): forgets the last one's handshake and cuts
  // its SSL_CTX off, so nothing it still does lands here.
  void restart_handshake();

  std::shared_ptr<CaptureLink> link;  // shared with every SSL_CTX this capture watches
};

// Installs on ctx (a fresh SSL_CTX of one connection, as curl makes them): the host name
// (or IP address) as a verification parameter, so OpenSSL reports a mismatch as
// X509_V_ERR_HOSTNAME_MISMATCH like any other verify error; under sink->insecure the trust
// store; a verify callback (keeping curl's verify mode) that records the leaf
// certificate, the host name check and the first verification error; an info callback
// stamping the handshake start and end (and whether a session was offered and resumed)
// and reading version and cipher if the handshake fails after the ServerHello; and a
// message callback recording every handshake message and alert (it replaces curl's own,
// which only feeds its verbose trace). *sink must outlive the handshake.
void install_verify_capture(SSL_CTX* ctx, TlsCapture* sink);

// After the handshake (or on a resumed session, where no verify callback runs): reads
// the session into sink->info and, if the chain was not seen being verified, checks the
// peer certificate's host name.
void capture_session(SSL* ssl, TlsCapture& sink);

}  // namespace pageload::transfer
