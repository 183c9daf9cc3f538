// Sets of moments on the run's clock: the union of spans that overlap, and its length.
// What "time in a phase" means once requests overlap: a moment counts once however many
// requests were in the phase then. Internal to the report module.
#pragma once

#include <utility>
#include <vector>

#include "pageload/phase.h"

namespace pageload::report {

// The union of `spans` as disjoint spans in time order; empty and inverted spans (and
// non-finite ones) add nothing.
std::vector<Span> merge_spans(std::vector<Span> spans);

// How long the union of `spans` lasts, in ms.
double covered_ms(const std::vector<Span>& spans);

// A strip's marks on an axis of `axis_ms` as (left, width) percentages: the disjoint
// `spans` (merge_spans' output), each at least `min_pct` wide, and marks that would touch
// or overlap once widened drawn as one. Thirty-seven requests each sending for 0.04 ms
// over 169 ms were thirty-seven marks of the minimum width, most of them touching.
std::vector<std::pair<double, double>> strip_marks(const std::vector<Span>& spans, double axis_ms, double min_pct);

}  // namespace pageload::report
