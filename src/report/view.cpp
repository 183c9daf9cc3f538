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
  d.set("css", std::string(s.css) + (s.tint.empty() ? "" : " " + std::string(s.tint)));
  d.set("label", std::string(s.label));
  d.set("left", s.left_pct);
  d.set("width", s.width_pct);
  d.set("start", s.start_text);
  d.set("duration", s.duration_text);
  d.set("t_start", without_unit(s.start_text));
  d.set("t_duration", without_unit(s.duration_text));
  d.set("failed", s.failed);
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
  d.set("seq", std::to_string(row.seq));
  d.set("method", text(r.method.empty() ? "GET" : r.method));
  d.set("not_get", !r.method.empty() && r.method != "GET");
  d.set("url", text(r.url));
  d.set("name", row.name);
  d.set("host", row.host);
  auto host = hosts.find(row.host);
  d.set("host_index", host == hosts.end() ? std::string() : std::to_string(host->second));
  d.set("type", std::string(resource_type_name(row.type)));
  d.set("type_short", std::string(kTypeShort[static_cast<std::size_t>(row.type)]));
  d.set("size", row.size_text);
  d.set("priority", row.priority_text);
  d.set("tint", row.tint_class + (row.critical ? " crit" : ""));
  d.set("critical", row.critical);
  d.set("status", row.status_text);
  d.set("status_class", row.status_class);
  d.set("status_group", row.status_group);
  d.set("bad", row.failed || (r.status && *r.status >= 400));
  d.set("redirect", row.is_redirect);
  d.set("redirect_target", row.redirect_target);
  d.set("redirect_url", row.redirect_url);
  d.set("has_conn", row.connection.has_value());
  d.set("conn_id", row.connection ? std::to_string(*row.connection) : std::string());
  d.set("reused", row.reused);
  d.set("from_cache", row.from_cache);
  d.set("revalidated", row.revalidated);
  d.set("chain", row.chain.empty() ? Data{false} : Data{join_seqs(row.chain)});
  // Who asked for it, linked, as the terminal's `from` column says it.
  d.set("from", row.initiator ? Data{std::to_string(*row.initiator)} : Data{false});
  if (row.discovery) {
    Data line;
    line.set("left", row.discovery->first);
    line.set("width", row.discovery->second);
    d["discovery"] = std::move(line);
  } else {
    d.set("discovery", false);
  }
  Data segments = list();
  for (const auto& s : row.segments) segments.push_back(segment_view(s));
  d["segments"] = std::move(segments);
  Data ticks = list();
  for (const auto& t : row.tls_ticks) {
    Data k;
    k.set("left", t.left_pct);
    k.set("cls", std::string(t.alert ? "tk al" : "tk") + (t.received ? " in" : ""));
    ticks.push_back(k);
  }
  d["ticks"] = std::move(ticks);
  // The bar's tooltip: the ticks' meaning (their list is in the connection's details);
  // report.js puts the phases before it, from the Timing table, when the row is hovered.
  d.set("tls_brief", !row.tls_ticks.empty() && r.connection
                         ? Data{text(tls_handshake_brief(run.connections[*r.connection]))}
                         : Data{false});
  d.set("start", row.start_text);
  d.set("duration", row.duration_text);
  d.set("t_start", without_unit(row.start_text));
  d.set("t_duration", without_unit(row.duration_text));
  d.set("failed", row.failed);
  d.set("error", text(row.error));
  d.set("note", text(row.note));
  d.set("note_class", std::string(note_class(row)) + (row.failed ? " err-text" : ""));
  d.set("note_pct", row.note_pct);
  add_request_details(run, row, headers, replacements, d);
  return d;
}

Data markers_view(const Waterfall& w) {
  Data out = list();
  for (const auto& m : w.markers) {
    Data d;
    d.set("css", std::string(m.css));
    d.set("label", std::string(m.label));
    d.set("left", m.left_pct);
    d.set("time", m.time_text);
    out.push_back(d);
  }
  return out;
}

