#include "lab/fault_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "lab/gzip.h"
#include "lab/listen.h"
#include "lab/stream.h"

namespace pageload::lab {
namespace {

using std::chrono::milliseconds;

constexpr std::size_t kMaxRequestHead = 64 * 1024;

struct Fault {
  std::string_view path;
  std::string_view description;
};

constexpr Fault kFaults[] = {
    {"/garbage-status", "status line 'HTTP/1.1 two hundred OK'"},
    {"/not-http", "an SSH banner instead of HTTP, then close"},
    {"/huge-header", "one 2 MB response header"},
    {"/many-headers", "20,000 response headers"},
    {"/cut-in-headers", "closes in the middle of the response headers"},
    {"/cut-in-body", "chunked body cut off inside a chunk"},
    {"/length-longer", "Content-Length 1000, 400 bytes sent, then close"},
    {"/length-shorter", "Content-Length 10, 30 bytes sent"},
    {"/bad-chunked", "a chunk size that is not hexadecimal"},
    {"/endless", "a body that never ends (no Content-Length)"},
    {"/gzip-bomb", "10 MB of zeros gzip-compressed to ~10 KB"},
    {"/trailer-status", "a complete chunked 200 whose trailer line is 'HTTP/1.1 404 Not Found: x'"},
    {"/trailer-location", "302 to /landing whose chunked body's trailer says Location: /trailer-target"},
    {"/obs-fold", "302 to /landing, then X-Fold: a and the folded line ' Location: /folded'"},
    {"/leading-fold", "302 whose first header line is the folded ' Location: /folded' (nothing to fold into)"},
    {"/trailer-no-colon", "a complete chunked 200 whose trailer line is 'HTTP/1.1 404 Not Found' (no colon)"},
    {"/trailer-fold", "a chunked 200 whose trailers are X-T: a, ' Location: /folded' and 'HTTP/1.1 302 Found'"},
    {"/huge-content-length", "200 with Content-Length 2^63 (over the largest size), then close"},
    {"/early-hints-close", "103 Early Hints, then close: no final response"},
    {"/close-after-redirect", "302 to /landing without Connection: close, then closes (FIN with the response)"},
    {"/drop-next-request", "302 to /landing on a kept-alive connection, then reads the next request and closes unanswered"},
    {"/landing", "200 'landed', a target for the redirects above"},
    {"/slow", "the response one byte a second"},
    {"/reset", "reads the request, then resets the connection"},
    {"/silent", "reads the request, never answers"},
    {"/huge-location", "302 with a 100,000-byte Location"},
    {"/evil-reason", "200 whose reason phrase and headers carry terminal escapes"},
    {"/secret-location/N", "302 to a Location with the password SECRET-N: 0 '//u:p@h', 1 'http:/u:p@h', "
                           "2 a bad port, 3 a broken '[::' host, 4 backslashes, 5 in the query"},
    {"/upper-loop", "302 to itself with the host in upper case: http://FAULT.TEST:PORT/upper-loop"},
    {"/backslash", "302 to \\\\fault.test:PORT\\ok?q=a\\b: backslashes for slashes, as browsers read them"},
    {"/ok", "200, the target of the redirects above"},
};

// The Locations of /secret-location/N: a password where a URL parser does not expect
// one, or in text that does not parse. %d is the fault server's port.
constexpr const char* kSecretLocations[] = {
    "//bob:SECRET-0@fault.test:%d/ok",           // scheme-relative
    "http:/erin:SECRET-1@fault.test:%d/ok",      // one slash
    "http://mo:SECRET-2@fault.test:99999/ok",    // a port out of range: does not parse
    "http://g:SECRET-3@[::bad/ok",               // a broken address literal: does not parse
    "http:\\\\ann:SECRET-4@fault.test:%d\\ok",  // backslashes
    "/ok?next=http://u:SECRET-5@x.test/",        // a URL in the query
};

// Reads until the end of the request head (or whatever arrives first for TLS ports).
// Returns the request target ("host:port" for a CONNECT), or empty when the client sent
// no parsable request line; `method` gets the request's method.
std::string read_target(int fd, std::string* method = nullptr) {
  std::string head;
  char buf[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < kMaxRequestHead) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    head.append(buf, static_cast<std::size_t>(n));
  }
  auto sp1 = head.find(' ');
  if (sp1 == std::string::npos) return {};
  if (method) *method = head.substr(0, sp1);
  auto sp2 = head.find(' ', sp1 + 1);
  if (sp2 == std::string::npos) return {};
  return head.substr(sp1 + 1, sp2 - sp1 - 1);
}

// Waits until the peer closes or the server stops: a client with a timeout ends this.
void wait_for_close(int fd, const StopFlag& stop) {
  char sink[4096];
  while (!stop.raised()) {
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 100);
    if (r < 0 && errno != EINTR) return;
    if (r > 0 && ::recv(fd, sink, sizeof sink, 0) <= 0) return;
  }
}

