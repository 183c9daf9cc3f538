// The lab DNS server, asked over a raw UDP socket so these tests depend on nothing but
// the wire format (the resolver's own tests cover it through c-ares).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "fixtures/skip.h"
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lab/dns_query.h"
#include "lab/dns_server.h"

using pageload::lab::DnsServer;
using pageload::lab::DnsTransport;
using Bytes = std::vector<uint8_t>;

namespace {

constexpr uint16_t kA = 1, kCname = 5, kAaaa = 28;

Bytes make_query(const std::string& name, uint16_t type, uint16_t id = 0x1234) {
  Bytes b = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    b.push_back(static_cast<uint8_t>(dot - start));
    b.insert(b.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  b.push_back(0);
  b.insert(b.end(), {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), 0, 1});
  return b;
}

struct Rr {
  std::string name;
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::string value;  // address text or CNAME target
};

struct Parsed {
  bool ok = false;  // the whole reply parsed
  uint16_t id = 0;
  bool tc = false;  // truncated: ask again over TCP
  int rcode = -1;
  std::string qname;
  std::vector<Rr> answers;
};

// A strict parser for the server's uncompressed replies: any overrun makes ok false.
Parsed parse(const Bytes& b) {
  Parsed p;
  std::size_t pos = 0;
  bool good = true;
  auto u8 = [&]() -> uint8_t {
    if (pos >= b.size()) { good = false; return 0; }
    return b[pos++];
  };
  auto u16 = [&] { uint16_t hi = u8(); return static_cast<uint16_t>(hi << 8 | u8()); };
  auto name = [&] {
    std::string out;
    for (uint8_t len = u8(); good && len != 0; len = u8()) {
      if (len > 63 || pos + len > b.size()) { good = false; break; }
      out += (out.empty() ? "" : ".") + std::string(b.begin() + static_cast<long>(pos), b.begin() + static_cast<long>(pos + len));
      pos += len;
    }
    return out;
  };
  p.id = u16();
  uint16_t flags = u16();
  p.tc = (flags & 0x0200) != 0;
  p.rcode = flags & 0xf;
  uint16_t qd = u16(), an = u16();
  u16();
  u16();
  for (int i = 0; i < qd; ++i) {
    p.qname = name();
    u16();
    u16();
  }
  for (int i = 0; i < an && good; ++i) {
    Rr rr;
    rr.name = name();
    rr.type = u16();
    u16();
    rr.ttl = static_cast<uint32_t>(u16()) << 16 | u16();
    uint16_t len = u16();
    if (!good || pos + len > b.size()) { good = false; break; }
    char text[INET6_ADDRSTRLEN] = "";
    if (rr.type == kA && len == 4) inet_ntop(AF_INET, &b[pos], text, sizeof text);
    if (rr.type == kAaaa && len == 16) inet_ntop(AF_INET6, &b[pos], text, sizeof text);
    if (rr.type == kCname) {
      std::size_t end = pos + len;
      rr.value = name();
      if (pos != end) good = false;
    } else {
      rr.value = text;
      pos += len;
    }
    p.answers.push_back(rr);
  }
  p.ok = good && pos == b.size();
  return p;
}

// A UDP client socket "connected" to the server.
class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  }
  ~Client() { close(fd_); }
  void send(const Bytes& b) { REQUIRE(::send(fd_, b.data(), b.size(), 0) == static_cast<ssize_t>(b.size())); }
  std::optional<Bytes> receive(int timeout_ms) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) != 1) return std::nullopt;
    Bytes b(65536);
    ssize_t n = recv(fd_, b.data(), b.size(), 0);
    if (n < 0) return std::nullopt;
    b.resize(static_cast<std::size_t>(n));
    return b;
  }
  Parsed ask(const std::string& name, uint16_t type) {
    send(make_query(name, type));
    auto reply = receive(2000);
    REQUIRE(reply);
    return parse(*reply);
  }

 private:
  int fd_ = -1;
};

