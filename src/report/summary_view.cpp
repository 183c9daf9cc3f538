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
  d.set("name", g.name);
  d.set("requests", std::to_string(g.requests));
  d.set("failed", g.failed ? Data{std::to_string(g.failed)} : Data{false});
  d.set("headers", format_bytes(g.header_bytes));
  d.set("body", format_bytes(g.body_bytes));
  d.set("decoded", format_bytes(g.decoded_bytes));
  d.set("span", format_ms(g.first_ms) + " → " + format_ms(g.last_ms));
  d.set("duration", format_ms(std::max(0.0, g.last_ms - g.first_ms)));
  d.set("connections", std::to_string(g.connections));
  d.set("dns", g.dns_ms ? format_ms(*g.dns_ms) : std::string("—"));
  d.set("slowest_dns", g.slowest_dns);
  return d;
}

Data groups_view(const std::vector<GroupTotals>& groups) {
  Data out = list();
  for (const auto& g : groups) out.push_back(group_view(g));
  return out;
}

Data phase_times_view(const TimePerPhase& t, const Axis& axis) {
  Data out = list();
  for (const PhaseTime& p : t.phases) {
    if (p.phase == Phase::kTunnel && p.requests == 0) continue;  // a row only where a proxy tunnelled
    const PhaseInfo& info = phase_info(p.phase);
    Data d;
    d.set("css", std::string(info.css));
    d.set("label", std::string(info.label));
    d.set("present", p.requests > 0);
    d.set("busy", format_ms(p.busy_ms));
    d.set("share", format_share(t.length_ms > 0 ? 100 * p.busy_ms / t.length_ms : 0));
    d.set("summed", format_ms(p.summed_ms));
    d.set("requests", std::to_string(p.requests));
    Data spans = list();
    for (const auto& [left, width] : strip_marks(p.busy, axis.end_ms, 0.15)) {
      Data e;
      e.set("left", format_pct(left));
      e.set("width", format_pct(width));
      spans.push_back(e);
    }
    d.set("spans", spans);
    out.push_back(d);
  }
  return out;
}

}  // namespace

void add_summaries(const Run& run, const Waterfall& w, Data& page) {
  page.set("by_host", groups_view(totals_by_host(run)));
  page.set("by_type", groups_view(totals_by_type(run)));
  const TimePerPhase t = time_per_phase(run);
  page.set("phase_times", phase_times_view(t, w.axis));
  page.set("load_length", format_ms(t.length_ms));
  page.set("active", format_ms(t.active_ms));
  page.set("idle", t.idle_ms >= 0.005 ? Data{format_ms(t.idle_ms)} : Data{false});
}

}  // namespace pageload::report
