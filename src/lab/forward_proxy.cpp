#include "lab/forward_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "lab/listen.h"
#include "lab/stream.h"

namespace pageload::lab {
namespace {

constexpr std::size_t kMaxHead = 16 * 1024;
constexpr int kPollMs = 100;  // how often a relay looks at the stop flag

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

// Reads up to the end of the request head; `rest` gets any bytes after it.
std::optional<std::string> read_head(int fd, std::string& rest) {
  std::string buf;
  char chunk[4096];
  while (buf.size() < kMaxHead) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return std::nullopt;
    buf.append(chunk, static_cast<std::size_t>(n));
    if (auto end = buf.find("\r\n\r\n"); end != std::string::npos) {
      rest = buf.substr(end + 4);
      buf.resize(end + 4);
      return buf;
    }
  }
  return std::nullopt;
}

void answer(int fd, int status, std::string_view reason, std::string_view why) {
  std::string body = std::string(why) + "\n";
  send_all(fd, "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                   "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
                   "\r\nConnection: close\r\n\r\n" + body);
}

struct Target {
  std::string host;  // no brackets
  int port = 0;
};

// "host:port", "[v6]:port"; `default_port` when none is given.
std::optional<Target> parse_authority(std::string_view a, int default_port) {
  Target t;
  if (!a.empty() && a.front() == '[') {
    const auto close = a.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    t.host = std::string(a.substr(1, close - 1));
    a.remove_prefix(close + 1);
    if (a.empty()) {
      t.port = default_port;
      return t;
    }
    if (a.front() != ':') return std::nullopt;
    a.remove_prefix(1);
  } else {
    const auto colon = a.rfind(':');
    t.host = std::string(a.substr(0, colon));
    if (colon == std::string_view::npos) {
      t.port = default_port;
      return t.host.empty() ? std::nullopt : std::optional<Target>(t);
    }
    a.remove_prefix(colon + 1);
  }
  t.port = std::atoi(std::string(a).c_str());
  if (t.host.empty() || t.port <= 0 || t.port > 65535) return std::nullopt;
  t.host = lower(t.host);
  return t;
}

// The value of the field `name` (lower case) in a request head, trimmed; "" when absent.
std::string field_value(std::string_view head, std::string_view name) {
  std::size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const std::size_t start = at + 2;
    const std::size_t end = head.find("\r\n", start);
    const std::string_view field = head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const auto colon = field.find(':');
    if (colon != std::string_view::npos && lower(std::string(field.substr(0, colon))) == name) {
      std::string_view v = field.substr(colon + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      return std::string(v);
    }
    at = end;
  }
  return {};
}

// "Basic base64(credentials)", as a client sends them.
std::string basic(const std::string& credentials) {
  std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                reinterpret_cast<const unsigned char*>(credentials.data()),
                                static_cast<int>(credentials.size()));
  encoded.resize(static_cast<std::size_t>(n));
  return "Basic " + encoded;
}

// The lab's answer for a name, as its DNS gives it: an address, or why there is none.
struct Resolved {
  std::string address;
  int status = 0;  // 0: resolved; else the status to answer with
  std::string why;
};

Resolved resolve(const std::string& host) {
  unsigned char scratch[16];
  if (inet_pton(AF_INET, host.c_str(), scratch) == 1) {
    if (scratch[0] == 127) return {host, 0, {}};
    return {{}, 403, "the lab's proxy reaches loopback only, not " + host};
  }
  if (inet_pton(AF_INET6, host.c_str(), scratch) == 1) {
    if (host == "::1") return {host, 0, {}};
    return {{}, 403, "the lab's proxy reaches loopback only, not " + host};
  }
  if (host == "localhost") return {"127.0.0.1", 0, {}};
  if (!ends_with(host, ".test")) return {{}, 403, "the lab's proxy reaches *.test names only, not " + host};
  for (std::string_view dead : {"nxdomain.test", "servfail.test", "refused.test", "empty.test", "silent.test",
                                "malformed.test", "truncated.test"})
    if (host == dead || ends_with(host, "." + std::string(dead)))
      return {{}, 502, "the proxy could not resolve " + host};
  if (host == "v6.test") return {"::1", 0, {}};
  return {"127.0.0.1", 0, {}};
}

// N of a label `tunnel-delay-N` in `host`, else 0.
int tunnel_delay_ms(const std::string& host) {
  constexpr std::string_view kLabel = "tunnel-delay-";
  const auto at = host.find(kLabel);
  if (at != 0 && (at == std::string::npos || host[at - 1] != '.')) return 0;
  return std::min(std::atoi(host.c_str() + at + kLabel.size()), 10000);
}

// A connected socket to `address`:`port`, or -1 with errno set.
int connect_to(const std::string& address, int port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (address.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, address.c_str(), &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, address.c_str(), &a->sin_addr);
    len = sizeof *a;
  }
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Copies bytes both ways until either side closes or the lab stops.
void relay(int a, int b, const StopFlag& stop) {
  char buf[16384];
  pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  while (!stop.raised()) {
    const int r = ::poll(fds, 2, kPollMs);
    if (r < 0 && errno != EINTR) return;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      if (!send_all(fds[1 - i].fd, std::string_view(buf, static_cast<std::size_t>(n)))) return;
    }
  }
}

}  // namespace

