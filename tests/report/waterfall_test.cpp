// Layout arithmetic of the waterfall: axis steps, percentages, minimum widths, row
// classes and redirect targets, over the synthetic runs.
#include "report/waterfall.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

#include "report/format.h"
#include "report/summaries.h"
#include "synthetic_runs.h"

using namespace pageload;
using namespace pageload::report;

namespace {

// Spreads connection `index`'s handshake messages evenly over the tls phase of the request
// that opened it, so each is a tick of its own (ticks closer than a pixel merge).
void spread_handshake(Run& run, std::size_t index) {
  for (const auto& r : run.requests) {
    if (!r.connection || static_cast<std::size_t>(*r.connection) != index || r.reused) continue;
    const PhaseRecord* tls = r.phase(Phase::kTls);
    if (!tls) return;
    auto& steps = run.connections[index].tls_steps;
    std::size_t n = 0;
    for (const auto& s : steps) n += !s.after_handshake;
    std::size_t i = 0;
    for (auto& s : steps)
      if (!s.after_handshake) s.at_ms = tls->span.start_ms + tls->span.duration_ms() * static_cast<double>(i++) / static_cast<double>(n);
    return;
  }
}

double num(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

}  // namespace

TEST_CASE("the axis step is 1, 2 or 5 times a power of ten with 4 to 10 intervals") {
  for (double span : {0.37, 1.0, 7.0, 10.0, 11.0, 99.0, 100.0, 101.0, 143.0, 999.0, 1234.0,
                      25000.0}) {
    const double step = nice_step(span);
    double m = step;
    while (m >= 10) m /= 10;
    while (m < 1) m *= 10;
    INFO("span " << span << " step " << step);
    CHECK((std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9));
    const Axis axis = compute_axis(span);
    const auto intervals = axis.ticks.size() - 1;
    CHECK(intervals >= 4);
    CHECK(intervals <= 10);
    CHECK(axis.end_ms >= span);
    CHECK(axis.end_ms < span + step + 1e-9);
  }
}

TEST_CASE("the axis ends at the run's total rounded up to a whole step") {
  const Axis axis = compute_axis(143);
  CHECK(axis.step_ms == Approx(20));
  CHECK(axis.end_ms == Approx(160));
  REQUIRE(axis.ticks.size() == 9);
  CHECK(axis.ticks.front().left_pct == "0");
  CHECK(axis.ticks[1].left_pct == "12.5");
  CHECK(axis.ticks.front().label == "0 ms");
  CHECK(axis.ticks[1].label.empty());  // 8 intervals: every other gridline is labelled
  CHECK(axis.ticks[2].label == "40");
  CHECK(axis.ticks.back().label == "160");
  CHECK(axis.ticks.back().left_pct == "100");
  CHECK(axis.step_pct == "12.5");
}

TEST_CASE("sub-millisecond steps keep their decimals in tick labels") {
  const Axis axis = compute_axis(0.9);
  CHECK(axis.step_ms == Approx(0.1));
  CHECK(axis.ticks[2].label == "0.2");
}

TEST_CASE("tick labels never crowd: at most six labelled intervals, the ends kept inside") {
  // The runs whose last two labels crowded: "0.45 0.50" and "9 10".
  for (double span : {0.46, 0.5, 9.2, 10.0, 0.37, 7.0, 143.0, 999.0, 25000.0}) {
    INFO("span " << span);
    const Axis axis = compute_axis(span);
    std::vector<double> labelled;
    for (const auto& t : axis.ticks)
      if (!t.label.empty()) labelled.push_back(num(t.left_pct));
    REQUIRE(labelled.size() >= 3);
    CHECK(labelled.size() - 1 <= static_cast<std::size_t>(kMaxLabelledIntervals));
    for (std::size_t i = 1; i < labelled.size(); ++i)
      CHECK(labelled[i] - labelled[i - 1] >= 100.0 / kMaxLabelledIntervals - 0.01);
    CHECK(axis.ticks.front().align == TickAlign::kStart);
    CHECK(axis.ticks.back().align == TickAlign::kEnd);
    for (std::size_t i = 1; i + 1 < axis.ticks.size(); ++i)
      CHECK(axis.ticks[i].align == TickAlign::kCentre);
  }
  const Axis ten = compute_axis(10);  // 1 ms steps: 0, 2, 4, 6, 8, 10
  CHECK(ten.ticks[9].label.empty());
  CHECK(ten.ticks[10].label == "10");
}

TEST_CASE("a zero or negative span still gives a usable axis") {
  for (double span : {0.0, -5.0}) {
    const Axis axis = compute_axis(span);
    CHECK(axis.end_ms > 0);
    CHECK(axis.ticks.size() >= 2);
  }
}

TEST_CASE("a run with no hops has no rows, no markers and empty phase times") {
  const Run run = synthetic::no_hops();
  const Waterfall w = layout_waterfall(run);
  CHECK(w.rows.empty());
  CHECK(w.markers.empty());
  const TimePerPhase t = time_per_phase(run);
  CHECK(t.phases.size() == kPhases.size());
  for (const auto& p : t.phases) CHECK(p.requests == 0);
  CHECK(w.axis.end_ms > 0);
}

TEST_CASE("one hop: segment percentages are start and duration over the axis") {
  const Run run = synthetic::redirect_chain(1);
  const Waterfall w = layout_waterfall(run);
  REQUIRE(w.rows.size() == 1);
  const Row& row = w.rows[0];
  std::vector<Phase> expected;  // every phase but blocked and tunnel (a direct request)
  for (const auto& info : kPhases)
    if (synthetic::kFreshMs[static_cast<std::size_t>(info.phase)] >= 0) expected.push_back(info.phase);
  REQUIRE(expected.size() == 6);
  REQUIRE(row.segments.size() == expected.size());
  double expected_left = 0;
  for (std::size_t i = 0; i < row.segments.size(); ++i) {
    const Segment& s = row.segments[i];
    const double ms = synthetic::kFreshMs[static_cast<std::size_t>(expected[i])];
    CHECK(s.css == phase_info(expected[i]).css);
    CHECK(num(s.left_pct) == Approx(expected_left / w.axis.end_ms * 100).margin(0.005));
    CHECK(num(s.width_pct) == Approx(ms / w.axis.end_ms * 100).margin(0.005));
    expected_left += ms;
  }
  CHECK(row.status_text == "200");
  CHECK(row.status_class == "s2xx");
  CHECK(row.tint_class.empty());
  CHECK_FALSE(row.is_redirect);
  CHECK_FALSE(row.reused);
  CHECK(row.connection == 0);
  CHECK(row.note == row.duration_text);
}

TEST_CASE("percentages are printed to three decimals without trailing zeros") {
  CHECK(format_pct(12.3456) == "12.35");
  CHECK(format_pct(0.2) == "0.2");
  CHECK(format_pct(12.5) == "12.5");
  CHECK(format_pct(100) == "100");
  CHECK(format_pct(0) == "0");
  CHECK(format_pct(-0.0001) == "0");
  CHECK(format_pct(std::nan("")) == "0");
  const Waterfall w = layout_waterfall(synthetic::redirect_chain(1));
  for (const auto& s : w.rows[0].segments)
    for (const std::string& pct : {s.left_pct, s.width_pct}) {
      const auto dot = pct.find('.');
      if (dot == std::string::npos) continue;
      CHECK(pct.size() - dot - 1 <= 3);
      CHECK(pct.back() != '0');
    }
}

TEST_CASE("a redirect row shows its status and where it led, path only when same-origin") {
  const Waterfall w = layout_waterfall(synthetic::redirect_chain(5));
  REQUIRE(w.rows.size() == 5);
  CHECK(w.rows[0].is_redirect);
  CHECK(w.rows[0].status_text == "301");
  CHECK(w.rows[0].redirect_target == "/hop/1");
  CHECK(w.rows[0].note.find("→ /hop/1") == 0);
  CHECK(w.rows[0].status_class == "s3xx");
  CHECK(w.rows[3].status_text == "308");
  CHECK(w.rows[3].redirect_target == "https://cdn4.example.test/hop/4");
  CHECK(w.rows[0].redirect_url == "https://example.test/hop/1");
  CHECK_FALSE(w.rows[4].is_redirect);
}

TEST_CASE("a reused connection has no dns, connect or tls segment and names its id") {
  const Waterfall w = layout_waterfall(synthetic::redirect_chain(5));
  const Row& reused = w.rows[1];
  CHECK(reused.reused);
  CHECK(reused.connection == 0);
  REQUIRE(reused.segments.size() == 3);
  CHECK(reused.segments[0].phase == Phase::kSend);
  const Row& fresh = w.rows[4];
  CHECK_FALSE(fresh.reused);
  CHECK(fresh.connection == 1);
  CHECK(fresh.segments.size() == 6);
}

TEST_CASE("redirect_display keeps full URLs for another origin and bad input verbatim") {
  CHECK(redirect_display("https://a.test/x", "https://a.test/next?q=1") == "/next?q=1");
  CHECK(redirect_display("https://a.test/x", "http://a.test/next") == "http://a.test/next");
  CHECK(redirect_display("https://a.test/x", "https://a.test:8443/n") == "https://a.test:8443/n");
  CHECK(redirect_display("https://a.test/x", "not a url") == "not a url");
}

TEST_CASE("50 hops make 50 rows inside the axis") {
  const Waterfall w = layout_waterfall(synthetic::redirect_chain(50));
  REQUIRE(w.rows.size() == 50);
  for (const auto& row : w.rows)
    for (const auto& s : row.segments) {
      CHECK(num(s.left_pct) >= 0);
      CHECK(num(s.left_pct) + num(s.width_pct) <= 100.0005);
    }
}

TEST_CASE("failed at dns: one red segment with the error, nothing after it") {
  const Waterfall w = layout_waterfall(synthetic::failed_at_dns());
  REQUIRE(w.rows.size() == 1);
  const Row& row = w.rows[0];
  REQUIRE(row.segments.size() == 1);
  CHECK(row.segments[0].failed);
  CHECK(row.segments[0].error == "dns_nxdomain: no-such-host.example.test: NXDOMAIN");
  CHECK(row.failed);
  CHECK(row.tint_class == "t-failed");
  CHECK(row.status_text == "failed");
  CHECK(row.status_class == "s-none");
  CHECK(row.note.find("NXDOMAIN") != std::string::npos);
}

TEST_CASE("failed at tls: dns and connect drawn, tls red with the certificate error") {
  const Waterfall w = layout_waterfall(synthetic::failed_at_tls());
  const Row& row = w.rows.at(0);
  REQUIRE(row.segments.size() == 3);
  CHECK_FALSE(row.segments[0].failed);
  CHECK_FALSE(row.segments[1].failed);
  CHECK(row.segments[2].phase == Phase::kTls);
  CHECK(row.segments[2].failed);
  CHECK(row.error.find("TLS handshake failed") != std::string::npos);
  CHECK(row.error.find("certificate has expired") != std::string::npos);
}

TEST_CASE("every phase missing in turn leaves exactly that segment out") {
  for (const auto& info : kPhases) {
    INFO("missing " << info.name);
    const Waterfall w = layout_waterfall(synthetic::missing_phase(info.phase));
    const Row& row = w.rows.at(0);
    CHECK(row.segments.size() == kPhases.size() - 1);
    for (const auto& s : row.segments) CHECK(s.phase != info.phase);
    for (const auto& p : time_per_phase(synthetic::missing_phase(info.phase)).phases)
      CHECK(p.requests == (p.phase == info.phase ? 0 : 1));
  }
}

TEST_CASE("a tiny segment is widened to the minimum without leaving the row") {
  Run run = synthetic::redirect_chain(1);
  auto& phases = run.requests[0].phases;
  phases[0].span = {0, 0.001};  // dns from cache: almost nothing
  run.total_ms = 10000;         // the axis is long
  const Waterfall w = layout_waterfall(run);
  CHECK(num(w.rows[0].segments[0].width_pct) == Approx(kMinSegmentPct));

  Run late = synthetic::redirect_chain(1);
  late.requests[0].phases.back().span = {late.requests[0].span.end_ms,
                                         late.requests[0].span.end_ms};
  late.total_ms = late.requests[0].span.end_ms;
  const Waterfall w2 = layout_waterfall(late);
  const Segment& last = w2.rows[0].segments.back();
  CHECK(num(last.left_pct) + num(last.width_pct) <= 100.0005);
  CHECK(num(last.width_pct) == Approx(kMinSegmentPct));
}

TEST_CASE("4xx and 5xx rows are tinted") {
  CHECK(layout_waterfall(synthetic::redirect_chain(2, 404)).rows[1].tint_class == "t-4xx");
  CHECK(layout_waterfall(synthetic::redirect_chain(2, 503)).rows[1].tint_class == "t-5xx");
  CHECK(layout_waterfall(synthetic::redirect_chain(2, 503)).rows[1].status_class == "s5xx");
}

TEST_CASE("time per phase sums each request's time and counts overlapping time once") {
  const Run chain = synthetic::redirect_chain(5);
  // Hops 0 and 4 are fresh; 1-3 reuse. One after another, so busy and summed agree.
  const auto dns = static_cast<std::size_t>(Phase::kDns);
  const auto wait = static_cast<std::size_t>(Phase::kWait);
  const TimePerPhase t = time_per_phase(chain);
  CHECK(t.phases[dns].summed_ms == Approx(2 * synthetic::kFreshMs[dns]));
  CHECK(t.phases[dns].busy_ms == Approx(2 * synthetic::kFreshMs[dns]));
  CHECK(t.phases[dns].requests == 2);
  CHECK(t.phases[wait].summed_ms == Approx(2 * synthetic::kFreshMs[wait] + 3 * synthetic::kReusedMs[wait]));
  // Ten requests waiting at once over the same 10 ms: summed ten times, busy once.
  Run overlapping = synthetic::redirect_chain(1);
  overlapping.requests.clear();
  for (int i = 0; i < 10; ++i) {
    Request r;
    r.seq = i;
    r.url = "https://example.test/" + std::to_string(i);
    r.span = {5, 15};
    r.phases = {{Phase::kWait, {5, 15}, std::nullopt}};
    overlapping.requests.push_back(r);
  }
  overlapping.total_ms = overlapping.load_ms = 20;
  const TimePerPhase o = time_per_phase(overlapping);
  CHECK(o.phases[wait].summed_ms == Approx(100));
  CHECK(o.phases[wait].busy_ms == Approx(10));
  CHECK(o.phases[wait].requests == 10);
  CHECK(o.active_ms == Approx(10));
  CHECK(o.idle_ms == Approx(10));  // 0-5 and 15-20: nothing in flight
}

TEST_CASE("the time no request was in any phase is the load less the union of phases, never negative") {
  // Hops of the synthetic chain start 0.3 ms after the previous one ends; the run ends
  // 0.5 ms after its last hop.
  const Run chain = synthetic::redirect_chain(5);
  CHECK(time_per_phase(chain).idle_ms == Approx(4 * 0.3 + 0.5));
  Run overlapping = synthetic::redirect_chain(1);
  overlapping.total_ms = 1;  // shorter than its phases
  overlapping.load_ms.reset();
  CHECK(time_per_phase(overlapping).idle_ms == 0);
  overlapping.total_ms.reset();
  CHECK(time_per_phase(overlapping).idle_ms == 0);
}

TEST_CASE("the note sits after a short bar and before a bar reaching the right edge") {
  const Waterfall w = layout_waterfall(synthetic::redirect_chain(5));
  CHECK(w.rows[0].note_side == NoteSide::kAfter);
  CHECK(w.rows[4].note_side == NoteSide::kBefore);
}

TEST_CASE("a total time beside a nearly full-width bar fits on a phone's track, or moves") {
  // The demo's slow first byte: a 307 ms bar from 0 on a 350 ms axis left 12.3% for
  // "307 ms", cut to "305…" at 420 px.
  Run run = synthetic::redirect_chain(1);
  auto& r = run.requests[0];
  r.span = {0, 307};
  r.phases = {{Phase::kWait, {0, 307}, std::nullopt}};
  run.total_ms = 307;
  const Row row = layout_waterfall(run).rows.at(0);
  CHECK(row.note == "307 ms");
  CHECK(row.note_side == NoteSide::kOver);  // inside the bar's end, which has room for it
  // Wherever a note goes beside its bar, it has room for itself on the narrowest track.
  for (const Run& each : {synthetic::redirect_chain(5), synthetic::fresh_chain(8)})
    for (const auto& w : layout_waterfall(each).rows) {
      if (w.note_side == NoteSide::kInside) continue;
      const double room_px = (100 - num(w.note_pct)) / 100 * kNarrowTrackPx;
      CHECK(room_px >= kNotePaddingPx + kNoteCharPx * static_cast<double>(w.note.size()));
    }
}

TEST_CASE("a note with no room beside its bar goes under it") {
  const Waterfall w = layout_waterfall(synthetic::failed_at_tls());
  CHECK(w.rows[0].note_side == NoteSide::kInside);
}

TEST_CASE("TLS ticks of one direction closer than a pixel are written once, an alert and a change of direction never merged") {
  Run run = synthetic::redirect_chain(1);
  const Span tls = run.requests[0].phase(Phase::kTls)->span;
  auto& steps = run.connections[0].tls_steps;
  // A server flight read within microseconds, then the client's two messages at once.
  const std::vector<std::pair<std::string, bool>> shape{{"ClientHello", true},  {"ServerHello", false},
                                                        {"EncryptedExtensions", false}, {"Finished", false},
                                                        {"ChangeCipherSpec", true}, {"Finished", true}};
  steps.clear();
  const double t0 = tls.start_ms, mid = (tls.start_ms + tls.end_ms) / 2;
  const std::vector<double> at{t0, mid, mid + 0.001, mid + 0.002, mid + 0.003, mid + 0.004};
  for (std::size_t i = 0; i < shape.size(); ++i) {
    TlsStep s;
    s.message = shape[i].first;
    s.direction = shape[i].second ? TlsStep::Direction::kSent : TlsStep::Direction::kReceived;
    s.at_ms = at[i];
    steps.push_back(s);
  }
  Waterfall w = layout_waterfall(run);
  // ClientHello; the server's flight as one received tick; the client's answer as one sent tick.
  REQUIRE(w.rows[0].tls_ticks.size() == 3);
  CHECK_FALSE(w.rows[0].tls_ticks[0].received);
  CHECK(w.rows[0].tls_ticks[1].received);
  CHECK_FALSE(w.rows[0].tls_ticks[2].received);

  // An alert among them keeps a tick of its own.
  steps[2].message = "Alert";
  steps[2].alert = "bad_certificate";
  steps[2].fatal = true;
  w = layout_waterfall(run);
  REQUIRE(w.rows[0].tls_ticks.size() == 5);
  CHECK(w.rows[0].tls_ticks[2].alert);
}

TEST_CASE("a new TLS connection's handshake messages are ticks on its tls segment, none on a reused hop") {
  Run run = synthetic::redirect_chain(2);  // hop 0 opens the connection, hop 1 reuses it
  spread_handshake(run, 0);
  const Waterfall w = layout_waterfall(run);
  const Row& opener = w.rows[0];
  const Connection& c = run.connections[*run.requests[0].connection];
  // Nine messages in the handshake; the two session tickets after it are not drawn.
  REQUIRE(opener.tls_ticks.size() == 9);
  const Segment* tls = nullptr;
  for (const auto& s : opener.segments)
    if (s.phase == Phase::kTls) tls = &s;
  REQUIRE(tls);
  const double left = num(tls->left_pct), right = left + num(tls->width_pct);
  double last = 0;
  for (std::size_t i = 0; i < opener.tls_ticks.size(); ++i) {
    const HandshakeTick& t = opener.tls_ticks[i];
    INFO("tick " << i);
    CHECK(num(t.left_pct) >= left - 0.001);
    CHECK(num(t.left_pct) <= right + 0.001);
    CHECK(num(t.left_pct) >= last);
    last = num(t.left_pct);
    CHECK(t.received == !c.tls_steps[i].sent());
    CHECK_FALSE(t.alert);
  }
  CHECK(w.rows[1].tls_ticks.empty());
}

TEST_CASE("a tick for a message outside the tls phase is kept at the segment's edge, and an alert is marked") {
  Run run = synthetic::failed_at_tls();
  spread_handshake(run, 0);
  const Span tls = run.requests[0].phase(Phase::kTls)->span;
  auto& steps = run.connections[0].tls_steps;
  steps.front().at_ms = tls.start_ms - 5;  // before the phase began
  steps.back().at_ms = tls.end_ms + 5;     // the alert, after it ended
  const Waterfall w = layout_waterfall(run);
  const auto& ticks = w.rows[0].tls_ticks;
  REQUIRE(ticks.size() == steps.size());
  const Segment& seg = w.rows[0].segments.back();
  REQUIRE(seg.phase == Phase::kTls);
  CHECK(ticks.front().left_pct == seg.left_pct);
  CHECK(num(ticks.back().left_pct) == Approx(num(seg.left_pct) + num(seg.width_pct)).margin(0.01));
  CHECK(ticks.back().alert);
  CHECK_FALSE(ticks.back().received);
}
