#include "report/waterfall.h"

#include <algorithm>
#include <cmath>

#include "core/url.h"
#include "report/format.h"

namespace pageload::report {

namespace {

double pct_of(double ms, double axis_ms) {
  return std::clamp(ms / axis_ms * 100.0, 0.0, 100.0);
}

std::string failure_text(const Failure& f) {
  std::string out{code_name(f.code)};
  if (!f.message.empty()) out += ": " + clean_text(f.message);
  return out;
}

// The latest moment anything in the run happened.
double run_extent_ms(const Run& run) {
  double end = run.total_ms.value_or(0);
  for (const auto& r : run.requests) {
    end = std::max(end, r.span.end_ms);
    for (const auto& p : r.phases) end = std::max(end, p.span.end_ms);
  }
  return end;
}

struct Box {
  double left = 0, width = 0;  // percent of the axis
};

// Where a phase's segment is drawn: widened to kMinSegmentPct, moved left to stay inside.
Box segment_box(const Span& span, double axis_ms) {
  Box b;
  b.left = pct_of(span.start_ms, axis_ms);
  b.width = std::min(pct_of(std::max(0.0, span.duration_ms()), axis_ms), 100.0 - b.left);
  if (b.width < kMinSegmentPct) {
    b.width = kMinSegmentPct;
    b.left = std::min(b.left, 100.0 - kMinSegmentPct);
  }
  return b;
}

Segment layout_segment(const PhaseRecord& p, double axis_ms) {
  const auto& info = phase_info(p.phase);
  Segment s;
  s.phase = p.phase;
  s.css = info.css;
  s.label = info.label;
  s.start_ms = p.span.start_ms;
  s.duration_ms = std::max(0.0, p.span.duration_ms());
  const Box box = segment_box(p.span, axis_ms);
  s.left_pct = format_pct(box.left);
  s.width_pct = format_pct(box.width);
  s.start_text = format_ms(s.start_ms);
  s.duration_text = format_ms(s.duration_ms);
  if (p.failure) {
    s.failed = true;
    s.error = failure_text(*p.failure);
  }
  return s;
}

// The handshake's messages as ticks on the tls segment of the request that opened the
// connection; a message OpenSSL handled a little outside the phase (curl's APPCONNECT
// is stamped apart from OpenSSL's callbacks) is drawn at the segment's edge.
std::vector<HandshakeTick> layout_tls_ticks(const Run& run, const Request& r, double axis_ms) {
  std::vector<HandshakeTick> ticks;
  const PhaseRecord* tls = r.phase(Phase::kTls);
  if (!tls || r.reused || !r.connection || *r.connection < 0 ||
      static_cast<std::size_t>(*r.connection) >= run.connections.size())
    return ticks;
  const Box box = segment_box(tls->span, axis_ms);
  for (const auto& step : run.connections[*r.connection].tls_steps) {
    if (step.after_handshake) continue;
    HandshakeTick t;
    t.left_pct = format_pct(std::clamp(pct_of(step.at_ms, axis_ms), box.left, box.left + box.width));
    t.received = !step.sent();
    t.alert = step.message == "Alert";
    ticks.push_back(std::move(t));
  }
  return ticks;
}

std::string tint_class(const Request& r) {
  if (r.failure) return "t-failed";
  if (r.status && *r.status >= 500) return "t-5xx";
  if (r.status && *r.status >= 400) return "t-4xx";
  return "";
}


std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Puts the note after the bar when it fits there, else before it, else on its own line
// under the bar.
void place_note(Row& row, double bar_start_pct, double bar_end_pct) {
  // How much of the track the note takes on the narrowest one, in percent.
  const double need = (kNotePaddingPx + kNoteCharPx * static_cast<double>(utf8_length(row.note))) /
                      kNarrowTrackPx * 100;
  if (bar_end_pct + need <= 100) {
    row.note_side = NoteSide::kAfter;
    row.note_pct = format_pct(bar_end_pct);
  } else if (bar_start_pct - need >= 0) {
    row.note_side = NoteSide::kBefore;
    row.note_pct = format_pct(100 - bar_start_pct);
  } else {
    row.note_side = NoteSide::kInside;
    row.note_pct = format_pct(0);
  }
}

Row layout_row(const Run& run, std::size_t index, double axis_ms) {
  const Request& r = run.requests[index];
  Row row;
  row.request_index = index;
  row.seq = r.seq;
  row.status_text = r.status ? std::to_string(*r.status) : r.failure ? "failed" : "—";
  row.status_class = status_class(r.status);
  row.tint_class = tint_class(r);
  row.connection = r.connection;
  if (r.connection && *r.connection >= 0 &&
      static_cast<std::size_t>(*r.connection) < run.connections.size())
    row.connection = run.connections[*r.connection].id;
  row.reused = r.reused;

  const std::string& to = !r.redirect_url.empty() ? r.redirect_url : r.location;
  if (r.status && *r.status >= 300 && *r.status < 400 && !to.empty()) {
    row.is_redirect = true;
    row.redirect_target = clean_text(redirect_display(r.url, to));
    row.redirect_url = clean_text(to);
    row.redirect_text = row.status_text + " → " + row.redirect_target;
  }

  double bar_start = pct_of(r.span.start_ms, axis_ms);
  double bar_end = pct_of(r.span.end_ms, axis_ms);
  for (const auto& p : r.phases) {
    row.segments.push_back(layout_segment(p, axis_ms));
    bar_start = std::min(bar_start, pct_of(p.span.start_ms, axis_ms));
    bar_end = std::max(bar_end, pct_of(p.span.end_ms, axis_ms));
  }
  row.tls_ticks = layout_tls_ticks(run, r, axis_ms);
  row.start_text = format_ms(r.span.start_ms);
  row.duration_text = format_ms(std::max(0.0, r.span.duration_ms()));

  if (r.failure) {
    row.failed = true;
    std::string where;
    if (r.error_phase) where = std::string(phase_info(*r.error_phase).label) + " failed: ";
    row.error = where + failure_text(*r.failure);
    row.note = "✕ " + row.error;
  } else {
    row.note = row.duration_text;
  }
  place_note(row, bar_start, bar_end);
  return row;
}

}  // namespace

std::string status_class(std::optional<int> status) {
  if (!status || *status < 100 || *status >= 600) return "s-none";
  return "s" + std::to_string(*status / 100) + "xx";
}

double nice_step(double span_ms) {
  if (!(span_ms > 0) || !std::isfinite(span_ms)) span_ms = 1;
  double magnitude = std::pow(10.0, std::floor(std::log10(span_ms / 10.0)));
  for (;;) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double step = m * magnitude;
      // The small epsilon keeps 100 ms / 10 ms at 10 intervals despite rounding.
      if (std::ceil(span_ms / step - 1e-9) <= 10) return step;
    }
    magnitude *= 10;
  }
}

