// Listening TCP sockets for the lab's servers. A server listens on its bind address and,
// optionally, on a second address with the same port number, so that one URL
// (http://dual.test:PORT/) reaches it over IPv4 and IPv6 alike.
#pragma once

#include <string>
#include <vector>

#include "lab/unique_fd.h"
#include "pageload/status.h"

namespace pageload::lab {

struct Listeners {
  int port = 0;
  UniqueFd primary;         // on the bind address
  UniqueFd secondary;       // on the second address; invalid when not asked or not possible
  std::string unavailable;  // why the second address was asked but is not listened on
};

// Listens on `bind` (a numeric IPv4 or IPv6 address) at `port` (0: an ephemeral port)
// with `backlog`, and then on `also` (empty: nowhere else) at the same port. An IPv6
// socket is IPv6-only, so it never takes the IPv4 side of a port.
//
// When `also` cannot exist on this machine (no such address or family: e.g. no IPv6
// loopback), the primary alone is returned with `unavailable` saying why. When the
// second address's port is taken, an ephemeral port is chosen again (a few times); a
// given port that is taken there fails. kUsage for a non-numeric address or a bad
// port; kConnectError when the primary cannot listen (e.g. its port is taken).
StatusOr<Listeners> listen_pair(const std::string& bind, const std::string& also, int port, int backlog = 128);

// The local port of a bound socket, or 0.
int bound_port(int fd);

}  // namespace pageload::lab
