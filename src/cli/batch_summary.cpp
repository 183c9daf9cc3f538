#include "cli/batch_summary.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/cells.h"
#include "cli/connect_output.h"
#include "cli/safe.h"

namespace pageload::cli {

std::optional<double> percentile(std::vector<double>& values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

namespace {

// The document's phases: its first request and the redirect hops after it, each phase
// summed over the hops that had it (what curl -L's timings add up), nullopt where no hop
// had it.
std::array<std::optional<double>, kPhaseCount> document_phases(const Run& run) {
  std::array<std::optional<double>, kPhaseCount> sums{};
  const Request* hop = nullptr;
  for (const auto& r : run.requests)
    if (r.seq == 0) hop = &r;
  for (std::size_t guard = 0; hop && guard <= run.requests.size(); ++guard) {
    for (const auto& p : hop->phases) {
      auto& sum = sums[static_cast<std::size_t>(p.phase)];
      sum = sum.value_or(0) + p.span.duration_ms();
    }
    const Request* next = nullptr;
    for (const auto& r : run.requests)
      if (r.redirect_from == hop->seq) next = &r;
    hop = next;
  }
  return sums;
}

struct Figures {
  std::size_t n = 0;
  std::optional<double> p50, p95, max;
};

Figures figures(std::vector<double> values) {
  Figures f;
  f.n = values.size();
  f.p50 = percentile(values, 50);
  f.p95 = percentile(values, 95);
  if (!values.empty()) f.max = values.back();  // sorted by percentile()
  return f;
}

std::string cell(const std::optional<double>& v) { return v ? ms_figure(*v) : "-"; }

}  // namespace

void BatchSummary::add(const Run& run) {
  ++runs_;
  ++outcomes_[std::string(outcome_name(run.outcome))];
  if (run.outcome == Outcome::kFailed && run.failure) ++error_classes_[std::string(code_name(run.failure->code))];
  const bool unverified = !unverified_loaded(run).empty();
  unverified_ += unverified;
  const auto phases = document_phases(run);
  for (std::size_t i = 0; i < phases.size(); ++i)
    if (phases[i]) phases_[i].push_back(*phases[i]);
  if (!run.total_ms) return;
  totals_.push_back(*run.total_ms);
  slowest_.push_back(Slow{*run.total_ms, run.id, run.url, std::string(outcome_name(run.outcome)), unverified});
  std::stable_sort(slowest_.begin(), slowest_.end(), [](const Slow& a, const Slow& b) { return a.ms > b.ms; });
  if (slowest_.size() > kSlowest) slowest_.pop_back();
}

void BatchSummary::skip(std::string message) { skipped_.push_back(std::move(message)); }

std::string BatchSummary::text() const {
  std::ostringstream out;
  out << "batch: " << runs_ << (runs_ == 1 ? " run" : " runs");
  for (const char* outcome : {"ok", "http_error", "failed", "running"}) {
    auto it = outcomes_.find(outcome);
    if (it == outcomes_.end()) continue;
    out << " · " << it->second << " " << outcome;
    if (std::string(outcome) == "failed" && !error_classes_.empty()) {
      out << " (";
      bool first = true;
      for (const auto& [cls, n] : error_classes_) out << (first ? "" : ", ") << cls << " " << n, first = false;
      out << ")";
    }
  }
  if (unverified_ > 0) out << " · " << unverified_ << " not verified (-k)";
  if (!skipped_.empty()) out << " · " << skipped_.size() << (skipped_.size() == 1 ? " --input line" : " --input lines")
                             << " skipped";
  out << "\n";
  if (totals_.empty()) return out.str();
  // The figures: each run's total, then each phase of its document where it happened.
  out << "  " << pad("ms", 12, false) << pad("runs", 6, true) << pad("p50", 9, true) << pad("p95", 9, true)
      << pad("max", 9, true) << "\n";
  auto row = [&](const std::string& name, const std::vector<double>& values) {
    const Figures f = figures(values);
    out << "  " << pad(name, 12, false) << pad(std::to_string(f.n), 6, true) << pad(cell(f.p50), 9, true)
        << pad(cell(f.p95), 9, true) << pad(cell(f.max), 9, true) << "\n";
  };
  row("total", totals_);
  for (const auto& info : kPhases)
    if (!phases_[static_cast<std::size_t>(info.phase)].empty())
      row("  " + std::string(info.name), phases_[static_cast<std::size_t>(info.phase)]);
  out << "  slowest:\n";
  for (const Slow& s : slowest_)
    out << "  " << pad(ms_figure(s.ms), 9, true) << " ms  run " << s.id << " " << s.outcome << (s.unverified ? " (not verified, -k)" : "") << "  "
        << cut_middle(safe(s.url, 8192), 70, 35) << "\n";
  return out.str();
}

std::string BatchSummary::json() const {
  using nlohmann::json;
  auto stats = [](const std::vector<double>& values) {
    const Figures f = figures(values);
    // Interpolated percentiles carry float tails (2.6189999999999998): rounded to the
    // microsecond, as every stored duration is.
    auto number = [](const std::optional<double>& v) { return v ? json(std::round(*v * 1000) / 1000) : json(nullptr); };
    return json{{"runs", f.n}, {"p50_ms", number(f.p50)}, {"p95_ms", number(f.p95)}, {"max_ms", number(f.max)}};
  };
  json phases = json::object();
  for (const auto& info : kPhases)
    if (!phases_[static_cast<std::size_t>(info.phase)].empty())
      phases[std::string(info.name)] = stats(phases_[static_cast<std::size_t>(info.phase)]);
  json slowest = json::array();
  for (const Slow& s : slowest_) slowest.push_back({{"run", s.id}, {"url", s.url}, {"outcome", s.outcome}, {"not_verified", s.unverified}, {"total_ms", std::round(s.ms * 1000) / 1000}});
  json batch = {
      {"runs", runs_},
      {"outcomes", outcomes_},
      {"error_classes", error_classes_},
      {"not_verified", unverified_},
      {"skipped_lines", skipped_},
      {"total", stats(totals_)},
      {"phases", phases},
      {"slowest", slowest},
  };
  return json{{"batch", batch}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace pageload::cli
