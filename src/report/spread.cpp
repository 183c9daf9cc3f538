#include "report/spread.h"

#include <algorithm>
#include <cmath>

namespace pageload::report {

namespace {

SpreadRow row_of(std::string name, std::vector<double> values) {
  SpreadRow row;
  row.name = std::move(name);
  row.runs = static_cast<int>(values.size());
  std::sort(values.begin(), values.end());
  row.min = values.front();
  row.max = values.back();
  row.median = *median_of(values);
  row.p95 = *p95_of(values);
  return row;
}

}  // namespace

std::optional<double> median_metric(const Run& run, MedianBy by) {
  return by == MedianBy::kDocument ? run.document_ms : run.load_ms;
}

std::optional<std::size_t> median_run(const std::vector<const Run*>& runs, MedianBy by) {
  auto pick = [&](bool ok_only) {
    std::vector<std::size_t> with;
    for (std::size_t i = 0; i < runs.size(); ++i)
      if (median_metric(*runs[i], by) && (!ok_only || runs[i]->outcome == Outcome::kOk)) with.push_back(i);
    std::stable_sort(with.begin(), with.end(), [&](std::size_t a, std::size_t b) {
      return *median_metric(*runs[a], by) < *median_metric(*runs[b], by);
    });
    return with;
  };
  std::vector<std::size_t> sorted = pick(true);
  if (sorted.empty()) sorted = pick(false);
  if (sorted.empty()) return std::nullopt;
  return sorted[sorted.size() / 2];
}

std::optional<double> median_of(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::optional<double> p95_of(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

std::vector<SpreadRow> spread(const std::vector<const Run*>& runs) {
  std::vector<SpreadRow> out;
  std::vector<double> load, document;
  for (const Run* r : runs) {
    if (r->load_ms) load.push_back(*r->load_ms);
    if (r->document_ms) document.push_back(*r->document_ms);
  }
  if (!load.empty()) out.push_back(row_of("load", load));
  if (!document.empty()) out.push_back(row_of("document", document));
  for (const auto& info : kPhases) {
    std::vector<double> totals;
    bool any = false;
    for (const Run* r : runs) {
      double sum = 0;
      for (const Request& q : r->requests)
        if (const PhaseRecord* p = q.phase(info.phase)) {
          sum += std::max(0.0, p->span.duration_ms());
          any = true;
        }
      totals.push_back(sum);
    }
    if (any) out.push_back(row_of(std::string(info.name), totals));
  }
  return out;
}

}  // namespace pageload::report
