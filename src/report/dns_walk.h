// The DNS pane's own small waterfall for a lookup walked from the root (--dns-trace): a
// bar per step on the lookup's time axis, so the root, the TLD and the authoritative
// server line up in the order they were asked and a slow or silent server stands out.
// Pure arithmetic over a DnsLookup, tested; the template only places what it is given.
#pragma once

#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload::report {

struct WalkBar {
  std::size_t step = 0;        // index into DnsLookup::steps
  std::string left_pct, width_pct;
  std::string start_text;      // from the lookup's start: "+0.42 ms"
  std::string duration_text;   // "0.21 ms"; "—" for a check that sent nothing
  bool sent = true;            // false: a check that sent nothing (no bar)
  bool failed = false;         // an error or a timeout
};

struct WalkLayout {
  double axis_ms = 0;          // the lookup's duration (and every step's end within it)
  std::vector<WalkBar> bars;   // in DnsLookup::steps order
  double steps_ms = 0;         // the steps' durations added up (parallel walks overlap)
};

// The bars of `lookup`'s steps, as percentages of the axis running from the lookup's
// start to its end (or the last step's end, if later). A bar narrower than
// kMinSegmentPct (waterfall.h) is widened to it and kept inside the axis.
WalkLayout layout_walk(const DnsLookup& lookup);

}  // namespace pageload::report
