// How the CLI shows a lookup walked from the root (--dns-trace): its steps under the dns
// phase of the terminal summary, in `pageload show`, and in --json. Formatting only; every
// name a server gave passes through safe().
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "pageload/result.h"

namespace pageload::cli {

// The walk as summary lines, one per step, each "TYPE @SERVER ZONE -> what came of it
// TIME", indented by the step's depth, led by a line naming the walk and its total;
// "" for a lookup with no steps. Failed steps in red when `color`.
std::string format_walk_summary(const DnsLookup& lookup, bool color);

// The walk for `pageload show`: each step with its start, duration, NS names and glue,
// records, and failure, indented under the lookup ("" without steps).
std::string format_walk_show(const DnsLookup& lookup);

// The steps as the "steps" array of a --json lookup, with the database's nulls.
nlohmann::json walk_json(const DnsLookup& lookup);

}  // namespace pageload::cli
