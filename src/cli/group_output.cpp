#include "cli/group_output.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "cli/safe.h"

namespace pageload::cli {

std::string format_group(int64_t group_id, const std::vector<const Run*>& runs, std::optional<std::size_t> median,
                         report::MedianBy by, const TableStyle& style, std::optional<RunView> view) {
  const std::string figure = by == report::MedianBy::kDocument ? "document" : "load";
  std::string out = "group " + std::to_string(group_id) +
                    (view ? ", " + std::string(run_view_name(*view)) + " view" : std::string()) + ": " +
                    std::to_string(runs.size()) + " run" +
                    (runs.size() == 1 ? "" : "s");
  if (!runs.empty()) out += " of " + safe(runs.front()->url, 200);
  out += "\n";
  if (median) {
    const Run& m = *runs[*median];
    out += "median run: " + std::to_string(m.id) + " (" + std::to_string(*median + 1) + " of " +
           std::to_string(runs.size()) + ", by " + figure + " time: " + ms_figure(*report::median_metric(m, by)) +
           " ms)\n";
  } else {
    out += "median run: none (no run has a " + figure + " time)\n";
  }
  // Each run's figure, the median marked, in run order.
  std::string line = figure + " by run:";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto v = report::median_metric(*runs[i], by);
    std::string cell = " " + std::to_string(i + 1) + ": " + (v ? ms_figure(*v) : std::string("—"));
    if (median && *median == i) cell += " (median)";
    if (runs[i]->outcome != Outcome::kOk) cell += " (" + std::string(outcome_name(runs[i]->outcome)) + ")";
    line += cell + (i + 1 < runs.size() ? " ·" : "");
  }
  out += line + "\n\n";

  const auto rows = report::spread(runs);
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows)
    cells.push_back({r.name, ms_figure(r.min), ms_figure(r.median), ms_figure(r.p95), ms_figure(r.max),
                     std::to_string(r.runs)});
  const std::vector<std::string> titles{"ms", "min", "median", "p95", "max", "runs"};
  std::vector<std::size_t> widths(titles.size());
  for (std::size_t c = 0; c < titles.size(); ++c) {
    widths[c] = display_width(titles[c]);
    for (const auto& row : cells) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  auto put = [&](const std::vector<std::string>& row, bool title) {
    std::string l;
    for (std::size_t c = 0; c < row.size(); ++c) l += (c ? "  " : "") + pad(row[c], widths[c], c > 0);
    trim_right(l);
    out += (title ? painted(l, kDim, style.color) : l) + "\n";
  };
  put(titles, true);
  for (const auto& row : cells) put(row, false);
  return out;
}

std::string format_group_json(int64_t group_id, const std::vector<const Run*>& runs,
                              std::optional<std::size_t> median, report::MedianBy by, RunView view) {
  nlohmann::json j;
  j["group"] = group_id;
  j["view"] = run_view_name(view);
  j["runs"] = nlohmann::json::array();
  for (const Run* r : runs) j["runs"].push_back(r->id);
  j["median_run"] = median ? nlohmann::json(runs[*median]->id) : nlohmann::json(nullptr);
  j["median_by"] = by == report::MedianBy::kDocument ? "document" : "load";
  j["spread"] = nlohmann::json::object();
  // Rounded to the microsecond, as every stored duration: no 0.730000000000018.
  auto us = [](double ms) { return std::round(ms * 1000) / 1000; };
  for (const auto& row : report::spread(runs))
    j["spread"][row.name] = {{"min", us(row.min)}, {"median", us(row.median)}, {"p95", us(row.p95)},
                             {"max", us(row.max)}, {"runs", row.runs}};
  return j.dump();
}

}  // namespace pageload::cli