Axis compute_axis(double span_ms) {
  if (!(span_ms > 0) || !std::isfinite(span_ms)) span_ms = 1;
  Axis axis;
  axis.step_ms = nice_step(span_ms);
  const int intervals = std::max(1, static_cast<int>(std::ceil(span_ms / axis.step_ms - 1e-9)));
  axis.end_ms = intervals * axis.step_ms;
  axis.step_pct = format_pct(100.0 / intervals);
  const int every = intervals > kMaxLabelledIntervals ? 2 : 1;
  for (int i = 0; i <= intervals; ++i) {
    Tick t;
    t.left_pct = format_pct(100.0 * i / intervals);
    if (i % every == 0) t.label = i == 0 ? "0 ms" : format_tick(i * axis.step_ms, axis.step_ms);
    t.align = i == 0 ? TickAlign::kStart : i == intervals ? TickAlign::kEnd : TickAlign::kCentre;
    axis.ticks.push_back(t);
  }
  return axis;
}

std::string redirect_display(const std::string& from, const std::string& to) {
  auto a = parse_url(from);
  auto b = parse_url(to);
  if (!a.ok() || !b.ok()) return to;
  if (a->origin() == b->origin()) return b->target.empty() ? "/" : b->target;
  return b->full;
}

Waterfall layout_waterfall(const Run& run) {
  Waterfall w;
  w.axis = compute_axis(run_extent_ms(run));
  w.rows.reserve(run.requests.size());
  for (std::size_t i = 0; i < run.requests.size(); ++i)
    w.rows.push_back(layout_row(run, i, w.axis.end_ms));

  for (const auto& info : kPhases) {
    PhaseTotal t;
    t.phase = info.phase;
    t.css = info.css;
    t.label = info.label;
    t.name = info.name;
    for (const auto& r : run.requests)
      if (const auto* p = r.phase(info.phase)) {
        t.total_ms += std::max(0.0, p->span.duration_ms());
        ++t.count;
      }
    w.phases_sum_ms += t.total_ms;
    w.totals.push_back(t);
  }
  if (run.total_ms) w.between_ms = std::max(0.0, *run.total_ms - w.phases_sum_ms);
  for (auto& t : w.totals) {
    t.total_text = format_ms(t.total_ms);
    const double share = w.phases_sum_ms > 0 ? 100.0 * t.total_ms / w.phases_sum_ms : 0;
    t.share_pct = format_pct(share);
    t.share_text = format_share(share);
  }
  return w;
}

}  // namespace pageload::report
