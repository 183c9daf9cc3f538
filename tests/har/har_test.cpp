// HAR 1.2 export: timings by the spec's rules, wall-clock times, one entry per request.
// Schema validation and a real consumer are in tests/browser/har_check.mjs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "har/har_export.h"
#include "har/har_time.h"
#include "synthetic_runs.h"

using nlohmann::json;
using namespace pageload;

namespace {

const Request& first_with(const Run& run, bool (*pred)(const Request&)) {
  for (const auto& r : run.requests)
    if (pred(r)) return r;
  FAIL("no such request in the synthetic page");
  return run.requests.front();
}

double phase_ms(const Request& r, Phase p) { return r.phase(p) ? r.phase(p)->span.duration_ms() : 0; }

}  // namespace

TEST_CASE("a request that opened a TLS connection counts the handshake inside connect, and time counts it once") {
  const Run run = synthetic::page(3, false);
  const Request& r = first_with(run, [](const Request& q) { return q.phase(Phase::kTls) != nullptr; });
  const har::HarTimings t = har::har_timings(r);
  CHECK(t.ssl == Approx(phase_ms(r, Phase::kTls)).margin(0.001));
  CHECK(t.connect == Approx(phase_ms(r, Phase::kConnect) + phase_ms(r, Phase::kTls)).margin(0.002));
  CHECK(t.dns == Approx(phase_ms(r, Phase::kDns)).margin(0.001));
  double sum = 0;  // each phase once: the handshake is in connect, not added again as ssl
  for (const auto& p : r.phases) sum += p.span.duration_ms();
  CHECK(t.total() == Approx(sum).margin(0.01));
}

// Final review of issue 13 #4: a proxy's CONNECT tunnel was in no timing, so a 72 ms request
// through a slow proxy was a 17 ms entry in every HAR tool.
TEST_CASE("a proxy's CONNECT tunnel is counted inside connect, as Chrome counts it, and time covers the request") {
  Run run = synthetic::page(3, false);
  Request r = first_with(run, [](const Request& q) { return q.phase(Phase::kTls) != nullptr; });
  // Move the handshake and what follows 50 ms later, behind a tunnel after the TCP connect.
  const double after_connect = r.phase(Phase::kConnect)->span.end_ms;
  for (auto& p : r.phases)
    if (p.span.start_ms >= after_connect) p.span = Span{p.span.start_ms + 50, p.span.end_ms + 50};
  r.phases.push_back(PhaseRecord{Phase::kTunnel, Span{after_connect, after_connect + 50}, std::nullopt});
  const har::HarTimings t = har::har_timings(r);
  CHECK(t.connect == Approx(phase_ms(r, Phase::kConnect) + 50 + phase_ms(r, Phase::kTls)).margin(0.002));
  double sum = 0;
  for (const auto& p : r.phases) sum += p.span.duration_ms();
  CHECK(t.total() == Approx(sum).margin(0.01));
}

TEST_CASE("a request on a kept-alive connection has -1 for dns, connect and ssl") {
  const Run run = synthetic::page(3, true);
  const Request& r = first_with(run, [](const Request& q) { return q.reused && !q.phase(Phase::kConnect); });
  const har::HarTimings t = har::har_timings(r);
  CHECK(t.dns == -1);
  CHECK(t.connect == -1);
  CHECK(t.ssl == -1);
  CHECK(t.send >= 0);
  CHECK(t.wait >= 0);
  CHECK(t.receive >= 0);
}

TEST_CASE("wall times add the run clock's offset to the run's start, across midnight, in milliseconds") {
  CHECK(har::wall_time("2026-12-01T20:46:07.123456Z", 12.5) == "2026-12-01T20:46:07.135Z");
  CHECK(har::wall_time("2026-12-31T23:59:59.999000Z", 2.0) == "2027-01-01T00:00:00.001Z");
  CHECK(har::wall_time("2026-12-01T20:46:07Z", 0) == "2026-12-01T20:46:07.000Z");
  CHECK_FALSE(har::wall_time("yesterday", 0).has_value());
  CHECK_FALSE(har::wall_time("2026-12-01T20:46:07.1+02:00", 0).has_value());
}

TEST_CASE("every request of a page is an entry of that page, with the page's load as onLoad") {
  const Run run = synthetic::page(5, false);
  const json har = json::parse(har::write_har({run}));
  const json& log = har["log"];
  CHECK(log["version"] == "1.2");
  REQUIRE(log["pages"].size() == 1);
  CHECK(log["pages"][0]["pageTimings"]["onLoad"].get<double>() == Approx(*run.load_ms).margin(0.001));
  CHECK(log["pages"][0]["pageTimings"]["onContentLoad"] == -1);
  REQUIRE(log["entries"].size() == run.requests.size());
  for (const auto& e : log["entries"]) {
    CHECK(e["pageref"] == log["pages"][0]["id"]);
    double sum = 0;
    for (const char* k : {"blocked", "dns", "connect", "send", "wait", "receive"})
      sum += std::max(0.0, e["timings"][k].get<double>());
    CHECK(e["time"].get<double>() == Approx(sum).margin(0.01));
  }
}

TEST_CASE("a request that failed has status 0 and its error phase and class") {
  const Run run = synthetic::page(2, false);
  const json har = json::parse(har::write_har({run}));
  bool found = false;
  for (const auto& e : har["log"]["entries"]) {
    if (!e.contains("_error")) continue;
    found = true;
    if (e["_error"]["class"] == "dns_nxdomain") {
      CHECK(e["response"]["status"] == 0);
      CHECK(e["_error"]["phase"] == "dns");
    }
  }
  CHECK(found);
}

TEST_CASE("hostile strings from servers stay data: the HAR parses and gives them back as they were") {
  const Run run = synthetic::hostile_page();
  const std::string text = har::write_har({run});
  const json har = json::parse(text);
  REQUIRE(har["log"]["entries"].size() == run.requests.size());
  bool saw_url = false;
  for (const auto& e : har["log"]["entries"])
    for (const auto& r : run.requests)
      if (e["request"]["url"] == r.url && r.url.find('<') != std::string::npos) saw_url = true;
  CHECK(saw_url);
}

TEST_CASE("two runs are two pages, each entry pointing at its own") {
  Run a = synthetic::page(1, false), b = synthetic::page(2, true);
  a.id = 7;
  b.id = 8;
  const json har = json::parse(har::write_har({a, b}));
  REQUIRE(har["log"]["pages"].size() == 2);
  std::size_t on_a = 0, on_b = 0;
  for (const auto& e : har["log"]["entries"]) {
    if (e["pageref"] == "page_7") ++on_a;
    if (e["pageref"] == "page_8") ++on_b;
  }
  CHECK(on_a == a.requests.size());
  CHECK(on_b == b.requests.size());
}
