// The wiretap on real loopback sockets: what it reports of each message and error, and
// that it leaves c-ares what the system calls returned.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>
#include <vector>

#include "dns/wiretap.h"
#include "dns_bytes.h"

using namespace pageload::dns;
using namespace pageload::dns::testing;

namespace {

struct Event {
  std::string kind, server, qname;
  int id = 0, err = 0;
};

struct Recorder {
  std::vector<Event> events;
  Wiretap::Events hooks() {
    Wiretap::Events e;
    e.sent = [this](const std::string& s, const MessageInfo& m) { events.push_back({"sent", s, m.qname, m.id, 0}); };
    e.send_failed = [this](const std::string& s, const MessageInfo& m, int err) {
      events.push_back({"send_failed", s, m.qname, m.id, err});
    };
    e.received = [this](const std::string& s, const MessageInfo& m) {
      events.push_back({"received", s, m.qname, m.id, 0});
    };
    e.failed = [this](const std::string& s, int err) { events.push_back({"failed", s, "", 0, err}); };
    return e;
  }
};

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  return a;
}

// A socket of `type` bound to 127.0.0.1 on a free port; returns the fd and sets port.
int bound(int type, int& port) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in a = loopback(0);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

short wait_for(int fd, short events) {
  pollfd p{fd, events, 0};
  REQUIRE(poll(&p, 1, 2000) == 1);
  return p.revents;
}

ssize_t send_bytes(Wiretap& tap, int fd, const Bytes& b) {
  iovec v{const_cast<uint8_t*>(b.data()), b.size()};
  return tap.sendv(fd, &v, 1);
}

}  // namespace

TEST_CASE("the wiretap reports a UDP query and its reply with the server at the other end") {
  int port = 0;
  int server = bound(SOCK_DGRAM, port);
  Recorder rec;
  Wiretap tap(rec.hooks());
  int fd = tap.open(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in to = loopback(port);
  REQUIRE(tap.connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);

  // The socket is non-blocking, as c-ares needs: nothing to read is EAGAIN, not a hang.
  char buf[512];
  sockaddr_in from{};
  socklen_t from_len = sizeof from;
  ssize_t none = tap.recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
  int err = errno;
  CHECK(none == -1);
  CHECK(err == EAGAIN);

  Bytes query = dns_message(0x1234, 0x0100, 1, 0);
  CHECK(send_bytes(tap, fd, query) == static_cast<ssize_t>(query.size()));
  sockaddr_in client{};
  socklen_t client_len = sizeof client;
  uint8_t got[512];
  ssize_t n = recvfrom(server, got, sizeof got, 0, reinterpret_cast<sockaddr*>(&client), &client_len);
  REQUIRE(n == static_cast<ssize_t>(query.size()));
  Bytes reply = dns_message(0x1234, 0x8180, 1, 1);
  put_answer(reply, 1, {127, 0, 0, 1});
  sendto(server, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&client), client_len);

  wait_for(fd, POLLIN);
  from_len = sizeof from;
  CHECK(tap.recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len) ==
        static_cast<ssize_t>(reply.size()));
  const std::string where = "127.0.0.1:" + std::to_string(port);
  REQUIRE(rec.events.size() == 2);
  CHECK(rec.events[0].kind == "sent");
  CHECK(rec.events[0].server == where);
  CHECK(rec.events[0].qname == "www.example.test");
  CHECK(rec.events[0].id == 0x1234);
  CHECK(rec.events[1].kind == "received");
  CHECK(rec.events[1].server == where);
  CHECK(rec.events[1].id == 0x1234);

  CHECK(tap.open_sockets() == 1);
  tap.close(fd);
  CHECK(tap.open_sockets() == 0);
  close(server);
}

