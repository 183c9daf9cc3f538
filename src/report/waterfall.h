// The waterfall's layout model: where every bar, segment, gridline and label of a run
// goes, as percentages of a shared time axis. Pure arithmetic over a Run, no markup, so
// it is unit-tested here and the template only places what it is given.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pageload/result.h"

namespace pageload::report {

// A row's note (its total time) must fit beside its bar on the narrowest track, a phone's
// (about 370 px at a 420 px viewport), where a character of the note is about 6.6 px.
inline constexpr double kNarrowTrackPx = 360;
inline constexpr double kNoteCharPx = 6.6;
inline constexpr double kNotePaddingPx = 10;

// Segments narrower than this (percent of the axis) are widened to it so a 0.1 ms DNS
// answer from cache is still visible; they are moved left, never past the row's end.
inline constexpr double kMinSegmentPct = 0.2;

// A gridline, and the label under it if it has one. With more than kMaxLabelledIntervals
// intervals only every other gridline is labelled, so neighbouring labels ("0.45 0.50",
// "9 10") never crowd each other, on a narrow screen either.
inline constexpr int kMaxLabelledIntervals = 6;

enum class TickAlign { kCentre, kStart, kEnd };  // the label's anchor at left_pct

struct Tick {
  std::string left_pct;  // "25"
  std::string label;     // "50"; the first, "0 ms", carries the unit for all; "" unlabelled
  TickAlign align = TickAlign::kCentre;  // the axis's ends keep their labels inside it
};

// The shared time axis: 0 .. end_ms, gridlines every step_ms (1, 2 or 5 × 10^k).
struct Axis {
  double end_ms = 1;
  double step_ms = 0.1;
  std::string step_pct;     // gridline spacing as a percentage of the axis
  std::vector<Tick> ticks;  // 0 and every step up to end_ms, inclusive
};

struct Segment {
  Phase phase = Phase::kDns;
  std::string_view css;    // from kPhases
  std::string_view label;  // from kPhases
  double start_ms = 0;
  double duration_ms = 0;
  std::string left_pct, width_pct;
  std::string start_text, duration_text;
  bool failed = false;
  std::string error;  // "code_name: message" when failed
};

// A TLS handshake message drawn as a tick on the tls segment of the request that opened
// the connection: at the moment OpenSSL wrote or read it, kept inside the segment.
struct HandshakeTick {
  std::string left_pct;
  bool received = false;  // drawn in the lower half; sent ones in the upper
  bool alert = false;
};

// Where a row's text note (its total time, or its error) sits: after or before its bar
// when it fits, else on a line of its own under the bar (kInside).
enum class NoteSide { kAfter, kBefore, kInside };

struct Row {
  std::size_t request_index = 0;  // into Run::requests
  int seq = 0;
  std::string status_text;   // "200"; "failed", or "—" when no response came back
  std::string status_class;  // "s2xx" .. "s5xx", or "s-none"
  std::string tint_class;    // "", "t-4xx", "t-5xx" or "t-failed"
  bool is_redirect = false;
  std::string redirect_target;  // "/next" when same-origin, else the full URL
  std::string redirect_url;     // the full URL it led to, for the tooltip of a cut target
  std::string redirect_text;    // "301 → /next"
  std::optional<int> connection;  // id of the connection used
  bool reused = false;
  std::vector<Segment> segments;
  std::vector<HandshakeTick> tls_ticks;  // the handshake's messages, none after it
  std::string start_text, duration_text;
  bool failed = false;
  std::string error;  // request-level failure, "TLS handshake: certificate expired"
  std::string note;   // what the note says: the error, or the duration
  NoteSide note_side = NoteSide::kAfter;
  // For kAfter the note's left edge, for kBefore its distance from the right edge. Either
  // way it has the rest of the track, 100 - note_pct, and is cut with an ellipsis there.
  std::string note_pct;
};

// Time per phase over the whole run (sum over requests).
struct PhaseTotal {
  Phase phase = Phase::kDns;
  std::string_view css, label, name;
  double total_ms = 0;
  int count = 0;             // requests that had this phase
  std::string total_text;
  std::string share_pct;     // of the sum of all phases, for CSS: "5.875"
  std::string share_text;    // for people: "5.9%"
};

struct Waterfall {
  Axis axis;
  std::vector<Row> rows;
  std::vector<PhaseTotal> totals;  // in kPhases order, all six, zero when absent
  double phases_sum_ms = 0;
  // The run's time outside every phase: between phases and between hops, where pageload
  // and curl do their own work (parsing, scheduling, following a redirect) and wait to be
  // scheduled. Not network time. total_ms - phases_sum_ms, never negative; 0 without a total.
  double between_ms = 0;
};

// The nice gridline step for an axis spanning `span_ms`: the smallest 1/2/5 × 10^k
// giving at most 10 intervals (so 4 to 10 gridlines). span_ms <= 0 is treated as 1.
double nice_step(double span_ms);

// The axis for a run lasting `span_ms`: ends at span_ms rounded up to a whole step.
Axis compute_axis(double span_ms);

// The whole layout of `run`. Rows come in Run::requests order; the axis covers the
// run's total time and every request and phase end, whichever is latest.
Waterfall layout_waterfall(const Run& run);

// The CSS class of a status chip: "s1xx" .. "s5xx", or "s-none" (no or odd status).
std::string status_class(std::optional<int> status);

// A redirect target as a row shows it: the path and query when `to` has the same origin
// as `from`, the whole URL otherwise (or `to` verbatim if either does not parse).
std::string redirect_display(const std::string& from, const std::string& to);

}  // namespace pageload::report
