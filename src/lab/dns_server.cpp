// The lab DNS server's sockets: UDP with a timer queue for delayed replies, and DNS over
// TCP for what does not fit a datagram. The replies themselves come from dns_query.h.
#include "lab/dns_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <queue>
#include <vector>

#include "core/clock.h"
#include "lab/dns_query.h"
#include "lab/listen.h"

namespace pageload::lab {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr int kPortTries = 16;  // ephemeral ports tried for one free over UDP and TCP

struct Pending {
  int64_t due_us;
  uint64_t seq;  // keeps replies with the same due time in arrival order
  Bytes bytes;
  sockaddr_storage peer;
  socklen_t peer_len;
  bool operator>(const Pending& o) const {
    return due_us != o.due_us ? due_us > o.due_us : seq > o.seq;
  }
};

void send_to(int fd, const Bytes& bytes, const sockaddr_storage& peer, socklen_t len) {
  // Best effort, as a UDP server is: a lost reply is the client's timeout to handle.
  (void)sendto(fd, bytes.data(), bytes.size(), MSG_DONTWAIT,
               reinterpret_cast<const sockaddr*>(&peer), len);
}

// Reads exactly `size` bytes. False at end of stream, on error or on the idle timeout.
bool read_exact(int fd, uint8_t* out, std::size_t size) {
  while (size > 0) {
    ssize_t n = recv(fd, out, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool write_all(int fd, const Bytes& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

StatusOr<std::unique_ptr<DnsServer>> DnsServer::start(const std::string& bind_addr, int port) {
  if (port < 0 || port > 65535) return Status(Code::kUsage, "bad port " + std::to_string(port));
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, bind_addr.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, bind_addr.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    len = sizeof *v6;
  } else {
    return Status(Code::kUsage, "not a numeric address: " + bind_addr);
  }

  auto fail = [&](const char* what, int fd) {
    std::string message = std::string(what) + " " + bind_addr + ":" + std::to_string(port) +
                          ": " + std::strerror(errno);
    if (fd >= 0) close(fd);
    return Status(Code::kInternal, message);
  };
  // UDP first, then TCP on the same port number: clients retry a truncated answer over
  // TCP at the address they asked. An ephemeral port taken for TCP is chosen again.
  for (int attempt = 0;; ++attempt) {
    if (ss.ss_family == AF_INET)
      v4->sin_port = htons(static_cast<uint16_t>(port));
    else
      v6->sin6_port = htons(static_cast<uint16_t>(port));
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail("socket", -1);
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) return fail("bind", fd);
    int bound = bound_port(fd);
    if (bound == 0) return fail("getsockname", fd);

    auto tcp = listen_pair(bind_addr, "", bound);
    if (!tcp.ok()) {
      close(fd);
      if (port == 0 && attempt + 1 < kPortTries) continue;
      return Status(Code::kInternal, tcp.status().message());
    }
    // Non-blocking, so that a connection reset between poll() and accept() cannot stall
    // the loop that also serves UDP.
    int flags = fcntl(tcp->primary.get(), F_GETFL);
    if (flags < 0 || fcntl(tcp->primary.get(), F_SETFL, flags | O_NONBLOCK) != 0) return fail("fcntl", fd);
    int wake[2];
    if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0) return fail("pipe", fd);

    std::unique_ptr<DnsServer> server(
        new DnsServer(fd, std::move(tcp->primary), wake[0], wake[1], bind_addr, bound));
    server->thread_ = std::thread([s = server.get()] { s->serve(); });
    return server;
  }
}

DnsServer::DnsServer(int fd, UniqueFd tcp, int wake_read, int wake_write, std::string host, int port)
    : fd_(fd),
      tcp_listener_(std::move(tcp)),
      wake_read_(wake_read),
      wake_write_(wake_write),
      host_(std::move(host)),
      port_(port) {}

DnsServer::~DnsServer() {
  stop_.raise();
  char byte = 1;
  while (write(wake_write_, &byte, 1) < 0 && errno == EINTR) {
  }
  if (thread_.joinable()) thread_.join();
  tcp_threads_.stop_all();
  close(fd_);
  close(wake_read_);
  close(wake_write_);
}

std::string DnsServer::address() const {
  bool v6 = host_.find(':') != std::string::npos;
  return (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

ConnectionThreads::Close DnsServer::serve_tcp(int fd) {
  Bytes message;
  for (;;) {
    uint8_t length[2];
    if (!read_exact(fd, length, 2)) break;
    message.resize(static_cast<std::size_t>(length[0] << 8 | length[1]));
    if (!read_exact(fd, message.data(), message.size())) break;
    queries_.fetch_add(1);
    DnsOutgoing out = dns_reply_to(message.data(), message.size(), DnsTransport::kTcp);
    if (!out.bytes) continue;  // silent.test and dropped garbage: wait for the next query
    if (out.delay_ms > 0 && !stop_.sleep_for(std::chrono::milliseconds(out.delay_ms))) break;
    Bytes framed{static_cast<uint8_t>(out.bytes->size() >> 8), static_cast<uint8_t>(out.bytes->size())};
    framed.insert(framed.end(), out.bytes->begin(), out.bytes->end());
    if (!write_all(fd, framed)) break;
  }
  return ConnectionThreads::Close::kGraceful;
}

void DnsServer::serve() {
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> timers;
  uint64_t seq = 0;
  uint8_t buf[65536];
  for (;;) {
    int timeout = -1;
    if (!timers.empty()) {
      int64_t wait_us = timers.top().due_us - mono_now_us();
      timeout = wait_us <= 0 ? 0 : static_cast<int>((wait_us + 999) / 1000);
    }
    pollfd fds[3] = {{fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}, {tcp_listener_.get(), POLLIN, 0}};
    int n = poll(fds, 3, timeout);
    if (n < 0 && errno != EINTR) return;
    if (fds[1].revents) return;  // asked to stop

    if (fds[2].revents & POLLIN) {
      int client = accept4(tcp_listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (client >= 0) {
        tcp_connections_.fetch_add(1);
        timeval idle{10, 0};  // a client that sends nothing more does not keep a thread
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
        timeval send_limit{10, 0};
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &send_limit, sizeof send_limit);
        tcp_threads_.spawn(UniqueFd(client), [this](int c) { return serve_tcp(c); });
      }
    }

    if (fds[0].revents & POLLIN) {
      for (int i = 0; i < 64; ++i) {  // drain a burst, then look at the timers again
        Pending p{};
        p.peer_len = sizeof p.peer;
        ssize_t got = recvfrom(fd_, buf, sizeof buf, MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&p.peer), &p.peer_len);
        if (got < 0) break;
        queries_.fetch_add(1);
        DnsOutgoing out = dns_reply_to(buf, static_cast<std::size_t>(got), DnsTransport::kUdp);
        if (!out.bytes) continue;
        if (out.delay_ms == 0) {
          send_to(fd_, *out.bytes, p.peer, p.peer_len);
          continue;
        }
        p.due_us = mono_now_us() + int64_t{out.delay_ms} * 1000;
        p.seq = seq++;
        p.bytes = std::move(*out.bytes);
        timers.push(std::move(p));
      }
    }

    int64_t now = mono_now_us();
    while (!timers.empty() && timers.top().due_us <= now) {
      const Pending& p = timers.top();
      send_to(fd_, p.bytes, p.peer, p.peer_len);
      timers.pop();
    }
  }
}

}  // namespace pageload::lab
