#include "report/view.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/page_notes.h"
#include "core/tls_handshake.h"
#include "report/format.h"
#include "report/summaries.h"

namespace pageload::report {

namespace {

// The short word a row's type cell shows; the full name is its tooltip and filter value.
constexpr std::array<std::string_view, 7> kTypeShort{"doc", "css", "js", "img", "font", "media", "other"};
static_assert(kTypeShort.size() == kResourceTypeNames.size());

// At most this many failed requests are named in the waterfall's failure banner; the
// "failed only" filter shows them all.
constexpr std::size_t kMaxFailuresNamed = 8;

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
  switch (row.note_side) {
    case NoteSide::kAfter: return "after";
    case NoteSide::kBefore: return "before";
    case NoteSide::kOver: return "over";
    case NoteSide::kInside: break;
  }
  return "inside";
}

// "12.3 ms" as the Timing table's cells show it, under a "(ms)" heading: "12.3".
std::string without_unit(const std::string& ms_text) {
  constexpr std::string_view kUnit = " ms";
  if (ms_text.size() > kUnit.size() && ms_text.compare(ms_text.size() - kUnit.size(), kUnit.size(), kUnit) == 0)
    return ms_text.substr(0, ms_text.size() - kUnit.size());
  return ms_text;
}

Data segment_view(const Segment& s) {
  Data d;
  put(d, "css", std::string(s.css) + (s.tint.empty() ? "" : " " + std::string(s.tint)));
  put(d, "label", std::string(s.label));
  put(d, "left", s.left_pct);
  put(d, "width", s.width_pct);
  put(d, "start", s.start_text);
  put(d, "duration", s.duration_text);
  put(d, "t_start", without_unit(s.start_text));
  put(d, "t_duration", without_unit(s.duration_text));
  put(d, "failed", s.failed);
  return d;
}

std::string join_seqs(const std::vector<int>& seqs) {
  std::string out;
  for (int s : seqs) out += (out.empty() ? "" : " ") + std::to_string(s);
  return out;
}

Data row_view(const Run& run, const Row& row, const std::map<std::string, std::size_t>& hosts,
              const FirstHeaders& headers, const std::map<int, std::size_t>& replacements) {
  const Request& r = run.requests[row.request_index];
  Data d;
  put(d, "seq", std::to_string(row.seq));
  put(d, "method", text(r.method.empty() ? "GET" : r.method));
  put(d, "not_get", !r.method.empty() && r.method != "GET");
  put(d, "url", text(r.url));
  put(d, "name", row.name);
  put(d, "host", row.host);
  auto host = hosts.find(row.host);
  put(d, "host_index", host == hosts.end() ? std::string() : std::to_string(host->second));
  put(d, "type", std::string(resource_type_name(row.type)));
  put(d, "type_short", std::string(kTypeShort[static_cast<std::size_t>(row.type)]));
  put(d, "size", row.size_text);
  put(d, "priority", row.priority_text);
  put(d, "tint", row.tint_class + (row.critical ? " crit" : ""));
  put(d, "critical", row.critical);
  put(d, "status", row.status_text);
  put(d, "status_class", row.status_class);
  put(d, "status_group", row.status_group);
  put(d, "bad", row.failed || (r.status && *r.status >= 400));
  put(d, "redirect", row.is_redirect);
  put(d, "redirect_target", row.redirect_target);
  put(d, "redirect_url", row.redirect_url);
  put(d, "has_conn", row.connection.has_value());
  put(d, "conn_id", row.connection ? std::to_string(*row.connection) : std::string());
  put(d, "reused", row.reused);
  put(d, "from_cache", row.from_cache);
  put(d, "revalidated", row.revalidated);
  put(d, "chain", row.chain.empty() ? Data{false} : Data{join_seqs(row.chain)});
  // Who asked for it, linked, as the terminal's `from` column says it.
  put(d, "from", row.initiator ? Data{std::to_string(*row.initiator)} : Data{false});
  if (row.discovery) {
    Data line;
    put(line, "left", row.discovery->first);
    put(line, "width", row.discovery->second);
    put(d, "discovery", std::move(line));
  } else {
    put(d, "discovery", false);
  }
  Data segments = list();
  for (const auto& s : row.segments) append(segments, segment_view(s));
  put(d, "segments", std::move(segments));
  Data ticks = list();
  for (const auto& t : row.tls_ticks) {
    Data k;
    put(k, "left", t.left_pct);
    put(k, "cls", std::string(t.alert ? "tk al" : "tk") + (t.received ? " in" : ""));
    append(ticks, std::move(k));
  }
  put(d, "ticks", std::move(ticks));
  // The bar's tooltip: the ticks' meaning (their list is in the connection's details);
  // report.js puts the phases before it, from the Timing table, when the row is hovered.
  put(d, "tls_brief", !row.tls_ticks.empty() && r.connection
                         ? Data{text(tls_handshake_brief(run.connections[*r.connection]))}
                         : Data{false});
  put(d, "start", row.start_text);
  put(d, "duration", row.duration_text);
  put(d, "t_start", without_unit(row.start_text));
  put(d, "t_duration", without_unit(row.duration_text));
  put(d, "failed", row.failed);
  put(d, "error", text(row.error));
  put(d, "note", text(row.note));
  put(d, "note_class", std::string(note_class(row)) + (row.failed ? " err-text" : ""));
  put(d, "note_pct", row.note_pct);
  add_request_details(run, row, headers, replacements, d);
  return d;
}

Data markers_view(const Waterfall& w) {
  Data out = list();
  for (const auto& m : w.markers) {
    Data d;
    put(d, "css", std::string(m.css));
    put(d, "label", std::string(m.label));
    put(d, "left", m.left_pct);
    put(d, "time", m.time_text);
    append(out, std::move(d));
  }
  return out;
}

// The filter's choices: each value the page has, with how many rows carry it.
Data choices(const std::vector<std::pair<std::string, int>>& values, bool index_values) {
  Data out = list();
  for (std::size_t i = 0; i < values.size(); ++i) {
    Data d;
    put(d, "value", index_values ? std::to_string(i) : values[i].first);
    put(d, "label", values[i].first + " (" + std::to_string(values[i].second) + ")");
    append(out, std::move(d));
  }
  return out;
}

void add_filters(const Waterfall& w, const std::vector<std::string>& host_names, Data& d) {
  std::vector<std::pair<std::string, int>> types, hosts, statuses;
  for (std::size_t t = 0; t < kResourceTypeNames.size(); ++t) {
    int n = 0;
    for (const auto& row : w.rows) n += static_cast<std::size_t>(row.type) == t;
    if (n) types.emplace_back(std::string(kResourceTypeNames[t]), n);
  }
  for (const auto& h : host_names) {
    int n = 0;
    for (const auto& row : w.rows) n += row.host == h;
    hosts.emplace_back(h, n);
  }
  for (std::string_view g : {"1xx", "2xx", "3xx", "4xx", "5xx", "failed", "none"}) {
    int n = 0;
    for (const auto& row : w.rows) n += row.status_group == g;
    if (n) statuses.emplace_back(std::string(g), n);
  }
  put(d, "filter_types", choices(types, false));
  put(d, "filter_hosts", choices(hosts, true));
  put(d, "filter_statuses", choices(statuses, false));
}

}  // namespace

