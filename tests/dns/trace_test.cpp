// The walk from the root (trace.h) against the lab's DNS hierarchy on 127.0.0.53 and up
// (dns_hierarchy.h), driven by a poll() loop as the loader drives it. Every tracer here is
// given the lab's root: nothing leaves loopback.
#include <catch2/catch.hpp>

#include <algorithm>

#include "dns/trace.h"
#include "lab/dns_hierarchy_server.h"
#include "resolver_loop.h"

using namespace pageload;
using namespace pageload::dns;
using pageload::dns::testing::resolve_now;
using pageload::dns::testing::run_until_idle;

namespace {

lab::DnsHierarchyServer& hierarchy() {
  static std::unique_ptr<lab::DnsHierarchyServer> server = [] {
    auto s = lab::DnsHierarchyServer::start(0);
    REQUIRE(s.ok());
    return std::move(s).value();
  }();
  return *server;
}

std::string at(const std::string& address) { return address + ":" + std::to_string(hierarchy().port()); }

// A tracer rooted at the lab, whose silent servers cost 150 ms a step.
std::unique_ptr<Tracer> tracer(TraceOptions o = {}) {
  o.roots = {hierarchy().root()};
  if (!o.step_timeout_ms) o.step_timeout_ms = 150;
  if (o.timeout_ms == 15000) o.timeout_ms = 4000;
  auto t = Tracer::create(o);
  REQUIRE(t.ok());
  return std::move(t).value();
}

DnsLookup walk(const std::string& host, int family = 4, TraceOptions o = {}) {
  auto t = tracer(o);
  return resolve_now(*t, host, family);
}

// "server zone kind" for each step, to compare whole walks at a glance.
std::vector<std::string> path(const DnsLookup& l) {
  std::vector<std::string> out;
  for (const auto& s : l.steps) out.push_back(s.server + " " + s.zone + " " + s.kind);
  return out;
}

}  // namespace

TEST_CASE("a walk with glue goes root, TLD, authoritative server and ends with its answer") {
  DnsLookup l = walk("www.shop.test");
  CHECK(l.source == "trace");
  CHECK(l.outcome == "NOERROR");
  CHECK_FALSE(l.failure);
  CHECK(l.servers == std::vector<std::string>{hierarchy().root()});
  CHECK(path(l) == std::vector<std::string>{at("127.0.0.53") + " . referral", at("127.0.0.54") + " test referral",
                                            at("127.0.0.55") + " shop.test answer"});
  const DnsStep& root = l.steps[0];
  CHECK(root.qname == "www.shop.test");
  CHECK(root.qtype == "A");
  CHECK(root.rcode == "NOERROR");
  CHECK_FALSE(root.authoritative);
  CHECK(root.referral_zone == "test");
  CHECK(root.ns == std::vector<std::string>{"ns1.nic.test"});
  REQUIRE(root.glue.size() == 1);
  CHECK(root.glue[0].value == "127.0.0.54");
  CHECK(l.steps[1].server_name == "ns1.nic.test");
  CHECK(l.steps[2].server_name == "ns1.shop.test");
  CHECK(l.steps[2].authoritative);
  CHECK(l.steps[2].records == std::vector<DnsAnswer>{{"A", "www.shop.test", "127.0.0.1", 300}});
  CHECK(l.answers == l.steps[2].records);
  REQUIRE(l.queries.size() == 1);
  CHECK(l.queries[0].server == at("127.0.0.55"));
  CHECK(l.queries[0].attempts.empty());
}

TEST_CASE("A and AAAA each walk from the root at once, and a step's time lies inside the lookup's") {
  DnsLookup l = walk("www.shop.test", 0);
  REQUIRE(l.steps.size() == 6);
  CHECK(std::count_if(l.steps.begin(), l.steps.end(), [](const DnsStep& s) { return s.query == 1; }) == 3);
  CHECK(l.steps[0].qtype == "A");
  CHECK(l.steps[1].qtype == "AAAA");  // sent before the A walk's first reply came back
  CHECK(l.queries.at(0).outcome == "NOERROR");
  CHECK(l.queries.at(1).outcome == "NODATA");
  CHECK(l.steps.back().kind == "nodata");
  CHECK(l.outcome == "NOERROR");
  for (std::size_t i = 0; i < l.steps.size(); ++i) {
    INFO("step " << i);
    CHECK(l.steps[i].span.start_ms >= l.span.start_ms);
    CHECK(l.steps[i].span.end_ms <= l.span.end_ms);
    CHECK(l.steps[i].span.end_ms >= l.steps[i].span.start_ms);
    if (i) CHECK(l.steps[i].span.start_ms >= l.steps[i - 1].span.start_ms);
  }
}