const std::string& gzip_bomb() {
  static const std::string body = [] {
    auto z = gzip_compress(std::string(10 * 1024 * 1024, '\0'));
    return z ? *z : std::string();
  }();
  return body;
}

}  // namespace

std::vector<RouteInfo> fault_routes() {
  std::vector<RouteInfo> out;
  for (const auto& f : kFaults) out.push_back({f.path, f.description});
  return out;
}

StatusOr<std::unique_ptr<FaultServer>> FaultServer::start(const std::string& bind,
                                                         const std::string& also_bind) {
  sockaddr_in a{};
  if (inet_pton(AF_INET, bind.c_str(), &a.sin_addr) != 1)
    return Status(Code::kUsage, "lab: the fault server needs an IPv4 bind address, got " + bind);
  std::unique_ptr<FaultServer> s(new FaultServer());
  for (FaultPort mode : {FaultPort::kByPath, FaultPort::kTlsSpeaksHttp, FaultPort::kTlsCutOff}) {
    auto l = listen_pair(bind, also_bind, 0);
    if (!l.ok()) return l.status();
    s->ports_[static_cast<int>(mode)] = l->port;
    s->listening_.push_back({std::move(l->primary), mode});
    if (l->secondary.valid()) s->listening_.push_back({std::move(l->secondary), mode});
  }
  // listen(0) lets one connection wait in the accept queue; ours fills it and, never
  // accepted, keeps it full, so the kernel drops every later SYN: a connect timeout.
  // On also_bind the same port number is an ordinary by-path port: a name with both
  // families (dual.test) finds IPv4 dropping its SYNs and IPv6 answering, which curl
  // reaches only when its happy-eyeballs delay (200 ms) runs out.
  auto backlog = listen_pair(bind, also_bind, 0, 0);
  if (!backlog.ok()) return backlog.status();
  s->backlog_listener_ = std::move(backlog->primary);
  if (backlog->secondary.valid()) s->listening_.push_back({std::move(backlog->secondary), FaultPort::kByPath});
  s->ports_[3] = backlog->port;
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(s->ports_[3]));
  for (int i = 0; i < 2; ++i) {
    UniqueFd filler(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!filler.valid()) return Status(Code::kConnectError, "lab: fault server: socket failed");
    ::connect(filler.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    pollfd p{filler.get(), POLLOUT, 0};
    ::poll(&p, 1, i == 0 ? 500 : 50);  // the first one completes and sits in the queue
    s->backlog_fillers_.push_back(std::move(filler));
  }

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Status(Code::kConnectError, "lab: fault server: pipe failed");
  s->wake_[0].reset(pipe_fds[0]);
  s->wake_[1].reset(pipe_fds[1]);
  s->accept_thread_ = std::thread([raw = s.get()] { raw->accept_loop(); });
  return s;
}

FaultServer::~FaultServer() { stop(); }

int FaultServer::port(FaultPort which) const { return ports_[static_cast<int>(which)]; }

void FaultServer::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stop_.raise();
  if (wake_[1].valid()) (void)!::write(wake_[1].get(), "x", 1);
  if (accept_thread_.joinable()) accept_thread_.join();
  connections_.stop_all();
}

