#include "report/dns_walk.h"

#include <algorithm>

#include "report/format.h"
#include "report/waterfall.h"

namespace pageload::report {

WalkLayout layout_walk(const DnsLookup& lookup) {
  WalkLayout w;
  const double origin = lookup.span.start_ms;
  double end = lookup.span.end_ms;
  for (const auto& s : lookup.steps) end = std::max(end, s.span.end_ms);
  w.axis_ms = std::max(end - origin, 0.0);
  const double axis = w.axis_ms > 0 ? w.axis_ms : 1;
  for (std::size_t i = 0; i < lookup.steps.size(); ++i) {
    const DnsStep& s = lookup.steps[i];
    WalkBar b;
    b.step = i;
    b.sent = !s.server.empty();
    b.failed = s.kind == "error" || s.kind == "timeout";
    const double start = std::max(s.span.start_ms - origin, 0.0);
    const double duration = std::max(s.span.duration_ms(), 0.0);
    if (b.sent) w.steps_ms += duration;
    double left = std::clamp(start / axis * 100, 0.0, 100.0);
    double width = std::min(duration / axis * 100, 100.0 - left);
    if (width < kMinSegmentPct) {
      width = kMinSegmentPct;
      left = std::min(left, 100.0 - kMinSegmentPct);
    }
    b.left_pct = format_pct(left);
    b.width_pct = format_pct(width);
    b.start_text = "+" + format_ms(start);
    b.duration_text = b.sent ? format_ms(duration) : "—";
    w.bars.push_back(std::move(b));
  }
  return w;
}

}  // namespace pageload::report
