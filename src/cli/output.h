// What pageload prints: the terminal summary of a page (cli/page_table.h: a line per
// request, totals by host and type), `pageload show`, `pageload list`, and the --json
// object. Formatting only.
#pragma once

#include <string>
#include <vector>

#include "cli/cells.h"
#include "cli/page_table.h"
#include "cli/page_totals.h"
#include "cli/safe.h"
#include "pageload/result.h"
#include "store/store.h"

namespace pageload::cli {

// A duration as the terminal shows it: "0.21 ms", "12.3 ms", "1234 ms".
std::string ms_text(double v);

// The page for a terminal `width` columns wide: the method and URL, a line per request
// with its phases and notes, totals by host and by type, the page's figures, then a
// one-line verdict (and the run's error).
std::string format_summary(const Run& run, bool color, int width = kDefaultWidth);
// The run's figures, the summary's table and totals, then every request with its phases
// (start, end, duration), how it was found, DNS answers, and every connection.
std::string format_show(const Run& run, int width = kDefaultWidth);
std::string format_list(const std::vector<store::RunSummary>& runs);
// One JSON object (single line) for the run, everything the database holds.
std::string format_json(const Run& run);

// Columns to fit the summary in: the terminal's width when `fd` (standard output, or
// standard error when the summary goes there) is one, kDefaultWidth otherwise.
int output_width(int fd = 1);

}  // namespace pageload::cli
