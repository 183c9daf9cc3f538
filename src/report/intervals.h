// Sets of moments on the run's clock: the union of spans that overlap, and its length.
// What "time in a phase" means once requests overlap: a moment counts once however many
// requests were in the phase then. Internal to the report module.
#pragma once

#include <vector>

#include "pageload/phase.h"

namespace pageload::report {

// The union of `spans` as disjoint spans in time order; empty and inverted spans (and
// non-finite ones) add nothing.
std::vector<Span> merge_spans(std::vector<Span> spans);

// How long the union of `spans` lasts, in ms.
double covered_ms(const std::vector<Span>& spans);

}  // namespace pageload::report