void FaultServer::accept_loop() {
  std::vector<pollfd> fds;
  for (const auto& l : listening_) fds.push_back({l.fd.get(), POLLIN, 0});
  fds.push_back({wake_[0].get(), POLLIN, 0});
  const std::size_t n = listening_.size();
  while (!stop_.raised()) {
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;
    if (fds[n].revents || stop_.raised()) break;
    for (std::size_t i = 0; i < n; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      int fd = ::accept4(listening_[i].fd.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      timeval tv{5, 0};  // a client that sends no request does not hold a thread for long
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      timeval stv{30, 0};
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &stv, sizeof stv);
      connections_.spawn(UniqueFd(fd), [this, mode = listening_[i].mode](int client) {
        return serve(client, mode);
      });
    }
  }
}

ConnectionThreads::Close FaultServer::serve(int fd, FaultPort mode) {
  bool reset = false;
  char buf[4096];
  switch (mode) {
    case FaultPort::kTlsSpeaksHttp:
      if (::recv(fd, buf, sizeof buf, 0) > 0)
        send_all(fd, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 31\r\n"
                     "Connection: close\r\n\r\nThis port speaks plain HTTP.\r\n\r\n");
      break;
    case FaultPort::kTlsCutOff:
      (void)::recv(fd, buf, sizeof buf, 0);  // the ClientHello; then FIN
      break;
    case FaultPort::kByPath: {
      std::string method;
      std::string target = read_target(fd, &method);
      if (method == "CONNECT")  // asked to be a proxy: refuse the tunnel
        send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      else if (target.rfind("/reset", 0) == 0) reset = true;
      else serve_path(fd, target);
      break;
    }
    case FaultPort::kBacklogFull:
      break;
  }
  if (reset) return ConnectionThreads::Close::kReset;
  ::shutdown(fd, SHUT_WR);
  return ConnectionThreads::Close::kGraceful;
}

