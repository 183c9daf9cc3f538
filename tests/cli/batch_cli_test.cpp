// Batches and reports as a user meets them: the summary a batch ends with, --input lines
// that are not URLs, the page listing several runs' reports, default report names that
// never replace another database's report, and `list`'s error class and --label.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <sstream>

#include "cli_runner.h"
#include "fixtures/lab_fixture.h"
#include "report/html.h"
#include "store/store.h"

using namespace pageload;
using namespace pageload::testing;

namespace {
void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
}  // namespace

namespace {

// Three plain-text documents (one request each), a 404 and a host that does not resolve.
std::vector<std::string> mixed_batch() {
  auto& lab = shared_lab();
  return {lab.http_url("www.test", "/status/200?n=1"), lab.http_url("www.test", "/delay/40?n=2"),
          lab.http_url("www.test", "/status/200?n=3"), lab.http_url("www.test", "/status/404"),
          lab.http_url("nxdomain.test", "/")};
}

std::string last_line(const std::string& out) {
  std::string s = out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
}

}  // namespace

TEST_CASE("a batch ends with a summary of outcomes and error classes with percentiles and the slowest runs") {
  TempDb tmp;
  std::vector<std::string> args{"--db", tmp.path()};
  for (const auto& u : mixed_batch()) args.push_back(u);
  auto r = pageload_cli(lab_args(args), tmp.dir());
  INFO(r.out << r.err);
  CHECK(r.status == 3);  // the worst run: a network failure
  const auto at = r.out.find("batch: 5 runs · 3 ok · 1 http_error · 1 failed (dns_nxdomain 1)\n");
  REQUIRE(at != std::string::npos);
  const std::string summary = r.out.substr(at);
  CHECK(summary.find("\n  total            5 ") != std::string::npos);  // every run has a total
  CHECK(summary.find("    wait") != std::string::npos);           // the document's phases
  CHECK(summary.find("    dns ") != std::string::npos);
  CHECK(summary.find("slowest:") != std::string::npos);
  // Every run is among the five slowest listed, each named with its outcome.
  const auto slowest = summary.find("slowest:\n");
  CHECK(summary.find("/delay/40", slowest) != std::string::npos);
  CHECK(summary.find(" failed  http://nxdomain.test:", slowest) != std::string::npos);
  // The summary comes after every run's own lines.
  CHECK(r.out.find("run 5 failed · ") < at);
}

TEST_CASE("with --json a batch ends with one summary object after the runs' objects") {
  TempDb tmp;
  std::vector<std::string> args{"--db", tmp.path(), "--json"};
  for (const auto& u : mixed_batch()) args.push_back(u);
  auto r = pageload_cli(lab_args(args), tmp.dir());
  INFO(r.out << r.err);
  CHECK(lines(r.out) == 6);  // five runs, then the summary
  const auto j = nlohmann::json::parse(last_line(r.out));
  REQUIRE(j.contains("batch"));
  const auto& b = j["batch"];
  CHECK(b["runs"] == 5);
  CHECK(b["outcomes"] == nlohmann::json{{"ok", 3}, {"http_error", 1}, {"failed", 1}});
  CHECK(b["error_classes"] == nlohmann::json{{"dns_nxdomain", 1}});
  CHECK(b["skipped_lines"].empty());
  CHECK(b["total"]["runs"] == 5);
  CHECK(b["total"]["p50_ms"].get<double>() <= b["total"]["p95_ms"].get<double>());
  CHECK(b["total"]["p95_ms"].get<double>() <= b["total"]["max_ms"].get<double>());
  CHECK(b["phases"]["wait"]["runs"] == 4);  // the run that did not resolve never waited
  CHECK(b["phases"]["dns"]["runs"] == 5);
  REQUIRE(b["slowest"].size() == 5);
  // Slowest first: the first is the batch's longest total, and each is no faster than the next.
  CHECK(b["slowest"][0]["total_ms"] == b["total"]["max_ms"]);
  for (std::size_t i = 1; i < b["slowest"].size(); ++i)
    CHECK(b["slowest"][i - 1]["total_ms"].get<double>() >= b["slowest"][i]["total_ms"].get<double>());
}

TEST_CASE("one URL prints no batch summary") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().http_url("www.test", "/status/200")}), tmp.dir());
  CHECK(r.status == 0);
  CHECK(r.out.find("batch:") == std::string::npos);
}

