#include "report/summaries.h"

#include <algorithm>
#include <map>

#include "report/format.h"
#include "report/intervals.h"

namespace pageload::report {

namespace {

void add_request(GroupTotals& g, const Request& r) {
  if (g.requests == 0 || r.span.start_ms < g.first_ms) g.first_ms = r.span.start_ms;
  g.last_ms = std::max(g.last_ms, r.span.end_ms);
  ++g.requests;
  if (r.failure || (r.status && *r.status >= 400)) ++g.failed;
  g.wire_bytes += r.header_bytes.value_or(0) + r.body_bytes.value_or(0);
  g.header_bytes += r.header_bytes.value_or(0);
  g.body_bytes += r.body_bytes.value_or(0);
  g.decoded_bytes += r.body_decoded.value_or(r.body_bytes.value_or(0));
}

std::string origin_of(const std::string& scheme, const std::string& host, int port) {
  if (host.empty()) return "(no host)";
  return scheme + "://" + format_host(scheme, host, port);
}

}  // namespace

std::vector<GroupTotals> totals_by_host(const Run& run) {
  std::vector<GroupTotals> out;
  std::map<std::string, std::size_t> index;
  std::vector<std::string> host_of;  // the host name of each group, for its DNS lookups
  std::vector<std::size_t> order(run.requests.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return run.requests[a].span.start_ms < run.requests[b].span.start_ms;
  });
  auto group = [&](const std::string& origin, const std::string& host) -> GroupTotals& {
    auto [it, added] = index.emplace(origin, out.size());
    if (added) {
      out.push_back(GroupTotals{clean_text(origin)});
      host_of.push_back(host);
    }
    return out[it->second];
  };
  for (std::size_t i : order) {
    const Request& r = run.requests[i];
    add_request(group(origin_of(r.scheme, r.host, r.port), r.host), r);
  }
  for (const Connection& c : run.connections) ++group(origin_of(c.scheme, c.host, c.port), c.host).connections;
  std::optional<std::size_t> slowest;
  for (std::size_t g = 0; g < out.size(); ++g) {
    for (const DnsLookup& l : run.dns_lookups) {
      if (l.source != "dns" || l.host != host_of[g]) continue;
      out[g].dns_ms = out[g].dns_ms.value_or(0) + std::max(0.0, l.span.duration_ms());
    }
    if (out[g].dns_ms && (!slowest || *out[g].dns_ms > *out[*slowest].dns_ms)) slowest = g;
  }
  if (slowest && out.size() > 1) out[*slowest].slowest_dns = true;
  return out;
}

std::vector<GroupTotals> totals_by_type(const Run& run) {
  std::vector<GroupTotals> out(kResourceTypeNames.size());
  for (std::size_t t = 0; t < out.size(); ++t) out[t].name = std::string(kResourceTypeNames[t]);
  for (const Request& r : run.requests) add_request(out[static_cast<std::size_t>(r.resource_type)], r);
  std::erase_if(out, [](const GroupTotals& g) { return g.requests == 0; });
  return out;
}

TimePerPhase time_per_phase(const Run& run) {
  TimePerPhase t;
  double last = 0;
  for (const Request& r : run.requests) last = std::max(last, r.span.end_ms);
  t.length_ms = std::max(run.load_ms.value_or(run.total_ms.value_or(last)), last);
  std::vector<Span> every;
  for (const auto& info : kPhases) {
    PhaseTime p;
    p.phase = info.phase;
    std::vector<Span> spans;
    for (const Request& r : run.requests)
      if (const PhaseRecord* rec = r.phase(info.phase)) {
        spans.push_back(rec->span);
        p.summed_ms += std::max(0.0, rec->span.duration_ms());
        ++p.requests;
      }
    every.insert(every.end(), spans.begin(), spans.end());
    p.busy = merge_spans(std::move(spans));
    for (const Span& s : p.busy) p.busy_ms += s.duration_ms();
    t.phases.push_back(std::move(p));
  }
  t.active_ms = covered_ms(every);
  t.idle_ms = std::max(0.0, t.length_ms - t.active_ms);
  return t;
}

}  // namespace pageload::report
