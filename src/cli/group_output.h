// `pageload run -n N`: the group's runs in a few lines after the batch's summary: which run
// is the median (report/spread.h: as WebPageTest picks it) and the spread of the load, the
// document and each phase total (min, median, p95, max). Formatting only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/cells.h"
#include "pageload/result.h"
#include "report/spread.h"

namespace pageload::cli {

// `runs`: the group's runs of one view in run_number order; `median`: the index of the
// median run in `runs` (report::median_run), absent when no run has the figure. `view`:
// set for a group with repeat views (`-n N --repeat-view`), which prints one block per view
// ("group 3, repeat view: 3 runs of URL").
std::string format_group(int64_t group_id, const std::vector<const Run*>& runs, std::optional<std::size_t> median,
                         report::MedianBy by, const TableStyle& style, std::optional<RunView> view = std::nullopt);

// The same as one JSON object (`run -n N --json`, after the runs' own lines):
// {"group", "view": "first"|"repeat", "runs": [ids in run order], "median_run",
//  "median_by": "load"|"document",
//  "spread": {"load": {"min", "median", "p95", "max", "runs"}, "document": ..., "dns": ...}}.
std::string format_group_json(int64_t group_id, const std::vector<const Run*>& runs,
                              std::optional<std::size_t> median, report::MedianBy by,
                              RunView view = RunView::kFirst);

}  // namespace pageload::cli