TEST_CASE("a bad line in --input is skipped and named by its line number and counted in the summary") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string list = tmp.dir() + "/urls.txt";
  std::ofstream(list) << lab.http_url("www.test", "/status/200?n=1") << "\nnot a url\n# a comment\n"
                      << lab.http_url("www.test", "/status/200?n=2") << "\nftp://x.test/\n";
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--input", list}), tmp.dir());
  INFO(r.out << r.err);
  CHECK(r.status == 2);  // bad input, though every URL loaded
  CHECK(r.err.find("urls.txt:2: ") != std::string::npos);
  CHECK(r.err.find("urls.txt:5: ") != std::string::npos);
  CHECK(r.err.find("(line skipped)") != std::string::npos);
  CHECK(lines(r.err) == 2);
  CHECK(r.out.find("batch: 2 runs · 2 ok · 2 --input lines skipped") != std::string::npos);
  auto db = store::Database::open_existing(tmp.path());
  REQUIRE(db.ok());
  auto runs = db.value()->list_runs(100);
  REQUIRE(runs.ok());
  CHECK(runs->size() == 2);  // the bad lines are stored nowhere

  auto json = pageload_cli(lab_args({"--db", tmp.path(), "--json", "--input", list}), tmp.dir());
  const auto b = nlohmann::json::parse(last_line(json.out))["batch"];
  REQUIRE(b["skipped_lines"].size() == 2);
  CHECK(b["skipped_lines"][0].get<std::string>().find("urls.txt:2: no scheme") != std::string::npos);
}

TEST_CASE("an --input of nothing but bad lines names each and loads nothing") {
  TempDb tmp;
  const std::string list = tmp.dir() + "/urls.txt";
  std::ofstream(list) << "not a url\nneither\n";
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--input", list}), tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("urls.txt:1: ") != std::string::npos);
  CHECK(r.err.find("urls.txt:2: ") != std::string::npos);
  CHECK(r.err.find("has none that is a URL") != std::string::npos);
}

TEST_CASE("report RUN... -o FILE.html writes one page linking to each run's report beside it") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-q", lab.http_url("www.test", "/status/200?n=1"),
                                  lab.http_url("nxdomain.test", "/")}),
                        tmp.dir());
  REQUIRE(r.status == 3);
  auto rep = pageload_cli({"report", "1", "2", "-o", tmp.dir() + "/out/all.html", "--db", tmp.path()}, tmp.dir());
  INFO(rep.err);
  REQUIRE(rep.status == 0);
  REQUIRE(std::filesystem::is_regular_file(tmp.dir() + "/out/all.html"));
  CHECK(std::filesystem::is_regular_file(tmp.dir() + "/out/pageload-run-1.html"));
  CHECK(std::filesystem::is_regular_file(tmp.dir() + "/out/pageload-run-2.html"));
  const std::string index = slurp(tmp.dir() + "/out/all.html");
  CHECK(index.find("href=\"pageload-run-1.html\"") != std::string::npos);
  CHECK(index.find("href=\"pageload-run-2.html\"") != std::string::npos);
  CHECK(index.find("dns_nxdomain") != std::string::npos);  // a failed run's class
  CHECK(index.find("<script") == std::string::npos);
  CHECK(rep.out == tmp.dir() + "/out/pageload-run-1.html\n" + tmp.dir() + "/out/pageload-run-2.html\n" + tmp.dir() +
                       "/out/all.html\n");
  // A run that is not there is refused before any report is written.
  auto missing = pageload_cli({"report", "1", "99999", "-o", tmp.dir() + "/half/all.html", "--db", tmp.path()}, tmp.dir());
  CHECK(missing.status == 2);
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/half"));
  // A directory, as before: the reports in it, no page.
  auto dir = pageload_cli({"report", "1", "2", "-o", tmp.dir() + "/dir", "--db", tmp.path()}, tmp.dir());
  CHECK(dir.status == 0);
  CHECK(std::filesystem::is_regular_file(tmp.dir() + "/dir/pageload-run-2.html"));
}

