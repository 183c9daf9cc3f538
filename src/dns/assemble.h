// Turns the finished queries of one lookup (A, AAAA or both) into the DnsLookup the run
// records: answers in order, the overall outcome, and the failure when no address came
// back. Pure, so the ordering and precedence rules are tested without a network.
#pragma once

#include <vector>

#include "pageload/result.h"

namespace pageload::dns {

// One finished query as the resolver collected it.
struct QueryResult {
  DnsQuery query;                   // type, outcome, ares_status, span
  std::vector<DnsAnswer> cnames;    // the CNAME chain, in the order it was followed
  std::vector<DnsAnswer> addresses; // A or AAAA records of the final name
};

// Fills lookup.queries (in the given order), answers, span.end_ms, outcome, ares_status
// and failure from `results`; lookup.host, family and span.start_ms must already be set.
// Answers: the CNAME chain once (from the first query that has one), then every A
// record, then every AAAA record. Outcome: NOERROR if any query gave an address, else
// the highest-ranked failing outcome (see outcome_rank) with that query's ares_status.
// span.end_ms is the latest query end, or span.start_ms when there is no query.
void assemble_lookup(DnsLookup& lookup, const std::vector<QueryResult>& results);

}  // namespace pageload::dns
