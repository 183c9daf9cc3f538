// What a page's summary says after its table: totals by host and by type, and the
// page's figures. Formatting only; every string from outside goes through safe().
#pragma once

#include <string>

#include "cli/cells.h"
#include "pageload/result.h"

namespace pageload::cli {

// Totals by host (requests, failed, bytes, connections opened, protocol, DNS time; the
// figures of the run_hosts view; past the tenth host the rest summed on one line) and by
// type (requests, failed, bytes), side by side when they fit.
std::string format_totals(const Run& run, const TableStyle& style);

// "document received at 13.8 ms · fully loaded at 424.3 ms · 16 requests, 1 failed ·
// 170.3 KB" (bytes as received on the wire).
std::string format_page_figures(const Run& run);

}  // namespace pageload::cli
