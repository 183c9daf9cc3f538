// Serves one HTTP/2 connection over TLS: a single-threaded loop on the connection's
// thread that reads TLS records into an Http2Session, fires its timers, and writes its
// frames back, with the socket non-blocking so no stream ever waits on another.
#pragma once

#include <chrono>

#include "lab/connection_threads.h"
#include "lab/http2_session.h"
#include "lab/stop_flag.h"
#include "lab/stream.h"

namespace pageload::lab {

struct Http2ConnectionOptions {
  Http2Session::Options session;
  // With no stream open and nothing received for this long, the connection is closed.
  std::chrono::milliseconds idle_timeout{30'000};
};

// Serves the connection on socket `fd` whose TLS handshake (ALPN "h2") is done, until
// the client or the session ends it, it idles out, or `stop` is raised (the server also
// shuts the socket down then, which wakes the loop). Returns how to close the socket.
ConnectionThreads::Close serve_http2(int fd, SslPtr ssl, const Http2ConnectionOptions& options, RouteState& state,
                                     const StopFlag& stop);

}  // namespace pageload::lab
