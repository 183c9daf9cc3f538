// The lines `pageload run -n N` prints after its runs: the median run and the spread.
#include <catch2/catch.hpp>

#include "cli/group_output.h"

using namespace pageload;
using namespace pageload::cli;

TEST_CASE("the group lines name the median run and each run's load, and the spread of the load") {
  std::vector<Run> runs(5);
  const double loads[] = {400, 100, 500, 200, 300};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    runs[i].id = static_cast<int64_t>(10 + i);
    runs[i].url = "http://a.test/";
    runs[i].outcome = Outcome::kOk;
    runs[i].load_ms = loads[i];
  }
  std::vector<const Run*> ptrs;
  for (const Run& r : runs) ptrs.push_back(&r);
  const auto median = report::median_run(ptrs, report::MedianBy::kLoad);
  const std::string out = format_group(3, ptrs, median, report::MedianBy::kLoad, TableStyle{});
  INFO(out);
  CHECK(out.find("group 3: 5 runs of http://a.test/\n") == 0);
  CHECK(out.find("median run: 14 (5 of 5, by load time: 300.0 ms)") != std::string::npos);
  CHECK(out.find("5: 300.0 (median)") != std::string::npos);
  CHECK(out.find("ms      min  median    p95    max  runs") != std::string::npos);
  CHECK(out.find("load  100.0   300.0  500.0  500.0     5") != std::string::npos);
}

TEST_CASE("a group where no run has a load time says it has no median") {
  std::vector<Run> runs(2);
  std::vector<const Run*> ptrs{&runs[0], &runs[1]};
  const std::string out = format_group(1, ptrs, std::nullopt, report::MedianBy::kDocument, TableStyle{});
  CHECK(out.find("median run: none (no run has a document time)") != std::string::npos);
}

TEST_CASE("the group's JSON spread is rounded to the microsecond, without float tails") {
  std::vector<Run> runs(1);
  runs[0].id = 1;
  runs[0].outcome = Outcome::kOk;
  runs[0].load_ms = 1005.83 - 1005.1;  // 0.730000000000018 in floating point
  std::vector<const Run*> ptrs{&runs[0]};
  const std::string out = format_group_json(2, ptrs, 0, report::MedianBy::kLoad, RunView::kFirst);
  INFO(out);
  CHECK(out.find("0.730000000000018") == std::string::npos);
  CHECK(out.find("\"max\":0.73") != std::string::npos);
}
