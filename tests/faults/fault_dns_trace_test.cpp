// --dns-trace against the lab's DNS hierarchy (root 127.0.0.53, TLD, authoritative
// servers): each case the walk meets ends as a stored run, its steps kept, and a failed
// walk fails the load in its dns phase with an error class of its own and exit 3. Loads
// go through the loader and a real database; the CLI cases spawn build/pageload. Every
// walk is rooted at the lab: nothing leaves loopback.
#include "faults/fault_support.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <set>
#include <thread>

using namespace pageload;
using namespace pageload::testing;

namespace {

LoadOptions traced(const std::string& host, const std::string& path = "/") {
  LoadOptions o = fault_options(shared_lab().http_url(host, path));
  o.dns_servers.clear();
  o.dns_trace = true;
  o.dns_roots = {shared_lab().dns_root()};
  o.ip_version = 4;
  o.dns_timeout_ms = 1000;  // a silent server costs a fifth of it: 200 ms
  return o;
}

const DnsLookup& lookup_of(const Run& run, std::size_t request = 0) {
  REQUIRE(run.requests.size() > request);
  REQUIRE(run.requests[request].dns_lookup);
  return run.dns_lookups.at(static_cast<std::size_t>(*run.requests[request].dns_lookup));
}

std::string at(const std::string& address) { return address + ":" + std::to_string(shared_lab().dns_root_port()); }

std::vector<std::string> trace_args(std::vector<std::string> extra) {
  std::vector<std::string> a{"run", "--dns-trace", "--dns-root", shared_lab().dns_root(), "-4", "--no-html"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace

TEST_CASE("a traced load connects to the walk's answer, its dns phase the walk's time, its steps stored") {
  Timed t = timed_load(traced("www.shop.test"));
  INFO((t.run.failure ? t.run.failure->message : ""));
  CHECK(t.run.outcome == Outcome::kOk);
  const DnsLookup& l = lookup_of(t.run);
  CHECK(l.source == "trace");
  CHECK(l.servers == std::vector<std::string>{shared_lab().dns_root()});
  REQUIRE(l.steps.size() == 3);
  CHECK(l.steps[0].server == at("127.0.0.53"));
  CHECK(l.steps[1].zone == "test");
  CHECK(l.steps[2].kind == "answer");
  const Request& r = t.run.requests[0];
  const PhaseRecord* dns = r.phase(Phase::kDns);
  REQUIRE(dns);
  CHECK(dns->span == l.span);
  CHECK(l.steps.front().span.start_ms >= dns->span.start_ms);
  CHECK(l.steps.back().span.end_ms <= dns->span.end_ms);
  REQUIRE(r.connection);
  CHECK(t.run.connections[*r.connection].remote_ip == "127.0.0.1");
}

TEST_CASE("each new host of a redirect chain is walked from the root, and one seen before comes from the run's cache") {
  // www.shop.test -> www.cname.test -> www.shop.test, each hop on a new connection.
  auto encode = [](const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
      else out += "%" + std::string(1, "0123456789ABCDEF"[c >> 4]) + "0123456789ABCDEF"[c & 15];
    }
    return out;
  };
  const auto& lab = shared_lab();
  const std::string back = lab.http_url("www.shop.test", "/status/200");
  const std::string via = lab.http_url("www.cname.test", "/redirect/302?to=" + encode(back));
  LoadOptions o = traced("www.shop.test", "/redirect/302?to=" + encode(via));
  o.keepalive = false;
  Timed t = timed_load(o);
  INFO((t.run.failure ? t.run.failure->message : ""));
  CHECK(t.run.outcome == Outcome::kOk);
  REQUIRE(t.run.requests.size() == 3);
  CHECK(lookup_of(t.run, 0).steps.size() == 3);
  const DnsLookup& cname = lookup_of(t.run, 1);
  CHECK(cname.source == "trace");
  CHECK(cname.steps.size() == 6);
  CHECK(cname.answers.at(0).type == "CNAME");
  const DnsLookup& again = lookup_of(t.run, 2);
  CHECK(again.source == "cache");
  CHECK(again.steps.empty());
  CHECK_FALSE(t.run.requests[2].phase(Phase::kDns));
}

// The lab's pages name a.test, b.test, c.test and www.test, which the hierarchy did not
// delegate: a traced /page/cross-host failed four of its six requests with NXDOMAIN.
TEST_CASE("a traced page of several hosts walks each one from the root and loads them all") {
  Timed t = timed_load(traced("www.test", "/page/cross-host"));
  INFO((t.run.failure ? t.run.failure->message : ""));
  REQUIRE(t.run.outcome == Outcome::kOk);
  std::set<std::string> walked;
  for (const DnsLookup& l : t.run.dns_lookups)
    if (l.source == "trace") {
      CHECK(walked.insert(l.host).second);  // each host walked once
      CHECK(l.outcome == "NOERROR");
    }
  CHECK(walked == std::set<std::string>{"www.test", "b.test", "c.test"});
  for (const Request& r : t.run.requests) {
    INFO(r.url);
    CHECK_FALSE(r.failure);
  }
}

TEST_CASE("a traced page walks each of its hosts once: later requests to the host take that walk's answer") {
  Timed t = timed_load(traced("www.shop.test", "/page/import"));
  INFO((t.run.failure ? t.run.failure->message : ""));
  REQUIRE(t.run.outcome == Outcome::kOk);
  REQUIRE(t.run.requests.size() >= 4);  // the document, its stylesheets, the icon
  // One walk; a request on a new connection after it takes the page's cached answer.
  int walks = 0;
  for (const DnsLookup& l : t.run.dns_lookups) {
    INFO(l.id << " " << l.source);
    CHECK(l.host == "www.shop.test");
    if (l.source == "trace") {
      ++walks;
      CHECK(l.steps.size() == 3);
    } else {
      CHECK(l.source == "cache");
      CHECK(l.steps.empty());
    }
  }
  CHECK(walks == 1);
  const DnsLookup& walk = lookup_of(t.run, 0);
  CHECK(walk.source == "trace");
  int dns_phases = 0;
  for (const Request& r : t.run.requests) dns_phases += r.phase(Phase::kDns) != nullptr;
  CHECK(dns_phases == 1);
  CHECK(t.run.requests[0].phase(Phase::kDns)->span == walk.span);
}

TEST_CASE("a traced page's third-party host that does not exist is walked once, to the TLD's NXDOMAIN") {
  Timed t = timed_load(traced("www.shop.test", "/page/third-party"));
  INFO((t.run.failure ? t.run.failure->message : ""));
  CHECK(t.run.outcome == Outcome::kOk);  // a subresource failing in DNS does not fail the page
  CHECK(t.run.exit_status() == 0);
  std::vector<const DnsLookup*> third;
  for (const DnsLookup& l : t.run.dns_lookups)
    if (l.host == "nxdomain.test") third.push_back(&l);
  REQUIRE(third.size() == 1);
  CHECK(third[0]->source == "trace");
  CHECK(third[0]->outcome == "NXDOMAIN");
  REQUIRE(third[0]->steps.size() == 2);
  CHECK(third[0]->steps[1].zone == "test");
  CHECK(third[0]->steps[1].kind == "nxdomain");
  int failed = 0;
  for (const Request& r : t.run.requests)
    if (r.host == "nxdomain.test") {
      ++failed;
      REQUIRE(r.failure);
      CHECK(r.failure->code == Code::kDnsNxdomain);
      CHECK(r.dns_lookup == std::optional<int>(third[0]->id));
    }
  CHECK(failed == 2);
}

TEST_CASE("a traced load past a lame server and past a silent and an unreachable one loads, each try a step") {
  Timed lame = timed_load(traced("www.lame.test"));
  CHECK(lame.run.outcome == Outcome::kOk);
  CHECK(lookup_of(lame.run).steps.at(2).failure->code == Code::kDnsLameDelegation);

  Timed flaky = timed_load(traced("www.flaky.test"));
  CHECK(flaky.run.outcome == Outcome::kOk);
  const DnsLookup& l = lookup_of(flaky.run);
  REQUIRE(l.steps.size() == 5);
  CHECK(l.steps[2].kind == "timeout");
  CHECK(l.steps[3].failure->code == Code::kDnsUnreachable);
  CHECK(l.steps[2].span.duration_ms() >= 190);  // a fifth of --dns-timeout
  CHECK(flaky.seconds < 3);
}

// The A and AAAA walks shared one socket to a server: its ICMP error failed one of them and
// the other waited out its timeout, a second lost and the server read as silent.
TEST_CASE("with A and AAAA both walked, an unreachable server is an unreachable step for each, at once") {
  LoadOptions o = traced("www.flaky.test");
  o.ip_version = 0;  // both families
  Timed flaky = timed_load(o);
  CHECK(flaky.run.outcome == Outcome::kOk);
  const DnsLookup& l = lookup_of(flaky.run);
  int unreachable = 0;
  for (const DnsStep& s : l.steps) {
    if (s.server.rfind("127.0.0.61:", 0) != 0) continue;
    INFO(s.qtype << " " << s.kind);
    CHECK(s.kind == "error");
    REQUIRE(s.failure);
    CHECK(s.failure->code == Code::kDnsUnreachable);
    CHECK(s.span.duration_ms() < 150);  // not a step timeout (200 ms here)
    ++unreachable;
  }
  CHECK(unreachable == 2);
}

TEST_CASE("a zone whose every server is lame fails the load in dns as dns_lame_delegation, steps kept") {
  Timed t = timed_load(traced("www.dead.test"));
  check_failed(t.run, Phase::kDns, Code::kDnsLameDelegation);
  CHECK(t.run.connections.empty());
  const DnsLookup& l = lookup_of(t.run);
  CHECK(l.outcome == "LAME");
  CHECK(l.steps.size() == 4);
  CHECK(t.run.failure->message.find("dead.test") != std::string::npos);
}

TEST_CASE("a zone whose every server is silent or unreachable fails as dns_unreachable, in time") {
  Timed t = timed_load(traced("www.down.test"));
  check_failed(t.run, Phase::kDns, Code::kDnsUnreachable);
  CHECK(lookup_of(t.run).steps.size() == 4);
  CHECK(t.seconds < 3);
}

TEST_CASE("a referral back up, and a name server only findable through itself, fail as dns_referral_loop") {
  for (const char* host : {"www.loop.test", "www.cycle.test"}) {
    INFO(host);
    Timed t = timed_load(traced(host));
    check_failed(t.run, Phase::kDns, Code::kDnsReferralLoop);
    CHECK(lookup_of(t.run).steps.back().failure->code == Code::kDnsReferralLoop);
  }
}

TEST_CASE("a CNAME chain leaving its zone more often than the bound fails as dns_too_deep") {
  Timed ok = timed_load(traced("hop-8.chain.test"));
  CHECK(ok.run.outcome == Outcome::kOk);
  Timed deep = timed_load(traced("hop-9.chain.test"));
  check_failed(deep.run, Phase::kDns, Code::kDnsTooDeep);
  CHECK(lookup_of(deep.run).steps.size() == 27);
}

TEST_CASE("NXDOMAIN and NODATA at the end of a walk fail as they do through a resolver") {
  check_failed(timed_load(traced("nx.shop.test")).run, Phase::kDns, Code::kDnsNxdomain);
  check_failed(timed_load(traced("v6.shop.test")).run, Phase::kDns, Code::kDnsNoData);
}

TEST_CASE("a walk cut off by --max-time ends the load as a timeout with the steps so far, the open one timed out") {
  LoadOptions o = traced("delay-2000.slow.test");
  o.dns_timeout_ms = 15000;  // each step may take a second: --max-time comes first
  o.max_time_ms = 300;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kDns, Code::kTimeout);
  const DnsLookup& l = lookup_of(t.run);
  CHECK(l.outcome == "TIMEOUT");
  REQUIRE(l.steps.size() == 3);
  CHECK(l.steps[2].kind == "timeout");
  CHECK(t.seconds < 2);
}

TEST_CASE("Ctrl-C during a walk ends the load as interrupted in its dns phase, the steps so far kept") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  auto loader = Loader::create();
  REQUIRE(loader.ok());
  LoadOptions o = traced("delay-3000.slow.test");
  o.dns_timeout_ms = 15000;
  std::optional<Run> done;
  REQUIRE((*loader)->start(o, {}, [&](Run& run) { done = run; }).ok());
  (*loader)->watch(fds[0], [&] { (*loader)->cancel_all("interrupted by SIGINT (Ctrl-C)"); });
  std::thread ctrl_c([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    (void)!write(fds[1], "x", 1);
  });
  (*loader)->run_until_idle();
  ctrl_c.join();
  close(fds[0]);
  close(fds[1]);
  REQUIRE(done);
  check_failed(*done, Phase::kDns, Code::kInterrupted);
  const DnsLookup& l = lookup_of(*done);
  REQUIRE(l.steps.size() == 3);
  CHECK(l.steps[0].kind == "referral");
  CHECK(l.steps[2].kind == "timeout");
  CHECK(l.steps[2].failure->code == Code::kInterrupted);
}

