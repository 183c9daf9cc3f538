#include "report/intervals.h"

#include <algorithm>
#include <cmath>

namespace pageload::report {

std::vector<Span> merge_spans(std::vector<Span> spans) {
  std::erase_if(spans, [](const Span& s) {
    return !std::isfinite(s.start_ms) || !std::isfinite(s.end_ms) || !(s.end_ms > s.start_ms);
  });
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start_ms < b.start_ms; });
  std::vector<Span> out;
  for (const Span& s : spans) {
    if (!out.empty() && s.start_ms <= out.back().end_ms)
      out.back().end_ms = std::max(out.back().end_ms, s.end_ms);
    else
      out.push_back(s);
  }
  return out;
}

double covered_ms(const std::vector<Span>& spans) {
  double total = 0;
  for (const Span& s : merge_spans(spans)) total += s.duration_ms();
  return total;
}

std::vector<std::pair<double, double>> strip_marks(const std::vector<Span>& spans, double axis_ms, double min_pct) {
  std::vector<std::pair<double, double>> out;
  if (!(axis_ms > 0)) return out;
  for (const Span& s : spans) {
    const double left = std::clamp(100 * s.start_ms / axis_ms, 0.0, 100.0);
    const double width = std::max(std::min(100 * s.duration_ms() / axis_ms, 100 - left), min_pct);
    if (!out.empty() && left <= out.back().first + out.back().second)
      out.back().second = std::max(out.back().second, left + width - out.back().first);
    else
      out.emplace_back(left, width);
  }
  return out;
}

}  // namespace pageload::report
