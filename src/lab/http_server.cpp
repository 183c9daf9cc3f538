#include "lab/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

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

StatusOr<UniqueFd> listen_on(const std::string& bind, int port) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_INET;
  if (bind.find(':') != std::string::npos) {
    family = AF_INET6;
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, bind.c_str(), &a6->sin6_addr) != 1)
      return Status(Code::kUsage, "lab: bad bind address " + bind);
    len = sizeof *a6;
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, bind.c_str(), &a4->sin_addr) != 1)
      return Status(Code::kUsage, "lab: bad bind address " + bind);
    len = sizeof *a4;
  }
  if (port < 0 || port > 65535) return Status(Code::kUsage, "lab: bad port " + std::to_string(port));
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status(Code::kConnectError, std::string("lab: socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd.get(), 128) != 0)
    return Status(Code::kConnectError,
                  "lab: cannot listen on " + bind + ":" + std::to_string(port) + ": " + std::strerror(errno));
  return fd;
}

int bound_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
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
  auto listener = listen_on(options.bind, options.port);
  if (!listener.ok()) return listener.status();
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(options)));
  server->listener_ = std::move(listener.value());
  server->port_ = bound_port(server->listener_.get());
  server->accept_thread_ = std::thread([s = server.get()] { s->accept_loop(); });
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
  ::shutdown(listener_.get(), SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  connections_.stop_all();
  listener_.reset();
}

void HttpServer::accept_loop() {
  while (!stop_.raised()) {
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
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

ConnectionThreads::Close HttpServer::serve_connection(int fd) {
  std::unique_ptr<Stream> stream;
  if (options_.tls) {
    SslPtr ssl = options_.tls->new_session(fd, &stop_);
    if (ssl && SSL_accept(ssl.get()) == 1) stream = make_tls_stream(fd, std::move(ssl));
  } else {
    stream = make_tcp_stream(fd);
  }

  bool reset = false;
  std::string buffer;  // bytes read but not yet used: pipelined requests survive here
  while (stream && !stop_.raised()) {
    Request request;
    ReadOutcome outcome = read_request(*stream, buffer, request);
    if (outcome.kind == ReadOutcome::kClosed) break;
    if (outcome.kind == ReadOutcome::kRejected) {
      send_error(*stream, stop_, outcome.status);
      break;
    }
    ResponseWriter writer(*stream, stop_, request.method == "HEAD", request.keep_alive());
    try {
      serve_request(request, writer);
    } catch (...) {  // a bug or bad_alloc in one route must not take the lab down
      if (!writer.head_sent()) send_error(*stream, stop_, 500);
      writer.close_after();
    }
    if (writer.after() == AfterResponse::kReset) reset = true;
    if (writer.after() != AfterResponse::kKeepAlive) break;
  }

  if (stream && !reset) {
    stream->finish();
    // Lingering close: read what the client still sends until it closes too, so unread
    // request bytes do not turn our FIN into an RST that could eat the response.
    char sink[4096];
    for (int i = 0; i < 64 && !stop_.raised(); ++i) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) break;
      if (::recv(fd, sink, sizeof sink, 0) <= 0) break;
    }
  }
  stream.reset();  // frees the SSL (its BIO does not close the socket)
  return reset ? ConnectionThreads::Close::kReset : ConnectionThreads::Close::kGraceful;
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
