// The report's shared time axis: from the run's start to a whole number of gridline steps
// past its last moment, with tick labels that never crowd. Internal to the report module.
#pragma once

#include <string>
#include <vector>

namespace pageload::report {

// With more than kMaxLabelledIntervals intervals only every other gridline is labelled, so
// neighbouring labels ("0.45 0.50", "9 10") never crowd each other, on a narrow screen either.
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

// The nice gridline step for an axis spanning `span_ms`: the smallest 1/2/5 × 10^k
// giving at most 10 intervals (so 4 to 10 gridlines). span_ms <= 0 is treated as 1.
double nice_step(double span_ms);

// The axis for a run lasting `span_ms`: ends at span_ms rounded up to a whole step.
Axis compute_axis(double span_ms);

// `ms` as a percentage of an axis of `axis_ms`, clamped to 0..100.
double pct_of(double ms, double axis_ms);

}  // namespace pageload::report
