// The report's summaries of a page: its requests by host and by type, and the time per
// phase reworked for overlapping requests. Pure functions of a Run. Internal to the
// report module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pageload/result.h"

namespace pageload::report {

// The requests of one host (origin) or of one resource type.
struct GroupTotals {
  std::string name;   // "https://b.test:8443" or "image", cleaned
  int requests = 0;
  int failed = 0;     // failed, or answered 400 or above
  int64_t wire_bytes = 0;     // headers and bodies as received
  // Apart, so a ratio means something: header text (over HTTP/2 curl's decoded text, not
  // the HPACK frames), bodies as received (compressed if they were) and decoded.
  int64_t header_bytes = 0;
  int64_t body_bytes = 0;
  int64_t decoded_bytes = 0;  // bodies after content decoding
  double first_ms = 0;        // the first request's start
  double last_ms = 0;         // the last byte of the last to finish
  int connections = 0;        // connections opened to it (hosts only)
  std::optional<double> dns_ms;  // the DNS lookups sent for its host name (hosts only)
  bool slowest_dns = false;      // the costliest lookup of the page
};

// Origins in the order the page first used them.
std::vector<GroupTotals> totals_by_host(const Run& run);
// Resource types in ResourceType order, those the page fetched.
std::vector<GroupTotals> totals_by_type(const Run& run);

// One phase over the whole page.
struct PhaseTime {
  Phase phase = Phase::kDns;
  // When at least one request was in the phase: overlapping requests count once.
  std::vector<Span> busy;
  double busy_ms = 0;
  double summed_ms = 0;  // every request's own time in the phase, added up (as HAR sums)
  int requests = 0;      // requests that had the phase
};

struct TimePerPhase {
  double length_ms = 0;          // the load: from the run's start to its last byte
  std::vector<PhaseTime> phases;  // in kPhases order, all of them
  double active_ms = 0;   // when some request was in some phase (queued included)
  double idle_ms = 0;     // length_ms - active_ms: no request in any phase
};

TimePerPhase time_per_phase(const Run& run);

}  // namespace pageload::report
