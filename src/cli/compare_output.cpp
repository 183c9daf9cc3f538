#include "cli/compare_output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "cli/safe.h"

namespace pageload::cli {
namespace {

using report::Change;
using report::Figure;

// The title row and rows of cells, the first column text and the rest right-aligned.
std::string table(const std::vector<std::string>& titles, const std::vector<std::vector<std::string>>& rows,
                  const TableStyle& style, std::size_t first_max = 48, bool last_text = false) {
  std::vector<std::size_t> widths(titles.size());
  for (std::size_t c = 0; c < titles.size(); ++c) {
    widths[c] = display_width(titles[c]);
    for (const auto& row : rows) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  widths[0] = std::min(widths[0], first_max);
  std::string out;
  auto line = [&](const std::vector<std::string>& cells, bool title) {
    std::string l;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      std::string cell = c == 0 ? cut_middle(cells[c], widths[0], widths[0] / 2) : cells[c];
      const bool right = c > 0 && !(last_text && c + 1 == cells.size());
      l += (c ? "  " : "") + pad(cell, widths[c], right);
    }
    trim_right(l);
    out += (title ? painted(l, kDim, style.color) : l) + "\n";
  };
  line(titles, true);
  for (const auto& row : rows) line(row, false);
  return out;
}

std::string value_cell(const std::optional<double>& v, const Figure& f) {
  if (!v) return "—";
  switch (f.unit) {
    case report::Unit::kBytes: return bytes_cell(static_cast<int64_t>(std::llround(*v)));
    case report::Unit::kMs: return ms_figure(*v);
    case report::Unit::kCount: break;
  }
  return std::to_string(std::llround(*v));
}

std::vector<std::string> figure_row(const std::string& name, const Figure& f) {
  return {name, value_cell(f.a, f), value_cell(f.b, f), delta_cell(f), delta_pct_cell(f)};
}

std::string sign(double v) { return v > 0 ? "+" : v < 0 ? "-" : ""; }

}  // namespace

std::string delta_cell(const Figure& f) {
  const auto d = f.delta();
  if (!d) return "—";
  if (*d == 0) return "0";
  return sign(*d) + value_cell(std::fabs(*d), f);
}

std::string delta_pct_cell(const Figure& f) {
  const auto p = f.delta_pct();
  if (!p) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", *p);
  return std::string(buf) == "+0.0%" || std::string(buf) == "-0.0%" ? "0%" : buf;
}

std::string format_compare(const Run& a, const Run& b, const report::CompareSides& sides, const report::Comparison& c,
                           const TableStyle& style) {
  std::string out = "Compare A: " + safe(sides.a, 80) + "  →  B: " + safe(sides.b, 80) + "\n";
  out += "  A  " + safe(a.url, 200) + (a.label.empty() ? "" : "  [" + safe(a.label, 60) + "]") + "  " +
         safe(a.started_at, 40) + "\n";
  out += "  B  " + safe(b.url, 200) + (b.label.empty() ? "" : "  [" + safe(b.label, 60) + "]") + "  " +
         safe(b.started_at, 40) + "\n";

  out += "\nWhat changed\n";
  if (c.headlines.empty()) out += "  nothing beyond timing\n";
  for (const auto& h : c.headlines) out += "  " + safe(h, 300) + "\n";

  std::vector<std::vector<std::string>> rows;
  for (const Figure& f : c.page)
    rows.push_back(figure_row(f.name + (f.unit == report::Unit::kMs ? " (ms)" : ""), f));
  out += "\n" + table({"Page", "A", "B", "Δ", "Δ%"}, rows, style);

  rows.clear();
  for (const Figure& f : c.phases) rows.push_back(figure_row(f.name, f));
  out += "\n" + table({"Phase totals (ms)", "A", "B", "Δ", "Δ%"}, rows, style);

  rows.clear();
  for (const auto& h : c.hosts) {
    const std::string proto = h.protocol_a == h.protocol_b ? h.protocol_a
                              : (h.protocol_a.empty() ? "—" : h.protocol_a) + " → " +
                                    (h.protocol_b.empty() ? "—" : h.protocol_b);
    rows.push_back({safe(h.name, 120), value_cell(h.requests.a, h.requests), value_cell(h.requests.b, h.requests),
                    delta_cell(h.requests), value_cell(h.bytes.a, h.bytes), value_cell(h.bytes.b, h.bytes),
                    delta_cell(h.bytes), delta_pct_cell(h.bytes), value_cell(h.connections.a, h.connections),
                    value_cell(h.connections.b, h.connections), delta_cell(h.connections), safe(proto, 60)});
  }
  out += "\n" + table({"By host", "req A", "req B", "Δ", "bytes A", "bytes B", "Δ", "Δ%", "conn A", "conn B", "Δ",
                       "protocol"},
                      rows, style, 48, true);

  rows.clear();
  for (const auto& t : c.types)
    rows.push_back({safe(t.name, 40), value_cell(t.requests.a, t.requests), value_cell(t.requests.b, t.requests),
                    delta_cell(t.requests), value_cell(t.bytes.a, t.bytes), value_cell(t.bytes.b, t.bytes),
                    delta_cell(t.bytes), delta_pct_cell(t.bytes)});
  out += "\n" + table({"By type", "req A", "req B", "Δ", "bytes A", "bytes B", "Δ", "Δ%"}, rows, style);

  rows.clear();
  std::size_t listed = 0, left = 0;
  for (const auto& d : c.requests) {
    if (d.change == Change::kSame) continue;
    if (listed == kCompareRequests) {
      ++left;
      continue;
    }
    ++listed;
    const std::string status = (d.status_a ? std::to_string(*d.status_a) : "—") +
                               (d.status_a == d.status_b ? "" : "→" + (d.status_b ? std::to_string(*d.status_b) : "—"));
    // "(cache)" as the single run's table says it: answered by the HTTP cache.
    auto bytes = [&d](const std::optional<double>& v, std::string_view cache) {
      return cache == "fresh" ? std::string("(cache)") : value_cell(v, d.bytes);
    };
    rows.push_back({std::string(report::change_name(d.change)), value_cell(d.duration.a, d.duration),
                    value_cell(d.duration.b, d.duration), delta_cell(d.duration), delta_pct_cell(d.duration),
                    bytes(d.bytes.a, d.cache_a), bytes(d.bytes.b, d.cache_b), status, safe(d.url, 300)});
  }
  const std::size_t url_room = static_cast<std::size_t>(std::max(30, style.width - 70));
  for (auto& row : rows) row.back() = cut_middle(row.back(), url_room, url_room / 2);
  out += "\n";
  if (rows.empty()) {
    out += "Requests: the same " + std::to_string(c.requests.size()) + " URLs, none changed by more than " +
           ms_figure(report::kChangedMs) + " ms and " + std::to_string(static_cast<int>(report::kChangedPct)) + "%\n";
  } else {
    std::vector<std::string> titles{"Requests", "A ms", "B ms", "Δ ms", "Δ%", "bytes A", "bytes B", "status", "URL"};
    std::string t = table(titles, rows, style, 12, true);
    out += t;
    if (left) out += "  … and " + std::to_string(left) + " more changed\n";
  }
  return out;
}

}  // namespace pageload::cli