TEST_CASE("pageload run --dns-trace prints the walk under the dns phase, and show and --json carry the steps") {
  TempDb tmp;
  auto r = pageload_cli(trace_args({"--db", tmp.path(), shared_lab().http_url("www.noglue.test", "/")}), tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("dns walk from the root (--dns-trace): 6 steps") != std::string::npos);
  CHECK(r.out.find("@" + at("127.0.0.54") + " test") != std::string::npos);
  CHECK(r.out.find("referral to noglue.test via ns1.hosting.test (no glue)") != std::string::npos);
  CHECK(r.out.find("↳ ns1.hosting.test (A) @" + at("127.0.0.56")) != std::string::npos);  // the NS name's own walk
  CHECK(r.out.find("answer A 127.0.0.1") != std::string::npos);

  auto show = pageload_cli({"show", "--db", tmp.path()}, tmp.dir());
  CHECK(show.out.find("via trace NOERROR @" + shared_lab().dns_root()) != std::string::npos);
  CHECK(show.out.find("walk from the root: 6 steps") != std::string::npos);
  CHECK(show.out.find("ns ns1.hosting.test for noglue.test") != std::string::npos);

  auto json = pageload_cli({"show", "--json", "--db", tmp.path()}, tmp.dir());
  auto j = nlohmann::json::parse(json.out);
  const auto& steps = j["dns_lookups"][0]["steps"];
  REQUIRE(steps.size() == 6);
  CHECK(j["dns_lookups"][0]["source"] == "trace");
  CHECK(steps[0]["zone"] == ".");
  CHECK(steps[0]["kind"] == "referral");
  CHECK(steps[0]["aa"] == false);
  CHECK(steps[1]["glue"].empty());
  CHECK(steps[2]["depth"] == 1);
  CHECK(steps[2]["qname"] == "ns1.hosting.test");
  CHECK(steps[5]["records"][0]["value"] == "127.0.0.1");
  CHECK(steps[5]["error"].is_null());
  CHECK(steps[5]["query"] == "A");
}

