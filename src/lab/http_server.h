// The lab's HTTP server: plain HTTP/1.1, or TLS with HTTP/2 or HTTP/1.1 as ALPN
// selects (the TLS context says what it offers), on one loopback port (on one or two
// addresses), keep-alive by default, serving the routes in routes.h. One accept thread
// per address plus one thread per connection (an HTTP/2 connection serves all its
// streams on that thread, with timers: http2_connection.h); stop() interrupts every
// blocking call (shutdown() on the sockets, a StopFlag for sleeps) and joins all
// threads, so it never hangs on a connected client.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "lab/http_request.h"
#include "lab/routes.h"
#include "lab/stop_flag.h"
#include "lab/stream.h"
#include "lab/tls_context.h"
#include "lab/connection_threads.h"
#include "lab/unique_fd.h"
#include "pageload/status.h"

namespace pageload::lab {

struct HttpServerOptions {
  std::string bind = "127.0.0.1";  // an IPv4 or IPv6 literal
  // A second address to listen on with the same port (e.g. "::1" beside "127.0.0.1");
  // empty: none. Left out, with a note (also_unavailable()), when the machine lacks it.
  std::string also_bind;
  int port = 0;                    // 0: an ephemeral port (free on both addresses)
  std::shared_ptr<const TlsServerContext> tls;  // null: plain HTTP/1.1
  RequestLimits limits;
  // A connection idle (or a request stalled) this long is closed. HTTP/2: idle means
  // no stream open and nothing received.
  std::chrono::milliseconds idle_timeout{30'000};
  // Every answer under /page/ and to /favicon.ico starts this much later (LabOptions).
  std::chrono::milliseconds page_delay{0};
};

class HttpServer {
 public:
  // Binds, listens and starts accepting. Fails with kConnectError when an address
  // cannot be bound (e.g. the port is taken; see listen_pair() in listen.h for the
  // second address) or kUsage for a bad bind address.
  static StatusOr<std::unique_ptr<HttpServer>> start(HttpServerOptions options);
  // Stops (see stop()).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Stops accepting, cuts every open connection and joins every thread. Idempotent;
  // call from any thread but a server thread.
  void stop();

  int port() const { return port_; }
  bool is_tls() const { return options_.tls != nullptr; }
  // Whether the server also listens on options.also_bind; if not though asked, why.
  bool also_listening() const { return also_listening_; }
  const std::string& also_unavailable() const { return also_unavailable_; }
  // TCP connections accepted so far (TLS handshakes that then failed included).
  // Any thread.
  uint64_t connections_accepted() const { return accepted_.load(); }
  // Of those, the ones that negotiated HTTP/2. Any thread.
  uint64_t http2_connections() const { return http2_accepted_.load(); }
  // Of those, how many went to each host: the host of the connection's first request
  // (Host or :authority, lowercased, no port). A connection that carried no request (so
  // far), such as a browser's speculative preconnect or a failed handshake, counts under
  // "". The counts add up to connections_accepted(). Any thread.
  std::map<std::string, uint64_t> connections_by_host() const;

 private:
  struct ReadOutcome {
    enum Kind { kRequest, kClosed, kRejected } kind;
    int status = 0;  // for kRejected: the 4xx/5xx to answer before closing
  };

  explicit HttpServer(HttpServerOptions options) : options_(std::move(options)) {
    routes_.page_delay = options_.page_delay;
  }
  void accept_loop(int listener);
  // Serves one connection until it closes; says whether to close it with an RST.
  ConnectionThreads::Close serve_connection(int fd);
  ConnectionThreads::Close serve_http1(int fd, std::unique_ptr<Stream> stream);
  // After our FIN: reads until the client closes too (at most about 13 s, or a 200 ms
  // silence), so the client's unread bytes never turn the close into an RST.
  void drain_until_closed(int fd) const;
  // Reads the next request (head and body) from `stream`, keeping extra bytes in
  // `buffer`. Answers Expect: 100-continue.
  ReadOutcome read_request(Stream& stream, std::string& buffer, Request& request) const;
  // Counts an accepted connection under the host of its first request.
  void count_host(const std::string& host);

  HttpServerOptions options_;
  UniqueFd listeners_[2];  // the bind address, then also_bind (may be invalid)
  int port_ = 0;
  bool also_listening_ = false;
  std::string also_unavailable_;
  StopFlag stop_;
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> http2_accepted_{0};
  mutable std::mutex hosts_mu_;
  std::map<std::string, uint64_t> hosts_;  // connections that named a host, by host
  RouteState routes_;
  std::thread accept_threads_[2];
  ConnectionThreads connections_;
  std::mutex mu_;
  bool stopped_ = false;
};

}  // namespace pageload::lab
