// The sockets curl holds, by pool and origin, so the driver can tell whether a pool still
// has a live connection to an origin: curl keeps its connection cache to itself, and
// whether a connection will be reused decides whether a request needs DNS. Filled from
// curl's open- and close-socket callbacks. Internal to the transfer module.
#pragma once

#include <curl/curl.h>

#include <functional>
#include <map>
#include <optional>
#include <vector>
#include <string>

#include "transfer/transfer.h"

namespace pageload::transfer::detail {

// What the server had done to a connected socket, seen without reading from it.
enum class PeerState { kOpen, kClosed, kReset };
PeerState peer_state(curl_socket_t fd);

class SocketRegistry {
 public:
  // `forbid_reuse`: the exchange asked curl to close the connection after it (--no-keepalive).
  void opened(curl_socket_t fd, PoolId pool, std::string origin, bool forbid_reuse = false);
  // Forgets `fd` and, when it was connected, records how the connection ended, stamped at
  // `now_us`: before the socket is closed, so its ends and the peer's FIN can still be read.
  void closed(curl_socket_t fd, int64_t now_us);
  // `fd` as pageload last knew it is gone: closed without the close-socket callback, or
  // closed so and its number since reused. curl 7.88 closes a socket it has not yet made
  // its connection's own without calling CURLOPT_CLOSESOCKETFUNCTION (curl PR #11439,
  // fixed in 8.2): an exchange ended (the page's --max-time, Ctrl-C) just as its TCP
  // connect completed. The end is recorded as closed() would have, stamped `now_us`: curl
  // closed it in the pass that ended the exchange. Does nothing while `fd` is still the
  // socket it was.
  void sweep(curl_socket_t fd, int64_t now_us);
  // Reads and keeps `fd`'s two ends while it is connected, for closed(): a socket the
  // peer reset (a request written to a connection the server had closed draws an RST)
  // has no peer any more by the time curl closes it. Called as each exchange finishes.
  void note_connected(curl_socket_t fd);
  // The connection speaks HTTP/2: bytes waiting on it (a PING, SETTINGS) do not mean it
  // is closing, as they would on an idle HTTP/1.1 connection.
  void set_multiplexed(curl_socket_t fd);
  // A response on the connection with these ends said `Connection: close`: curl closes
  // it once the response is read.
  void set_close_requested(const ConnectionId& id);
  // The exchange on the connection with these ends asked curl not to keep it
  // (--no-keepalive) and has just been handed response bytes: whether the server has
  // closed it yet, before curl ends it with its close_notify. A FIN that comes after this
  // is the server's answer to curl's close, and closed() records pageload's close, as at
  // the end of a page (begin_closing_pool).
  void note_peer_before_close(const ConnectionId& id);
  // A connected socket of `pool` to `origin` that the server has not closed, checked as
  // curl checks before reuse: no error, no end of stream, and on HTTP/1.1 nothing
  // unread (an idle HTTP/1.1 connection with bytes waiting is one curl drops).
  // `multiplexed_only`: only an HTTP/2 one counts.
  bool has_live(PoolId pool, const std::string& origin, bool multiplexed_only = false) const;

  // Sockets closed between these two calls are closed with their pool (kEndOfPage), by
  // pageload, unless the server had closed them before the first call: curl ends a TLS
  // connection with its close_notify before it closes the socket, and a server that
  // answers at once with its own close (as the lab's does) must not read as the side
  // that closed first.
  void begin_closing_pool(PoolId pool);
  // pageload stopped an exchange on the connection with these ends (the page's --max-time
  // ran out, or Ctrl-C): curl closes a connection left mid-response, and that close is
  // pageload ending the page (kEndOfPage), not curl's own (kOther). Relabels an end already
  // recorded and marks the socket for a close still to come.
  void cut_short(PoolId pool, const ConnectionId& id);
  void end_closing_pool(PoolId pool);
  std::vector<ConnectionEnd> take_ends(PoolId pool, const std::function<bool(const ConnectionId&)>& wanted);

 private:
  struct Entry {
    PoolId pool = 0;
    std::string origin;
    bool multiplexed = false;
    bool forbid_reuse = false;
    bool close_requested = false;
    std::optional<ConnectionId> ends;  // as note_connected() last read them
    unsigned long inode = 0;           // the socket's, to tell a reused number (sweep())
    bool peer_closed_first = false;    // the server had closed it when its pool began to close
    bool peer_noted = false;           // note_peer_before_close() read peer_closed_first
    bool cut_short = false;            // pageload stopped an exchange on it (cut_short())
  };
  struct PoolEnds {
    std::vector<ConnectionEnd> ends;
    bool closed = false;
  };
  // Records how the connection of `entry` ended, once its ends are known.
  void record_end(const Entry& entry, std::optional<ConnectionId> ends, PeerState peer, int64_t now_us);
  std::map<curl_socket_t, Entry> sockets_;
  std::map<PoolId, PoolEnds> ends_;
  std::optional<PoolId> closing_pool_;
};

// A shared pool keeps the ends no run has taken (connections of runs that finished before
// the connection closed) up to this many, the oldest dropped first.
inline constexpr std::size_t kMaxUntakenEnds = 1024;

// CURLOPT_CLOSESOCKETFUNCTION with a SocketRegistry as clientp: records how the
// connection ended (SocketRegistry::closed, on one clock reading), then closes.
int close_socket(void* registry, curl_socket_t fd);

}  // namespace pageload::transfer::detail
