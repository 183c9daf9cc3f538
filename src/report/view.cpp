#include "report/view.h"

#include <cstdio>

#include "core/tls_handshake.h"
#include "report/format.h"

namespace pageload::report {

namespace {


// "1 request", "6 requests".
std::string count_text(std::size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// Three decimals; `trim` drops trailing zeros ("31" rather than "31.000").
std::string fixed3(double v, bool trim = false) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  if (trim) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string_view note_class(const Row& row) {
  std::string_view c = row.note_side == NoteSide::kAfter    ? "after"
                       : row.note_side == NoteSide::kBefore ? "before"
                                                            : "inside";
  return c;
}

// The bar's tooltip: every phase and its duration, named as the terminal summary names
// them: "dns 0.21 ms · connect 0.12 ms · tls 5.52 ms ✕". One title per bar, not one per
// segment, keeps a 1,000-row page 100 KB lighter.
std::string phases_title(const Row& row) {
  std::string out;
  for (const auto& s : row.segments) {
    if (!out.empty()) out += " · ";
    out += std::string(phase_name(s.phase)) + " " + s.duration_text + (s.failed ? " ✕" : "");
  }
  return out;
}

Data segment_view(const Segment& s) {
  Data d;
  d.set("css", std::string(s.css));
  d.set("label", std::string(s.label));
  d.set("left", s.left_pct);
  d.set("width", s.width_pct);
  d.set("start", s.start_text);
  d.set("duration", s.duration_text);
  d.set("failed", s.failed);
  return d;
}

Data row_view(const Run& run, const Row& row) {
  const Request& r = run.requests[row.request_index];
  Data d;
  d.set("seq", std::to_string(row.seq));
  d.set("method", text(r.method.empty() ? "GET" : r.method));
  d.set("url", text(r.url));
  d.set("tint", row.tint_class);
  d.set("status", row.status_text);
  d.set("status_class", row.status_class);
  d.set("redirect", row.is_redirect);
  d.set("redirect_target", row.redirect_target);
  d.set("redirect_url", row.redirect_url);
  d.set("redirect_text", row.redirect_text);
  d.set("has_conn", row.connection.has_value());
  d.set("conn_id", row.connection ? std::to_string(*row.connection) : std::string());
  d.set("reused", row.reused);
  Data segments = list();
  for (const auto& s : row.segments) segments.push_back(segment_view(s));
  d.set("segments", segments);
  Data ticks = list();
  for (const auto& t : row.tls_ticks) {
    Data k;
    k.set("left", t.left_pct);
    k.set("cls", std::string(t.alert ? "tk al" : "tk") + (t.received ? " in" : ""));
    ticks.push_back(k);
  }
  d.set("ticks", ticks);
  std::string title = phases_title(row);
  // The ticks' meaning in the bar's one tooltip (their list is in the connection's details).
  if (!row.tls_ticks.empty() && r.connection)
    title += " · " + tls_handshake_brief(run.connections[*r.connection]);
  d.set("phases_title", text(title));
  d.set("start", row.start_text);
  d.set("duration", row.duration_text);
  d.set("failed", row.failed);
  d.set("error", text(row.error));
  d.set("note", text(row.note));
  d.set("note_class", std::string(note_class(row)) + (row.failed ? " err-text" : ""));
  d.set("note_pct", row.note_pct);
  add_request_details(run, r, d);
  return d;
}

Data phases_view(const Waterfall& w) {
  Data phases = list();
  for (const auto& t : w.totals) {
    Data p;
    p.set("css", std::string(t.css));
    p.set("label", std::string(t.label));
    p.set("total", t.total_text);
    p.set("share", t.share_pct);
    p.set("share_text", t.share_text);
    p.set("count", std::to_string(t.count));
    p.set("present", t.count > 0);
    phases.push_back(p);
  }
  return phases;
}

}  // namespace

Data text(std::string_view s) { return Data{clean_text(s)}; }

Data optional_text(std::string_view s) {
  if (s.empty()) return Data{false};
  return text(s);
}

Data pair_view(std::string_view name, std::string_view value) {
  Data d;
  d.set("name", text(name));
  d.set("value", text(value));
  return d;
}

Data page_view(const Run& run, const Waterfall& w) {
  Data d;
  bool handshakes = false;
  for (const auto& row : w.rows) handshakes |= !row.tls_ticks.empty();
  d.set("has_tls_ticks", handshakes);
  d.set("url", text(run.url));
  // The final URL only where the run ended somewhere else than it started.
  d.set("final_url", run.final_url == run.url ? Data{false} : optional_text(run.final_url));
  d.set("final_status", run.final_status ? std::to_string(*run.final_status) : "—");
  d.set("final_status_class", status_class(run.final_status));
  d.set("outcome", std::string(outcome_name(run.outcome)));
  std::string run_error;
  if (run.failure) {
    run_error = std::string(code_name(run.failure->code));
    if (!run.failure->message.empty()) run_error += ": " + run.failure->message;
  }
  d.set("run_error", optional_text(run_error));
  d.set("started_at", text(run.started_at.empty() ? "—" : run.started_at));
  d.set("total", run.total_ms ? format_ms(*run.total_ms) : "—");
  d.set("label", optional_text(run.label));
  d.set("tool_version", text(run.tool_version.empty() ? "pageload" : run.tool_version));
  d.set("library_versions", text(run.library_versions));
  d.set("request_count", count_text(run.requests.size(), "request"));
  d.set("connection_count", count_text(run.connections.size(), "connection"));

  d.set("phases", phases_view(w));
  d.set("phases_sum", format_ms(w.phases_sum_ms));
  // Hundredths of a millisecond are below what the run's clock can tell apart from zero.
  d.set("between", w.between_ms >= 0.005 ? Data{format_ms(w.between_ms)} : Data{false});
  Data ticks = list();
  for (const auto& t : w.axis.ticks) {
    if (t.label.empty()) continue;  // a gridline only: the track's background draws it
    Data tick;
    tick.set("left", t.left_pct);
    tick.set("label", t.label);
    tick.set("align", std::string(t.align == TickAlign::kStart ? " start"
                                  : t.align == TickAlign::kEnd ? " end"
                                                               : ""));
    ticks.push_back(tick);
  }
  d.set("ticks", ticks);
  d.set("step_pct", w.axis.step_pct);
  d.set("axis_end_ms", fixed3(w.axis.end_ms));

  Data rows = list();
  for (const auto& row : w.rows) rows.push_back(row_view(run, row));
  d.set("rows", rows);
  d.set("connections", connections_view(run));
  d.set("has_connections", !run.connections.empty());
  return d;
}

}  // namespace pageload::report
