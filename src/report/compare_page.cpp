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
  d.set("name", text(name));
  d.set("a", value_text(f.a, f.unit));
  d.set("b", value_text(f.b, f.unit));
  d.set("delta", delta_text(f));
  d.set("pct", pct_text(f));
  d.set("tone", tone(f));
  return d;
}

Data groups_view(const std::vector<GroupDiff>& groups, bool hosts) {
  Data out = list();
  for (const GroupDiff& g : groups) {
    Data d;
    d.set("name", text(g.name));
    d.set("requests", figure_view(g.requests, "requests"));
    d.set("bytes", figure_view(g.bytes, "bytes"));
    if (hosts) {
      d.set("connections", figure_view(g.connections, "connections"));
      const std::string proto = g.protocol_a == g.protocol_b
                                    ? g.protocol_a
                                    : (g.protocol_a.empty() ? "—" : g.protocol_a) + " → " +
                                          (g.protocol_b.empty() ? "—" : g.protocol_b);
      d.set("protocol", text(proto));
      d.set("protocol_changed", g.protocol_a != g.protocol_b);
    }
    out.push_back(d);
  }
  return out;
}

Data side_view(const CompareSide& side, std::string_view key, std::string_view title) {
  Data d;
  d.set("key", std::string(key));
  d.set("title", text(title));
  Data rows = list();
  for (const CompareRow& r : side.rows) {
    Data row;
    row.set("host", text(r.host));
    row.set("name", text(r.name));
    row.set("mark", r.mark.empty() ? Data{false} : Data{r.mark});
    row.set("left", r.bar_left_pct);
    row.set("width", r.bar_width_pct);
    row.set("duration", r.duration_text);
    row.set("cached", r.from_cache);
    row.set("revalidated", r.revalidated);
    Data segs = list();
    for (const Segment& s : r.segments) {
      Data seg;
      seg.set("css", std::string(s.css));
      seg.set("tint", std::string(s.tint));
      seg.set("left", s.left_pct);
      seg.set("width", s.width_pct);
      seg.set("tip", std::string(s.label) + " " + s.duration_text + " at " + s.start_text);
      seg.set("failed", s.failed);
      segs.push_back(seg);
    }
    row.set("segments", segs);
    rows.push_back(row);
  }
  d.set("rows", rows);
  Data markers = list();
  for (const CompareMarker& m : side.markers) {
    Data mk;
    mk.set("css", std::string(m.css));
    mk.set("label", std::string(m.label));
    mk.set("left", m.left_pct);
    mk.set("time", m.time_text);
    markers.push_back(mk);
  }
  d.set("markers", markers);
  d.set("offset", side.offset_ms > 0 ? Data{format_ms(side.offset_ms)} : Data{false});
  return d;
}

Data layout_view(const CompareLayout& l, const CompareSides& names) {
  Data d;
  d.set("id", std::string(align_name(l.align)));
  d.set("not_aligned", l.align == Align::kFirstByte && !l.aligned);
  d.set("ticks", ticks_view(l.axis));
  d.set("step", l.axis.step_pct);
  Data sides = list();
  sides.push_back(side_view(l.a, "a", "A · " + names.a));
  sides.push_back(side_view(l.b, "b", "B · " + names.b));
  d.set("sides", sides);
  return d;
}

Data run_view(const Run& run, std::string_view key, const std::string& name) {
  Data d;
  d.set("key", std::string(key));
  d.set("name", text(name));
  d.set("url", text(run.url));
  d.set("started_at", text(run.started_at.empty() ? "—" : run.started_at));
  d.set("label", optional_text(run.label));
  d.set("outcome", std::string(outcome_name(run.outcome)));
  return d;
}

}  // namespace

std::string render_compare_html(const Run& a, const Run& b, const CompareSides& names, Align align,
                                const std::string& database) {
  const Comparison c = compare_runs(a, b);
  Data page;
  page.set("title", text(names.a + " → " + names.b));
  Data runs = list();
  runs.push_back(run_view(a, "a", names.a));
  runs.push_back(run_view(b, "b", names.b));
  page.set("runs", runs);
  Data headlines = list();
  for (const std::string& h : c.headlines) headlines.push_back(text(h));
  page.set("headlines", headlines);
  page.set("no_headlines", c.headlines.empty());
  Data figures = list(), phases = list();
  for (const Figure& f : c.page) figures.push_back(figure_view(f, f.name));
  for (const Figure& f : c.phases) phases.push_back(figure_view(f, f.name));
  page.set("figures", figures);
  page.set("phases", phases);
  page.set("hosts", groups_view(c.hosts, true));
  page.set("types", groups_view(c.types, false));
  Data requests = list();
  int same = 0;
  for (const RequestDiff& r : c.requests) {
    if (r.change == Change::kSame) {
      ++same;
      continue;
    }
    Data d;
    d.set("change", std::string(change_name(r.change)));
    d.set("url", text(r.url));
    d.set("duration", figure_view(r.duration, "duration"));
    Data bytes = figure_view(r.bytes, "bytes");
    // As the single report: "(cache)" for a response that came from the HTTP cache, "↻"
    // after a revalidation's 304.
    if (r.cache_a == "fresh") bytes.set("a", std::string("(cache)"));
    if (r.cache_b == "fresh") bytes.set("b", std::string("(cache)"));
    d.set("bytes", bytes);
    auto status = [](std::optional<int> code, std::string_view cache) {
      return (code ? std::to_string(*code) : "—") + (cache == "revalidated" ? " ↻" : "");
    };
    d.set("status", status(r.status_a, r.cache_a) +
                        (r.status_a == r.status_b && r.cache_a == r.cache_b ? "" : " → " + status(r.status_b, r.cache_b)));
    requests.push_back(d);
  }
  page.set("requests", requests);
  page.set("same", count_text(static_cast<std::size_t>(same), "request"));
  Data layouts = list();
  for (Align which : {Align::kStart, Align::kFirstByte})
    layouts.push_back(layout_view(layout_compare(a, b, c, which), names));
  page.set("layouts", layouts);
  page.set("align_start", align == Align::kStart);
  page.set("align_first_byte", align == Align::kFirstByte);
  Data legend = list();
  for (const auto& info : kPhases) {
    Data l;
    l.set("css", std::string(info.css));
    l.set("label", std::string(info.label));
    legend.push_back(l);
  }
  page.set("legend", legend);
  page.set("database", database.empty() ? Data{false} : Data{database});
  page.set("tool_version", text(b.tool_version.empty() ? "pageload" : b.tool_version));
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
