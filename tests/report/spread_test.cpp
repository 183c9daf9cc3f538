// The median run of a group, as WebPageTest picks it, and the spread of its figures.
#include <catch2/catch.hpp>

#include "report/spread.h"
#include "synthetic_runs.h"

using namespace pageload;
using namespace pageload::report;

namespace {

std::vector<Run> runs_loading_in(const std::vector<double>& loads) {
  std::vector<Run> out;
  for (double ms : loads) {
    Run r = synthetic::page(1, true);
    r.load_ms = ms;
    r.document_ms = 1000 - ms;  // the other way round, so the two picks differ
    out.push_back(r);
  }
  return out;
}

std::vector<const Run*> pointers(const std::vector<Run>& runs) {
  std::vector<const Run*> out;
  for (const Run& r : runs) out.push_back(&r);
  return out;
}

}  // namespace

TEST_CASE("the median of five runs is the run with the middle load time") {
  const auto runs = runs_loading_in({400, 100, 500, 200, 300});
  CHECK(median_run(pointers(runs), MedianBy::kLoad) == 4u);  // 300 ms
}

TEST_CASE("with document-only the median run is picked by document time") {
  const auto runs = runs_loading_in({400, 100, 500, 200, 300});
  // Document times 600, 900, 500, 800, 700: the middle one is 700, the fifth run again;
  // with 4 runs the pick differs from the load's.
  CHECK(median_run(pointers(runs), MedianBy::kDocument) == 4u);
  const auto four = runs_loading_in({400, 100, 500, 200});
  CHECK(median_run(pointers(four), MedianBy::kLoad) == 0u);      // 100 200 [400] 500
  CHECK(median_run(pointers(four), MedianBy::kDocument) == 3u);  // 500 600 [800] 900
}

TEST_CASE("an even number of runs picks the slower of the two middle ones, as WebPageTest does") {
  const auto runs = runs_loading_in({100, 400, 200, 300});
  CHECK(median_run(pointers(runs), MedianBy::kLoad) == 3u);  // 100 200 [300] 400
  CHECK(*median_of({100, 400, 200, 300}) == 300);
}

TEST_CASE("a failed run is not the median while a run succeeded") {
  auto runs = runs_loading_in({100, 200, 300});
  runs[1].outcome = Outcome::kHttpError;
  // Of the successful 100 and 300, index 1: 300.
  CHECK(median_run(pointers(runs), MedianBy::kLoad) == 2u);
  for (Run& r : runs) r.outcome = Outcome::kFailed;
  CHECK(median_run(pointers(runs), MedianBy::kLoad) == 1u);
  for (Run& r : runs) r.load_ms.reset();
  CHECK_FALSE(median_run(pointers(runs), MedianBy::kLoad));
}

TEST_CASE("p95 is the nearest rank and the maximum for a few runs") {
  CHECK(*p95_of({5, 1, 4, 2, 3}) == 5);
  std::vector<double> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  CHECK(*p95_of(hundred) == 95);
  CHECK_FALSE(p95_of({}));
}

TEST_CASE("the spread covers the load, the document and every phase a run had") {
  const auto runs = runs_loading_in({400, 100, 500, 200, 300});
  const auto rows = spread(pointers(runs));
  REQUIRE(rows.size() >= 3);
  CHECK(rows[0].name == "load");
  CHECK(rows[0].runs == 5);
  CHECK(rows[0].min == 100);
  CHECK(rows[0].median == 300);
  CHECK(rows[0].p95 == 500);
  CHECK(rows[0].max == 500);
  CHECK(rows[1].name == "document");
  bool wait = false;
  for (const auto& r : rows) wait |= r.name == "wait";
  CHECK(wait);
  for (const auto& r : rows) CHECK(r.name != "tunnel");
}
