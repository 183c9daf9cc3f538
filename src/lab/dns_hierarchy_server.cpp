#include "lab/dns_hierarchy_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <queue>

#include "core/clock.h"
#include "lab/dns_hierarchy.h"
#include "lab/listen.h"

namespace pageload::lab {
namespace {

constexpr int kPortTries = 16;   // ephemeral ports tried for one free on every address
constexpr int kBurst = 64;       // datagrams read from one socket before looking around

struct Late {
  int64_t due_us;
  uint64_t seq;  // keeps replies due at the same time in arrival order
  int fd;
  std::vector<uint8_t> bytes;
  sockaddr_storage peer;
  socklen_t peer_len;
  bool operator>(const Late& o) const { return due_us != o.due_us ? due_us > o.due_us : seq > o.seq; }
};

// A UDP socket bound to address:port, or -1 with errno set.
int bind_udp(const std::string& address, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) {
    errno = EINVAL;
    return -1;
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

}  // namespace

StatusOr<std::unique_ptr<DnsHierarchyServer>> DnsHierarchyServer::start(int port) {
  if (port < 0 || port > 65535) return Status(Code::kUsage, "bad port " + std::to_string(port));
  for (int attempt = 0;; ++attempt) {
    std::vector<Socket> sockets;
    int chosen = port;
    bool taken = false;
    for (const auto& server : hierarchy_servers()) {
      if (!server.listens) continue;
      const std::string address(server.address);
      int fd = bind_udp(address, chosen);
      if (fd < 0) {
        if (errno == EADDRINUSE) {
          taken = true;
          break;
        }
        return Status(Code::kInternal, "DNS hierarchy: bind " + address + ":" + std::to_string(chosen) + ": " +
                                           std::strerror(errno));
      }
      if (chosen == 0) chosen = bound_port(fd);
      sockets.push_back(Socket{UniqueFd(fd), address});
    }
    if (taken) {
      if (port == 0 && attempt + 1 < kPortTries) continue;
      return Status(Code::kConnectError, "DNS hierarchy: port " + std::to_string(chosen) +
                                             " is taken on one of its addresses (127.0.0.53-64)");
    }
    int wake[2];
    if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0)
      return Status(Code::kInternal, std::string("DNS hierarchy: pipe: ") + std::strerror(errno));
    std::unique_ptr<DnsHierarchyServer> server(new DnsHierarchyServer(std::move(sockets), chosen, wake[0], wake[1]));
    server->thread_ = std::thread([s = server.get()] { s->serve(); });
    return server;
  }
}

DnsHierarchyServer::DnsHierarchyServer(std::vector<Socket> sockets, int port, int wake_read, int wake_write)
    : sockets_(std::move(sockets)), port_(port), wake_read_(wake_read), wake_write_(wake_write) {}

DnsHierarchyServer::~DnsHierarchyServer() {
  char byte = 1;
  while (write(wake_write_.get(), &byte, 1) < 0 && errno == EINTR) {
  }
  if (thread_.joinable()) thread_.join();
}

std::string DnsHierarchyServer::root() const { return std::string(kHierarchyRoot) + ":" + std::to_string(port_); }

void DnsHierarchyServer::serve() {
  std::priority_queue<Late, std::vector<Late>, std::greater<>> late;
  uint64_t seq = 0;
  uint8_t buf[65536];
  std::vector<pollfd> fds;
  for (const auto& s : sockets_) fds.push_back(pollfd{s.fd.get(), POLLIN, 0});
  fds.push_back(pollfd{wake_read_.get(), POLLIN, 0});
  for (;;) {
    int timeout = -1;
    if (!late.empty()) {
      int64_t wait_us = late.top().due_us - mono_now_us();
      timeout = wait_us <= 0 ? 0 : static_cast<int>((wait_us + 999) / 1000);
    }
    for (auto& p : fds) p.revents = 0;
    if (poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) return;
    if (fds.back().revents) return;  // asked to stop

    for (std::size_t i = 0; i < sockets_.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      const int fd = sockets_[i].fd.get();
      for (int n = 0; n < kBurst; ++n) {
        Late l{};
        l.peer_len = sizeof l.peer;
        ssize_t got = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&l.peer), &l.peer_len);
        if (got < 0) break;
        queries_.fetch_add(1);
        DnsOutgoing out = hierarchy_reply(sockets_[i].address, buf, static_cast<std::size_t>(got));
        if (!out.bytes) continue;
        if (out.delay_ms == 0) {
          // Best effort, as a UDP server is: a lost reply is the client's timeout to handle.
          (void)sendto(fd, out.bytes->data(), out.bytes->size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&l.peer),
                       l.peer_len);
          continue;
        }
        l.due_us = mono_now_us() + int64_t{out.delay_ms} * 1000;
        l.seq = seq++;
        l.fd = fd;
        l.bytes = std::move(*out.bytes);
        late.push(std::move(l));
      }
    }

    const int64_t now = mono_now_us();
    while (!late.empty() && late.top().due_us <= now) {
      const Late& l = late.top();
      (void)sendto(l.fd, l.bytes.data(), l.bytes.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&l.peer),
                   l.peer_len);
      late.pop();
    }
  }
}

}  // namespace pageload::lab
