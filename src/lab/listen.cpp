#include "lab/listen.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace pageload::lab {
namespace {

// Ephemeral ports tried before giving up on finding one free on both addresses.
constexpr int kPortTries = 16;

struct Address {
  sockaddr_storage ss{};
  socklen_t len = 0;
};

std::optional<Address> parse(const std::string& text, int port) {
  Address a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.ss);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    a.len = sizeof *v4;
  } else if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    a.len = sizeof *v6;
  } else {
    return std::nullopt;
  }
  return a;
}

// A listening socket, or the errno that stopped it.
struct Attempt {
  UniqueFd fd;
  int error = 0;
};

Attempt try_listen(const Address& a, int backlog) {
  Attempt out;
  UniqueFd fd(::socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  if (!fd.valid() ||
      (a.ss.ss_family == AF_INET6 && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
      ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a.ss), a.len) != 0 || ::listen(fd.get(), backlog) != 0) {
    out.error = errno;
    return out;
  }
  out.fd = std::move(fd);
  return out;
}

void set_port(Address& a, int port) {
  if (a.ss.ss_family == AF_INET6)
    reinterpret_cast<sockaddr_in6*>(&a.ss)->sin6_port = htons(static_cast<uint16_t>(port));
  else
    reinterpret_cast<sockaddr_in*>(&a.ss)->sin_port = htons(static_cast<uint16_t>(port));
}

std::string where(const std::string& address, int port) {
  bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

int bound_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

StatusOr<Listeners> listen_pair(const std::string& bind, const std::string& also, int port, int backlog) {
  if (port < 0 || port > 65535) return Status(Code::kUsage, "lab: bad port " + std::to_string(port));
  auto primary = parse(bind, port);
  if (!primary) return Status(Code::kUsage, "lab: bad bind address " + bind);
  std::optional<Address> second;
  if (!also.empty()) {
    second = parse(also, port);
    if (!second) return Status(Code::kUsage, "lab: bad bind address " + also);
  }

  for (int attempt = 0;; ++attempt) {
    Attempt first = try_listen(*primary, backlog);
    if (!first.fd.valid())
      return Status(Code::kConnectError,
                    "lab: cannot listen on " + where(bind, port) + ": " + std::strerror(first.error));
    Listeners out;
    out.port = bound_port(first.fd.get());
    out.primary = std::move(first.fd);
    if (!second) return out;

    set_port(*second, out.port);
    Attempt other = try_listen(*second, backlog);
    if (other.fd.valid()) {
      out.secondary = std::move(other.fd);
      return out;
    }
    if (other.error == EADDRINUSE) {
      // Someone else has this port on the second address. An ephemeral port is ours to
      // choose again; a port the user gave is not.
      if (port == 0 && attempt + 1 < kPortTries) continue;
      return Status(Code::kConnectError,
                    "lab: cannot listen on " + where(also, out.port) + ": " + std::strerror(other.error));
    }
    // EADDRNOTAVAIL (no such address here), EAFNOSUPPORT (no IPv6 at all) and the like:
    // the machine cannot offer this address, so the server runs without it.
    out.unavailable = "cannot listen on " + where(also, out.port) + ": " + std::strerror(other.error);
    return out;
  }
}

}  // namespace pageload::lab
