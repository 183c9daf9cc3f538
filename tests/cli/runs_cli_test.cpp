// `pageload run -n N` as a user runs it: N loads of one lab page as one group, the median
// run picked and printed, and the same run named by the group_medians view.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <filesystem>
#include <sstream>

#include "cli_runner.h"
#include "fixtures/lab_fixture.h"

using namespace pageload::testing;

namespace {

// The first column of the first row of `sql` on the database at `path`, as text.
std::string query_one(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST_CASE("five runs of a page with injected jitter pick the true median run") {
  TempDb tmp;
  // The document of the k-th run waits the k-th delay: loads of about 400, 100, 500, 200
  // and 300 ms (plus the page's own few ms), so the median is the fifth run, whatever the
  // machine adds to each.
  const std::string url = shared_lab().http_url("a.test", "/page/fonts?delays=400,100,500,200,300&for=median-5");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-n", "5", url}), tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("group 1: 5 runs of " + url) != std::string::npos);
  CHECK(r.out.find("median run: 5 (5 of 5, by load time: ") != std::string::npos);
  CHECK(r.out.find(" (median)") != std::string::npos);
  CHECK(r.out.find("\nload ") != std::string::npos);
  // SQL picks the same run, and the runs are numbered 1..5 in the group.
  CHECK(query_one(tmp.path(), "SELECT run_id FROM group_medians WHERE group_id = 1") == "5");
  CHECK(query_one(tmp.path(), "SELECT group_concat(run_number) FROM (SELECT run_number FROM runs WHERE group_id = 1 "
                              "ORDER BY id)") == "1,2,3,4,5");
  CHECK(query_one(tmp.path(), "SELECT count(*) FROM runs WHERE load_ms >= 500 AND group_id = 1") == "1");
}

TEST_CASE("with document-only and an even number of runs the median is the slower middle document") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("a.test", "/page/fonts?delays=300,0,400,100&for=median-4");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "-n", "4", "--json", url}), tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  std::istringstream lines(r.out);
  std::string line, last;
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  const auto group = nlohmann::json::parse(last);
  CHECK(group["group"] == 1);
  CHECK(group["runs"].size() == 4);
  CHECK(group["median_by"] == "document");
  CHECK(group["median_run"] == 1);  // 0 100 [300] 400: the first run's 300 ms
  CHECK(group["spread"]["document"]["runs"] == 4);
  CHECK(group["spread"]["document"]["max"].get<double>() >= 400);
  CHECK(query_one(tmp.path(), "SELECT run_id || ' ' || median_by FROM group_medians") == "1 document");
}

TEST_CASE("run -n 2 with an html file and no-html loads both runs and writes no report, no-html wins") {
  // A re-review found it refused with advice to add the --no-html it already had.
  TempDb tmp;
  const std::string url = shared_lab().http_url("a.test", "/");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-q", "-n", "2", "--html", "x.html", url}), tmp.dir());  // lab_args has --no-html
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(query_one(tmp.path(), "SELECT count(*) FROM runs") == "2");
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/x.html"));
  r = pageload_cli(lab_args({"--db", tmp.path(), "-q", "--repeat-view", "--html", "y.html", url}), tmp.dir());
  CHECK(r.status == 0);
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/y.html"));
}

TEST_CASE("run -n refuses what it cannot do with several runs") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("a.test", "/");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-n", "3", "--parallel", "2", url}), tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("-n loads its runs one after another") != std::string::npos);
  r = pageload_cli(lab_args({"--db", tmp.path(), "-n", "3", url, url}), tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("-n loads one page N times: give one URL") != std::string::npos);
  r = pageload_cli(lab_args({"--db", tmp.path(), "-n", "0", url}), tmp.dir());
  CHECK(r.status == 2);
  r = pageload_cli({"run", "--db", tmp.path(), "-n", "2", "--html", "x.html", url}, tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("--html names one file") != std::string::npos);
  // Runs started from --cache DIR would be warm loads stored as first views (verification
  // of stop 19).
  std::filesystem::create_directory(tmp.dir() + "/cache");
  r = pageload_cli({"run", "--db", tmp.path(), "-n", "2", "--cache", tmp.dir() + "/cache", url}, tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("with --cache would store warm loads as first views") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp.path()));  // nothing stored
  r = pageload_cli({"run", "--netrc", url}, tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("pageload does not support curl's --netrc") != std::string::npos);
}

