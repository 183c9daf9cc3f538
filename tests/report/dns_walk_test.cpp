// The DNS pane's walk from the root (--dns-trace): bar arithmetic and what the page says.
#include <catch2/catch.hpp>

#include "report/dns_walk.h"
#include "report/html.h"
#include "report/waterfall.h"
#include "synthetic_runs.h"

using namespace pageload;
using namespace pageload::report;

namespace {

DnsStep step(double start, double end, std::string kind, std::string server = "127.0.0.53:5300") {
  DnsStep s;
  s.server = std::move(server);
  s.zone = ".";
  s.qname = "www.shop.test";
  s.qtype = "A";
  s.span = {start, end};
  s.kind = std::move(kind);
  return s;
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("each step's bar sits on the lookup's own axis, from its start, as wide as its share") {
  DnsLookup l;
  l.span = {100, 140};
  l.steps = {step(100, 110, "referral"), step(110, 130, "referral"), step(130, 140, "answer")};
  WalkLayout w = layout_walk(l);
  CHECK(w.axis_ms == 40);
  CHECK(w.steps_ms == 40);
  REQUIRE(w.bars.size() == 3);
  CHECK(w.bars[0].left_pct == "0");
  CHECK(w.bars[0].width_pct == "25");
  CHECK(w.bars[1].left_pct == "25");
  CHECK(w.bars[1].width_pct == "50");
  CHECK(w.bars[2].left_pct == "75");
  CHECK(w.bars[2].width_pct == "25");
  CHECK(w.bars[1].start_text == "+10.0 ms");
  CHECK(w.bars[1].duration_text == "20.0 ms");
}

TEST_CASE("a step too short to see is widened and kept inside the axis, and a check that sent nothing has no bar") {
  DnsLookup l;
  l.span = {0, 1000};
  l.steps = {step(999.99, 1000, "answer"), step(500, 500, "error", "")};
  WalkLayout w = layout_walk(l);
  CHECK(std::stod(w.bars[0].width_pct) == Approx(kMinSegmentPct));
  CHECK(std::stod(w.bars[0].left_pct) + std::stod(w.bars[0].width_pct) <= 100.0001);
  CHECK_FALSE(w.bars[1].sent);
  CHECK(w.bars[1].failed);
  CHECK(w.bars[1].duration_text == "—");
  CHECK(w.steps_ms == Approx(0.01));
}

TEST_CASE("walks in parallel overlap: the steps add up to more than the lookup took") {
  DnsLookup l;
  l.span = {0, 10};
  l.steps = {step(0, 10, "answer"), step(0, 9, "nodata")};
  WalkLayout w = layout_walk(l);
  CHECK(w.axis_ms == 10);
  CHECK(w.steps_ms == 19);
  CHECK(w.bars[1].left_pct == "0");
}

TEST_CASE("a step ending after the lookup (abandoned at --max-time) widens the axis instead of leaving it") {
  DnsLookup l;
  l.span = {0, 10};
  l.steps = {step(0, 12, "timeout")};
  WalkLayout w = layout_walk(l);
  CHECK(w.axis_ms == 12);
  CHECK(w.bars[0].width_pct == "100");
}

TEST_CASE("the DNS pane of a traced lookup draws its steps and says which are iterative and which recursive") {
  const Run run = synthetic::traced_walk();
  const std::string html = render_html(run);
  CHECK(html.find("walked from the root servers") != std::string::npos);
  CHECK(html.find("<b>iterative</b> query (RD=0)") != std::string::npos);
  CHECK(html.find("<b>recursive</b> query (RD=1)") != std::string::npos);
  CHECK(html.find("recursive (RD=1): the whole walk") != std::string::npos);
  CHECK(count(html, "<tr class=\"w-") == 1 + run.dns_lookups[0].steps.size());
  CHECK(html.find("lame: REFUSED: not a server of shop.test") != std::string::npos);
  CHECK(html.find("referral to shop.test via ns1.shop.test, ns2.shop.test, ns3.hosting.test (glue for 2 of 3)") !=
        std::string::npos);
  CHECK(html.find("style=\"--depth:1\"") != std::string::npos);  // the NS name's own walk, indented
  CHECK(html.find("class=\"wide\"><h3>DNS: www.shop.test") != std::string::npos);
}

TEST_CASE("a lookup through a resolver has no walk in its DNS pane") {
  const std::string html = render_html(synthetic::redirect_chain(1));
  CHECK(html.find("class=\"kv walk\"") == std::string::npos);
  CHECK(html.find("<section class=\"wide\">") == std::string::npos);
}