TEST_CASE("a default report name never replaces the report of another database's run") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string a = tmp.dir() + "/a.db", b = tmp.dir() + "/b.db", report = tmp.dir() + "/pageload-run-1.html";
  auto first = pageload_cli({"run", "--db", a, "--dns-server", lab.dns_server(), lab.http_url("www.test", "/status/200?db=a")},
                            tmp.dir());
  REQUIRE(first.status == 0);
  const std::string before = slurp(report);
  REQUIRE(before.find("db=a") != std::string::npos);
  CHECK(before.find("<meta name=\"pageload-database\" content=\"db:") != std::string::npos);

  // Run 1 of another database: stored, its report refused, exit 4 with one line.
  auto other = pageload_cli({"run", "--db", b, "--dns-server", lab.dns_server(), lab.http_url("www.test", "/status/200?db=b")},
                            tmp.dir());
  CHECK(other.status == 4);
  CHECK(lines(other.err) == 1);
  CHECK(other.err.find("pageload-run-1.html is the report of a run of another database") != std::string::npos);
  CHECK(slurp(report) == before);
  auto stored = store::Database::open_existing(b);
  REQUIRE(stored.ok());
  CHECK(stored.value()->load_run(1).ok());
  // `report` with the default name refuses too; a name the user gives is written.
  CHECK(pageload_cli({"report", "1", "--db", b}, tmp.dir()).status == 4);
  CHECK(slurp(report) == before);
  CHECK(pageload_cli({"report", "1", "--db", b, "-o", tmp.dir() + "/b-1.html"}, tmp.dir()).status == 0);
  // The same database rewrites its own report.
  auto again = pageload_cli({"report", "1", "--db", a}, tmp.dir());
  CHECK(again.status == 0);
  CHECK(slurp(report).find("db=a") != std::string::npos);
  // Several runs with default names: the hint is another directory, not -o FILE.
  REQUIRE(pageload_cli({"run", "--db", b, "--no-html", "--dns-server", lab.dns_server(),
                        lab.http_url("www.test", "/status/204")},
                       tmp.dir())
              .status == 0);
  auto listing = pageload_cli({"report", "2", "1", "--db", b, "-o", tmp.dir() + "/all.html"}, tmp.dir());
  CHECK(listing.status == 4);
  CHECK(listing.err.find("another directory") != std::string::npos);
  CHECK(listing.err.find("report -o FILE") == std::string::npos);
  // Refused before any was written: not run 2's report alone.
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/pageload-run-2.html"));
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/all.html"));
}

TEST_CASE("a database is told by its own id, not its path: made again it keeps off the old reports, moved it keeps its own") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string db = tmp.dir() + "/p.db", report = tmp.dir() + "/pageload-run-1.html";
  auto first = pageload_cli({"run", "--db", db, "--dns-server", lab.dns_server(), lab.http_url("www.test", "/status/200?v=old")},
                            tmp.dir());
  REQUIRE(first.status == 0);
  const std::string old_report = slurp(report);
  // rm pageload.db and start over: run 1 of a new database at the same path.
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  auto second = pageload_cli({"run", "--db", db, "--dns-server", lab.dns_server(), lab.http_url("www.test", "/status/200?v=new")},
                             tmp.dir());
  CHECK(second.status == 4);
  CHECK(second.err.find("pageload-run-1.html is the report of a run of another database") != std::string::npos);
  CHECK(second.err.find("name the report (--html FILE)") != std::string::npos);
  CHECK(slurp(report) == old_report);
  // Moved, its report with it: `report` rewrites its own run 1's.
  const std::string moved = tmp.dir() + "/moved";
  std::filesystem::create_directory(moved);
  REQUIRE(pageload_cli({"report", "1", "--db", db, "-o", moved + "/pageload-run-1.html"}, tmp.dir()).status == 0);
  for (const char* suffix : {"", "-wal", "-shm"})
    if (std::filesystem::exists(db + suffix)) std::filesystem::rename(db + suffix, moved + "/p.db" + suffix);
  auto again = pageload_cli({"report", "1", "--db", "p.db"}, moved);
  CHECK(again.status == 0);
  CHECK(slurp(moved + "/pageload-run-1.html").find("v=new") != std::string::npos);
  // `report 1 1` is one report, not a listing of two.
  auto twice = pageload_cli({"report", "1", "1", "--db", "p.db"}, moved);
  CHECK(twice.status == 0);
  CHECK(twice.out == "pageload-run-1.html\n");
}

TEST_CASE("a report marked the old way, by its database's path, is its own only for a database older than ids") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string db = tmp.dir() + "/p.db", report = tmp.dir() + "/pageload-run-1.html";
  REQUIRE(pageload_cli({"run", "--db", db, "--dns-server", lab.dns_server(), lab.http_url("www.test", "/status/200")},
                       tmp.dir())
              .status == 0);
  const std::string meta = "<meta name=\"pageload-database\" content=\"";
  // The report as pageload wrote it before ids: its mark a hash of the database's path.
  auto mark_old_way = [&](const std::string& path) {
    std::string html = slurp(report);
    const std::size_t at = html.find(meta);
    REQUIRE(at != std::string::npos);
    const std::size_t from = at + meta.size();
    html.replace(from, html.find('"', from) - from, report::legacy_database_marker(path));
    write_text(report, html);
  };
  // A database made with an id (this one) cannot have written it: another database that
  // was at this path did (rm pageload.db, run again), and its report stays.
  mark_old_way(db);
  CHECK(pageload_cli({"report", "1", "--db", db}, tmp.dir()).status == 4);
  // A database migrated from before ids (as if: migrated_from set) wrote its own that way.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &raw) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw, "UPDATE database_info SET migrated_from = 6", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  CHECK(pageload_cli({"report", "1", "--db", db}, tmp.dir()).status == 0);
  // Another path's old-style mark is still refused.
  mark_old_way(tmp.dir() + "/other.db");
  CHECK(pageload_cli({"report", "1", "--db", db}, tmp.dir()).status == 4);
}

