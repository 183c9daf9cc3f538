#include "report/axis.h"

#include <algorithm>
#include <cmath>

#include "report/format.h"

namespace pageload::report {

double pct_of(double ms, double axis_ms) {
  if (!std::isfinite(ms) || !(axis_ms > 0)) return 0;
  return std::clamp(ms / axis_ms * 100.0, 0.0, 100.0);
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

}  // namespace pageload::report
