// Maps how a curl transfer ended to our error codes and the phase that failed.
// Decisions use curl's result code, the OS errno and the TLS verify result, never
// message text.
#pragma once

#include <string>

#include "pageload/result.h"

namespace pageload::transfer {

// What the transfer reached before it ended (from curl's timers and our callbacks).
struct Progress {
  bool tls = false;            // https and a new connection: a TLS phase exists
  bool connected = false;      // TCP connect completed
  bool tunnel = false;         // an https origin through an HTTP proxy: a CONNECT tunnel exists
  bool tunneled = false;       // the proxy answered the CONNECT (or no tunnel)
  bool handshaken = false;     // TLS handshake completed (or no TLS)
  bool request_sent = false;
  bool first_byte = false;
  bool head_complete = false;  // the final response's header block ended (blank line)
};

struct Classified {
  Phase phase;
  Code code;
};

// `curl_code` is a CURLcode, `os_errno` CURLINFO_OS_ERRNO (or the errno of a socket
// that could not be opened, which curl does not report: EMFILE is a local failure), `verify_result` the X509
// verify error seen during the handshake (0 if none), `hostname_ok` whether the
// certificate matched the host, `proxy_connect_code` the status a proxy answered the
// CONNECT for a tunnel with (CURLINFO_HTTP_CONNECTCODE; 0 when there was none).
Classified classify_failure(int curl_code, long os_errno, const Progress& progress,
                            long verify_result, bool hostname_ok, long proxy_connect_code = 0);

}  // namespace pageload::transfer
