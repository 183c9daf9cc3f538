#include "transfer/sockets.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/clock.h"
#include "transfer/exchange.h"

namespace pageload::transfer::detail {

namespace {

// Why a connection closed, from what the socket and its exchanges said; the first that
// applies wins.
CloseReason close_reason(PeerState peer, bool close_requested, bool pool_closing, bool forbid_reuse) {
  if (peer == PeerState::kReset) return CloseReason::kReset;
  if (close_requested) return CloseReason::kConnectionClose;
  if (peer == PeerState::kClosed) return CloseReason::kServerClosed;
  if (pool_closing) return CloseReason::kEndOfPage;
  if (forbid_reuse) return CloseReason::kNoKeepalive;
  return CloseReason::kOther;
}

}  // namespace

PeerState peer_state(curl_socket_t fd) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return PeerState::kOpen;
  // Linux reports POLLHUP once the connection is closed in both directions: a reset (we
  // never shut our side down), or an error pending.
  if (p.revents & (POLLERR | POLLHUP)) return PeerState::kReset;
  if (p.revents & POLLRDHUP) return PeerState::kClosed;  // the server's FIN arrived
  return PeerState::kOpen;
}

namespace {

// The socket's inode number, 0 when `fd` is not open.
unsigned long inode_of(curl_socket_t fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? static_cast<unsigned long>(st.st_ino) : 0;
}

}  // namespace

void SocketRegistry::opened(curl_socket_t fd, PoolId pool, std::string origin, bool forbid_reuse) {
  Entry entry;
  entry.pool = pool;
  entry.origin = std::move(origin);
  entry.forbid_reuse = forbid_reuse;
  entry.inode = inode_of(fd);
  // The number is free again, so the socket that had it was closed without the callback
  // (sweep()) before its exchange ended: its end is recorded now, as near as pageload knows.
  if (auto it = sockets_.find(fd); it != sockets_.end()) {
    const Entry gone = std::move(it->second);
    sockets_.erase(it);
    record_end(gone, gone.ends, PeerState::kOpen, mono_now_us());
  }
  sockets_[fd] = std::move(entry);
}

void SocketRegistry::begin_closing_pool(PoolId pool) {
  closing_pool_ = pool;
  for (auto& [fd, entry] : sockets_)
    if (entry.pool == pool) entry.peer_closed_first = peer_state(fd) != PeerState::kOpen;
}

void SocketRegistry::note_connected(curl_socket_t fd) {
  auto it = sockets_.find(fd);
  if (it == sockets_.end()) return;
  if (auto ends = socket_ends(fd)) it->second.ends = std::move(ends);
}

void SocketRegistry::closed(curl_socket_t fd, int64_t now_us) {
  auto it = sockets_.find(fd);
  if (it == sockets_.end()) return;
  const Entry entry = std::move(it->second);
  sockets_.erase(it);
  // A reset socket has lost its peer: its ends are the ones kept while it was connected.
  std::optional<ConnectionId> ends = socket_ends(fd);
  if (!ends) ends = entry.ends;
  record_end(entry, std::move(ends), peer_state(fd), now_us);
}

void SocketRegistry::sweep(curl_socket_t fd, int64_t now_us) {
  auto it = sockets_.find(fd);
  if (it == sockets_.end()) return;
  const unsigned long inode = inode_of(fd);
  if (inode != 0 && inode == it->second.inode) return;  // still the socket it was
  const Entry entry = std::move(it->second);
  sockets_.erase(it);
  // Gone before pageload could look at its peer: curl gave up on it, so pageload closed it.
  record_end(entry, entry.ends, PeerState::kOpen, now_us);
}

void SocketRegistry::record_end(const Entry& entry, std::optional<ConnectionId> ends, PeerState peer,
                                int64_t now_us) {
  if (!ends) return;  // an attempt that never connected
  // Closed with its pool, and the server's end came only after pageload began to close it
  // (its answer to curl's close_notify): pageload closed first.
  // So too a --no-keepalive connection the server had not closed when its response's
  // last bytes were handed over (note_peer_before_close), when what came since is a FIN: a
  // reset (the server's, mid-response) stays the server's.
  if (!entry.peer_closed_first &&
      (closing_pool_ == entry.pool || (entry.peer_noted && peer == PeerState::kClosed)))
    peer = PeerState::kOpen;
  ConnectionEnd end;
  end.id = *ends;
  end.closed_us = now_us;
  end.by = peer == PeerState::kOpen ? ClosedBy::kPageload : ClosedBy::kServer;
  end.reason = close_reason(peer, entry.close_requested, closing_pool_ == entry.pool || entry.cut_short,
                            entry.forbid_reuse);
  auto& pool = ends_[entry.pool];
  pool.ends.push_back(std::move(end));
  if (pool.ends.size() > kMaxUntakenEnds) pool.ends.erase(pool.ends.begin());
}

void SocketRegistry::set_multiplexed(curl_socket_t fd) {
  if (auto it = sockets_.find(fd); it != sockets_.end()) it->second.multiplexed = true;
}

void SocketRegistry::set_close_requested(const ConnectionId& id) {
  for (auto& [fd, entry] : sockets_)
    if (socket_ends(fd) == id) entry.close_requested = true;
}

void SocketRegistry::note_peer_before_close(const ConnectionId& id) {
  for (auto& [fd, entry] : sockets_)
    if (entry.forbid_reuse && socket_ends(fd) == id) {
      entry.peer_noted = true;
      entry.peer_closed_first = peer_state(fd) != PeerState::kOpen;
    }
}

void SocketRegistry::cut_short(PoolId pool, const ConnectionId& id) {
  for (auto& [fd, entry] : sockets_)
    if (entry.pool == pool && (entry.ends == id || socket_ends(fd) == id)) entry.cut_short = true;
  if (auto it = ends_.find(pool); it != ends_.end())
    for (auto& end : it->second.ends)
      if (end.id == id && end.reason == CloseReason::kOther) end.reason = CloseReason::kEndOfPage;
}

void SocketRegistry::end_closing_pool(PoolId pool) {
  // What curl closed without the callback (sweep()) is closed by now too.
  const int64_t now = mono_now_us();
  std::vector<curl_socket_t> of_pool;
  for (const auto& [fd, entry] : sockets_)
    if (entry.pool == pool) of_pool.push_back(fd);
  for (const curl_socket_t fd : of_pool) sweep(fd, now);
  closing_pool_.reset();
  if (auto it = ends_.find(pool); it != ends_.end()) it->second.closed = true;
}

std::vector<ConnectionEnd> SocketRegistry::take_ends(PoolId pool,
                                                     const std::function<bool(const ConnectionId&)>& wanted) {
  auto it = ends_.find(pool);
  if (it == ends_.end()) return {};
  std::vector<ConnectionEnd> taken, kept;
  for (auto& end : it->second.ends) (wanted(end.id) ? taken : kept).push_back(std::move(end));
  if (it->second.closed)
    ends_.erase(it);
  else
    it->second.ends = std::move(kept);
  return taken;
}

bool SocketRegistry::has_live(PoolId pool, const std::string& origin, bool multiplexed_only) const {
  for (const auto& [fd, entry] : sockets_) {
    if (entry.pool != pool || entry.origin != origin) continue;
    if (multiplexed_only && !entry.multiplexed) continue;
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
  static_cast<SocketRegistry*>(registry)->closed(fd, mono_now_us());
  return ::close(fd);
}

}  // namespace pageload::transfer::detail
