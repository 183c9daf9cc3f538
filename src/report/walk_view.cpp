// The DNS pane's walk from the root (--dns-trace): the steps as rows of a small waterfall
// of their own, under a row for the one recursive query a resolver would have been sent.
// Part of view.h.
#include "report/dns_walk.h"
#include "report/format.h"
#include "report/view.h"

namespace pageload::report {

Data walk_view(const DnsLookup& lookup) {
  if (lookup.steps.empty()) return Data{false};
  const WalkLayout layout = layout_walk(lookup);
  Data bars = list();
  for (const auto& b : layout.bars) {
    const DnsStep& s = lookup.steps[b.step];
    Data row;
    row.set("seq", std::to_string(b.step));
    row.set("qtype", text(s.qtype));
    // The name asked, when it is not the host's own (an NS name, a CNAME's target).
    row.set("qname", s.depth > 0 || s.qname != lookup.host ? optional_text(s.qname) : Data{false});
    row.set("depth", std::to_string(s.depth));
    row.set("server", text(s.server.empty() ? "no query sent" : s.server));
    row.set("server_name", optional_text(s.server_name));
    row.set("zone", text(s.zone));
    row.set("kind", text(s.kind));
    row.set("result", text(s.result_text()));
    row.set("aa", s.authoritative);
    row.set("sent", b.sent);
    row.set("failed", b.failed);
    row.set("left", b.left_pct);
    row.set("width", b.width_pct);
    row.set("start", b.start_text);
    row.set("duration", b.duration_text);
    row.set("ms", format_pct(b.sent ? s.span.duration_ms() : 0));  // exact, for the browser check
    bars.push_back(row);
  }
  Data w;
  w.set("bars", bars);
  w.set("count", std::to_string(layout.bars.size()));
  w.set("total", format_ms(layout.axis_ms));
  w.set("axis_ms", format_pct(layout.axis_ms));
  w.set("steps_sum", format_ms(layout.steps_ms));
  return w;
}

}  // namespace pageload::report