StatusOr<std::unique_ptr<ForwardProxy>> ForwardProxy::start(const std::string& bind, const std::string& credentials) {
  auto l = listen_pair(bind, "", 0);
  if (!l.ok()) return l.status();
  std::unique_ptr<ForwardProxy> p(new ForwardProxy());
  if (!credentials.empty()) p->authorization_ = basic(credentials);
  p->listener_ = std::move(l->primary);
  p->port_ = l->port;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Status(Code::kConnectError, "lab: forward proxy: pipe failed");
  p->wake_[0].reset(pipe_fds[0]);
  p->wake_[1].reset(pipe_fds[1]);
  p->accept_thread_ = std::thread([raw = p.get()] { raw->accept_loop(); });
  return p;
}

ForwardProxy::~ForwardProxy() { stop(); }

void ForwardProxy::stop() {
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

void ForwardProxy::accept_loop() {
  pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_[0].get(), POLLIN, 0}};
  while (!stop_.raised()) {
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents || stop_.raised()) break;
    if (!(fds[0].revents & POLLIN)) continue;
    const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connections_.spawn(UniqueFd(fd), [this](int client) {
      serve(client);
      return ConnectionThreads::Close::kGraceful;
    });
  }
}

void ForwardProxy::serve(int fd) {
  std::string rest;
  auto head = read_head(fd, rest);
  if (!head) return;
  const auto line_end = head->find("\r\n");
  const std::string line = head->substr(0, line_end);
  const auto sp1 = line.find(' ');
  const auto sp2 = line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) return answer(fd, 400, "Bad Request", "not HTTP");
  const std::string method = line.substr(0, sp1);
  const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!authorization_.empty() && field_value(*head, "proxy-authorization") != authorization_) {
    ++refused_auth_;
    std::string body = "this proxy needs a user and password (Proxy-Authorization: Basic)\n";
    send_all(fd, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"pageload lab\"\r\n"
                 "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
                 "\r\nConnection: close\r\n\r\n" + body);
    return;
  }
  if (method == "CONNECT") return tunnel(fd, target);
  if (target.rfind("http://", 0) == 0) return forward(fd, method, target, head->substr(line_end + 2) + rest);
  answer(fd, 400, "Bad Request", "a proxy takes CONNECT or a request in absolute form (http://...)");
}

void ForwardProxy::tunnel(int client, const std::string& authority) {
  auto t = parse_authority(authority, 443);
  if (!t) return answer(client, 400, "Bad Request", "CONNECT needs host:port");
  if (t->host == "tunnel-refused.test") return answer(client, 403, "Forbidden", "this proxy refuses that tunnel");
  const Resolved r = resolve(t->host);
  if (r.status == 403) return answer(client, 403, "Forbidden", r.why);
  if (r.status) return answer(client, r.status, "Bad Gateway", r.why);
  if (int ms = tunnel_delay_ms(t->host); ms > 0 && !stop_.sleep_for(std::chrono::milliseconds(ms))) return;
  UniqueFd upstream(connect_to(r.address, t->port));
  if (!upstream.valid())
    return answer(client, 502, "Bad Gateway", "cannot connect to " + authority + ": " + std::strerror(errno));
  ++tunnels_;
  if (!send_all(client, "HTTP/1.1 200 Connection established\r\n\r\n")) return;
  relay(client, upstream.get(), stop_);
}

void ForwardProxy::forward(int client, const std::string& method, const std::string& url, const std::string& rest) {
  const std::string_view after_scheme = std::string_view(url).substr(7);
  const auto slash = after_scheme.find('/');
  auto t = parse_authority(after_scheme.substr(0, slash), 80);
  if (!t) return answer(client, 400, "Bad Request", "no host in " + url);
  const Resolved r = resolve(t->host);
  if (r.status == 403) return answer(client, 403, "Forbidden", r.why);
  if (r.status) return answer(client, r.status, "Bad Gateway", r.why);
  UniqueFd upstream(connect_to(r.address, t->port));
  if (!upstream.valid())
    return answer(client, 502, "Bad Gateway", "cannot connect to " + url + ": " + std::strerror(errno));
  // The request in origin form, without the hop-by-hop fields, asking the origin to close:
  // the answer is relayed until it does.
  std::string out = method + " " + (slash == std::string_view::npos ? "/" : std::string(after_scheme.substr(slash))) +
                    " HTTP/1.1\r\n";
  std::string_view fields(rest);
  const auto head_end = fields.find("\r\n\r\n");
  std::string_view body = head_end == std::string_view::npos ? std::string_view() : fields.substr(head_end + 4);
  fields = fields.substr(0, head_end == std::string_view::npos ? fields.size() : head_end + 2);
  while (!fields.empty()) {
    const auto eol = fields.find("\r\n");
    const std::string_view field = fields.substr(0, eol);
    fields.remove_prefix(eol == std::string_view::npos ? fields.size() : eol + 2);
    const std::string name = lower(std::string(field.substr(0, field.find(':'))));
    if (name.empty() || name == "proxy-connection" || name == "proxy-authorization" || name == "connection" ||
        name == "keep-alive")
      continue;
    out.append(field).append("\r\n");
  }
  out += "Connection: close\r\n\r\n";
  out.append(body);
  ++forwarded_;
  if (!send_all(upstream.get(), out)) return;
  relay(client, upstream.get(), stop_);
}

}  // namespace pageload::lab
