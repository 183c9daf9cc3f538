// A plain blocking TCP client for tests that must send bytes no HTTP client would.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace pageload::lab::testing {

class RawSocket {
 public:
  // Connects to `address` (an IPv4 or IPv6 literal) at `port`.
  explicit RawSocket(int port, const std::string& address = "127.0.0.1") {
    sockaddr_in a4{};
    sockaddr_in6 a6{};
    if (inet_pton(AF_INET6, address.c_str(), &a6.sin6_addr) == 1) {
      fd_ = ::socket(AF_INET6, SOCK_STREAM, 0);
      a6.sin6_family = AF_INET6;
      a6.sin6_port = htons(static_cast<uint16_t>(port));
      connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a6), sizeof a6) == 0;
    } else {
      fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
      a4.sin_family = AF_INET;
      a4.sin_port = htons(static_cast<uint16_t>(port));
      inet_pton(AF_INET, address.c_str(), &a4.sin_addr);
      connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a4), sizeof a4) == 0;
    }
  }
  ~RawSocket() { ::close(fd_); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }
  bool send_all(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads until the peer closes, an error, or `timeout` passes.
  std::string read_all(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        last_error_ = n < 0 ? errno : 0;
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  bool closed() const { return closed_; }
  int last_error() const { return last_error_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  int last_error_ = 0;
};

}  // namespace pageload::lab::testing
