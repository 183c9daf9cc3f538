#pragma once
// HAR files in: each page of a HAR (Chrome and Edge DevTools, Firefox, WebPageTest,
// Playwright's recordHar, pageload's own export) becomes a Run, so a browser's load can be
// listed, shown, reported and compared in SQL beside pageload's. Imported runs have source
// "har" and the producer's log.creator; nothing is measured, so fields a HAR does not carry
// (DNS answers, addresses tried, the handshake step by step) are absent, never invented.
//
// Choices for what producers bend, each also a warning on the run or request it touched:
//   - `ssl` is read as inside `connect` (the spec), except where it is longer than connect.
//     Playwright's connect holds its ssl too (Chromium's connectStart..connectEnd), but its
//     `time` adds ssl once more: such a `time` is accepted without a warning.
//   - blocked/dns/connect/ssl of 0 or -1: the phase did not happen (producers write 0 for a
//     reused connection); send/wait/receive of -1 are read as 0.
//   - an entry whose `time` differs from the sum of its timings by more than 1 ms keeps its
//     timings (they lay out its phases) and is warned about.
//   - entries without pages (or naming a page that is not there) form a run of their own.

#include <string>
#include <string_view>
#include <vector>

#include "pageload/result.h"
#include "pageload/status.h"

namespace pageload::har {

struct ImportOptions {
  std::string label;          // stored on every run
  std::string file;           // the file's name, recorded in each run's options
  bool keep_secrets = false;  // else Cookie, Authorization, ... redacted on the way in
};

inline constexpr std::size_t kMaxHarBytes = 256u << 20;  // larger files are refused
inline constexpr std::size_t kMaxEntries = 100000;        // entries per file

// Run::group_id of the runs of a WebPageTest HAR (pages with `_run` and `_cached`): one test.
inline constexpr int64_t kWebPageTestGroup = 0;

// The runs of a HAR document, in page order, ready to store. A page that names its place in
// a group (pageload's `_group_id`, `_view`, `_run_number`; WebPageTest's `_run`, `_cached`)
// has view and run_number set and group_id the FILE's group number (kWebPageTestGroup for
// WebPageTest): the caller stores one run group per distinct number and sets the ids. Fails with kUsage and one line
// naming the problem: not JSON (where), not a HAR (what is missing), too many entries.
StatusOr<std::vector<Run>> read_har(std::string_view text, const ImportOptions& options);

}  // namespace pageload::har
