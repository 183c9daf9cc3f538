#include "dns/assemble.h"

#include <algorithm>

#include "dns/outcome.h"

namespace pageload::dns {
namespace {

// A query that "succeeded" without an address of its type found nothing: NODATA.
std::string_view effective_outcome(const QueryResult& r) {
  if (!r.addresses.empty()) return kNoError;
  return r.query.outcome == kNoError ? kNoData : std::string_view(r.query.outcome);
}

}  // namespace

void assemble_lookup(DnsLookup& lookup, const std::vector<QueryResult>& results) {
  lookup.queries.clear();
  lookup.answers.clear();
  lookup.span.end_ms = lookup.span.start_ms;
  for (const auto& r : results) {
    lookup.queries.push_back(r.query);
    lookup.span.end_ms = std::max(lookup.span.end_ms, r.query.span.end_ms);
  }

  for (const auto& r : results) {
    if (r.cnames.empty()) continue;
    lookup.answers = r.cnames;
    break;
  }
  for (const char* type : {"A", "AAAA"})
    for (const auto& r : results)
      for (const auto& a : r.addresses)
        if (a.type == type) lookup.answers.push_back(a);

  const QueryResult* best = nullptr;
  for (const auto& r : results)
    if (!best || outcome_rank(effective_outcome(r)) > outcome_rank(effective_outcome(*best)))
      best = &r;

  if (best && effective_outcome(*best) == kNoError) {
    lookup.outcome = std::string(kNoError);
    lookup.ares_status = best->query.ares_status;
    lookup.failure.reset();
    return;
  }
  lookup.outcome = std::string(best ? effective_outcome(*best) : kError);
  lookup.ares_status = best ? best->query.ares_status : "";
  lookup.failure = Failure{code_for_outcome(lookup.outcome),
                           failure_message(lookup.host, lookup.family, lookup.outcome,
                                           lookup.ares_status)};
}

}  // namespace pageload::dns
