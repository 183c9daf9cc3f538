#include "report/compare_layout.h"

#include <algorithm>
#include <map>

#include "report/format.h"
#include "report/page_model.h"

namespace pageload::report {

namespace {

double last_moment(const Run& run) {
  double end = std::max(run.load_ms.value_or(0), run.document_ms.value_or(0));
  for (const Request& r : run.requests) {
    end = std::max(end, r.span.end_ms);
    for (const PhaseRecord& p : r.phases) end = std::max(end, p.span.end_ms);
  }
  return end;
}

// Per request index of one side, its mark (see CompareRow::mark).
std::vector<std::string> marks(const Comparison& c, std::size_t count, bool side_b) {
  std::vector<std::string> out(count);
  for (const RequestDiff& d : c.requests) {
    const auto index = side_b ? d.b_index : d.a_index;
    if (!index || *index >= count) continue;
    std::string& m = out[*index];
    switch (d.change) {
      case Change::kAppeared: m = "new"; break;
      case Change::kDisappeared: m = "gone"; break;
      case Change::kChanged:
        if (notable(d)) m = *d.duration.delta() > 0 ? "slower" : "faster";
        else m = "changed";
        break;
      case Change::kSame: break;
    }
  }
  return out;
}

CompareSide layout_side(const Run& run, const PageModel& model, double offset, double axis_ms,
                        const std::vector<std::string>& mark) {
  CompareSide side;
  side.offset_ms = offset;
  for (std::size_t i : model.order) {
    const Request& r = run.requests[i];
    CompareRow row;
    row.request_index = i;
    auto [host, name] = host_and_name(r.url);
    row.host = clean_text(host);
    row.name = clean_text(name);
    row.mark = mark[i];
    const double start = std::min(row_start_ms(r), r.span.start_ms) + offset;
    const double end = std::max(r.span.end_ms, start - offset) + offset;
    const double left = pct_of(start, axis_ms);
    row.bar_left_pct = format_pct(left);
    row.bar_width_pct = format_pct(std::min(100.0 - left, std::max(kMinSegmentPct, pct_of(end - start, axis_ms))));
    const std::string_view tint = content_kind_info(content_kind(r)).css;
    for (PhaseRecord p : r.phases) {
      p.span.start_ms += offset;
      p.span.end_ms += offset;
      Segment s = layout_segment(p, axis_ms, tint);
      s.start_ms -= offset;  // the side's own clock in the tooltip
      s.start_text = format_ms(s.start_ms);
      row.segments.push_back(std::move(s));
    }
    row.duration_text = format_ms(std::max(0.0, r.span.duration_ms()));
    row.from_cache = cache_kind(r) == "fresh";
    row.revalidated = cache_kind(r) == "revalidated";
    side.rows.push_back(std::move(row));
  }
  auto marker = [&](std::string_view css, std::string_view label, std::optional<double> ms) {
    if (!ms) return;
    side.markers.push_back({css, label, format_pct(pct_of(*ms + offset, axis_ms)), format_ms(*ms)});
  };
  marker("m-ttfb", "Document first byte", document_first_byte_ms(run, model));
  marker("m-doc", "Document", run.document_ms);
  marker("m-load", "Load", run.load_ms);
  return side;
}

}  // namespace

std::string_view align_name(Align a) { return a == Align::kStart ? "start" : "first-byte"; }

std::optional<Align> align_from_name(std::string_view name) {
  if (name == "start") return Align::kStart;
  if (name == "first-byte") return Align::kFirstByte;
  return std::nullopt;
}

CompareLayout layout_compare(const Run& a, const Run& b, const Comparison& c, Align align) {
  CompareLayout out;
  out.align = align;
  const PageModel ma = analyse_page(a), mb = analyse_page(b);
  double offset_a = 0, offset_b = 0;
  if (align == Align::kFirstByte) {
    const auto fa = document_first_byte_ms(a, ma), fb = document_first_byte_ms(b, mb);
    out.aligned = fa && fb;
    if (out.aligned) {
      const double later = std::max(*fa, *fb);
      offset_a = later - *fa;
      offset_b = later - *fb;
    }
  }
  const double span = std::max(offset_a + last_moment(a), offset_b + last_moment(b));
  out.axis = compute_axis(span);
  out.a = layout_side(a, ma, offset_a, out.axis.end_ms, marks(c, a.requests.size(), false));
  out.b = layout_side(b, mb, offset_b, out.axis.end_ms, marks(c, b.requests.size(), true));
  return out;
}

}  // namespace pageload::report