TEST_CASE("list shows a failed run's error class and filters by --label") {
  TempDb tmp;
  auto& lab = shared_lab();
  pageload_cli(lab_args({"--db", tmp.path(), "--label", "before", lab.http_url("nxdomain.test", "/")}), tmp.dir());
  pageload_cli(lab_args({"--db", tmp.path(), "--label", "after", lab.http_url("www.test", "/status/200")}), tmp.dir());
  auto all = pageload_cli({"list", "--db", tmp.path()}, tmp.dir());
  CHECK(all.status == 0);
  CHECK(all.out.find("failed:dns_nxdomain") != std::string::npos);
  CHECK(lines(all.out) == 3);
  auto before = pageload_cli({"list", "--db", tmp.path(), "--label", "before"}, tmp.dir());
  CHECK(before.status == 0);
  CHECK(lines(before.out) == 2);
  CHECK(before.out.find("failed:dns_nxdomain") != std::string::npos);
  CHECK(before.out.find("[before]") != std::string::npos);
  auto json = pageload_cli({"list", "--db", tmp.path(), "--label", "after", "--json"}, tmp.dir());
  CHECK(lines(json.out) == 1);
  CHECK(nlohmann::json::parse(json.out)["label"] == "after");
  auto none = pageload_cli({"list", "--db", tmp.path(), "--label", "nothing"}, tmp.dir());
  CHECK(lines(none.out) == 1);  // the heading alone
}

TEST_CASE("an HTTP/2 status shows the standard reason phrase marked as such where the server sent none") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-q", lab.https_url("www.test", "/status/404")}), tmp.dir());
  REQUIRE(r.status == 1);
  auto show = pageload_cli({"show", "--db", tmp.path()}, tmp.dir());
  CHECK(show.out.find("status     404 Not Found (standard phrase; HTTP/2 sends none)\n") != std::string::npos);
  auto report = pageload_cli({"report", "--db", tmp.path(), "-o", "-"}, tmp.dir());
  CHECK(report.out.find("Not Found (standard phrase)") != std::string::npos);
  // The database keeps what the server sent: no phrase.
  auto db = store::Database::open_existing(tmp.path());
  REQUIRE(db.ok());
  auto run = db.value()->load_run(1);
  REQUIRE(run.ok());
  CHECK(run->requests[0].reason.empty());
}

TEST_CASE("a localhost request records a lookup from hosts with no query and no dns phase") {
  TempDb tmp;
  auto& lab = shared_lab();
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-4", lab.http_url("localhost", "/status/200")}), tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("localhost is the loopback host, answered locally with no query") != std::string::npos);
  auto db = store::Database::open_existing(tmp.path());
  REQUIRE(db.ok());
  auto run = db.value()->load_run(1);
  REQUIRE(run.ok());
  const Request& q = run->requests.at(0);
  REQUIRE(q.dns_lookup);
  const DnsLookup& l = run->dns_lookups.at(static_cast<std::size_t>(*q.dns_lookup));
  CHECK(l.source == "hosts");
  CHECK(l.queries.empty());
  CHECK(l.outcome == "NOERROR");
  REQUIRE(l.answers.size() == 1);
  CHECK(l.answers[0].value == "127.0.0.1");
  CHECK_FALSE(q.phase(Phase::kDns));
}

TEST_CASE("the dns line of show names only the servers that were asked") {
  TempDb tmp;
  auto& lab = shared_lab();
  // The first server answers: the second is configured but never asked.
  auto r = pageload_cli({"run", "--db", tmp.path(), "--no-html", "-q", "--dns-server", lab.dns_server(), "--dns-server",
                         "127.0.0.9:5399", lab.http_url("www.test", "/status/200")},
                        tmp.dir());
  REQUIRE(r.status == 0);
  auto show = pageload_cli({"show", "--db", tmp.path()}, tmp.dir());
  INFO(show.out);
  CHECK(show.out.find("via dns NOERROR, asked @" + lab.dns_server() + "\n") != std::string::npos);
  CHECK(show.out.find("127.0.0.9:5399") == std::string::npos);
}
