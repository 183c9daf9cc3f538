// The sockets curl holds, by pool and origin, so the driver can tell whether a pool still
// has a live connection to an origin: curl keeps its connection cache to itself, and
// whether a connection will be reused decides whether a request needs DNS. Filled from
// curl's open- and close-socket callbacks. Internal to the transfer module.
#pragma once

#include <curl/curl.h>

#include <map>
#include <string>

#include "transfer/transfer.h"

namespace pageload::transfer::detail {

class SocketRegistry {
 public:
  void opened(curl_socket_t fd, PoolId pool, std::string origin);
  void closed(curl_socket_t fd);
  // The connection speaks HTTP/2: bytes waiting on it (a PING, SETTINGS) do not mean it
  // is closing, as they would on an idle HTTP/1.1 connection.
  void set_multiplexed(curl_socket_t fd);
  // A connected socket of `pool` to `origin` that the server has not closed, checked as
  // curl checks before reuse: no error, no end of stream, and on HTTP/1.1 nothing
  // unread (an idle HTTP/1.1 connection with bytes waiting is one curl drops).
  bool has_live(PoolId pool, const std::string& origin) const;

 private:
  struct Entry {
    PoolId pool = 0;
    std::string origin;
    bool multiplexed = false;
  };
  std::map<curl_socket_t, Entry> sockets_;
};

// CURLOPT_CLOSESOCKETFUNCTION with a SocketRegistry as clientp: forgets and closes.
int close_socket(void* registry, curl_socket_t fd);

}  // namespace pageload::transfer::detail
