// The socket registry's record of how each connection ended, when curl closes a socket
// without its close-socket callback (curl 7.88: a socket it had not yet made its
// connection's own, as when a page's --max-time ends an exchange just after its TCP
// connect). Plain loopback TCP sockets, no curl.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transfer/exchange.h"
#include "transfer/sockets.h"

using namespace pageload;
using namespace pageload::transfer;
using namespace pageload::transfer::detail;

namespace {

// A listener on 127.0.0.1 and a client connected to it (the listener's queue accepts it).
struct Loopback {
  int listener = -1;
  sockaddr_in address{};
  Loopback() {
    listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t len = sizeof address;
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &len) == 0);
    REQUIRE(::listen(listener, 8) == 0);
  }
  ~Loopback() { ::close(listener); }
  int connect() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    return fd;
  }
};

const auto kAll = [](const ConnectionId&) { return true; };

// The server's side of the client's connection, taken from the listener's queue.
int accepted(const Loopback& lab) {
  const int fd = ::accept(lab.listener, nullptr, nullptr);
  REQUIRE(fd >= 0);
  return fd;
}

// Until the client's socket sees what the server did (a FIN or a reset).
void until_peer_is(int fd, PeerState state) {
  for (int i = 0; i < 200 && peer_state(fd) != state; ++i) ::usleep(1000);
  REQUIRE(peer_state(fd) == state);
}

}  // namespace

TEST_CASE("a connected socket curl closed without the callback is recorded as closed by pageload when swept") {
  Loopback lab;
  SocketRegistry registry;
  const int fd = lab.connect();
  registry.opened(fd, 1, "http://a.test");
  registry.note_connected(fd);
  const std::optional<ConnectionId> ends = socket_ends(fd);
  REQUIRE(ends);

  registry.sweep(fd, 1000);  // still the socket it was: nothing recorded
  CHECK(registry.take_ends(1, kAll).empty());

  ::close(fd);  // as curl 7.88 does, without close_socket()
  registry.sweep(fd, 2000);
  const std::vector<ConnectionEnd> taken = registry.take_ends(1, kAll);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].id == *ends);
  CHECK(taken[0].closed_us == 2000);
  CHECK(taken[0].by == ClosedBy::kPageload);

  registry.sweep(fd, 3000);  // forgotten once recorded
  CHECK(registry.take_ends(1, kAll).empty());
}

TEST_CASE("a socket number curl reuses after closing it unannounced records the old connection's end") {
  Loopback lab;
  SocketRegistry registry;
  const int first = lab.connect();
  registry.opened(first, 1, "http://a.test");
  registry.note_connected(first);
  const std::optional<ConnectionId> first_ends = socket_ends(first);
  ::close(first);
  const int second = lab.connect();  // the lowest free number: the one just closed
  REQUIRE(second == first);
  registry.opened(second, 1, "http://a.test");
  std::vector<ConnectionEnd> taken = registry.take_ends(1, kAll);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].id == *first_ends);
  // The new socket is its own connection: its end comes when it closes.
  registry.sweep(second, 5000);
  CHECK(registry.take_ends(1, kAll).empty());
  registry.closed(second, 6000);
  taken = registry.take_ends(1, kAll);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].id != *first_ends);
  CHECK(taken[0].closed_us == 6000);
  ::close(second);
}

TEST_CASE("an attempt that never connected leaves no end when curl closes it unannounced") {
  SocketRegistry registry;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  registry.opened(fd, 1, "http://a.test");
  registry.note_connected(fd);  // not connected: no ends to keep
  ::close(fd);
  registry.sweep(fd, 1000);
  CHECK(registry.take_ends(1, kAll).empty());
}

TEST_CASE("closing a pool sweeps its sockets curl closed unannounced, as pageload ending the page") {
  Loopback lab;
  SocketRegistry registry;
  const int fd = lab.connect();
  registry.opened(fd, 7, "http://a.test");
  registry.note_connected(fd);
  ::close(fd);
  registry.begin_closing_pool(7);
  registry.end_closing_pool(7);
  const std::vector<ConnectionEnd> taken = registry.take_ends(7, kAll);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].by == ClosedBy::kPageload);
  CHECK(taken[0].reason == CloseReason::kEndOfPage);
}

// Review of issue 10 (stop 23) F1 and its re-check R1: under --no-keepalive, the server's FIN
// after the response's last bytes answers curl's close (pageload's close), but a reset is
// the server's.
TEST_CASE("under --no-keepalive a FIN after the response is pageload's close, a reset stays the server's") {
  Loopback lab;
  SocketRegistry registry;
  SECTION("a FIN") {
    const int fd = lab.connect();
    const int server = accepted(lab);
    registry.opened(fd, 1, "http://a.test", /*forbid_reuse=*/true);
    const std::optional<ConnectionId> ends = socket_ends(fd);
    REQUIRE(ends);
    registry.note_peer_before_close(*ends);  // the response's last bytes: the server still open
    ::close(server);                         // its answer to curl's close_notify
    until_peer_is(fd, PeerState::kClosed);
    registry.closed(fd, 1000);
    ::close(fd);
    const auto taken = registry.take_ends(1, kAll);
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].by == ClosedBy::kPageload);
    CHECK(taken[0].reason == CloseReason::kNoKeepalive);
  }
  SECTION("a reset") {
    const int fd = lab.connect();
    const int server = accepted(lab);
    registry.opened(fd, 1, "http://a.test", /*forbid_reuse=*/true);
    const std::optional<ConnectionId> ends = socket_ends(fd);
    REQUIRE(ends);
    registry.note_connected(fd);
    registry.note_peer_before_close(*ends);
    const linger abort{1, 0};
    REQUIRE(::setsockopt(server, SOL_SOCKET, SO_LINGER, &abort, sizeof abort) == 0);
    ::close(server);  // an RST
    until_peer_is(fd, PeerState::kReset);
    registry.closed(fd, 1000);
    ::close(fd);
    const auto taken = registry.take_ends(1, kAll);
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].by == ClosedBy::kServer);
    CHECK(taken[0].reason == CloseReason::kReset);
  }
  SECTION("the server had closed before the response's last bytes were handed over") {
    const int fd = lab.connect();
    const int server = accepted(lab);
    registry.opened(fd, 1, "http://a.test", /*forbid_reuse=*/true);
    const std::optional<ConnectionId> ends = socket_ends(fd);
    ::close(server);
    until_peer_is(fd, PeerState::kClosed);
    registry.note_peer_before_close(*ends);
    registry.closed(fd, 1000);
    ::close(fd);
    const auto taken = registry.take_ends(1, kAll);
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].by == ClosedBy::kServer);
  }
}
