#include "lab/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "lab/http2_connection.h"
#include "lab/listen.h"
#include "lab/response_writer.h"
#include "lab/routes.h"
#include "lab/stream.h"

namespace pageload::lab {
namespace {

void set_timeout(int fd, int option, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

// Appends what the stream has to `buffer`. False at end of stream or on error.
bool read_more(Stream& stream, std::string& buffer) {
  char chunk[16 * 1024];
  long n = stream.read(chunk, sizeof chunk);
  if (n <= 0) return false;
  buffer.append(chunk, static_cast<std::size_t>(n));
  return true;
}

// An error response for a request we could not parse; the connection closes after it.
void send_error(Stream& stream, const StopFlag& stop, int status) {
  ResponseWriter writer(stream, stop, false, false);
  std::string body = std::to_string(status) + " " + std::string(reason_phrase(status)) + "\n";
  writer.send(status, {{"Content-Type", "text/plain; charset=utf-8"}}, body);
}

int status_for(ParseResult result) {
  switch (result) {
    case ParseResult::kHeadTooLarge: return 431;
    case ParseResult::kBodyTooLarge: return 413;
    case ParseResult::kNotImplemented: return 501;
    default: return 400;
  }
}

}  // namespace

StatusOr<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerOptions options) {
  auto listeners = listen_pair(options.bind, options.also_bind, options.port);
  if (!listeners.ok()) return listeners.status();
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(options)));
  server->port_ = listeners->port;
  server->listeners_[0] = std::move(listeners->primary);
  server->listeners_[1] = std::move(listeners->secondary);
  server->also_listening_ = server->listeners_[1].valid();
  server->also_unavailable_ = listeners->unavailable;
  for (int i = 0; i < 2; ++i) {
    int fd = server->listeners_[i].get();
    if (fd >= 0) server->accept_threads_[i] = std::thread([s = server.get(), fd] { s->accept_loop(fd); });
  }
  return server;
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stop_.raise();
  // Wakes accept() (Linux returns EINVAL on a shut-down listener).
  for (auto& l : listeners_)
    if (l.valid()) ::shutdown(l.get(), SHUT_RDWR);
  for (auto& t : accept_threads_)
    if (t.joinable()) t.join();
  connections_.stop_all();
  for (auto& l : listeners_) l.reset();
}

void HttpServer::accept_loop(int listener) {
  while (!stop_.raised()) {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stop_.raised()) break;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
        stop_.sleep_for(std::chrono::milliseconds(10));  // let connections finish
      continue;  // EINTR, ECONNABORTED...
    }
    accepted_.fetch_add(1);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // no Nagle delay in timings
    set_timeout(fd, SO_RCVTIMEO, options_.idle_timeout);
    set_timeout(fd, SO_SNDTIMEO, std::chrono::milliseconds(60'000));
    connections_.spawn(UniqueFd(fd), [this](int client) { return serve_connection(client); });
  }
}

std::map<std::string, uint64_t> HttpServer::connections_by_host() const {
  // Read the total first: a connection accepted in between is then counted under its
  // host or not at all, never twice.
  const uint64_t accepted = accepted_.load();
  std::lock_guard lock(hosts_mu_);
  std::map<std::string, uint64_t> counts = hosts_;
  uint64_t named = 0;
  for (const auto& [host, n] : counts) named += n;
  if (accepted > named) counts[""] += accepted - named;
  return counts;
}

void HttpServer::count_host(const std::string& host) {
  std::lock_guard lock(hosts_mu_);
  ++hosts_[host];
}

ConnectionThreads::Close HttpServer::serve_connection(int fd) {
  if (!options_.tls) return serve_http1(fd, make_tcp_stream(fd));
  SslPtr ssl = options_.tls->new_session(fd, &stop_);
  if (!ssl || SSL_accept(ssl.get()) != 1) {
    // A refused handshake ends with OpenSSL's alert already written: a close with the
    // client's later bytes unread would answer them with an RST, which can discard the
    // alert before the client reads it (in TLS 1.3 the client has sent its request by the
    // time the server refuses its certificate). Say FIN after the alert and linger.
    ::shutdown(fd, SHUT_WR);
    drain_until_closed(fd);
    return ConnectionThreads::Close::kGraceful;
  }
  if (selected_alpn(ssl.get()) == "h2") {
    http2_accepted_.fetch_add(1);
    Http2ConnectionOptions h2;
    h2.session.local_port = port_;
    h2.session.limits = options_.limits;
    h2.session.on_request = [this, counted = false](const Request& request) mutable {
      if (!counted) count_host(request.host());
      counted = true;
    };
    h2.idle_timeout = options_.idle_timeout;
    return serve_http2(fd, std::move(ssl), h2, routes_, stop_);
  }
  return serve_http1(fd, make_tls_stream(fd, std::move(ssl)));
}