void FaultServer::serve_path(int fd, const std::string& target) {
  std::string path = target.substr(0, target.find('?'));
  auto head = [](std::string_view extra) {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + std::string(extra) + "\r\n";
  };
  if (path == "/garbage-status") {
    send_all(fd, "HTTP/1.1 two hundred OK\r\nContent-Length: 2\r\n\r\nok");
  } else if (path == "/not-http") {
    send_all(fd, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
  } else if (path == "/huge-header") {
    send_all(fd, "HTTP/1.1 200 OK\r\nX-Huge: " + std::string(2 * 1024 * 1024, 'h') + "\r\nContent-Length: 2\r\n\r\nok");
  } else if (path == "/many-headers") {
    std::string out = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 20000; ++i) out += "X-H" + std::to_string(i) + ": v\r\n";
    out += "Content-Length: 2\r\n\r\nok";
    send_all(fd, out);
  } else if (path == "/cut-in-headers") {
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/pl");
  } else if (path == "/cut-in-body") {
    send_all(fd, head("Transfer-Encoding: chunked\r\n") + "3e8\r\n" + std::string(400, 'b'));
  } else if (path == "/length-longer") {
    send_all(fd, head("Content-Length: 1000\r\n") + std::string(400, 'b'));
  } else if (path == "/length-shorter") {
    send_all(fd, head("Content-Length: 10\r\nConnection: close\r\n") + std::string(30, 'b'));
  } else if (path == "/bad-chunked") {
    send_all(fd, head("Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\nzz-not-hex\r\nxx\r\n0\r\n\r\n");
  } else if (path == "/endless") {
    if (!send_all(fd, head("Content-Type: application/octet-stream\r\nConnection: close\r\n"))) return;
    const std::string block(64 * 1024, 'e');
    while (!stop_.raised() && send_all(fd, block)) {
    }
  } else if (path == "/gzip-bomb") {
    const std::string& body = gzip_bomb();
    send_all(fd, head("Content-Encoding: gzip\r\nContent-Length: " + std::to_string(body.size()) + "\r\n") + body);
  } else if (path == "/trailer-status") {
    send_all(fd, head("Transfer-Encoding: chunked\r\n") + "2\r\nok\r\n0\r\nHTTP/1.1 404 Not Found: x\r\n\r\n");
  } else if (path == "/trailer-location") {
    send_all(fd, "HTTP/1.1 302 Found\r\nLocation: /landing\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5\r\nmoved\r\n0\r\nLocation: /trailer-target\r\n\r\n");
  } else if (path == "/obs-fold") {
    send_all(fd, "HTTP/1.1 302 Found\r\nLocation: /landing\r\nX-Fold: a\r\n Location: /folded\r\n"
                 "Content-Length: 0\r\n\r\n");
  } else if (path == "/leading-fold") {
    send_all(fd, "HTTP/1.1 302 Found\r\n Location: /folded\r\nLocation: /landing\r\nContent-Length: 0\r\n\r\n");
  } else if (path == "/trailer-no-colon") {
    send_all(fd, head("Transfer-Encoding: chunked\r\n") + "2\r\nok\r\n0\r\nHTTP/1.1 404 Not Found\r\n\r\n");
  } else if (path == "/trailer-fold") {
    send_all(fd, head("Transfer-Encoding: chunked\r\n") +
                     "2\r\nok\r\n0\r\nX-T: a\r\n Location: /folded\r\nHTTP/1.1 302 Found\r\n\r\n");
  } else if (path == "/huge-content-length") {
    send_all(fd, head("Content-Length: 9223372036854775808\r\n") + "only a few bytes");
  } else if (path == "/early-hints-close") {
    send_all(fd, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n");
  } else if (path == "/close-after-redirect") {
    // Corked, the response and the FIN that shutdown() adds leave in one segment: the
    // client sees the connection closed as soon as it has read the response.
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof one);
    send_all(fd, "HTTP/1.1 302 Found\r\nLocation: /landing\r\nContent-Length: 0\r\n\r\n");
  } else if (path == "/drop-next-request") {
    // The connection looks alive when the response ends; the request sent on it next
    // finds it closed, and curl sends it again on a new connection (which needs addresses).
    send_all(fd, "HTTP/1.1 302 Found\r\nLocation: /landing\r\nContent-Length: 0\r\n\r\n");
    std::string next;
    char buf[4096];
    while (next.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      next.append(buf, static_cast<std::size_t>(n));
    }
  } else if (path == "/landing") {
    send_all(fd, head("Content-Length: 7\r\n") + "landed\n");
  } else if (path == "/slow") {
    const std::string response = head("Content-Length: 5\r\n") + "hello";
    for (char c : response) {
      if (!send_all(fd, std::string_view(&c, 1)) || !stop_.sleep_for(milliseconds(1000))) return;
    }
  } else if (path == "/silent") {
    wait_for_close(fd, stop_);
  } else if (path == "/huge-location") {
    send_all(fd, "HTTP/1.1 302 Found\r\nLocation: http://x.test/" + std::string(100'000 - 14, 'l') +
                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  } else if (path.rfind("/secret-location/", 0) == 0) {
    const std::string n = path.substr(std::string_view("/secret-location/").size());
    const std::size_t count = std::size(kSecretLocations);
    if (n.size() != 1 || n[0] < '0' || static_cast<std::size_t>(n[0] - '0') >= count) {
      send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    char location[256];
    std::snprintf(location, sizeof location, kSecretLocations[n[0] - '0'], port(FaultPort::kByPath));
    send_all(fd, std::string("HTTP/1.1 302 Found\r\nLocation: ") + location +
                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  } else if (path == "/upper-loop") {
    send_all(fd, "HTTP/1.1 302 Found\r\nLocation: http://FAULT.TEST:" + std::to_string(port(FaultPort::kByPath)) +
                     "/upper-loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  } else if (path == "/backslash") {
    send_all(fd, "HTTP/1.1 302 Found\r\nLocation: \\\\fault.test:" + std::to_string(port(FaultPort::kByPath)) +
                     "\\ok?q=a\\b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  } else if (path == "/ok") {
    send_all(fd, head("Content-Length: 2\r\nConnection: close\r\n") + "ok");
  } else if (path == "/evil-reason") {
    send_all(fd, "HTTP/1.1 200 \x1b[2J\x1b[31mpwned\x07\r\nContent-Type: \x1b]0;title\x07\r\n"
                 "Content-Length: 2\r\nConnection: close\r\n\r\nok");
  } else {
    send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }
}

}  // namespace pageload::lab
