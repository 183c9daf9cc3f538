#pragma once
// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) from stored runs: one `pages[]`
// entry per run, one `entries[]` entry per request, with the spec's timing rules (-1 for a
// phase that did not happen, `ssl` counted inside `connect`, `time` the sum of the others),
// Chrome DevTools' custom fields where they exist (_initiator, _priority, _resourceType,
// _transferSize) and pageload's own detail under `_`-prefixed names (_dns, _tls, _error).
// Values are written as the runs stored them: secrets are already redacted unless the run
// was recorded with --keep-secrets.

#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload::har {

struct HarTimings {
  double blocked = -1, dns = -1, connect = -1, ssl = -1, send = 0, wait = 0, receive = 0;
  // The entry's `time`: the sum of the timings that happened, ssl not twice (it is in connect).
  double total() const;
};

// A request's phases as HAR timings (ms, rounded to the microsecond).
HarTimings har_timings(const Request& request);

// The runs as one HAR document (JSON text, indented by `indent` spaces; -1: one line).
std::string write_har(const std::vector<Run>& runs, int indent = 2);

}  // namespace pageload::har
