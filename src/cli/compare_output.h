// `pageload compare A B` as text: the compare model (report/compare.h) printed as small
// tables. Formatting only; every string from outside goes through safe().
#pragma once

#include <string>

#include "cli/cells.h"
#include "pageload/result.h"
#include "report/compare.h"
#include "report/compare_html.h"

namespace pageload::cli {

// Requests the table lists at most (appeared, disappeared and changed, in that order); the
// rest are counted on one line.
inline constexpr std::size_t kCompareRequests = 15;

// The whole comparison: the two runs, what changed (headlines), the page's figures, phase
// totals, requests by host and by type, and the requests that appeared, disappeared or
// changed most, each figure with its difference (absolute and percent).
std::string format_compare(const Run& a, const Run& b, const report::CompareSides& sides,
                           const report::Comparison& c, const TableStyle& style);

// A difference as the table prints it: "+12.3", "-4", "0" (milliseconds or a count),
// "+1.2K" for bytes; "—" when one side lacks the figure.
std::string delta_cell(const report::Figure& f);
// "+12.5%", "-3.0%"; "—" without a base.
std::string delta_pct_cell(const report::Figure& f);

}  // namespace pageload::cli