TEST_CASE("a delegation without glue walks the name server's own name from the root first") {
  DnsLookup l = walk("www.noglue.test");
  CHECK(l.outcome == "NOERROR");
  CHECK(path(l) == std::vector<std::string>{
                       at("127.0.0.53") + " . referral", at("127.0.0.54") + " test referral",
                       at("127.0.0.53") + " . referral", at("127.0.0.54") + " test referral",
                       at("127.0.0.56") + " hosting.test answer", at("127.0.0.56") + " noglue.test answer"});
  CHECK(l.steps[1].ns == std::vector<std::string>{"ns1.hosting.test"});
  CHECK(l.steps[1].glue.empty());
  CHECK(l.steps[2].depth == 1);
  CHECK(l.steps[2].qname == "ns1.hosting.test");
  CHECK(l.steps[4].records.at(0).value == "127.0.0.56");
  CHECK(l.steps[5].depth == 0);
  CHECK(l.steps[5].server_name == "ns1.hosting.test");
}

TEST_CASE("a reply read in the same pass as the query sent before it still ends at its own time, not at zero") {
  // Without glue the walk's last query goes out from the callback of the NS name's answer,
  // on the same server's socket; c-ares reads on and may find its reply in the same pass.
  // Its end was once the clock reading of the send: a step of 0 ms.
  for (int i = 0; i < 20; ++i) {
    DnsLookup l = walk("www.noglue.test");
    REQUIRE(l.steps.size() == 6);
    for (const auto& s : l.steps) {
      INFO(i << ": " << s.qname << " @" << s.server);
      CHECK(s.span.duration_ms() > 0);
    }
  }
}

TEST_CASE("the slow authoritative server's step takes its injected delay, the others do not") {
  TraceOptions o;
  o.step_timeout_ms = 1000;
  DnsLookup l = walk("delay-120.slow.test", 4, o);
  CHECK(l.outcome == "NOERROR");
  REQUIRE(l.steps.size() == 3);
  CHECK(l.steps[2].span.duration_ms() >= 115);
  CHECK(l.steps[0].span.duration_ms() < 100);
  CHECK(l.steps[1].span.duration_ms() < 100);
}

TEST_CASE("a lame server that refuses is a step of its own, then the zone's next server answers") {
  DnsLookup l = walk("www.lame.test");
  CHECK(l.outcome == "NOERROR");
  REQUIRE(l.steps.size() == 4);
  const DnsStep& lame = l.steps[2];
  CHECK(lame.server == at("127.0.0.58"));
  CHECK(lame.server_name == "ns1.lame.test");
  CHECK(lame.kind == "error");
  CHECK(lame.rcode == "REFUSED");
  REQUIRE(lame.failure);
  CHECK(lame.failure->code == Code::kDnsLameDelegation);
  CHECK(l.steps[3].server_name == "ns2.lame.test");
  CHECK(l.steps[3].kind == "answer");
}

TEST_CASE("a CNAME into another zone starts the walk again at the root") {
  DnsLookup l = walk("www.cname.test");
  CHECK(l.outcome == "NOERROR");
  CHECK(path(l) == std::vector<std::string>{
                       at("127.0.0.53") + " . referral", at("127.0.0.54") + " test referral",
                       at("127.0.0.56") + " cname.test cname", at("127.0.0.53") + " . referral",
                       at("127.0.0.54") + " test referral", at("127.0.0.55") + " shop.test answer"});
  CHECK(l.steps[3].qname == "www.shop.test");
  REQUIRE(l.answers.size() == 2);
  CHECK(l.answers[0] == DnsAnswer{"CNAME", "www.cname.test", "www.shop.test", 300});
  CHECK(l.answers[1].value == "127.0.0.1");
}

TEST_CASE("a silent server and an unreachable one each cost a step, and the third server answers") {
  DnsLookup l = walk("www.flaky.test");
  CHECK(l.outcome == "NOERROR");
  REQUIRE(l.steps.size() == 5);
  CHECK(l.steps[2].server == at("127.0.0.60"));
  CHECK(l.steps[2].kind == "timeout");
  CHECK(l.steps[2].rcode.empty());
  CHECK(l.steps[2].failure->code == Code::kDnsTimeout);
  CHECK(l.steps[2].span.duration_ms() >= 140);
  CHECK(l.steps[3].server == at("127.0.0.61"));
  CHECK(l.steps[3].kind == "error");
  CHECK(l.steps[3].failure->code == Code::kDnsUnreachable);
  CHECK(l.steps[4].server_name == "ns3.flaky.test");
  CHECK(l.steps[4].kind == "answer");
}

