// A socket an event source wants watched: the neutral currency between the dns
// module (c-ares sockets) and the transfer module (libcurl's poll), wired by the loader.
#pragma once

#include <poll.h>

namespace pageload {

struct WaitFd {
  int fd = -1;
  short events = 0;   // POLLIN / POLLOUT
  short revents = 0;  // filled after waiting
};

}  // namespace pageload
