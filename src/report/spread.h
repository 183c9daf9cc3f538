// A group of runs of one page (`pageload run -n N`): which run is the median, as WebPageTest
// picks it, and the spread of each figure over the runs (min, median, p95, max). Pure
// functions of Runs; the cli prints them and the store's `group_medians` view picks the
// same run in SQL. Internal to the report module.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload::report {

// The figure the median run is picked by: the load (every request done, WebPageTest's
// loadTime/fully loaded) or, with --document-only, the document.
enum class MedianBy { kLoad, kDocument };

// The figure `by` names of `run`; absent when the run did not reach it.
std::optional<double> median_metric(const Run& run, MedianBy by);

// The index (into `runs`) of the median run, as WebPageTest's TestResults::getMedianRunNumber
// picks it: among the runs that succeeded (outcome ok) and have the figure (all runs with
// it when none succeeded), sorted by the figure (ties in run order), the one at 0-based
// index floor(n / 2): the middle one for an odd n, the slower of the two middle ones for an
// even n. Absent when no run has the figure.
std::optional<std::size_t> median_run(const std::vector<const Run*>& runs, MedianBy by);

// The value of rank floor(n / 2) of `values` sorted (the median run's rank, so the median
// printed is the median run's own figure), or absent for none.
std::optional<double> median_of(std::vector<double> values);
// The nearest-rank 95th percentile: the value of rank ceil(0.95 n) (1-based) of `values`
// sorted; for n < 20 that is the maximum.
std::optional<double> p95_of(std::vector<double> values);

// One figure over the group's runs; only runs that have it count (`runs`).
struct SpreadRow {
  std::string name;  // "load", "document", "dns", ... (phase totals in kPhases order)
  int runs = 0;
  double min = 0, median = 0, p95 = 0, max = 0;
};

// The load, the document and each phase's time summed over the requests (as HAR sums it),
// over `runs`; a figure no run has is left out. Phases are summed over the requests that
// had them, and a run without the phase counts as 0 for it.
std::vector<SpreadRow> spread(const std::vector<const Run*>& runs);

}  // namespace pageload::report