ConnectionThreads::Close HttpServer::serve_http1(int fd, std::unique_ptr<Stream> stream) {
  bool reset = false;
  bool host_counted = false;
  std::string buffer;  // bytes read but not yet used: pipelined requests survive here
  while (stream && !stop_.raised()) {
    Request request;
    ReadOutcome outcome = read_request(*stream, buffer, request);
    if (outcome.kind == ReadOutcome::kClosed) break;
    if (outcome.kind == ReadOutcome::kRejected) {
      send_error(*stream, stop_, outcome.status);
      break;
    }
    if (!host_counted) {
      count_host(request.host());
      host_counted = true;
    }
    request.local_port = port_;
    ResponseWriter writer(*stream, stop_, request.method == "HEAD", request.keep_alive());
    try {
      const ResponsePlan plan = plan_response(request, routes_);
      writer.play(plan);
      // A short keep-alive timeout from here on: the wait for the next request ends
      // (and the connection closes, FIN first) once it has been idle this long.
      if (plan.keep_alive) set_timeout(fd, SO_RCVTIMEO, *plan.keep_alive);
    } catch (...) {  // a bug or bad_alloc in one route must not take the lab down
      if (!writer.head_sent()) send_error(*stream, stop_, 500);
      writer.close_after();
    }
    if (writer.after() == AfterResponse::kReset) reset = true;
    if (writer.after() != AfterResponse::kKeepAlive) break;
  }

  if (stream && !reset) {
    stream->finish();
    drain_until_closed(fd);
  }
  stream.reset();  // frees the SSL (its BIO does not close the socket)
  return reset ? ConnectionThreads::Close::kReset : ConnectionThreads::Close::kGraceful;
}

void HttpServer::drain_until_closed(int fd) const {
  // Lingering close: read what the client still sends until it closes too, so unread
  // request bytes do not turn our FIN into an RST that could eat the response.
  char sink[4096];
  for (int i = 0; i < 64 && !stop_.raised(); ++i) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) break;
    if (::recv(fd, sink, sizeof sink, 0) <= 0) break;
  }
}

HttpServer::ReadOutcome HttpServer::read_request(Stream& stream, std::string& buffer, Request& request) const {
  BodyFraming framing;
  std::size_t head_size = 0;
  ParseResult result;
  while ((result = parse_request_head(buffer, options_.limits, request, framing, head_size)) ==
         ParseResult::kNeedMore) {
    if (!read_more(stream, buffer)) return {ReadOutcome::kClosed};  // closed or idle too long
  }
  if (result != ParseResult::kComplete) return {ReadOutcome::kRejected, status_for(result)};
  buffer.erase(0, head_size);

  bool has_body = framing.chunked || framing.content_length > 0;
  const std::string* expect = request.header("Expect");
  if (has_body && expect != nullptr && iequals(*expect, "100-continue") && buffer.empty())
    if (!stream.write_all("HTTP/1.1 100 Continue\r\n\r\n")) return {ReadOutcome::kClosed};

  if (framing.chunked) {
    std::size_t consumed = 0;
    while ((result = decode_chunked_body(buffer, options_.limits.max_body_bytes, request.body, consumed)) ==
           ParseResult::kNeedMore) {
      if (!read_more(stream, buffer)) return {ReadOutcome::kClosed};
    }
    if (result != ParseResult::kComplete) return {ReadOutcome::kRejected, status_for(result)};
    buffer.erase(0, consumed);
  } else {
    while (buffer.size() < framing.content_length)
      if (!read_more(stream, buffer)) return {ReadOutcome::kClosed};
    request.body = buffer.substr(0, framing.content_length);
    buffer.erase(0, framing.content_length);
  }
  return {ReadOutcome::kRequest};
}

}  // namespace pageload::lab
