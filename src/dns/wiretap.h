// The sockets of a c-ares channel, opened, used and closed through us
// (ares_set_socket_functions), so that every DNS message c-ares sends or receives is
// seen with the server at the other end. c-ares 1.18 tells its callbacks only the final
// status; this is how the resolver learns which server was asked when, which answered,
// and which failed. Each call does the real system call and then reports what happened;
// errno is what the system call left, as c-ares expects.
//
// With its own socket functions c-ares configures nothing itself, so open() makes the
// sockets non-blocking and close-on-exec (and TCP_NODELAY for TCP), as c-ares would.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dns/message.h"

namespace pageload::dns {

class Wiretap {
 public:
  // What the wire showed. `server` is "ADDR:PORT" ("[V6]:PORT"), formatted as
  // normalize_server does. `err` is an errno value.
  struct Events {
    std::function<void(const std::string& server, const MessageInfo& query)> sent;
    // A message c-ares wanted sent but the system refused (the send call failed).
    std::function<void(const std::string& server, const MessageInfo& query, int err)> send_failed;
    std::function<void(const std::string& server, const MessageInfo& reply)> received;
    // The socket to `server` failed (err 0: the TCP peer closed the connection).
    std::function<void(const std::string& server, int err)> failed;
    // No socket could be opened (EMFILE: the process is out of descriptors). c-ares
    // then gives up on the server without sending, so no message and no server is seen.
    std::function<void(int err)> open_failed;
  };

  explicit Wiretap(Events events) : events_(std::move(events)) {}

  int open(int domain, int type, int protocol);
  int connect(int fd, const sockaddr* addr, socklen_t len);
  int close(int fd);
  ssize_t recvfrom(int fd, void* buf, std::size_t len, int flags, sockaddr* from, socklen_t* from_len);
  ssize_t sendv(int fd, const iovec* iov, int iovcnt);

  // How many sockets are open now (for tests: c-ares closes them when idle).
  std::size_t open_sockets() const { return sockets_.size(); }

 private:
  struct Socket {
    bool stream = false;
    std::string server;              // set by connect()
    std::vector<uint8_t> sent;       // TCP: bytes written, not yet a whole message
    std::vector<uint8_t> received;   // TCP: bytes read, not yet a whole message
  };

  void report_stream(Socket& s, std::vector<uint8_t>& buffer, bool outgoing);

  Events events_;
  std::map<int, Socket> sockets_;
};

// "ADDR:PORT" or "[V6]:PORT" of an AF_INET or AF_INET6 address; "" for anything else.
std::string endpoint_text(const sockaddr* addr);

}  // namespace pageload::dns
