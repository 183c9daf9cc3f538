// `pageload compare A B -o FILE`: the compare view (web/compare.html.mustache). The model
// (compare.h) and the layout (compare_layout.h) turned into the template's data; both
// alignments are laid out here and the page switches between them without script.
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string_view>

#include "core/file.h"
#include "report/compare_html.h"
#include "report/compare_layout.h"
#include "report/format.h"
#include "report/view.h"

namespace pageload::embedded {
extern const char compare_template[];
extern const std::size_t compare_template_size;
}  // namespace pageload::embedded

namespace pageload::report {

namespace {

std::string value_text(const std::optional<double>& v, Unit unit) {
  if (!v) return "—";
  switch (unit) {
    case Unit::kMs: return format_ms(*v);
    case Unit::kBytes: return format_bytes(static_cast<int64_t>(std::llround(*v)));
    case Unit::kCount: break;
  }
  return std::to_string(std::llround(*v));
}

std::string delta_text(const Figure& f) {
  const auto d = f.delta();
  if (!d) return "—";
  if (*d == 0) return "0";
  return (*d > 0 ? "+" : "−") + value_text(std::fabs(*d), f.unit);
}

std::string pct_text(const Figure& f) {
  const auto p = f.delta_pct();
  if (!p) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", *p);
  const std::string out = buf;
  return out == "+0.0%" || out == "-0.0%" ? "0%" : out;
}

// "worse" when B costs more time or bytes, "better" when less; "" for counts and no change.
std::string tone(const Figure& f) {
  const auto d = f.delta();
  if (!d || *d == 0) return "";
  if (f.unit == Unit::kCount) return f.name == "failed" && *d > 0 ? "worse" : "moved";
  return *d > 0 ? "worse" : "better";
}

Data figure_view(const Figure& f, std::string_view name) {
  Data d;
  put(d, "name", text(name));
  put(d, "a", value_text(f.a, f.unit));
  put(d, "b", value_text(f.b, f.unit));
  put(d, "delta", delta_text(f));
  put(d, "pct", pct_text(f));
  put(d, "tone", tone(f));
  return d;
}

Data groups_view(const std::vector<GroupDiff>& groups, bool hosts) {
  Data out = list();
  for (const GroupDiff& g : groups) {
    Data d;
    put(d, "name", text(g.name));
    put(d, "requests", figure_view(g.requests, "requests"));
    put(d, "bytes", figure_view(g.bytes, "bytes"));
    if (hosts) {
      put(d, "connections", figure_view(g.connections, "connections"));
      const std::string proto = g.protocol_a == g.protocol_b
                                    ? g.protocol_a
                                    : (g.protocol_a.empty() ? "—" : g.protocol_a) + " → " +
                                          (g.protocol_b.empty() ? "—" : g.protocol_b);
      put(d, "protocol", text(proto));
      put(d, "protocol_changed", g.protocol_a != g.protocol_b);
    }
    append(out, std::move(d));
  }
  return out;
}

Data side_view(const CompareSide& side, std::string_view key, std::string_view title) {
  Data d;
  put(d, "key", std::string(key));
  put(d, "title", text(title));
  Data rows = list();
  for (const CompareRow& r : side.rows) {
    Data row;
    put(row, "host", text(r.host));
    put(row, "name", text(r.name));
    put(row, "mark", r.mark.empty() ? Data{false} : Data{r.mark});
    put(row, "left", r.bar_left_pct);
    put(row, "width", r.bar_width_pct);
    put(row, "duration", r.duration_text);
    put(row, "cached", r.from_cache);
    put(row, "revalidated", r.revalidated);
    Data segs = list();
    for (const Segment& s : r.segments) {
      Data seg;
      put(seg, "css", std::string(s.css));
      put(seg, "tint", std::string(s.tint));
      put(seg, "left", s.left_pct);
      put(seg, "width", s.width_pct);
      put(seg, "tip", std::string(s.label) + " " + s.duration_text + " at " + s.start_text);
      put(seg, "failed", s.failed);
      append(segs, std::move(seg));
    }
    put(row, "segments", std::move(segs));
    append(rows, std::move(row));
  }
  put(d, "rows", std::move(rows));
  Data markers = list();
  for (const CompareMarker& m : side.markers) {
    Data mk;
    put(mk, "css", std::string(m.css));
    put(mk, "label", std::string(m.label));
    put(mk, "left", m.left_pct);
    put(mk, "time", m.time_text);
    append(markers, std::move(mk));
  }
  put(d, "markers", std::move(markers));
  put(d, "offset", side.offset_ms > 0 ? Data{format_ms(side.offset_ms)} : Data{false});
  return d;
}

Data layout_view(const CompareLayout& l, const CompareSides& names) {
  Data d;
  put(d, "id", std::string(align_name(l.align)));
  put(d, "not_aligned", l.align == Align::kFirstByte && !l.aligned);
  put(d, "ticks", ticks_view(l.axis));
  put(d, "step", l.axis.step_pct);
  Data sides = list();
  append(sides, side_view(l.a, "a", "A · " + names.a));
  append(sides, side_view(l.b, "b", "B · " + names.b));
  put(d, "sides", std::move(sides));
  return d;
}

Data run_view(const Run& run, std::string_view key, const std::string& name) {
  Data d;
  put(d, "key", std::string(key));
  put(d, "name", text(name));
  put(d, "url", text(run.url));
  put(d, "started_at", text(run.started_at.empty() ? "—" : run.started_at));
  put(d, "label", optional_text(run.label));
  put(d, "outcome", std::string(outcome_name(run.outcome)));
  return d;
}

}  // namespace

std::string render_compare_html(const Run& a, const Run& b, const CompareSides& names, Align align,
                                const std::string& database) {
  const Comparison c = compare_runs(a, b);
  Data page;
  put(page, "title", text(names.a + " → " + names.b));
  Data runs = list();
  append(runs, run_view(a, "a", names.a));
  append(runs, run_view(b, "b", names.b));
  put(page, "runs", std::move(runs));
  Data headlines = list();
  for (const std::string& h : c.headlines) append(headlines, text(h));
  put(page, "headlines", std::move(headlines));
  put(page, "no_headlines", c.headlines.empty());
  Data figures = list(), phases = list();
  for (const Figure& f : c.page) append(figures, figure_view(f, f.name));
  for (const Figure& f : c.phases) append(phases, figure_view(f, f.name));
  put(page, "figures", std::move(figures));
  put(page, "phases", std::move(phases));
  put(page, "hosts", groups_view(c.hosts, true));
  put(page, "types", groups_view(c.types, false));
  Data requests = list();
  int same = 0;
  for (const RequestDiff& r : c.requests) {
    if (r.change == Change::kSame) {
      ++same;
      continue;
    }
    Data d;
    put(d, "change", std::string(change_name(r.change)));
    put(d, "url", text(r.url));
    put(d, "duration", figure_view(r.duration, "duration"));
    Data bytes = figure_view(r.bytes, "bytes");
    // As the single report: "(cache)" for a response that came from the HTTP cache, "↻"
    // after a revalidation's 304.
    if (r.cache_a == "fresh") put(bytes, "a", std::string("(cache)"));
    if (r.cache_b == "fresh") put(bytes, "b", std::string("(cache)"));
    put(d, "bytes", std::move(bytes));
    auto status = [](std::optional<int> code, std::string_view cache) {
      return (code ? std::to_string(*code) : "—") + (cache == "revalidated" ? " ↻" : "");
    };
    put(d, "status", status(r.status_a, r.cache_a) +
                        (r.status_a == r.status_b && r.cache_a == r.cache_b ? "" : " → " + status(r.status_b, r.cache_b)));
    append(requests, std::move(d));
  }
  put(page, "requests", std::move(requests));
  put(page, "same", count_text(static_cast<std::size_t>(same), "request"));
  Data layouts = list();
  for (Align which : {Align::kStart, Align::kFirstByte})
    append(layouts, layout_view(layout_compare(a, b, c, which), names));
  put(page, "layouts", std::move(layouts));
  put(page, "align_start", align == Align::kStart);
  put(page, "align_first_byte", align == Align::kFirstByte);
  Data legend = list();
  for (const auto& info : kPhases) {
    Data l;
    put(l, "css", std::string(info.css));
    put(l, "label", std::string(info.label));
    append(legend, std::move(l));
  }
  put(page, "legend", std::move(legend));
  put(page, "database", database.empty() ? Data{false} : Data{database});
  put(page, "tool_version", text(b.tool_version.empty() ? "pageload" : b.tool_version));
  kainjow::mustache::mustache tmpl(std::string(embedded::compare_template, embedded::compare_template_size));
  if (!tmpl.is_valid()) return "<!DOCTYPE html><p>compare template error</p>";
  return tmpl.render(page);
}

Status write_compare_html(const Run& a, const Run& b, const CompareSides& names, Align align,
                          const std::string& path, const std::string& database) {
  Status s = write_file_replacing(path, render_compare_html(a, b, names, align, database));
  if (s.ok()) return s;
  return Status(s.code(), "compare: " + s.message());
}

}  // namespace pageload::report
