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

}  // namespace pageload::report