TEST_CASE("a zone whose every server is lame fails the lookup as a lame delegation") {
  DnsLookup l = walk("www.dead.test");
  CHECK(l.outcome == "LAME");
  REQUIRE(l.failure);
  CHECK(l.failure->code == Code::kDnsLameDelegation);
  CHECK(l.failure->message.find("dead.test") != std::string::npos);
  CHECK(l.failure->message.find("REFUSED") != std::string::npos);
  CHECK(l.answers.empty());
  REQUIRE(l.steps.size() == 4);
  CHECK(l.steps[2].failure->code == Code::kDnsLameDelegation);
  CHECK(l.steps[3].failure->code == Code::kDnsLameDelegation);
  CHECK(l.steps[3].rcode == "NOERROR");
}

TEST_CASE("a zone whose every server is silent or unreachable fails as dns_unreachable") {
  DnsLookup l = walk("www.down.test");
  CHECK(l.outcome == "UNREACHABLE");
  REQUIRE(l.failure);
  CHECK(l.failure->code == Code::kDnsUnreachable);
  CHECK(path(l).back() == at("127.0.0.61") + " down.test error");
}

TEST_CASE("a referral back up to the TLD is a referral loop") {
  DnsLookup l = walk("www.loop.test");
  CHECK(l.outcome == "LOOP");
  REQUIRE(l.failure);
  CHECK(l.failure->code == Code::kDnsReferralLoop);
  REQUIRE(l.steps.size() == 3);
  CHECK(l.steps[2].kind == "error");
  CHECK(l.steps[2].failure->message == "referral back up to test");
}

TEST_CASE("a name server only findable through the zone it serves is a referral loop, said by a step that sends nothing") {
  DnsLookup l = walk("www.cycle.test");
  CHECK(l.outcome == "LOOP");
  CHECK(l.failure->code == Code::kDnsReferralLoop);
  const DnsStep& check = l.steps.back();
  CHECK(check.server.empty());
  CHECK(check.kind == "error");
  CHECK(check.qname == "ns1.cycle.test");
  CHECK(check.span.duration_ms() == 0);
  CHECK(check.failure->code == Code::kDnsReferralLoop);
  // The walk went looking once: root, TLD for ns1.cycle.test, then saw it needs itself.
  CHECK(l.steps.size() == 5);
}

TEST_CASE("a CNAME chain across zones is followed from the root each time, up to the bound") {
  DnsLookup ok = walk("hop-3.chain.test");
  CHECK(ok.outcome == "NOERROR");
  CHECK(ok.steps.size() == 12);
  CHECK(std::count_if(ok.answers.begin(), ok.answers.end(), [](const DnsAnswer& a) { return a.type == "CNAME"; }) == 3);

  TraceOptions o;
  o.max_cname_restarts = 2;
  DnsLookup deep = walk("hop-3.chain.test", 4, o);
  CHECK(deep.outcome == "TOODEEP");
  REQUIRE(deep.failure);
  CHECK(deep.failure->code == Code::kDnsTooDeep);
  CHECK(deep.steps.back().kind == "error");
  CHECK(deep.steps.back().failure->code == Code::kDnsTooDeep);
  CHECK(deep.steps.size() == 9);
}

TEST_CASE("NXDOMAIN from the authoritative server or the TLD ends the walk there") {
  DnsLookup nx = walk("nx.shop.test");
  CHECK(nx.outcome == "NXDOMAIN");
  CHECK(nx.failure->code == Code::kDnsNxdomain);
  CHECK(nx.steps.back().kind == "nxdomain");
  CHECK(nx.steps.back().authoritative);
  DnsLookup tld = walk("nosuch.test");
  CHECK(tld.outcome == "NXDOMAIN");
  CHECK(tld.steps.size() == 2);
  CHECK(walk("nothing.invalid").steps.size() == 1);  // the root itself says so
}

TEST_CASE("a name with only AAAA is NODATA under -4 and answers under -6") {
  CHECK(walk("v6.shop.test", 4).outcome == "NODATA");
  DnsLookup v6 = walk("v6.shop.test", 6);
  CHECK(v6.outcome == "NOERROR");
  CHECK(v6.answers.at(0) == DnsAnswer{"AAAA", "v6.shop.test", "::1", 300});
}

