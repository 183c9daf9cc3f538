#include "transfer/classify.h"

#include <curl/curl.h>
#include <openssl/x509_vfy.h>

#include <cerrno>

#include "core/resources.h"

namespace pageload::transfer {
namespace {

Phase reached_phase(const Progress& p) {
  if (!p.connected) return Phase::kConnect;
  if (p.tunnel && !p.tunneled) return Phase::kTunnel;
  if (p.tls && !p.handshaken) return Phase::kTls;
  if (!p.request_sent) return Phase::kSend;
  if (!p.first_byte) return Phase::kWait;
  return Phase::kReceive;
}

Code certificate_code(long verify_result, bool hostname_ok) {
  switch (verify_result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return Code::kTlsCertExpired;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return Code::kTlsCertHostname;
    case X509_V_OK:
      return hostname_ok ? Code::kTlsHandshake : Code::kTlsCertHostname;
    default:
      return Code::kTlsCertUntrusted;
  }
}

}  // namespace

Classified classify_failure(int curl_code, long os_errno, const Progress& progress,
                            long verify_result, bool hostname_ok, long proxy_connect_code) {
  Phase phase = reached_phase(progress);
  // A proxy that answered the CONNECT with anything but 2xx refused the tunnel: TLS to
  // the origin never started (curl says CURLE_RECV_ERROR, or COULDNT_CONNECT for a 407).
  if (proxy_connect_code != 0 && (proxy_connect_code < 200 || proxy_connect_code > 299))
    return {Phase::kTunnel, Code::kConnectRefused};
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_COULDNT_CONNECT:
      // No socket could be opened: this machine, not the network, failed.
      if (is_resource_exhaustion(static_cast<int>(os_errno))) return {Phase::kConnect, Code::kLocalResource};
      if (os_errno == ECONNREFUSED) return {Phase::kConnect, Code::kConnectRefused};
      if (os_errno == ENETUNREACH || os_errno == EHOSTUNREACH) return {Phase::kConnect, Code::kConnectUnreachable};
      if (os_errno == ETIMEDOUT) return {Phase::kConnect, Code::kConnectTimeout};
      return {Phase::kConnect, Code::kConnectError};
    case CURLE_COULDNT_RESOLVE_PROXY:  // curl resolves a proxy's name itself
      return {Phase::kConnect, Code::kConnectError};
    case CURLE_OPERATION_TIMEDOUT:
      if (phase == Phase::kConnect) return {phase, Code::kConnectTimeout};
      return {phase, Code::kTimeout};
    case CURLE_PEER_FAILED_VERIFICATION:
      return {Phase::kTls, certificate_code(verify_result, hostname_ok)};
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
      if (verify_result != 0) return {Phase::kTls, certificate_code(verify_result, hostname_ok)};
      return {Phase::kTls, Code::kTlsHandshake};
    case CURLE_SSL_CACERT_BADFILE:
      return {Phase::kTls, Code::kFile};
    case CURLE_SEND_ERROR:
      return {phase == Phase::kTls ? phase : Phase::kSend, Code::kSendError};
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
      if (phase == Phase::kTls) return {phase, Code::kTlsHandshake};
      return {phase == Phase::kSend ? Phase::kWait : phase, Code::kRecvError};
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_UNSUPPORTED_PROTOCOL:
      if (phase == Phase::kTls) return {phase, Code::kTlsHandshake};
      return {phase == Phase::kSend ? Phase::kWait : phase, Code::kProtocolError};
    case CURLE_BAD_FUNCTION_ARGUMENT:
      // curl 7.88's header store (Curl_headers_push) refuses a response header or trailer
      // line without a colon, or a continuation line with no header before it, with this
      // code, before our header callback sees the line (curl itself fails alike): the
      // server's fault once its response has begun.
      if (progress.first_byte) return {Phase::kReceive, Code::kProtocolError};
      return {phase, Code::kInternal};
    case CURLE_ABORTED_BY_CALLBACK:  // Driver::cancel_all
      return {phase, Code::kInterrupted};
    case CURLE_FILESIZE_EXCEEDED:
      return {Phase::kReceive, Code::kTooLarge};
    case CURLE_OUT_OF_MEMORY:
      // curl refuses a header over 100 KB (CURL_MAX_HTTP_HEADER) with this code: the
      // server's fault, not ours, when it happens inside the response head.
      if (progress.first_byte && !progress.head_complete) return {phase, Code::kProtocolError};
      return {phase, Code::kInternal};
    default:
      return {phase, Code::kInternal};
  }
}

}  // namespace pageload::transfer
