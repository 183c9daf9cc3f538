#include "report/waterfall.h"

#include <algorithm>
#include <cmath>

#include "core/url.h"
#include "report/format.h"

namespace pageload::report {

namespace {

std::string failure_text(const Failure& f) {
  std::string out{code_name(f.code)};
  if (!f.message.empty()) out += ": " + clean_text(f.message);
  return out;
}

// The latest moment anything in the run happened.
double run_extent_ms(const Run& run) {
  double end = std::max({run.total_ms.value_or(0), run.load_ms.value_or(0), run.document_ms.value_or(0)});
  for (const auto& r : run.requests) {
    end = std::max(end, r.span.end_ms);
    for (const auto& p : r.phases) end = std::max(end, p.span.end_ms);
  }
  for (const auto& c : run.connections)
    if (c.closed) end = std::max(end, c.closed->at_ms);
  return end;
}

struct Box {
  double left = 0, width = 0;  // percent of the axis
};

// Where a phase's segment is drawn: widened to kMinSegmentPct, moved left to stay inside.
Box segment_box(const Span& span, double axis_ms) {
  Box b;
  b.left = pct_of(span.start_ms, axis_ms);
  b.width = std::min(pct_of(std::max(0.0, span.duration_ms()), axis_ms), 100.0 - b.left);
  if (b.width < kMinSegmentPct) {
    b.width = kMinSegmentPct;
    b.left = std::min(b.left, 100.0 - kMinSegmentPct);
  }
  return b;
}

}  // namespace

Segment layout_segment(const PhaseRecord& p, double axis_ms, std::string_view tint) {
  const auto& info = phase_info(p.phase);
  Segment s;
  s.phase = p.phase;
  s.css = info.css;
  s.label = info.label;
  if (p.phase == Phase::kReceive && !p.failure) s.tint = tint;
  s.start_ms = p.span.start_ms;
  s.duration_ms = std::max(0.0, p.span.duration_ms());
  const Box box = segment_box(p.span, axis_ms);
  s.left_pct = format_pct(box.left);
  s.width_pct = format_pct(box.width);
  s.start_text = format_ms(s.start_ms);
  s.duration_text = format_ms(s.duration_ms);
  if (p.failure) {
    s.failed = true;
    s.error = failure_text(*p.failure);
  }
  return s;
}

namespace {

// The handshake's messages as ticks on the tls segment of the request that opened the
// connection; a message OpenSSL handled a little outside the phase (curl's APPCONNECT
// is stamped apart from OpenSSL's callbacks) is drawn at the segment's edge.
std::vector<HandshakeTick> layout_tls_ticks(const Run& run, const Request& r, double axis_ms) {
  std::vector<HandshakeTick> ticks;
  const PhaseRecord* tls = r.phase(Phase::kTls);
  if (!tls || r.reused || !r.connection || *r.connection < 0 ||
      static_cast<std::size_t>(*r.connection) >= run.connections.size())
    return ticks;
  const Box box = segment_box(tls->span, axis_ms);
  double last_left = -1;
  for (const auto& step : run.connections[*r.connection].tls_steps) {
    if (step.after_handshake) continue;
    HandshakeTick t;
    const double left = std::clamp(pct_of(step.at_ms, axis_ms), box.left, box.left + box.width);
    t.received = !step.sent();
    t.alert = step.message == "Alert";
    // A server's flight (ServerHello to Finished) is read within microseconds: ticks of one
    // direction closer than a pixel draw as one, and are written once.
    if (!ticks.empty() && !t.alert && !ticks.back().alert && ticks.back().received == t.received &&
        left - last_left < kTickMergePct)
      continue;
    t.left_pct = format_pct(left);
    last_left = left;
    ticks.push_back(std::move(t));
  }
  return ticks;
}

std::string tint_class(const Request& r) {
  if (r.failure) return "t-failed";
  if (r.status && *r.status >= 500) return "t-5xx";
  if (r.status && *r.status >= 400) return "t-4xx";
  if (r.status && *r.status >= 300 && *r.status < 400) return "t-3xx";
  return "";
}

std::string status_group(const Request& r) {
  if (r.status && *r.status >= 100 && *r.status < 600) return std::to_string(*r.status / 100) + "xx";
  return r.failure ? "failed" : "none";
}

std::string priority_text(const std::optional<Priority>& p) {
  if (!p) return "—";
  std::string s(priority_name(*p));
  s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Puts the note after the bar when it fits there, else before it, else over the bar's
// end, else on its own line under the bar.
void place_note(Row& row, double bar_start_pct, double bar_end_pct) {
  // How much of the track the note takes on the narrowest one, in percent.
  const double need = (kNotePaddingPx + kNoteCharPx * static_cast<double>(utf8_length(row.note))) /
                      kNarrowTrackPx * 100;
  if (bar_end_pct + need <= 100) {
    row.note_side = NoteSide::kAfter;
    row.note_pct = format_pct(bar_end_pct);
  } else if (bar_start_pct - need >= 0) {
    row.note_side = NoteSide::kBefore;
    row.note_pct = format_pct(100 - bar_start_pct);
  } else if (bar_end_pct - bar_start_pct >= need) {
    row.note_side = NoteSide::kOver;
    row.note_pct = format_pct(100 - bar_end_pct);
  } else {
    row.note_side = NoteSide::kInside;
    row.note_pct = format_pct(0);
  }
}

Row layout_row(const Run& run, const PageModel& page, std::size_t index, double axis_ms) {
  const Request& r = run.requests[index];
  Row row;
  row.request_index = index;
  row.seq = r.seq;
  row.type = r.resource_type;
  row.kind = content_kind(r);
  auto [host, name] = host_and_name(r.url);
  if (!r.host.empty()) host = format_host(r.scheme, r.host, r.port);
  row.host = clean_text(host);
  row.name = clean_text(name);
  const bool answered = r.header_bytes || r.body_bytes;
  row.size_text = answered ? format_bytes(r.header_bytes.value_or(0) + r.body_bytes.value_or(0)) : "—";
  // The HTTP cache: a fresh answer went nowhere near the network (DevTools' "(disk
  // cache)"); a 304 is a revalidation, its body the stored one.
  row.from_cache = r.from_cache;
  row.revalidated = r.cache_lookup == "revalidated";
  if (r.from_cache) row.size_text = "(cache)";
  row.priority_text = priority_text(r.priority);
  row.status_text = r.status ? std::to_string(*r.status) : r.failure ? "failed" : "—";
  row.status_class = status_class(r.status);
  row.status_group = status_group(r);
  row.tint_class = tint_class(r);
  row.connection = r.connection;
  if (r.connection && *r.connection >= 0 &&
      static_cast<std::size_t>(*r.connection) < run.connections.size())
    row.connection = run.connections[*r.connection].id;
  row.reused = r.reused;
  if (page.initiator[index]) row.initiator = run.requests[*page.initiator[index]].seq;
  for (std::size_t i : initiator_chain(page, index)) row.chain.push_back(run.requests[i].seq);
  row.critical = page.on_critical_path[index];

  const std::string& to = !r.redirect_url.empty() ? r.redirect_url : r.location;
  if (r.status && *r.status >= 300 && *r.status < 400 && !to.empty()) {
    row.is_redirect = true;
    row.redirect_target = clean_text(redirect_display(r.url, to));
    row.redirect_url = clean_text(to);
  }

  const std::string_view tint = content_kind_info(row.kind).css;
  double bar_start = pct_of(r.span.start_ms, axis_ms);
  double bar_end = pct_of(r.span.end_ms, axis_ms);
  double first_segment_ms = r.span.start_ms;
  for (const auto& p : r.phases) {
    row.segments.push_back(layout_segment(p, axis_ms, tint));
    bar_start = std::min(bar_start, pct_of(p.span.start_ms, axis_ms));
    bar_end = std::max(bar_end, pct_of(p.span.end_ms, axis_ms));
  }
  if (!r.phases.empty()) first_segment_ms = r.phases.front().span.start_ms;
  if (r.discovered_ms) {
    const double left = pct_of(*r.discovered_ms, axis_ms);
    const double width = pct_of(first_segment_ms, axis_ms) - left;
    if (width >= kMinDiscoveryPct) {
      row.discovery = std::make_pair(format_pct(left), format_pct(width));
      bar_start = std::min(bar_start, left);
    }
  }
  row.tls_ticks = layout_tls_ticks(run, r, axis_ms);
  row.start_text = format_ms(r.span.start_ms);
  row.duration_text = format_ms(std::max(0.0, r.span.duration_ms()));

  if (r.failure) {
    row.failed = true;
    std::string where;
    if (r.error_phase) where = std::string(phase_info(*r.error_phase).label) + " failed: ";
    row.error = where + failure_text(*r.failure);
    row.note = "✕ " + row.error;
  } else if (row.is_redirect) {
    row.note = (row.from_cache ? "from cache · → " : "→ ") + row.redirect_target + " · " + row.duration_text;
  } else if (row.from_cache) {
    row.note = "from cache · " + row.duration_text;
  } else if (row.revalidated) {
    row.note = "304 revalidated · " + row.duration_text;
  } else {
    row.note = row.duration_text;
  }
  place_note(row, bar_start, bar_end);
  return row;
}

void add_marker(Waterfall& w, std::string_view css, std::string_view label, std::optional<double> ms) {
  if (!ms || !std::isfinite(*ms)) return;
  w.markers.push_back(Marker{css, label, *ms, format_pct(pct_of(*ms, w.axis.end_ms)), format_ms(*ms)});
}

}  // namespace

std::string status_class(std::optional<int> status) {
  if (!status || *status < 100 || *status >= 600) return "s-none";
  return "s" + std::to_string(*status / 100) + "xx";
}

std::string redirect_display(const std::string& from, const std::string& to) {
  auto a = parse_url(from);
  auto b = parse_url(to);
  if (!a.ok() || !b.ok()) return to;
  if (a->origin() == b->origin()) return b->target.empty() ? "/" : b->target;
  return b->full;
}

std::pair<std::string, std::string> host_and_name(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return {"", url};
  const auto authority = scheme_end + 3;
  auto path = url.find_first_of("/?#", authority);
  if (path == std::string::npos) path = url.size();
  std::string host = url.substr(authority, path - authority);
  if (auto at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);  // user info
  std::string target = url.substr(path);
  if (auto hash = target.find('#'); hash != std::string::npos) target.erase(hash);
  const auto query = target.find('?');
  const std::string_view p = std::string_view(target).substr(0, query);
  if (p.empty() || p == "/") return {host, target.empty() ? "/" : target};
  // The last segment; a path ending in '/' names its last directory, slash kept.
  std::size_t end = p.size();
  if (p.back() == '/') --end;
  const auto slash = p.rfind('/', end - 1);
  return {host, target.substr(slash == std::string::npos ? 0 : slash + 1)};
}

Waterfall layout_waterfall(const Run& run) {
  Waterfall w;
  w.axis = compute_axis(run_extent_ms(run));
  w.page = analyse_page(run);
  w.rows.reserve(run.requests.size());
  for (std::size_t i : w.page.order) w.rows.push_back(layout_row(run, w.page, i, w.axis.end_ms));
  add_marker(w, "m-ttfb", "Document first byte", document_first_byte_ms(run, w.page));
  add_marker(w, "m-doc", "Document received", run.document_ms);
  // A page cut short (--max-time, Ctrl-C) or whose document failed was never fully loaded:
  // its load_ms is when pageload stopped it, as the terminal's "stopped at" says.
  add_marker(w, "m-load", run.failure ? "Stopped at" : "Fully loaded", run.load_ms);
  std::stable_sort(w.markers.begin(), w.markers.end(), [](const Marker& a, const Marker& b) { return a.ms < b.ms; });
  return w;
}

}  // namespace pageload::report