std::string unverified_text(const Run& run) {
  std::vector<const Connection*> bad;
  for (const auto& c : run.connections) {
    if (!c.tls || c.tls->verified) continue;
    for (const auto& r : run.requests)
      if (r.connection && *r.connection == c.id && r.status) {
        bad.push_back(&c);
        break;
      }
  }
  if (bad.empty()) return "";
  const Connection& c = *bad.front();
  std::string out = c.host + ":" + std::to_string(c.port) + ": " +
                    (c.tls->verify_message.empty() ? "verify result " + std::to_string(c.tls->verify_result)
                                                   : c.tls->verify_message) +
                    ", not verified: loaded under -k";
  if (bad.size() > 1) out += " (" + std::to_string(bad.size()) + " connections)";
  return out;
}

namespace {

// The failure banner: how many requests failed, the first few named and linked.
Data failures_view(const Run& run, const Waterfall& w) {
  std::vector<const Row*> bad;
  for (const auto& row : w.rows) {
    const Request& r = run.requests[row.request_index];
    if (row.failed || (r.status && *r.status >= 400)) bad.push_back(&row);
  }
  if (bad.empty()) return Data{false};
  Data d;
  put(d, "count", count_text(bad.size(), "request") + " of " + std::to_string(w.rows.size()) + " failed");
  Data items = list();
  for (std::size_t i = 0; i < bad.size() && i < kMaxFailuresNamed; ++i) {
    const Row& row = *bad[i];
    Data e;
    put(e, "seq", std::to_string(row.seq));
    put(e, "what", row.failed ? row.error : row.status_text + " " + clean_text(run.requests[row.request_index].reason));
    put(e, "name", row.name);
    put(e, "host", row.host);
    append(items, std::move(e));
  }
  put(d, "items", std::move(items));
  put(d, "more", bad.size() > kMaxFailuresNamed ? Data{std::to_string(bad.size() - kMaxFailuresNamed) + " more"}
                                               : Data{false});
  return d;
}

// The critical path: its requests, linked, and how it spent the load.
Data critical_path_view(const Run& run, const Waterfall& w) {
  const PageModel& m = w.page;
  if (m.critical_path.size() < 2) return Data{false};  // a lone request is no chain
  Data d;
  Data steps = list();
  for (std::size_t k = 0; k < m.critical_path.size(); ++k) {
    const Request& r = run.requests[m.critical_path[k]];
    Data s;
    put(s, "seq", std::to_string(r.seq));
    put(s, "type", std::string(resource_type_name(r.resource_type)));
    put(s, "name", clean_text(host_and_name(r.url).second));
    put(s, "first", k == 0);
    append(steps, std::move(s));
  }
  put(d, "steps", std::move(steps));
  const PathTime& t = m.path_time;
  auto share = [&](double ms) { return format_share(t.length_ms > 0 ? 100 * ms / t.length_ms : 0); };
  put(d, "length", format_ms(t.length_ms));
  put(d, "cut", run.failure.has_value());  // the last request got no last byte
  put(d, "network", format_ms(t.network_ms));
  put(d, "network_share", share(t.network_ms));
  put(d, "queued", t.queued_ms >= 0.005 ? Data{format_ms(t.queued_ms)} : Data{false});
  put(d, "other", format_ms(t.other_ms));
  put(d, "other_share", share(t.other_ms));
  // The icon the browser asks for after the load finishes last, but the load did not wait
  // for it: named, so a reader does not look for it at the path's end.
  Data later = list();
  for (std::size_t i = 0; i < m.after_load.size(); ++i)
    if (m.after_load[i] && (!m.last || i != *m.last)) {
      Data e;
      put(e, "seq", std::to_string(run.requests[i].seq));
      append(later, std::move(e));
    }
  put(d, "has_after_load", !later.list_value().empty());
  put(d, "after_load", std::move(later));
  return d;
}

Data warnings_view(const std::vector<std::string>& warnings) {
  Data out = list();
  for (const auto& w : warnings) append(out, text(w));
  return out;
}

}  // namespace