TEST_CASE("the whole lookup ends at its timeout, the step still waiting a timeout step") {
  TraceOptions o;
  o.timeout_ms = 300;
  o.step_timeout_ms = 1000;
  DnsLookup l = walk("www.down.test", 4, o);
  CHECK(l.outcome == "TIMEOUT");
  REQUIRE(l.failure);
  CHECK(l.failure->code == Code::kDnsTimeout);
  CHECK(l.steps.back().kind == "timeout");
  CHECK(l.steps.back().failure->message.find("--dns-timeout") != std::string::npos);
  CHECK(l.span.duration_ms() >= 290);
  CHECK(l.span.duration_ms() < 900);
}

TEST_CASE("an abandoned walk returns its steps so far, the open one a timeout with the caller's failure") {
  TraceOptions o;
  o.step_timeout_ms = 1000;
  auto t = tracer(o);
  bool called = false;
  auto id = t->resolve("delay-400.slow.test", 4, RunClock(), [&](DnsLookup) { called = true; });
  const int64_t until = mono_now_us() + 150'000;
  while (mono_now_us() < until) {
    std::vector<WaitFd> fds = t->wait_fds();
    std::vector<pollfd> polled;
    for (const auto& w : fds) polled.push_back(pollfd{w.fd, w.events, 0});
    poll(polled.data(), polled.size(), 10);
    for (std::size_t i = 0; i < fds.size(); ++i) fds[i].revents = polled[i].revents;
    t->process(fds);
  }
  auto l = t->abandon(id, Failure{Code::kTimeout, "--max-time reached"});
  REQUIRE(l);
  CHECK(l->outcome == "TIMEOUT");
  CHECK(l->failure->code == Code::kTimeout);
  REQUIRE(l->steps.size() == 3);
  CHECK(l->steps[2].kind == "timeout");
  CHECK(l->steps[2].failure->message == "--max-time reached");
  CHECK_FALSE(t->busy());
  CHECK_FALSE(t->abandon(id, Failure{}));
  t->process({});
  CHECK_FALSE(called);
}

TEST_CASE("more queries than max_steps stop the lookup with a step saying so") {
  TraceOptions o;
  o.max_steps = 2;
  DnsLookup l = walk("www.shop.test", 4, o);
  CHECK(l.outcome == "TOODEEP");
  REQUIRE(l.steps.size() == 3);
  CHECK(l.steps[2].server.empty());
  CHECK(l.steps[2].failure->code == Code::kDnsTooDeep);
}

TEST_CASE("name-server lookups nested past max_ns_depth are too deep") {
  TraceOptions o;
  o.max_ns_depth = 0;
  DnsLookup l = walk("www.noglue.test", 4, o);
  CHECK(l.outcome == "TOODEEP");
  CHECK(l.failure->code == Code::kDnsTooDeep);
  CHECK(l.steps.back().qname == "ns1.hosting.test");
}

TEST_CASE("the callback runs from process, never from inside resolve") {
  auto t = tracer();
  bool called = false;
  t->resolve("www.shop.test", 4, RunClock(), [&](DnsLookup) { called = true; });
  CHECK_FALSE(called);
  CHECK(t->busy());
  run_until_idle(*t);
  CHECK(called);
}

TEST_CASE("roots on different ports, or not numeric, are refused") {
  TraceOptions o;
  o.roots = {"127.0.0.53:5300", "127.0.0.54:5301"};
  auto t = Tracer::create(o);
  REQUIRE_FALSE(t.ok());
  CHECK(t.status().code() == Code::kUsage);
  o.roots = {"root.example"};
  CHECK(Tracer::create(o).status().code() == Code::kUsage);
}

TEST_CASE("without roots the walk would start at IANA's root hints on port 53") {
  auto t = Tracer::create({});  // nothing is resolved: no query is sent
  REQUIRE(t.ok());
  auto roots = (*t)->roots();
  REQUIRE(roots.size() == 26);
  CHECK(roots[0] == "198.41.0.4:53");
  CHECK(roots[1] == "[2001:503:ba3e::2:30]:53");
  CHECK(roots[25] == "[2001:dc3::35]:53");
}

TEST_CASE("the step timeout is a fifth of the lookup's, at most a second") {
  TraceOptions o;
  CHECK(step_timeout_ms(o) == 1000);
  o.timeout_ms = 500;
  CHECK(step_timeout_ms(o) == 100);
  o.step_timeout_ms = 7;
  CHECK(step_timeout_ms(o) == 7);
}
