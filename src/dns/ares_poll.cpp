#include "dns/ares_poll.h"

#include <poll.h>

#include <algorithm>

namespace pageload::dns {

void append_wait_fds(ares_channel channel, std::vector<WaitFd>& out) {
  ares_socket_t socks[ARES_GETSOCK_MAXNUM];
  const int bits = ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
  for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
    short events = 0;
    if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
    if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
    if (!events) break;
    out.push_back(WaitFd{socks[i], events, 0});
  }
}

std::optional<long> next_timeout_ms(ares_channel channel) {
  timeval tv{};
  if (!ares_timeout(channel, nullptr, &tv)) return std::nullopt;
  return static_cast<long>(tv.tv_sec) * 1000 + (tv.tv_usec + 999) / 1000;
}

void process_ready_fds(ares_channel channel, const std::vector<WaitFd>& ready) {
  std::vector<WaitFd> mine;
  append_wait_fds(channel, mine);
  for (const auto& w : ready) {
    if (!w.revents) continue;
    auto it = std::find_if(mine.begin(), mine.end(), [&](const WaitFd& m) { return m.fd == w.fd; });
    if (it == mine.end()) continue;  // not this channel's socket (or no longer one)
    const ares_socket_t rd = (w.revents & (POLLIN | POLLERR | POLLHUP)) ? w.fd : ARES_SOCKET_BAD;
    const ares_socket_t wr =
        (w.revents & (POLLOUT | POLLERR | POLLHUP)) && (it->events & POLLOUT) ? w.fd : ARES_SOCKET_BAD;
    ares_process_fd(channel, rd, wr);
  }
}

void process_timeouts(ares_channel channel) { ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD); }

}  // namespace pageload::dns