TEST_CASE("compare g:N compares two groups by their median runs and refuses an unknown group") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("a.test", "/page/fonts?delays=200,0,100&for=compare-groups");
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", "-n", "3", url}), tmp.dir()).status == 0);
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", "-n", "3", url}), tmp.dir()).status == 0);
  // Group 1: 200, 0, 100 ms: run 3 is its median; group 2 (runs 4..6) the same again: run 6.
  auto r = pageload_cli({"compare", "g:1", "g:2", "--db", tmp.path()}, tmp.dir());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("Compare A: group 1 (median run 3)  →  B: group 2 (median run 6)") == 0);
  r = pageload_cli({"compare", "g:3", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err == "pageload: no run group 3 in " + tmp.path() + "\n");
  // A group made without --repeat-view has no repeat views: it is there, say what it lacks.
  r = pageload_cli({"compare", "g:1:repeat", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err == "pageload: run group 1 has no repeat views (it was made without --repeat-view; run -n N "
                 "--repeat-view URL makes a group with them)\n");
  r = pageload_cli({"compare", "g:3:repeat", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(r.err == "pageload: no run group 3 (repeat view) in " + tmp.path() + "\n");
  r = pageload_cli({"compare", "g:1:second", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(r.status == 2);
}

TEST_CASE("run -n 3 with repeat-view makes one group of three first views each followed by its repeat view") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/page/cache");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-n", "3", "--repeat-view", "--no-html", url}), tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  // One group, both views numbered 1..3, each repeat view right after its own first view.
  CHECK(query_one(tmp.path(), "SELECT count(*) || ' ' || runs || ' ' || repeat_view FROM run_groups") == "1 3 1");
  CHECK(query_one(tmp.path(), "SELECT group_concat(group_id || view || run_number, ',') FROM (SELECT * FROM runs "
                              "ORDER BY id)") == "1first1,1repeat1,1first2,1repeat2,1first3,1repeat3");
  // Every first view starts with an empty cache; every repeat view has its first view's.
  CHECK(query_one(tmp.path(), "SELECT group_concat(n, ',') FROM (SELECT r.id, SUM(q.from_cache) AS n FROM runs r "
                              "JOIN requests q ON q.run_id = r.id GROUP BY r.id ORDER BY r.id)") == "0,8,0,8,0,8");
  // A median and a spread per view, never the two views ranked together.
  const auto first = r.out.find("group 1, first view: 3 runs of " + url);
  const auto repeat = r.out.find("group 1, repeat view: 3 runs of " + url);
  REQUIRE(first != std::string::npos);
  REQUIRE(repeat != std::string::npos);
  CHECK(first < repeat);
  CHECK(r.out.find("(3 of 6") == std::string::npos);
  CHECK(query_one(tmp.path(), "SELECT group_concat(view || ' ' || runs, ',') FROM (SELECT * FROM group_medians "
                              "ORDER BY view)") == "first 3,repeat 3");
  const std::string repeat_median =
      query_one(tmp.path(), "SELECT run_id FROM group_medians WHERE view = 'repeat'");
  CHECK(r.out.find("median run: " + repeat_median + " (", repeat) != std::string::npos);
  // compare names either view's median.
  auto c = pageload_cli({"compare", "g:1", "g:1:repeat", "--db", tmp.path()}, tmp.dir());
  INFO(c.out << c.err);
  CHECK(c.status == 0);
  CHECK(c.out.find("B: group 1 repeat view (median run " + repeat_median + ")") != std::string::npos);
}

TEST_CASE("compare g:N of a group with repeat views says it is the first view, and g:N:repeat names the repeat view") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/page/cache");
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", "--repeat-view", url}), tmp.dir()).status == 0);
  auto c = pageload_cli({"compare", "g:1", "g:1:repeat", "--db", tmp.path()}, tmp.dir());
  INFO(c.out << c.err);
  CHECK(c.status == 0);
  CHECK(c.out.find("Compare A: group 1 first view (median run 1)  →  B: group 1 repeat view (median run 2)") == 0);
}

TEST_CASE("run -n 2 with repeat-view and json prints the group once per view") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/page/cache");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-n", "2", "--repeat-view", "--no-html", "--json", url}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> groups;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    if (j.contains("median_run")) groups.push_back(j);
  }
  REQUIRE(groups.size() == 2);
  CHECK(groups[0]["view"] == "first");
  CHECK(groups[1]["view"] == "repeat");
  CHECK(groups[0]["runs"] == nlohmann::json::array({1, 3}));
  CHECK(groups[1]["runs"] == nlohmann::json::array({2, 4}));
}
