#include "dns/wiretap.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>

namespace pageload::dns {
namespace {

bool try_again(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

// Keeps the system call's errno for c-ares across our bookkeeping.
class SavedErrno {
 public:
  SavedErrno() : err_(errno) {}
  ~SavedErrno() { errno = err_; }
  int value() const { return err_; }

 private:
  int err_;
};

}  // namespace

std::string endpoint_text(const sockaddr* addr) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr && addr->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (addr && addr->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "";
}

int Wiretap::open(int domain, int type, int protocol) {
  int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  SavedErrno keep;
  if (fd < 0) {
    if (events_.open_failed) events_.open_failed(keep.value());
    return fd;
  }
  if (type == SOCK_STREAM) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  sockets_[fd] = Socket{type == SOCK_STREAM, "", {}, {}};
  return fd;
}

int Wiretap::connect(int fd, const sockaddr* addr, socklen_t len) {
  int rc = ::connect(fd, addr, len);
  SavedErrno keep;
  if (auto it = sockets_.find(fd); it != sockets_.end()) it->second.server = endpoint_text(addr);
  return rc;
}

int Wiretap::close(int fd) {
  sockets_.erase(fd);
  return ::close(fd);
}

ssize_t Wiretap::sendv(int fd, const iovec* iov, int iovcnt) {
  ssize_t n = ::writev(fd, iov, iovcnt);
  auto it = sockets_.find(fd);
  if (it == sockets_.end()) return n;
  Socket& s = it->second;
  if (n < 0 && errno == ECONNREFUSED && !s.stream) {
    // A connected UDP socket reports the ICMP "port unreachable" of an earlier message
    // on the next call, here this send. c-ares 1.18 would blame the message being sent
    // and leave the one that drew the ICMP waiting out its whole timeout (5 s by default,
    // for one query of an A/AAAA pair). The error belongs to the server: report it for
    // the messages waiting on it, and send this one (the error is consumed); its own ICMP
    // then reaches c-ares on the next read, which moves all the server's queries on.
    if (events_.failed) events_.failed(s.server, ECONNREFUSED);
    n = ::writev(fd, iov, iovcnt);
  }
  SavedErrno keep;

  std::vector<uint8_t> bytes;  // what c-ares asked to send (UDP) or what went out (TCP)
  std::size_t limit = s.stream ? (n > 0 ? static_cast<std::size_t>(n) : 0) : SIZE_MAX;
  for (int i = 0; i < iovcnt && bytes.size() < limit; ++i) {
    auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
    std::size_t take = std::min(iov[i].iov_len, limit - bytes.size());
    bytes.insert(bytes.end(), p, p + take);
  }

  if (s.stream) {
    if (n > 0) {
      s.sent.insert(s.sent.end(), bytes.begin(), bytes.end());
      report_stream(s, s.sent, true);
    } else if (n < 0 && !try_again(keep.value()) && events_.failed) {
      events_.failed(s.server, keep.value());
    }
    return n;
  }
  auto message = parse_message(bytes.data(), bytes.size());
  if (!message) return n;
  if (n >= 0) {
    if (events_.sent) events_.sent(s.server, *message);
  } else if (!try_again(keep.value()) && events_.send_failed) {
    events_.send_failed(s.server, *message, keep.value());
  }
  return n;
}

ssize_t Wiretap::recvfrom(int fd, void* buf, std::size_t len, int flags, sockaddr* from, socklen_t* from_len) {
  ssize_t n = ::recvfrom(fd, buf, len, flags, from, from_len);
  SavedErrno keep;
  auto it = sockets_.find(fd);
  if (it == sockets_.end()) return n;
  Socket& s = it->second;
  if (n < 0) {
    if (!try_again(keep.value()) && events_.failed) events_.failed(s.server, keep.value());
    return n;
  }
  if (n == 0 && s.stream) {
    if (events_.failed) events_.failed(s.server, 0);
    return n;
  }
  auto* bytes = static_cast<const uint8_t*>(buf);
  if (s.stream) {
    s.received.insert(s.received.end(), bytes, bytes + n);
    report_stream(s, s.received, false);
    return n;
  }
  // c-ares drops a datagram from anyone but the server it asked; so do we.
  std::string peer = from ? endpoint_text(from) : s.server;
  if (peer != s.server) return n;
  if (auto message = parse_message(bytes, static_cast<std::size_t>(n)); message && events_.received)
    events_.received(s.server, *message);
  return n;
}

// TCP carries each message after a two-byte length (RFC 1035 4.2.2): report every whole
// one in `buffer` and keep the rest.
void Wiretap::report_stream(Socket& s, std::vector<uint8_t>& buffer, bool outgoing) {
  std::size_t at = 0;
  while (buffer.size() - at >= 2) {
    std::size_t size = static_cast<std::size_t>(buffer[at] << 8 | buffer[at + 1]);
    if (buffer.size() - at - 2 < size) break;
    if (auto message = parse_message(buffer.data() + at + 2, size)) {
      if (outgoing && events_.sent) events_.sent(s.server, *message);
      if (!outgoing && events_.received) events_.received(s.server, *message);
    }
    at += 2 + size;
  }
  buffer.erase(buffer.begin(), buffer.begin() + static_cast<long>(at));
}

}  // namespace pageload::dns
