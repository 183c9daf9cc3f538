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
    put(row, "seq", std::to_string(b.step));
    put(row, "qtype", text(s.qtype));
    // The name asked, when it is not the host's own (an NS name, a CNAME's target).
    put(row, "qname", s.depth > 0 || s.qname != lookup.host ? optional_text(s.qname) : Data{false});
    put(row, "depth", std::to_string(s.depth));
    put(row, "server", text(s.server.empty() ? "no query sent" : s.server));
    put(row, "server_name", optional_text(s.server_name));
    put(row, "zone", text(s.zone));
    put(row, "kind", text(s.kind));
    put(row, "result", text(s.result_text()));
    put(row, "aa", s.authoritative);
    put(row, "sent", b.sent);
    put(row, "failed", b.failed);
    put(row, "left", b.left_pct);
    put(row, "width", b.width_pct);
    put(row, "start", b.start_text);
    put(row, "duration", b.duration_text);
    put(row, "ms", format_pct(b.sent ? s.span.duration_ms() : 0));  // exact, for the browser check
    append(bars, std::move(row));
  }
  Data w;
  put(w, "bars", std::move(bars));
  put(w, "count", std::to_string(layout.bars.size()));
  put(w, "total", format_ms(layout.axis_ms));
  put(w, "axis_ms", format_pct(layout.axis_ms));
  put(w, "steps_sum", format_ms(layout.steps_ms));
  return w;
}

}  // namespace pageload::report