TEST_CASE("a failed walk exits 3 with one error line naming its class, the lame step shown") {
  TempDb tmp;
  auto r = pageload_cli(trace_args({"--db", tmp.path(), shared_lab().http_url("www.dead.test", "/")}), tmp.dir());
  INFO(r.out << r.err);
  CHECK(r.status == 3);
  CHECK(r.out.find("dns failed: dns_lame_delegation") != std::string::npos);
  CHECK(r.out.find("lame: REFUSED: not a server of dead.test") != std::string::npos);
  int errors = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) errors += line.rfind("error: ", 0) == 0;
  CHECK(errors == 1);
}

TEST_CASE("a --dns-root without --dns-trace, with --dns-server, on two ports, or not an address is a usage error") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.shop.test", "/");
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"run", "--dns-root", shared_lab().dns_root(), url},
           {"run", "--dns-trace", "--dns-server", shared_lab().dns_server(), url},
           {"run", "--dns-trace", "--dns-root", "127.0.0.53:5300", "--dns-root", "127.0.0.54:5301", url},
           {"run", "--dns-trace", "--dns-root", "a.root-servers.net", url}}) {
    args.push_back("--db");
    args.push_back(tmp.path());
    auto r = pageload_cli(args, tmp.dir());
    INFO(args[1] << " " << args[2] << " -> " << r.err);
    CHECK(r.status == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.rfind("pageload: ", 0) == 0);
  }
  CHECK_FALSE(std::filesystem::exists(tmp.path()));  // nothing stored for bad input
}