// A TCP client: each message goes out and comes back after a two-byte length.
class TcpClient {
 public:
  explicit TcpClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    timeval tv{2, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~TcpClient() { close(fd_); }
  void send(const Bytes& b) {
    Bytes framed{static_cast<uint8_t>(b.size() >> 8), static_cast<uint8_t>(b.size())};
    framed.insert(framed.end(), b.begin(), b.end());
    REQUIRE(::send(fd_, framed.data(), framed.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(framed.size()));
  }
  std::optional<Bytes> receive() {
    uint8_t length[2];
    if (!read(length, 2)) return std::nullopt;
    Bytes b(static_cast<std::size_t>(length[0] << 8 | length[1]));
    if (!read(b.data(), b.size())) return std::nullopt;
    return b;
  }
  Parsed ask(const std::string& name, uint16_t type) {
    send(make_query(name, type));
    auto reply = receive();
    REQUIRE(reply);
    return parse(*reply);
  }

 private:
  bool read(uint8_t* out, std::size_t size) {
    while (size > 0) {
      ssize_t n = recv(fd_, out, size, 0);
      if (n <= 0) return false;
      out += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }
  int fd_ = -1;
};

// A name of `count` stacked cname-32 labels over x.test: a chain of 32 * count links
// if the server followed it all.
std::string stacked_cnames(int count) {
  std::string name;
  for (int i = 0; i < count; ++i) name += "cname-32.";
  return name + "x.test";
}

std::unique_ptr<DnsServer> start_server() {
  auto server = DnsServer::start("127.0.0.1", 0);
  REQUIRE(server.ok());
  return std::move(server).value();
}

using Clock = std::chrono::steady_clock;
long ms_since(Clock::time_point t) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

}  // namespace

TEST_CASE("a plain test name gets 127.0.0.1 with TTL 300 and no AAAA") {
  auto server = start_server();
  Client c(server->port());
  Parsed a = c.ask("www.example.test", kA);
  REQUIRE(a.ok);
  CHECK(a.id == 0x1234);
  CHECK(a.rcode == 0);
  REQUIRE(a.answers.size() == 1);
  CHECK(a.answers[0].name == "www.example.test");
  CHECK(a.answers[0].value == "127.0.0.1");
  CHECK(a.answers[0].ttl == 300);
  Parsed aaaa = c.ask("www.example.test", kAaaa);
  CHECK(aaaa.ok);
  CHECK(aaaa.rcode == 0);
  CHECK(aaaa.answers.empty());
  CHECK(server->queries() == 2);
  CHECK(server->address() == "127.0.0.1:" + std::to_string(server->port()));
}

TEST_CASE("scripted names answer with their rcodes") {
  auto server = start_server();
  Client c(server->port());
  CHECK(c.ask("nxdomain.test", kA).rcode == 3);
  CHECK(c.ask("anything.nx.test", kAaaa).rcode == 3);
  CHECK(c.ask("servfail.test", kA).rcode == 2);
  CHECK(c.ask("refused.test", kA).rcode == 5);
  CHECK(c.ask("example.com", kA).rcode == 5);
  CHECK(c.ask("app.localhost", kA).rcode == 5);
  Parsed empty = c.ask("empty.test", kA);
  CHECK(empty.rcode == 0);
  CHECK(empty.answers.empty());
  CHECK(c.ask("empty.test", kAaaa).answers.empty());
}

TEST_CASE("names match case-insensitively and the question is echoed as asked") {
  auto server = start_server();
  Client c(server->port());
  Parsed p = c.ask("NXDomain.TEST", kA);
  CHECK(p.rcode == 3);
  CHECK(p.qname == "NXDomain.TEST");
  CHECK(c.ask("Dual.Test", kAaaa).answers.at(0).value == "::1");
}

TEST_CASE("v6, dual, fallback and multi answer their addresses in order") {
  auto server = start_server();
  Client c(server->port());
  CHECK(c.ask("v6.test", kA).answers.empty());
  CHECK(c.ask("v6.test", kAaaa).answers.at(0).value == "::1");
  CHECK(c.ask("dual.test", kA).answers.at(0).value == "127.0.0.1");
  CHECK(c.ask("dual.test", kAaaa).answers.at(0).value == "::1");
  Parsed fb = c.ask("fallback.test", kA);
  REQUIRE(fb.answers.size() == 2);
  CHECK(fb.answers[0].value == "127.0.0.2");
  CHECK(fb.answers[1].value == "127.0.0.1");
  Parsed multi = c.ask("multi.test", kA);
  REQUIRE(multi.answers.size() == 3);
  CHECK(multi.answers[0].value == "127.0.0.1");
  CHECK(multi.answers[1].value == "127.0.0.3");
  CHECK(multi.answers[2].value == "127.0.0.4");
}

TEST_CASE("a CNAME chain is answered whole, each link with TTL 60") {
  auto server = start_server();
  Client c(server->port());
  Parsed p = c.ask("cname-3.x.test", kA);
  REQUIRE(p.ok);
  REQUIRE(p.answers.size() == 4);
  CHECK(p.answers[0].name == "cname-3.x.test");
  CHECK(p.answers[0].value == "cname-2.x.test");
  CHECK(p.answers[1].value == "cname-1.x.test");
  CHECK(p.answers[2].name == "cname-1.x.test");
  CHECK(p.answers[2].value == "x.test");
  for (int i = 0; i < 3; ++i) {
    CHECK(p.answers[i].type == kCname);
    CHECK(p.answers[i].ttl == 60);
  }
  CHECK(p.answers[3].name == "x.test");
  CHECK(p.answers[3].type == kA);
  CHECK(p.answers[3].value == "127.0.0.1");
  Parsed nx = c.ask("cname-1.nxdomain.test", kA);
  CHECK(nx.rcode == 3);
  CHECK(nx.answers.size() == 1);
}

TEST_CASE("a ttl-N label sets the address TTL") {
  auto server = start_server();
  Client c(server->port());
  CHECK(c.ask("ttl-0.test", kA).answers.at(0).ttl == 0);
  CHECK(c.ask("ttl-1.test", kA).answers.at(0).ttl == 1);
  CHECK(c.ask("v6.ttl-5.test", kAaaa).answers.at(0).ttl == 5);
  CHECK(c.ask("delay-1.test", kA).answers.at(0).value == "127.0.0.1");
}

TEST_CASE("silent.test never replies but is counted") {
  auto server = start_server();
  Client c(server->port());
  c.send(make_query("silent.test", kA));
  CHECK_FALSE(c.receive(300));
  CHECK(server->queries() == 1);
}

TEST_CASE("malformed and truncated replies keep the id but do not parse") {
  auto server = start_server();
  Client c(server->port());
  for (const char* name : {"malformed.test", "truncated.test"}) {
    INFO(name);
    c.send(make_query(name, kA, 0x4242));
    auto reply = c.receive(2000);
    REQUIRE(reply);
    Parsed p = parse(*reply);
    CHECK(p.id == 0x4242);
    CHECK(p.qname == name);
    CHECK_FALSE(p.ok);
    CHECK_FALSE(p.tc);  // so a client does not retry over TCP: it sees the broken reply
  }
}

TEST_CASE("garbage datagrams do not crash the server") {
  auto server = start_server();
  Client c(server->port());
  Bytes label_overrun = make_query("x.test", kA);
  label_overrun[12] = 60;  // first label claims to run past the end
  Bytes pointer = make_query("x.test", kA);
  pointer[12] = 0xc0;  // compression pointer in a question
  Bytes response = make_query("x.test", kA);
  response[2] |= 0x80;
  Bytes short_header = {0x12, 0x34, 0x01};
  Bytes no_question = {0x55, 0x66, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
  Bytes random(300);
  uint32_t x = 12345;
  for (auto& b : random) b = static_cast<uint8_t>((x = x * 1103515245 + 12345) >> 16);
  random[2] &= 0x7f;  // not flagged as a response, so it is parsed
  for (const Bytes& b : {label_overrun, pointer, response, short_header, no_question, random}) c.send(b);
  c.send(make_query("still.alive.test", kA, 0xa11e));
  // Answered with FORMERR (or NOTIMP) when there is a header to answer; the rest dropped.
  // One thread serves datagrams in arrival order, so every such answer comes before the
  // real query's (waiting for that, not for a quiet spell, holds on a loaded machine).
  int formerr = 0;
  std::optional<Parsed> alive;
  while (auto reply = c.receive(2000)) {
    Parsed p = parse(*reply);
    if (p.id == 0xa11e) {
      alive = p;
      break;
    }
    CHECK((p.rcode == 1 || p.rcode == 4));  // FORMERR, or NOTIMP for a random opcode
    ++formerr;
  }
  CHECK(formerr >= 3);
  REQUIRE(alive);
  CHECK(alive->answers.at(0).value == "127.0.0.1");
  CHECK(server->queries() == 7);
}

TEST_CASE("a delayed reply does not hold up other queries") {
  auto server = start_server();
  Client c(server->port());
  auto t0 = Clock::now();
  c.send(make_query("www.delay-300.test", kA, 1));
  c.send(make_query("quick.test", kA, 2));
  auto first = c.receive(2000);
  REQUIRE(first);
  CHECK(parse(*first).id == 2);
  CHECK(ms_since(t0) < 200);
  auto second = c.receive(2000);
  REQUIRE(second);
  CHECK(parse(*second).id == 1);
  CHECK(ms_since(t0) >= 290);
}

TEST_CASE("destroying the server with replies still delayed returns promptly") {
  auto t0 = Clock::now();
  {
    auto server = start_server();
    Client c(server->port());
    c.send(make_query("delay-10000.test", kA));
    while (server->queries() == 0 && ms_since(t0) < 1000) usleep(1000);
  }
  CHECK(ms_since(t0) < 1000);
}

TEST_CASE("a non-numeric bind address is a usage error") {
  auto server = DnsServer::start("localhost", 0);
  REQUIRE_FALSE(server.ok());
  CHECK(server.status().code() == pageload::Code::kUsage);
}

TEST_CASE("the server can bind ::1 and names itself with brackets") {
  auto server = DnsServer::start("::1", 0);
  if (!server.ok()) {
    SKIP_OR_FAIL("no IPv6 loopback here: " << server.status().message());
    return;
  }
  CHECK(server.value()->address() == "[::1]:" + std::to_string(server.value()->port()));
}

TEST_CASE("an answer too long for a datagram comes with TC and no records over UDP") {
  auto server = start_server();
  Client c(server->port());
  c.send(make_query("cname-20.x.test", kA, 0x7777));
  auto reply = c.receive(2000);
  REQUIRE(reply);
  CHECK(reply->size() <= 512u);
  Parsed p = parse(*reply);
  CHECK(p.ok);
  CHECK(p.id == 0x7777);
  CHECK(p.tc);
  CHECK(p.rcode == 0);
  CHECK(p.qname == "cname-20.x.test");
  CHECK(p.answers.empty());
  // A chain that fits is sent whole, without TC.
  Parsed short_chain = c.ask("cname-3.x.test", kA);
  CHECK_FALSE(short_chain.tc);
  CHECK(short_chain.answers.size() == 4);
}

TEST_CASE("over TCP on the same port the long answer comes whole") {
  auto server = start_server();
  TcpClient c(server->port());
  Parsed p = c.ask("cname-20.x.test", kA);
  REQUIRE(p.ok);
  CHECK_FALSE(p.tc);
  REQUIRE(p.answers.size() == 21);
  CHECK(p.answers[0].name == "cname-20.x.test");
  CHECK(p.answers[19].value == "x.test");
  CHECK(p.answers[20].value == "127.0.0.1");
  // Queries on one connection are answered in order, the delayed one included.
  c.send(make_query("delay-100.test", kA, 1));
  c.send(make_query("quick.test", kAaaa, 2));
  auto first = c.receive();
  auto second = c.receive();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(parse(*first).id == 1);
  CHECK(parse(*second).id == 2);
  CHECK(server->queries() == 3);
  CHECK(server->tcp_connections() == 1);
}

TEST_CASE("stacked cname labels make a chain of at most 32 links, so a reply fits 65,535 bytes") {
  // 27 stacked cname-32 labels once made an 864-link chain: a reply of ~240 KB, more
  // than a DNS message can hold (found by fuzz_dns_query).
  Bytes query = make_query(stacked_cnames(27), kA);
  auto tcp = pageload::lab::dns_reply_to(query.data(), query.size(), DnsTransport::kTcp);
  REQUIRE(tcp.bytes);
  CHECK(tcp.bytes->size() <= 65535u);
  Parsed p = parse(*tcp.bytes);
  REQUIRE(p.ok);
  CHECK(p.rcode == 0);
  REQUIRE(p.answers.size() == 32);
  for (const auto& rr : p.answers) CHECK(rr.type == kCname);
  CHECK(p.answers[0].value == "cname-31." + stacked_cnames(26));
  CHECK(p.answers[31].value == stacked_cnames(26));  // where a client would carry on

  auto udp = pageload::lab::dns_reply_to(query.data(), query.size(), DnsTransport::kUdp);
  REQUIRE(udp.bytes);
  CHECK(udp.bytes->size() <= 512u);
  CHECK(parse(*udp.bytes).tc);

  // Under the cap, stacked labels still chain: 2 links, then 3, then the address.
  auto server = start_server();
  TcpClient c(server->port());
  Parsed two = c.ask("cname-2.cname-3.x.test", kA);
  REQUIRE(two.answers.size() == 6);
  CHECK(two.answers[1].value == "cname-3.x.test");
  CHECK(two.answers[5].value == "127.0.0.1");
}

TEST_CASE("silent.test over TCP gets no reply and the connection serves the next query") {
  auto server = start_server();
  TcpClient c(server->port());
  c.send(make_query("silent.test", kA, 1));
  CHECK(c.ask("after.silent.test", kA).answers.at(0).value == "127.0.0.1");
}

TEST_CASE("destroying the server with a TCP reply still delayed returns promptly") {
  auto t0 = Clock::now();
  {
    auto server = start_server();
    TcpClient c(server->port());
    c.send(make_query("delay-10000.test", kA));
    while (server->queries() == 0 && ms_since(t0) < 1000) usleep(1000);
  }
  CHECK(ms_since(t0) < 1000);
}