Data text(std::string_view s) { return Data{clean_text(s)}; }

Data optional_text(std::string_view s) {
  if (s.empty()) return Data{false};
  return text(s);
}

Data pair_view(std::string_view name, std::string_view value) {
  Data d;
  put(d, "name", text(name));
  put(d, "value", text(value));
  return d;
}

std::string count_text(std::size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

Data ticks_view(const Axis& axis) {
  Data ticks = list();
  for (const auto& t : axis.ticks) {
    if (t.label.empty()) continue;  // a gridline only: the track's background draws it
    Data tick;
    put(tick, "left", t.left_pct);
    put(tick, "label", t.label);
    put(tick, "align", std::string(t.align == TickAlign::kStart ? " start" : t.align == TickAlign::kEnd ? " end" : ""));
    append(ticks, std::move(tick));
  }
  return ticks;
}

Data page_view(const Run& run, const Waterfall& w) {
  Data d;
  bool handshakes = false;
  for (const auto& row : w.rows) handshakes |= !row.tls_ticks.empty();
  put(d, "has_tls_ticks", handshakes);
  put(d, "url", text(run.url));
  // The final URL only where the run ended somewhere else than it started.
  put(d, "final_url", run.final_url == run.url ? Data{false} : optional_text(run.final_url));
  put(d, "final_status", run.final_status ? std::to_string(*run.final_status) : "—");
  put(d, "final_status_class", status_class(run.final_status));
  put(d, "outcome", std::string(outcome_name(run.outcome)));
  std::string run_error;
  if (run.failure) {
    run_error = std::string(code_name(run.failure->code));
    if (!run.failure->message.empty()) run_error += ": " + run.failure->message;
  }
  put(d, "run_error", optional_text(run_error));
  put(d, "unverified", optional_text(unverified_text(run)));
  put(d, "run_warnings", warnings_view(run.warnings));
  put(d, "not_parsed", optional_text(document_not_parsed_note(run)));  // why a page has one row
  put(d, "started_at", text(run.started_at.empty() ? "—" : run.started_at));
  put(d, "total", run.total_ms ? format_ms(*run.total_ms) : "—");
  put(d, "label", optional_text(run.label));
  // A run pageload did not measure says where it came from, beside what it shows.
  std::string imported;
  if (run.source == "har")
    imported = "imported from a HAR file, written by " + (run.producer.empty() ? std::string("an unnamed producer") : run.producer);
  put(d, "imported", optional_text(imported));
  put(d, "group_place", optional_text(group_place(run)));
  put(d, "tool_version", text(run.tool_version.empty() ? "pageload" : run.tool_version));
  put(d, "library_versions", optional_text(run.library_versions));  // none for an imported run
  put(d, "request_count", count_text(run.requests.size(), "request"));
  put(d, "connection_count", count_text(run.connections.size(), "connection"));
  put(d, "markers", markers_view(w));
  const Run::Figures f = run.figures();
  put(d, "transfer", format_bytes(f.transfer_bytes));

  put(d, "ticks", ticks_view(w.axis));
  put(d, "step_pct", w.axis.step_pct);
  // The gridline step and the page markers for every bar area on the axis (an absent
  // marker sits off the axis, unseen).
  std::string axis_style = "--tick:" + w.axis.step_pct + "%";
  for (auto [css, var] : {std::pair{"m-ttfb", "--mt"}, {"m-doc", "--md"}, {"m-load", "--ml"}}) {
    std::string at = "-10";
    for (const auto& m : w.markers)
      if (m.css == css) at = m.left_pct;
    axis_style += std::string(";") + var + ":" + at + "%";
  }
  put(d, "axis_style", axis_style);
  put(d, "axis_end_ms", fixed3(w.axis.end_ms));

  std::vector<std::string> host_names;
  std::map<std::string, std::size_t> hosts;
  for (const auto& row : w.rows)
    if (hosts.emplace(row.host, host_names.size()).second) host_names.push_back(row.host);
  put(d, "host_count", count_text(host_names.size(), "host"));
  add_filters(w, host_names, d);
  put(d, "failures", failures_view(run, w));
  put(d, "critical_path", critical_path_view(run, w));
  Data kinds = list();
  for (const auto& k : kContentKinds) {
    Data e;
    put(e, "css", std::string(k.css));
    put(e, "label", std::string(k.label));
    append(kinds, std::move(e));
  }
  put(d, "kinds", std::move(kinds));
  Data phases = list();
  const bool tunnelled = std::any_of(run.requests.begin(), run.requests.end(),
                                     [](const Request& r) { return r.phase(Phase::kTunnel) != nullptr; });
  for (const auto& p : kPhases) {
    if (p.phase == Phase::kTunnel && !tunnelled) continue;  // only where a proxy tunnelled
    Data e;
    put(e, "css", std::string(p.css));
    put(e, "label", std::string(p.label));
    append(phases, std::move(e));
  }
  put(d, "phases", std::move(phases));

  Data rows = list();
  const FirstHeaders headers = first_headers(run);
  const std::vector<HostGroup> groups = layout_connections(run, w.axis);
  const std::map<int, std::size_t> replacements = replacements_by_request(groups);
  for (const auto& row : w.rows) append(rows, row_view(run, row, hosts, headers, replacements));
  put(d, "rows", std::move(rows));
  put(d, "has_rows", !w.rows.empty());
  put(d, "connection_groups", connection_groups_view(run, groups));
  put(d, "has_connections", !run.connections.empty());
  add_summaries(run, w, d);
  return d;
}

}  // namespace pageload::report
