#include "transfer/sockets.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transfer/exchange.h"

namespace pageload::transfer::detail {

void SocketRegistry::opened(curl_socket_t fd, PoolId pool, std::string origin) {
  sockets_[fd] = Entry{pool, std::move(origin), false};
}

void SocketRegistry::closed(curl_socket_t fd) { sockets_.erase(fd); }

void SocketRegistry::set_multiplexed(curl_socket_t fd) {
  if (auto it = sockets_.find(fd); it != sockets_.end()) it->second.multiplexed = true;
}

bool SocketRegistry::has_live(PoolId pool, const std::string& origin) const {
  for (const auto& [fd, entry] : sockets_) {
    if (entry.pool != pool || entry.origin != origin) continue;
    if (!socket_ends(fd)) continue;  // still connecting (another exchange's), or failed
    pollfd p{fd, POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) < 0) continue;
    if (p.revents & (POLLERR | POLLHUP | POLLRDHUP | POLLNVAL)) continue;
    if (!(p.revents & POLLIN)) return true;
    char byte = 0;
    ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0 && entry.multiplexed) return true;
  }
  return false;
}

int close_socket(void* registry, curl_socket_t fd) {
  static_cast<SocketRegistry*>(registry)->closed(fd);
  return ::close(fd);
}

}  // namespace pageload::transfer::detail