// The filter's choices: each value the page has, with how many rows carry it.
Data choices(const std::vector<std::pair<std::string, int>>& values, bool index_values) {
  Data out = list();
  for (std::size_t i = 0; i < values.size(); ++i) {
    Data d;
    d.set("value", index_values ? std::to_string(i) : values[i].first);
    d.set("label", values[i].first + " (" + std::to_string(values[i].second) + ")");
    out.push_back(d);
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
  d.set("filter_types", choices(types, false));
  d.set("filter_hosts", choices(hosts, true));
  d.set("filter_statuses", choices(statuses, false));
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
  d.set("count", count_text(bad.size(), "request") + " of " + std::to_string(w.rows.size()) + " failed");
  Data items = list();
  for (std::size_t i = 0; i < bad.size() && i < kMaxFailuresNamed; ++i) {
    const Row& row = *bad[i];
    Data e;
    e.set("seq", std::to_string(row.seq));
    e.set("what", row.failed ? row.error : row.status_text + " " + clean_text(run.requests[row.request_index].reason));
    e.set("name", row.name);
    e.set("host", row.host);
    items.push_back(e);
  }
  d["items"] = std::move(items);
  d.set("more", bad.size() > kMaxFailuresNamed ? Data{std::to_string(bad.size() - kMaxFailuresNamed) + " more"}
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
    s.set("seq", std::to_string(r.seq));
    s.set("type", std::string(resource_type_name(r.resource_type)));
    s.set("name", clean_text(host_and_name(r.url).second));
    s.set("first", k == 0);
    steps.push_back(s);
  }
  d["steps"] = std::move(steps);
  const PathTime& t = m.path_time;
  auto share = [&](double ms) { return format_share(t.length_ms > 0 ? 100 * ms / t.length_ms : 0); };
  d.set("length", format_ms(t.length_ms));
  d.set("cut", run.failure.has_value());  // the last request got no last byte
  d.set("network", format_ms(t.network_ms));
  d.set("network_share", share(t.network_ms));
  d.set("queued", t.queued_ms >= 0.005 ? Data{format_ms(t.queued_ms)} : Data{false});
  d.set("other", format_ms(t.other_ms));
  d.set("other_share", share(t.other_ms));
  // The icon the browser asks for after the load finishes last, but the load did not wait
  // for it: named, so a reader does not look for it at the path's end.
  Data later = list();
  for (std::size_t i = 0; i < m.after_load.size(); ++i)
    if (m.after_load[i] && (!m.last || i != *m.last)) {
      Data e;
      e.set("seq", std::to_string(run.requests[i].seq));
      later.push_back(e);
    }
  d.set("has_after_load", !later.list_value().empty());
  d["after_load"] = std::move(later);
  return d;
}

Data warnings_view(const std::vector<std::string>& warnings) {
  Data out = list();
  for (const auto& w : warnings) out.push_back(text(w));
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
  d.set("name", text(name));
  d.set("value", text(value));
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
    tick.set("left", t.left_pct);
    tick.set("label", t.label);
    tick.set("align", std::string(t.align == TickAlign::kStart ? " start" : t.align == TickAlign::kEnd ? " end" : ""));
    ticks.push_back(tick);
  }
  return ticks;
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
  d.set("unverified", optional_text(unverified_text(run)));
  d.set("run_warnings", warnings_view(run.warnings));
  d.set("not_parsed", optional_text(document_not_parsed_note(run)));  // why a page has one row
  d.set("started_at", text(run.started_at.empty() ? "—" : run.started_at));
  d.set("total", run.total_ms ? format_ms(*run.total_ms) : "—");
  d.set("label", optional_text(run.label));
  // A run pageload did not measure says where it came from, beside what it shows.
  std::string imported;
  if (run.source == "har")
    imported = "imported from a HAR file, written by " + (run.producer.empty() ? std::string("an unnamed producer") : run.producer);
  d.set("imported", optional_text(imported));
  d.set("group_place", optional_text(group_place(run)));
  d.set("tool_version", text(run.tool_version.empty() ? "pageload" : run.tool_version));
  d.set("library_versions", optional_text(run.library_versions));  // none for an imported run
  d.set("request_count", count_text(run.requests.size(), "request"));
  d.set("connection_count", count_text(run.connections.size(), "connection"));
  d.set("markers", markers_view(w));
  const Run::Figures f = run.figures();
  d.set("transfer", format_bytes(f.transfer_bytes));

  d.set("ticks", ticks_view(w.axis));
  d.set("step_pct", w.axis.step_pct);
  // The gridline step and the page markers for every bar area on the axis (an absent
  // marker sits off the axis, unseen).
  std::string axis_style = "--tick:" + w.axis.step_pct + "%";
  for (auto [css, var] : {std::pair{"m-ttfb", "--mt"}, {"m-doc", "--md"}, {"m-load", "--ml"}}) {
    std::string at = "-10";
    for (const auto& m : w.markers)
      if (m.css == css) at = m.left_pct;
    axis_style += std::string(";") + var + ":" + at + "%";
  }
  d.set("axis_style", axis_style);
  d.set("axis_end_ms", fixed3(w.axis.end_ms));

  std::vector<std::string> host_names;
  std::map<std::string, std::size_t> hosts;
  for (const auto& row : w.rows)
    if (hosts.emplace(row.host, host_names.size()).second) host_names.push_back(row.host);
  d.set("host_count", count_text(host_names.size(), "host"));
  add_filters(w, host_names, d);
  d.set("failures", failures_view(run, w));
  d.set("critical_path", critical_path_view(run, w));
  Data kinds = list();
  for (const auto& k : kContentKinds) {
    Data e;
    e.set("css", std::string(k.css));
    e.set("label", std::string(k.label));
    kinds.push_back(e);
  }
  d["kinds"] = std::move(kinds);
  Data phases = list();
  const bool tunnelled = std::any_of(run.requests.begin(), run.requests.end(),
                                     [](const Request& r) { return r.phase(Phase::kTunnel) != nullptr; });
  for (const auto& p : kPhases) {
    if (p.phase == Phase::kTunnel && !tunnelled) continue;  // only where a proxy tunnelled
    Data e;
    e.set("css", std::string(p.css));
    e.set("label", std::string(p.label));
    phases.push_back(e);
  }
  d["phases"] = std::move(phases);

  Data rows = list();
  const FirstHeaders headers = first_headers(run);
  const std::vector<HostGroup> groups = layout_connections(run, w.axis);
  const std::map<int, std::size_t> replacements = replacements_by_request(groups);
  for (const auto& row : w.rows) rows.push_back(row_view(run, row, hosts, headers, replacements));
  // Moved in: kainjow's set() copies the whole tree it is given (every row, again).
  d["rows"] = std::move(rows);
  d.set("has_rows", !w.rows.empty());
  d.set("connection_groups", connection_groups_view(run, groups));
  d.set("has_connections", !run.connections.empty());
  add_summaries(run, w, d);
  return d;
}

}  // namespace pageload::report