TEST_CASE("an ICMP error reported on the next send is the server's, and that send still goes out") {
  int port = 0;
  close(bound(SOCK_DGRAM, port));  // nothing listens there now
  Recorder rec;
  Wiretap tap(rec.hooks());
  int fd = tap.open(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to = loopback(port);
  REQUIRE(tap.connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);

  Bytes a = dns_message(1, 0x0100, 1, 0);
  Bytes aaaa = dns_message(2, 0x0100, 28, 0);
  REQUIRE(send_bytes(tap, fd, a) == static_cast<ssize_t>(a.size()));
  CHECK(wait_for(fd, POLLIN) & POLLERR);  // the port unreachable for the A query
  // c-ares 1.18 would get ECONNREFUSED here and blame the AAAA query.
  CHECK(send_bytes(tap, fd, aaaa) == static_cast<ssize_t>(aaaa.size()));
  const std::string where = "127.0.0.1:" + std::to_string(port);
  REQUIRE(rec.events.size() == 3);
  CHECK(rec.events[0].kind == "sent");
  CHECK(rec.events[1].kind == "failed");
  CHECK(rec.events[1].server == where);
  CHECK(rec.events[1].err == ECONNREFUSED);
  CHECK(rec.events[2].kind == "sent");
  CHECK(rec.events[2].id == 2);

  // The AAAA query's own ICMP error reaches the reader, with errno as the call left it.
  CHECK(wait_for(fd, POLLIN) & POLLERR);
  char buf[64];
  ssize_t refused = tap.recvfrom(fd, buf, sizeof buf, 0, nullptr, nullptr);
  int err = errno;
  CHECK(refused == -1);
  CHECK(err == ECONNREFUSED);
  REQUIRE(rec.events.size() == 4);
  CHECK(rec.events[3].kind == "failed");
  CHECK(rec.events[3].err == ECONNREFUSED);
  tap.close(fd);
}

TEST_CASE("TCP messages are reported whole however their bytes are split, and a close is a failure") {
  int port = 0;
  int listener = bound(SOCK_STREAM, port);
  REQUIRE(listen(listener, 1) == 0);
  Recorder rec;
  Wiretap tap(rec.hooks());
  int fd = tap.open(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to = loopback(port);
  int rc = tap.connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
  int err = errno;
  CHECK((rc == 0 || err == EINPROGRESS));
  int peer = accept(listener, nullptr, nullptr);
  REQUIRE(peer >= 0);
  wait_for(fd, POLLOUT);

  Bytes query = dns_message(0x77, 0x0100, 1, 0);
  Bytes framed{static_cast<uint8_t>(query.size() >> 8), static_cast<uint8_t>(query.size())};
  framed.insert(framed.end(), query.begin(), query.end());
  iovec first{framed.data(), 7};
  iovec rest{framed.data() + 7, framed.size() - 7};
  CHECK(tap.sendv(fd, &first, 1) == 7);
  CHECK(rec.events.empty());  // not a whole message yet
  CHECK(tap.sendv(fd, &rest, 1) == static_cast<ssize_t>(framed.size() - 7));
  REQUIRE(rec.events.size() == 1);
  CHECK(rec.events[0].kind == "sent");
  CHECK(rec.events[0].server == "127.0.0.1:" + std::to_string(port));
  CHECK(rec.events[0].id == 0x77);

  Bytes reply = dns_message(0x77, 0x8180, 1, 0);
  Bytes reply_framed{static_cast<uint8_t>(reply.size() >> 8), static_cast<uint8_t>(reply.size())};
  reply_framed.insert(reply_framed.end(), reply.begin(), reply.end());
  REQUIRE(write(peer, reply_framed.data(), reply_framed.size()) == static_cast<ssize_t>(reply_framed.size()));
  // c-ares reads the two length bytes first, then the message.
  wait_for(fd, POLLIN);
  uint8_t buf[512];
  CHECK(tap.recvfrom(fd, buf, 2, 0, nullptr, nullptr) == 2);
  CHECK(rec.events.size() == 1);
  CHECK(tap.recvfrom(fd, buf, reply.size(), 0, nullptr, nullptr) == static_cast<ssize_t>(reply.size()));
  REQUIRE(rec.events.size() == 2);
  CHECK(rec.events[1].kind == "received");
  CHECK(rec.events[1].id == 0x77);

  uint8_t drained[512];
  CHECK(read(peer, drained, sizeof drained) == static_cast<ssize_t>(framed.size()));  // else close resets
  close(peer);
  wait_for(fd, POLLIN);
  CHECK(tap.recvfrom(fd, buf, sizeof buf, 0, nullptr, nullptr) == 0);
  REQUIRE(rec.events.size() == 3);
  CHECK(rec.events[2].kind == "failed");
  CHECK(rec.events[2].err == 0);
  tap.close(fd);
  close(listener);
}

TEST_CASE("endpoint text puts IPv6 addresses in brackets") {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  a.sin6_port = htons(5353);
  CHECK(endpoint_text(reinterpret_cast<sockaddr*>(&a)) == "[::1]:5353");
  sockaddr_in b = loopback(53);
  CHECK(endpoint_text(reinterpret_cast<sockaddr*>(&b)) == "127.0.0.1:53");
  CHECK(endpoint_text(nullptr).empty());
}
