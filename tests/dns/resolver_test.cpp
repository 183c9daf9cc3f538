// The resolver against the lab DNS server on 127.0.0.1 (ephemeral port), driven by a
// poll() loop as the loader drives it. Every test names its server explicitly, so no
// query ever leaves loopback.
#include <ares.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

#include "dns/resolver.h"
#include "fixtures/no_free_descriptors.h"
#include "resolver_loop.h"
#include "lab/dns_server.h"

using namespace pageload;
using namespace pageload::dns;
using pageload::dns::testing::resolve_now;
using pageload::dns::testing::run_until_idle;

namespace {

struct Lab {
  std::unique_ptr<lab::DnsServer> server;
  std::unique_ptr<Resolver> resolver;

  explicit Lab(long timeout_ms = 1000, int tries = 1) {
    auto s = lab::DnsServer::start("127.0.0.1", 0);
    REQUIRE(s.ok());
    server = std::move(s).value();
    auto r = Resolver::create({{server->address()}, timeout_ms, tries});
    REQUIRE(r.ok());
    resolver = std::move(r).value();
  }
  DnsLookup resolve(const std::string& host, int family) { return resolve_now(*resolver, host, family); }
};

// A loopback UDP port with nothing listening on it.
int closed_udp_port() {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  bind(fd, reinterpret_cast<sockaddr*>(&sa), len);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  close(fd);
  return ntohs(sa.sin_port);
}

// A loopback UDP socket that takes queries and never answers: a silent DNS server.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    bind(fd_, reinterpret_cast<sockaddr*>(&sa), len);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
  }
  ~SilentServer() { close(fd_); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::unique_ptr<Resolver> resolver_for(std::vector<std::string> servers, long timeout_ms, int tries) {
  auto r = Resolver::create({std::move(servers), timeout_ms, tries});
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace

TEST_CASE("an A lookup returns the lab address with its TTL") {
  Lab lab;
  DnsLookup l = lab.resolve("www.example.test", 4);
  CHECK(l.host == "www.example.test");
  CHECK(l.source == "dns");
  CHECK(l.family == 4);
  CHECK(l.servers == std::vector<std::string>{lab.server->address()});
  CHECK(l.outcome == "NOERROR");
  CHECK(l.ares_status == "ARES_SUCCESS");
  CHECK_FALSE(l.failure);
  REQUIRE(l.queries.size() == 1);
  CHECK(l.queries[0].type == "A");
  CHECK(l.queries[0].outcome == "NOERROR");
  CHECK(l.queries[0].ares_status == "ARES_SUCCESS");
  REQUIRE(l.answers.size() == 1);
  CHECK(l.answers[0].type == "A");
  CHECK(l.answers[0].name == "www.example.test");
  CHECK(l.answers[0].value == "127.0.0.1");
  CHECK(l.answers[0].ttl == 300);
  CHECK(l.span.start_ms <= l.span.end_ms);
  CHECK(l.queries[0].span.end_ms == l.span.end_ms);
  CHECK(lab.server->queries() == 1);
}

TEST_CASE("an AAAA lookup of v6.test returns ::1") {
  Lab lab;
  DnsLookup l = lab.resolve("v6.test", 6);
  CHECK(l.outcome == "NOERROR");
  REQUIRE(l.queries.size() == 1);
  CHECK(l.queries[0].type == "AAAA");
  REQUIRE(l.addresses() == std::vector<std::string>{"::1"});
  CHECK(l.answers[0].type == "AAAA");
}

TEST_CASE("a dual-stack lookup asks A and AAAA and lists A first") {
  Lab lab;
  DnsLookup l = lab.resolve("dual.test", 0);
  CHECK(l.outcome == "NOERROR");
  REQUIRE(l.queries.size() == 2);
  CHECK(l.queries[0].type == "A");
  CHECK(l.queries[1].type == "AAAA");
  CHECK(l.addresses() == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(lab.server->queries() == 2);
}

TEST_CASE("family 0 of a v6-only name lists only its AAAA address") {
  Lab lab;
  DnsLookup l = lab.resolve("v6.test", 0);
  CHECK(l.outcome == "NOERROR");
  CHECK(l.queries[0].outcome == "NODATA");
  CHECK(l.queries[1].outcome == "NOERROR");
  CHECK(l.addresses() == std::vector<std::string>{"::1"});
}

TEST_CASE("a name without a record of the family is NODATA with ARES_ENODATA") {
  Lab lab;
  DnsLookup l = lab.resolve("www.example.test", 6);
  CHECK(l.outcome == "NODATA");
  CHECK(l.ares_status == "ARES_ENODATA");
  CHECK(l.queries.at(0).ares_status == "ARES_ENODATA");
  CHECK(l.answers.empty());
  REQUIRE(l.failure);
  CHECK(l.failure->code == Code::kDnsNoData);
  CHECK(l.failure->message == "www.example.test: no AAAA record (NODATA)");

  DnsLookup empty = lab.resolve("empty.test", 0);
  CHECK(empty.outcome == "NODATA");
  CHECK(empty.failure->code == Code::kDnsNoData);
}

TEST_CASE("an NXDOMAIN answer is recorded with its c-ares status") {
  Lab lab;
  DnsLookup l = lab.resolve("nxdomain.test", 4);
  CHECK(l.outcome == "NXDOMAIN");
  CHECK(l.ares_status == "ARES_ENOTFOUND");
  CHECK(l.queries.at(0).outcome == "NXDOMAIN");
  REQUIRE(l.failure);
  CHECK(l.failure->code == Code::kDnsNxdomain);
  CHECK(l.failure->message == "nxdomain.test: no such name (NXDOMAIN)");
  CHECK(lab.server->queries() == 1);  // asked once, exactly as given: no search domains
}

TEST_CASE("NXDOMAIN outranks NODATA when both families are asked") {
  Lab lab;
  DnsLookup l = lab.resolve("a.nx.test", 0);
  CHECK(l.outcome == "NXDOMAIN");
  CHECK(l.failure->code == Code::kDnsNxdomain);
}

TEST_CASE("a SERVFAIL answer is recorded as ARES_ESERVFAIL") {
  Lab lab;
  DnsLookup l = lab.resolve("servfail.test", 4);
  CHECK(l.outcome == "SERVFAIL");
  CHECK(l.ares_status == "ARES_ESERVFAIL");
  CHECK(l.failure->code == Code::kDnsServfail);
}

TEST_CASE("a REFUSED answer is recorded as ARES_EREFUSED") {
  Lab lab;
  for (const char* host : {"refused.test", "example.com", "app.localhost"}) {
    INFO(host);
    DnsLookup l = lab.resolve(host, 4);
    CHECK(l.outcome == "REFUSED");
    CHECK(l.ares_status == "ARES_EREFUSED");
    CHECK(l.failure->code == Code::kDnsRefused);
  }
}

TEST_CASE("a single-label name is queried as is, once") {
  Lab lab;
  DnsLookup l = lab.resolve("intranet", 4);
  CHECK(l.outcome == "REFUSED");
  CHECK(lab.server->queries() == 1);
}

TEST_CASE("a silent server is a TIMEOUT after the configured tries") {
  Lab lab(200, 1);
  DnsLookup l = lab.resolve("silent.test", 4);
  CHECK(l.outcome == "TIMEOUT");
  CHECK(l.ares_status == "ARES_ETIMEOUT");
  CHECK(l.failure->code == Code::kDnsTimeout);
  CHECK(l.span.duration_ms() >= 190);
  CHECK(l.span.duration_ms() < 1000);
  CHECK(lab.server->queries() == 1);
}

TEST_CASE("a malformed reply is a BADREPLY") {
  Lab lab;
  DnsLookup l = lab.resolve("malformed.test", 4);
  CHECK(l.outcome == "BADREPLY");
  CHECK(l.ares_status == "ARES_EBADRESP");
  CHECK(l.failure->code == Code::kDnsBadReply);
}

TEST_CASE("a reply cut short mid-record is a BADREPLY") {
  Lab lab;
  DnsLookup l = lab.resolve("truncated.test", 4);
  CHECK(l.outcome == "BADREPLY");
  CHECK(l.ares_status == "ARES_EBADRESP");
  CHECK(l.failure->code == Code::kDnsBadReply);
}

TEST_CASE("a DNS server with nothing listening is a resolver ERROR") {
  auto r = Resolver::create({{"127.0.0.1:" + std::to_string(closed_udp_port())}, 500, 1});
  REQUIRE(r.ok());
  DnsLookup l = resolve_now(*r.value(), "www.example.test", 4);
  CHECK(l.outcome == "ERROR");
  CHECK(l.ares_status == "ARES_ECONNREFUSED");
  CHECK(l.failure->code == Code::kDnsError);
  CHECK(l.failure->message == "www.example.test: resolver error ARES_ECONNREFUSED (ERROR)");
}

TEST_CASE("a CNAME chain is recorded link by link with its TTLs, then the address") {
  Lab lab;
  DnsLookup l = lab.resolve("cname-3.x.test", 4);
  CHECK(l.outcome == "NOERROR");
  REQUIRE(l.answers.size() == 4);
  CHECK(l.answers[0].type == "CNAME");
  CHECK(l.answers[0].name == "cname-3.x.test");
  CHECK(l.answers[0].value == "cname-2.x.test");
  CHECK(l.answers[1].name == "cname-2.x.test");
  CHECK(l.answers[1].value == "cname-1.x.test");
  CHECK(l.answers[2].name == "cname-1.x.test");
  CHECK(l.answers[2].value == "x.test");
  for (int i = 0; i < 3; ++i) CHECK(l.answers[i].ttl == 60);
  CHECK(l.answers[3].type == "A");
  CHECK(l.answers[3].name == "x.test");
  CHECK(l.answers[3].value == "127.0.0.1");
  CHECK(l.answers[3].ttl == 300);
}

TEST_CASE("a CNAME chain too long for a datagram is asked again over TCP and recorded whole") {
  Lab lab;
  DnsLookup l = lab.resolve("cname-20.x.test", 4);
  CHECK(l.outcome == "NOERROR");
  CHECK_FALSE(l.failure);
  REQUIRE(l.answers.size() == 21);
  CHECK(l.answers[0].name == "cname-20.x.test");
  CHECK(l.answers[19].value == "x.test");
  CHECK(l.answers[20].value == "127.0.0.1");
  CHECK(lab.server->tcp_connections() == 1);
  CHECK(lab.server->queries() == 2);  // the truncated UDP answer, then TCP
}

TEST_CASE("a dual-stack CNAME chain is listed once") {
  Lab lab;
  DnsLookup l = lab.resolve("cname-1.dual.test", 0);
  REQUIRE(l.answers.size() == 3);
  CHECK(l.answers[0].type == "CNAME");
  CHECK(l.answers[1].type == "A");
  CHECK(l.answers[2].type == "AAAA");
  CHECK(l.answers[2].name == "dual.test");
}

TEST_CASE("addresses keep the server's order") {
  Lab lab;
  CHECK(lab.resolve("multi.test", 4).addresses() ==
        std::vector<std::string>{"127.0.0.1", "127.0.0.3", "127.0.0.4"});
  CHECK(lab.resolve("fallback.test", 0).addresses() ==
        std::vector<std::string>{"127.0.0.2", "127.0.0.1"});
}

TEST_CASE("a ttl-N name carries TTL N") {
  Lab lab;
  CHECK(lab.resolve("ttl-1.test", 4).answers.at(0).ttl == 1);
  CHECK(lab.resolve("ttl-0.test", 4).answers.at(0).ttl == 0);
}

TEST_CASE("a delayed answer is measured from resolve() to its arrival") {
  Lab lab;
  RunClock clock;
  DnsLookup l = resolve_now(*lab.resolver, "delay-100.test", 4, clock);
  CHECK(l.outcome == "NOERROR");
  CHECK(l.span.duration_ms() >= 100);
  CHECK(l.span.duration_ms() < 300);
  CHECK(l.span.start_ms >= 0);
  CHECK(l.span.end_ms <= clock.now_ms());
}

TEST_CASE("two lookups in flight both complete, the quick one first") {
  Lab lab;
  RunClock clock;
  std::vector<DnsLookup> done;
  auto keep = [&](DnsLookup l) { done.push_back(std::move(l)); };
  lab.resolver->resolve("www.delay-200.test", 0, clock, keep);
  lab.resolver->resolve("quick.test", 4, clock, keep);
  CHECK(lab.resolver->busy());
  run_until_idle(*lab.resolver);
  REQUIRE(done.size() == 2);
  CHECK(done[0].host == "quick.test");
  CHECK(done[1].host == "www.delay-200.test");
  CHECK(done[0].span.end_ms < done[1].span.end_ms);
  CHECK(done[1].outcome == "NOERROR");
  CHECK(clock.now_ms() < 400);  // in parallel, not one after the other
}

TEST_CASE("callbacks run from process(), never from inside resolve()") {
  Lab lab;
  int calls = 0;
  RunClock clock;
  // A numeric host is answered by c-ares synchronously, inside ares_getaddrinfo.
  lab.resolver->resolve("127.0.0.1", 4, clock, [&](DnsLookup) { ++calls; });
  lab.resolver->resolve("www.example.test", 4, clock, [&](DnsLookup) { ++calls; });
  CHECK(calls == 0);
  CHECK(lab.resolver->busy());
  REQUIRE(lab.resolver->timeout_ms());
  CHECK(*lab.resolver->timeout_ms() == 0);  // a finished lookup waits: process() now
  run_until_idle(*lab.resolver);
  CHECK(calls == 2);
  CHECK_FALSE(lab.resolver->busy());
  CHECK_FALSE(lab.resolver->timeout_ms());
  CHECK(lab.resolver->wait_fds().size() <= 1);
}

TEST_CASE("destroying the resolver with lookups pending runs no callback") {
  Lab lab(5000, 2);
  int calls = 0;
  lab.resolver->resolve("silent.test", 0, RunClock(), [&](DnsLookup) { ++calls; });
  lab.resolver->resolve("127.0.0.1", 4, RunClock(), [&](DnsLookup) { ++calls; });
  lab.resolver->process({});
  CHECK(calls == 1);  // the literal
  lab.resolver.reset();
  CHECK(calls == 1);
}

TEST_CASE("a callback may start another lookup") {
  Lab lab;
  std::vector<std::string> order;
  RunClock clock;
  lab.resolver->resolve("first.test", 4, clock, [&](DnsLookup l) {
    order.push_back(l.host);
    lab.resolver->resolve("second.test", 4, clock, [&](DnsLookup l2) { order.push_back(l2.host); });
  });
  run_until_idle(*lab.resolver);
  CHECK(order == std::vector<std::string>{"first.test", "second.test"});
}

TEST_CASE("a server that is not a numeric address is a usage error") {
  for (const char* bad : {"dns.example", "127.0.0.1:0", "127.0.0.1:99999", "[::1", ""}) {
    INFO(bad);
    auto r = Resolver::create({{bad}, 1000, 1});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kUsage);
  }
}

TEST_CASE("servers() lists the configured servers normalised") {
  auto r = Resolver::create({{"127.0.0.1", "[::1]:5353", "127.0.0.2:54"}, 1000, 1});
  REQUIRE(r.ok());
  CHECK(r.value()->servers() == std::vector<std::string>{"127.0.0.1:53", "[::1]:5353", "127.0.0.2:54"});
  CHECK_FALSE(r.value()->busy());
  CHECK_FALSE(r.value()->timeout_ms());
}

TEST_CASE("without servers, localhost is answered from /etc/hosts") {
  // No server is given, but no packet can leave: the hosts file answers, and c-ares
  // never sends "localhost" to a server anyway (RFC 6761).
  auto r = Resolver::create({{}, 1000, 1});
  REQUIRE(r.ok());
  DnsLookup l = resolve_now(*r.value(), "localhost", 4);
  if (l.source != "hosts") {
    WARN("no localhost line in /etc/hosts here");
    return;
  }
  CHECK(l.outcome == "NOERROR");
  CHECK(l.queries.empty());
  CHECK(l.addresses() == std::vector<std::string>{"127.0.0.1"});
}

// ---- Which servers were asked, when, and what came back ----------------------------------

TEST_CASE("every query records the one message it sent and the lab server that answered it") {
  Lab lab;
  RunClock clock;
  DnsLookup l = resolve_now(*lab.resolver, "dual.test", 0, clock);
  REQUIRE(l.queries.size() == 2);
  for (const auto& q : l.queries) {
    INFO(q.type);
    CHECK(q.server == lab.server->address());
    REQUIRE(q.attempts.size() == 1);
    const DnsAttempt& a = q.attempts[0];
    CHECK(a.server == lab.server->address());
    CHECK(a.outcome == "NOERROR");
    CHECK(a.start_ms == q.span.start_ms);  // sent from inside resolve()
    REQUIRE(a.end_ms);
    CHECK(*a.end_ms == q.span.end_ms);  // the reply ended the query
  }
}

TEST_CASE("a dead first server is UNREACHABLE at once and the next one answers without a timeout") {
  // Before the wiretap, the ICMP error of the A query surfaced on the AAAA query's send:
  // c-ares moved the AAAA on, and the A query waited out a whole try (2.5 s here).
  auto started = lab::DnsServer::start("127.0.0.1", 0);
  REQUIRE(started.ok());
  auto& server = *started.value();
  const std::string dead = "127.0.0.1:" + std::to_string(closed_udp_port());
  auto resolver = resolver_for({dead, server.address()}, 15000, 2);
  DnsLookup l = resolve_now(*resolver, "www.example.test", 0);
  CHECK(l.outcome == "NOERROR");
  CHECK(l.span.duration_ms() < 1000);
  REQUIRE(l.queries.size() == 2);
  for (const auto& q : l.queries) {
    INFO(q.type);
    CHECK(q.server == server.address());
    REQUIRE(q.attempts.size() == 2);
    CHECK(q.attempts[0].server == dead);
    CHECK(q.attempts[0].outcome == "UNREACHABLE");
    CHECK(q.attempts[1].server == server.address());
    CHECK(q.attempts[1].outcome == (q.type == "A" ? "NOERROR" : "NODATA"));
    CHECK(q.attempts[1].start_ms >= *q.attempts[0].end_ms);
  }
}

TEST_CASE("a silent first server's try times out, then the next server answers") {
  Lab lab;
  SilentServer silent;
  // 600 ms for one round over two servers: 300 ms for each try.
  auto resolver = resolver_for({silent.address(), lab.server->address()}, 600, 1);
  DnsLookup l = resolve_now(*resolver, "www.example.test", 4);
  CHECK(l.outcome == "NOERROR");
  REQUIRE(l.queries.size() == 1);
  const DnsQuery& q = l.queries[0];
  CHECK(q.server == lab.server->address());
  REQUIRE(q.attempts.size() == 2);
  CHECK(q.attempts[0].server == silent.address());
  CHECK(q.attempts[0].outcome == "TIMEOUT");
  REQUIRE(q.attempts[0].end_ms);
  CHECK(*q.attempts[0].end_ms - q.attempts[0].start_ms >= 290);
  CHECK(*q.attempts[0].end_ms - q.attempts[0].start_ms < 1000);
  CHECK(q.attempts[1].server == lab.server->address());
  CHECK(q.attempts[1].start_ms == *q.attempts[0].end_ms);
  CHECK(q.attempts[1].outcome == "NOERROR");
}

TEST_CASE("a silent server times out every try, twice as long the second time, within the lookup timeout") {
  Lab lab(300, 2);  // 100 ms, then 200 ms
  DnsLookup l = lab.resolve("silent.test", 4);
  CHECK(l.outcome == "TIMEOUT");
  CHECK(l.span.duration_ms() >= 290);
  CHECK(l.span.duration_ms() < 800);
  const DnsQuery& q = l.queries.at(0);
  CHECK(q.server.empty());
  REQUIRE(q.attempts.size() == 2);
  for (const auto& a : q.attempts) {
    CHECK(a.server == lab.server->address());
    CHECK(a.outcome == "TIMEOUT");
  }
  CHECK(q.attempts[1].start_ms == *q.attempts[0].end_ms);
  CHECK(*q.attempts[1].end_ms == q.span.end_ms);
  CHECK(*q.attempts[1].end_ms - q.attempts[1].start_ms > *q.attempts[0].end_ms - q.attempts[0].start_ms);
  CHECK(lab.server->queries() == 2);
}

TEST_CASE("an answer slower than a try is credited to the first try and the retransmit stays unanswered") {
  Lab lab(300, 2);  // the first try times out at 100 ms; the answer comes at 150 ms
  DnsLookup l = lab.resolve("delay-150.test", 4);
  CHECK(l.outcome == "NOERROR");
  const DnsQuery& q = l.queries.at(0);
  CHECK(q.server == lab.server->address());
  REQUIRE(q.attempts.size() == 2);
  CHECK(q.attempts[0].outcome == "NOERROR");
  REQUIRE(q.attempts[0].end_ms);
  CHECK(*q.attempts[0].end_ms - q.attempts[0].start_ms >= 145);
  CHECK_FALSE(q.attempts[1].end_ms);
  CHECK(q.attempts[1].outcome.empty());
}

TEST_CASE("each reply's outcome is recorded on its attempt, and that server answered the query") {
  Lab lab;
  for (auto [host, outcome] : std::vector<std::pair<std::string, std::string>>{{"nxdomain.test", "NXDOMAIN"},
                                                                              {"servfail.test", "SERVFAIL"},
                                                                              {"refused.test", "REFUSED"},
                                                                              {"empty.test", "NODATA"},
                                                                              {"malformed.test", "BADREPLY"},
                                                                              {"truncated.test", "BADREPLY"}}) {
    INFO(host);
    DnsLookup l = lab.resolve(host, 4);
    const DnsQuery& q = l.queries.at(0);
    REQUIRE(q.attempts.size() == 1);
    CHECK(q.attempts[0].outcome == outcome);
    CHECK(q.server == lab.server->address());
  }
}

TEST_CASE("abandoning a lookup returns what it has so far and its callback never runs") {
  Lab lab(5000, 2);
  RunClock clock;
  int calls = 0;
  auto id = lab.resolver->resolve("silent.test", 0, clock, [&](DnsLookup) { ++calls; });
  while (clock.now_ms() < 50) lab.resolver->process({});
  auto l = lab.resolver->abandon(id, Failure{Code::kTimeout, "--max-time reached"});
  REQUIRE(l);
  CHECK(l->host == "silent.test");
  CHECK(l->outcome == "TIMEOUT");
  CHECK(l->ares_status.empty());
  REQUIRE(l->failure);
  CHECK(l->failure->code == Code::kTimeout);
  CHECK(l->failure->message == "--max-time reached");
  // The span runs from the request (a moment after the clock's 0) to the abandonment
  // (after the loop saw 50 ms): its end is the moment of abandoning, not a fixed length.
  CHECK(l->span.start_ms < 50);
  CHECK(l->span.end_ms >= 50);
  REQUIRE(l->queries.size() == 2);
  for (const auto& q : l->queries) {
    CHECK(q.outcome == "TIMEOUT");
    CHECK(q.ares_status.empty());
    CHECK(q.span.end_ms == l->span.end_ms);
    REQUIRE(q.attempts.size() == 1);
    CHECK(q.attempts[0].server == lab.server->address());
    CHECK(q.attempts[0].outcome == "TIMEOUT");
    CHECK(q.attempts[0].end_ms == l->span.end_ms);
  }
  CHECK_FALSE(lab.resolver->busy());
  CHECK_FALSE(lab.resolver->abandon(id, Failure{}));  // handed out once
  for (int i = 0; i < 5; ++i) lab.resolver->process({});
  CHECK(calls == 0);
}

TEST_CASE("the lookup timeout is split over the servers' tries, each round twice the one before") {
  CHECK(per_try_timeout_ms(15000, 1, 2) == 5000);   // 5 s + 10 s
  CHECK(per_try_timeout_ms(15000, 2, 2) == 2500);   // 2 x 2.5 s + 2 x 5 s
  CHECK(per_try_timeout_ms(300, 1, 1) == 300);
  CHECK(per_try_timeout_ms(700, 1, 3) == 100);      // 100 + 200 + 400
  CHECK(per_try_timeout_ms(1, 3, 2) == 1);          // never 0
  CHECK(per_try_timeout_ms(1000, 0, 2) == 333);     // no server known: as if one
}

// Under `ulimit -n 64` with --parallel 100, a lookup whose socket could not be opened
// (EMFILE) was stored as TIMEOUT after 5 s: a network failure that never happened.
TEST_CASE("a lookup that cannot open a socket fails at once as a local resource failure") {
  Lab lab(5000, 2);
  // The same code path once with descriptors, so that nothing new runs while none is
  // free (a sanitizer checking a type it has not seen yet needs a pipe), then without.
  lab.resolve("www.test", 0);
  std::optional<DnsLookup> out;
  const auto started = std::chrono::steady_clock::now();
  {
    pageload::testing::NoFreeDescriptors exhausted;  // no test assertion in here
    lab.resolver->resolve("www.test", 0, RunClock(), [&](DnsLookup l) { out = std::move(l); });
    while (lab.resolver->busy() && std::chrono::steady_clock::now() - started < std::chrono::seconds(3)) {
      poll(nullptr, 0, static_cast<int>(std::min(lab.resolver->timeout_ms().value_or(10), 10L)));
      lab.resolver->process({});
    }
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
  REQUIRE(out);
  INFO(out->outcome << " " << out->ares_status);
  REQUIRE(out->failure);
  CHECK(out->failure->code == Code::kLocalResource);
  CHECK(out->failure->message.find("www.test: cannot open a DNS socket: Too many open files") == 0);
  CHECK(out->outcome == "ERROR");
  for (const auto& q : out->queries) CHECK(q.outcome == "ERROR");
  // With descriptors free again the same resolver answers.
  CHECK(lab.resolve("www.test", 4).outcome == "NOERROR");
}

// A TTL of 2^31 or more was stored negative (c-ares hands TTLs over as int).
TEST_CASE("a TTL of 2^31 and more is recorded as the unsigned value the server sent") {
  Lab lab;
  CHECK(lab.resolve("ttl-2147483648.test", 4).answers.at(0).ttl == 2147483648u);
  CHECK(lab.resolve("ttl-4294967295.test", 4).answers.at(0).ttl == 4294967295u);
  CHECK(lab.resolve("ttl-2147483647.test", 4).answers.at(0).ttl == 2147483647u);
}
