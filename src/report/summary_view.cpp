// The summaries' view: the page's requests by host and by type, and the time per phase
// along the timeline. Part of view.h.
#include "report/format.h"
#include "report/intervals.h"
#include "report/summaries.h"
#include "report/view.h"

namespace pageload::report {

namespace {

Data group_view(const GroupTotals& g) {
  Data d;
  put(d, "name", g.name);
  put(d, "requests", std::to_string(g.requests));
  put(d, "failed", g.failed ? Data{std::to_string(g.failed)} : Data{false});
  put(d, "headers", format_bytes(g.header_bytes));
  put(d, "body", format_bytes(g.body_bytes));
  put(d, "decoded", format_bytes(g.decoded_bytes));
  put(d, "span", format_ms(g.first_ms) + " → " + format_ms(g.last_ms));
  put(d, "duration", format_ms(std::max(0.0, g.last_ms - g.first_ms)));
  put(d, "connections", std::to_string(g.connections));
  put(d, "dns", g.dns_ms ? format_ms(*g.dns_ms) : std::string("—"));
  put(d, "slowest_dns", g.slowest_dns);
  return d;
}

Data groups_view(const std::vector<GroupTotals>& groups) {
  Data out = list();
  for (const auto& g : groups) append(out, group_view(g));
  return out;
}

Data phase_times_view(const TimePerPhase& t, const Axis& axis) {
  Data out = list();
  for (const PhaseTime& p : t.phases) {
    if (p.phase == Phase::kTunnel && p.requests == 0) continue;  // a row only where a proxy tunnelled
    const PhaseInfo& info = phase_info(p.phase);
    Data d;
    put(d, "css", std::string(info.css));
    put(d, "label", std::string(info.label));
    put(d, "present", p.requests > 0);
    put(d, "busy", format_ms(p.busy_ms));
    put(d, "share", format_share(t.length_ms > 0 ? 100 * p.busy_ms / t.length_ms : 0));
    put(d, "summed", format_ms(p.summed_ms));
    put(d, "requests", std::to_string(p.requests));
    Data spans = list();
    for (const auto& [left, width] : strip_marks(p.busy, axis.end_ms, 0.15)) {
      Data e;
      put(e, "left", format_pct(left));
      put(e, "width", format_pct(width));
      append(spans, std::move(e));
    }
    put(d, "spans", std::move(spans));
    append(out, std::move(d));
  }
  return out;
}

}  // namespace

void add_summaries(const Run& run, const Waterfall& w, Data& page) {
  put(page, "by_host", groups_view(totals_by_host(run)));
  put(page, "by_type", groups_view(totals_by_type(run)));
  const TimePerPhase t = time_per_phase(run);
  put(page, "phase_times", phase_times_view(t, w.axis));
  put(page, "load_length", format_ms(t.length_ms));
  put(page, "active", format_ms(t.active_ms));
  put(page, "idle", t.idle_ms >= 0.005 ? Data{format_ms(t.idle_ms)} : Data{false});
}

}  // namespace pageload::report
