// The compare model: two runs' figures side by side and their requests matched by URL.
#include <catch2/catch.hpp>

#include <algorithm>

#include "report/compare.h"
#include "report/compare_html.h"
#include "report/compare_layout.h"
#include "synthetic_runs.h"

using namespace pageload;
using namespace pageload::report;
using Catch::Matchers::WithinAbs;

namespace {

const Figure& named(const std::vector<Figure>& figures, const std::string& name) {
  auto it = std::find_if(figures.begin(), figures.end(), [&](const Figure& f) { return f.name == name; });
  REQUIRE(it != figures.end());
  return *it;
}

bool has_headline(const Comparison& c, const std::string& part) {
  return std::any_of(c.headlines.begin(), c.headlines.end(),
                     [&](const std::string& h) { return h.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("a run compared with itself has no difference") {
  const Run run = synthetic::page(3, true);
  const Comparison c = compare_runs(run, run);
  for (const Figure& f : c.phases) CHECK_FALSE(f.changed());
  for (const Figure& f : c.page) CHECK_FALSE(f.changed());
  for (const RequestDiff& d : c.requests) CHECK(d.change == Change::kSame);
  CHECK(c.requests.size() == run.requests.size());
  CHECK(c.headlines.empty());
}

TEST_CASE("compare names the connection difference of HTTP/1.1 against HTTP/2") {
  const Run h1 = synthetic::page(3, false), h2 = synthetic::page(3, true);
  const Comparison c = compare_runs(h1, h2);
  const Figure& connections = named(c.page, "connections");
  CHECK(*connections.a == static_cast<double>(h1.connections.size()));
  CHECK(*connections.b == static_cast<double>(h2.connections.size()));
  CHECK(*connections.a > *connections.b);
  CHECK(has_headline(c, "connections: " + std::to_string(h1.connections.size()) + " → " +
                            std::to_string(h2.connections.size())));
  CHECK(has_headline(c, "HTTP/1.1 over"));
  CHECK(has_headline(c, "→ HTTP/2 over 1 connection"));
  const GroupDiff& first = c.hosts.front();
  CHECK(first.protocol_a == "HTTP/1.1");
  CHECK(first.protocol_b == "HTTP/2");
}

TEST_CASE("a repeat view the HTTP cache answered whole says it used no connection, not HTTP/2 over 0 connections") {
  const Run first = synthetic::page(3, true);
  Run repeat = first;
  repeat.connections.clear();
  for (Request& r : repeat.requests) {
    r.from_cache = true;
    r.cache_lookup = "fresh";
    r.connection.reset();
  }
  const Comparison c = compare_runs(first, repeat);
  std::string all;
  for (const auto& h : c.headlines) all += h + " | ";
  INFO(all);
  CHECK(has_headline(c, "HTTP/2 over 1 connection → no connection (all "));
  CHECK(has_headline(c, " from the HTTP cache)"));
  CHECK_FALSE(has_headline(c, "over 0 connections"));
  // The other way round too: the cached side first.
  CHECK(has_headline(compare_runs(repeat, first), "from the HTTP cache) → HTTP/2 over 1 connection"));
  // Its hosts used no protocol either (verification of stop 20 #6).
  for (const GroupDiff& h : c.hosts) {
    CHECK_FALSE(h.protocol_a.empty());
    CHECK(h.protocol_b.empty());
  }
}

TEST_CASE("requests are matched by URL with the query, and new and gone ones are named") {
  Run a = synthetic::page(2, true), b = a;
  b.requests.back().url += "?v=2";  // another URL: one gone, one new
  Request extra = b.requests[1];
  extra.url = "https://example.test/new.js";
  b.requests.push_back(extra);
  const Comparison c = compare_runs(a, b);
  REQUIRE(c.requests.size() == a.requests.size() + 2);
  CHECK(c.requests[0].change == Change::kAppeared);
  CHECK(c.requests[1].change == Change::kAppeared);
  CHECK(c.requests[2].change == Change::kDisappeared);
  CHECK(c.requests[2].url == a.requests.back().url);
  CHECK_FALSE(c.requests[2].b_index);
  CHECK(has_headline(c, "2 requests appeared, 1 disappeared"));
  CHECK(*named(c.page, "requests").delta() == 1);
}

TEST_CASE("the request that slowed most comes first among the changed ones") {
  Run a = synthetic::page(3, true), b = a;
  b.requests[2].span.end_ms += 40;
  b.requests[3].span.end_ms += 200;
  b.requests[4].span.end_ms += 0.2;  // noise: not a change
  const Comparison c = compare_runs(a, b);
  CHECK(c.requests[0].url == a.requests[3].url);
  CHECK(c.requests[0].change == Change::kChanged);
  CHECK_THAT(*c.requests[0].duration.delta(), WithinAbs(200, 0.001));
  CHECK(c.requests[1].url == a.requests[2].url);
  CHECK(c.requests[2].change == Change::kSame);
}

TEST_CASE("a figure one run lacks has no difference, and a percentage needs a base") {
  Figure f{"document", std::nullopt, 12.0};
  CHECK_FALSE(f.delta());
  CHECK_FALSE(f.delta_pct());
  CHECK(f.changed());
  Figure zero{"failed", 0.0, 2.0};
  CHECK(*zero.delta() == 2);
  CHECK_FALSE(zero.delta_pct());
  Figure half{"load", 200.0, 100.0};
  CHECK_THAT(*half.delta_pct(), WithinAbs(-50, 1e-9));
}

TEST_CASE("a phase totals every request's time in it and a phase neither run had is left out") {
  const Run a = synthetic::page(3, true);
  Run b = a;
  for (Request& r : b.requests)
    for (PhaseRecord& p : r.phases)
      if (p.phase == Phase::kWait) p.span.end_ms += 10;
  const Comparison c = compare_runs(a, b);
  int waits = 0;
  for (const Request& r : a.requests) waits += r.phase(Phase::kWait) != nullptr;
  CHECK_THAT(*named(c.phases, "wait").delta(), WithinAbs(10.0 * waits, 0.01));
  CHECK(std::none_of(c.phases.begin(), c.phases.end(), [](const Figure& f) { return f.name == "tunnel"; }));
}

// Review #17: a Playwright HAR records no `blocked` at all; compare said "blocked 0.54 0.00
// -100%" against a measured run, as if the browser had queued nothing.
TEST_CASE("a phase an imported run never recorded has no figure, where a measured run's absent phase is 0") {
  Run measured = synthetic::page(3, true);
  measured.requests.at(1).phases.insert(measured.requests.at(1).phases.begin(),
                                        PhaseRecord{Phase::kBlocked, Span{1.0, 3.0}});
  Run imported = synthetic::page(3, true);
  imported.source = "har";
  const Comparison with_import = compare_runs(measured, imported);
  const Figure& blocked = named(with_import.phases, "blocked");
  CHECK(blocked.a == 2.0);
  CHECK_FALSE(blocked.b);
  CHECK_FALSE(blocked.delta());
  Run measured_b = synthetic::page(3, true);
  const Comparison measured_both = compare_runs(measured, measured_b);
  const Figure& zero = named(measured_both.phases, "blocked");
  CHECK(zero.b == 0.0);
  CHECK(zero.delta() == -2.0);
}

TEST_CASE("comparing an empty run with a page counts every request as appeared") {
  const Comparison c = compare_runs(synthetic::no_hops(), synthetic::page(1, true));
  for (const RequestDiff& d : c.requests) CHECK(d.change == Change::kAppeared);
  CHECK_FALSE(named(c.page, "load").a);
}

namespace {

std::string marker_left(const CompareSide& side, std::string_view css) {
  for (const CompareMarker& m : side.markers)
    if (m.css == css) return m.left_pct;
  FAIL("no marker " << css);
  return "";
}

// The run with every moment `ms` later: its document's first byte included.
Run later_by(Run run, double ms) {
  for (Request& r : run.requests) {
    r.span.start_ms += ms;
    r.span.end_ms += ms;
    if (r.discovered_ms) *r.discovered_ms += ms;
    for (PhaseRecord& p : r.phases) {
      p.span.start_ms += ms;
      p.span.end_ms += ms;
    }
  }
  if (run.document_ms) *run.document_ms += ms;
  if (run.load_ms) *run.load_ms += ms;
  return run;
}

}  // namespace

TEST_CASE("aligned by first byte the two documents' first bytes share one place on the axis") {
  const Run a = synthetic::page(3, true), b = later_by(a, 250);
  const Comparison c = compare_runs(a, b);
  const CompareLayout by_fb = layout_compare(a, b, c, Align::kFirstByte);
  CHECK(by_fb.aligned);
  CHECK_THAT(by_fb.a.offset_ms, WithinAbs(250, 0.001));
  CHECK(by_fb.b.offset_ms == 0);
  CHECK(marker_left(by_fb.a, "m-ttfb") == marker_left(by_fb.b, "m-ttfb"));
  // The axis spans the later end, B's, and A's segments sit where B's do.
  CHECK(by_fb.axis.end_ms >= *b.load_ms);
  REQUIRE(by_fb.a.rows.size() == by_fb.b.rows.size());
  CHECK(by_fb.a.rows.back().segments.back().left_pct == by_fb.b.rows.back().segments.back().left_pct);
  CHECK(by_fb.a.rows.back().segments.back().start_text != by_fb.b.rows.back().segments.back().start_text);

  const CompareLayout by_start = layout_compare(a, b, c, Align::kStart);
  CHECK(by_start.a.offset_ms == 0);
  CHECK(by_start.b.offset_ms == 0);
  CHECK(marker_left(by_start.a, "m-ttfb") != marker_left(by_start.b, "m-ttfb"));
}

TEST_CASE("aligning by first byte falls back to the start when a document has none") {
  const Run a = synthetic::failed_at_dns(), b = synthetic::page(1, true);
  const CompareLayout l = layout_compare(a, b, compare_runs(a, b), Align::kFirstByte);
  CHECK_FALSE(l.aligned);
  CHECK(l.a.offset_ms == 0);
  CHECK(l.b.offset_ms == 0);
}

TEST_CASE("the compare view's rows mark what is new, gone, slower and faster") {
  Run a = synthetic::page(3, true), b = a;
  b.requests[3].span.end_ms += 100;
  b.requests[4].span.end_ms -= 20;
  b.requests.back().url += "?v=2";
  const Comparison c = compare_runs(a, b);
  const CompareLayout l = layout_compare(a, b, c, Align::kStart);
  auto mark_of = [](const CompareSide& side, std::size_t index) {
    for (const CompareRow& r : side.rows)
      if (r.request_index == index) return r.mark;
    return std::string("(no row)");
  };
  CHECK(mark_of(l.b, 3) == "slower");
  CHECK(mark_of(l.a, 3) == "slower");
  REQUIRE(a.requests[4].span.duration_ms() > 25);  // 20 ms less is more than 5% of it
  CHECK(mark_of(l.b, 4) == "faster");
  CHECK(mark_of(l.b, b.requests.size() - 1) == "new");
  CHECK(mark_of(l.a, a.requests.size() - 1) == "gone");
  CHECK(mark_of(l.a, 0).empty());
}

namespace {

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the compare view escapes hostile strings and has no script or external URL") {
  const std::string html = render_compare_html(synthetic::hostile_page(), synthetic::hostile(),
                                               {"run 1 <b>", "run 2 \"x\""}, Align::kFirstByte);
  CHECK(count(html, "<script") == 0);
  CHECK(count(html, "<style") == 1);
  CHECK(count(html, "<img") == 0);
  CHECK(count(html, "<svg") == 0);
  CHECK(count(html, "run 1 <b>") == 0);
  CHECK(count(html, "run 1 &lt;b&gt;") >= 1);
  CHECK(html.find("{{#rows}}mustache{{/rows}}") != std::string::npos);  // data stays data
  CHECK(count(html, "onerror=\"") == 0);
  CHECK(count(html, "http://127.0.0.1:9/leak.png\"") == 0);
  CHECK(count(html, "id=\"align-first-byte\" checked") == 1);
  CHECK(count(html, "data-align=\"start\"") == 1);
  CHECK(count(html, "data-align=\"first-byte\"") == 1);
}
