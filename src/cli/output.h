// What pageload prints: the per-hop terminal summary (in the spirit of httpstat),
// `pageload show`, `pageload list`, and the --json object. Formatting only.
#pragma once

#include <string>
#include <vector>

#include "cli/safe.h"
#include "pageload/result.h"
#include "store/store.h"

namespace pageload::cli {

// A duration as the terminal shows it: "0.21 ms", "12.3 ms", "1234 ms".
std::string ms_text(double v);

// Compact per-hop summary with phase durations, ending with a one-line verdict.
std::string format_summary(const Run& run, bool color);
// Every hop with its phases (start, end, duration), DNS answers and connection.
std::string format_show(const Run& run);
std::string format_list(const std::vector<store::RunSummary>& runs);
// One JSON object (single line) for the run, everything the database holds.
std::string format_json(const Run& run);

}  // namespace pageload::cli
