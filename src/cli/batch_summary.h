// What a batch of runs (several URLs, --input) came to, printed once at its end: how many
// runs ended how (outcome, and error class for the failed ones; how many were loaded under
// -k with a certificate that did not verify, which `ok` alone would hide), the --input lines
// skipped, the median and 95th percentile of each run's total and of each phase of its
// document, and the slowest runs. Formatting and arithmetic only: the runs are handed in
// as they end.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload::cli {

// The p-th percentile (0 < p <= 100) of `values` by the nearest-rank method: the smallest
// value with at least p % of the values at or below it (so p50 of 1..4 is 2, p95 of 20
// values the 19th). nullopt for no values. Sorts `values`.
std::optional<double> percentile(std::vector<double>& values, double p);

class BatchSummary {
 public:
  static constexpr std::size_t kSlowest = 5;  // slowest runs listed

  // A run ended (stored, so its id is known).
  void add(const Run& run);
  // A line of --input was skipped; `message` is the one line that said so.
  void skip(std::string message);

  std::size_t runs() const { return runs_; }
  std::size_t skipped() const { return skipped_.size(); }

  // The summary for the terminal: a few lines, fitted to nothing but kept under 100
  // columns (URLs cut in the middle).
  std::string text() const;
  // One JSON object on one line: {"batch": {...}} (README "Batches").
  std::string json() const;

 private:
  struct Slow {
    double ms = 0;
    int64_t id = 0;
    std::string url;
    std::string outcome;
    bool unverified = false;  // loaded under -k with a certificate that did not verify
  };
  std::size_t runs_ = 0;
  std::size_t unverified_ = 0;  // runs loaded under -k with a certificate that did not verify
  std::map<std::string, std::size_t> outcomes_;       // outcome name -> runs
  std::map<std::string, std::size_t> error_classes_;  // failed runs' error class -> runs
  std::vector<double> totals_;
  std::array<std::vector<double>, kPhaseCount> phases_;  // per phase: each run's document time
  std::vector<Slow> slowest_;                         // at most kSlowest, slowest first
  std::vector<std::string> skipped_;
};

}  // namespace pageload::cli
