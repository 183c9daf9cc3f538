// Page loads as a user sees them from the command line: the summary's table and totals,
// `show`, `list` and --json, against the lab's /page/ routes on loopback.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/page_table.h"
#include "cli_runner.h"
#include "fixtures/lab_fixture.h"

using namespace pageload::testing;
using nlohmann::json;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The summary's line for request `seq` (it starts "#seq ", right-aligned).
std::string row(const std::string& out, int seq) {
  const std::string tag = "#" + std::to_string(seq) + " ";
  for (const std::string& line : lines_of(out)) {
    const std::size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos && line.compare(first, tag.size(), tag) == 0) return line;
  }
  return "";
}

// The first line starting with `prefix` (e.g. a host's totals).
std::string line_starting(const std::string& out, const std::string& prefix) {
  for (const std::string& line : lines_of(out))
    if (line.rfind(prefix, 0) == 0) return line;
  return "";
}

// The stored run as `pageload show N --json` prints it.
json show_json(const TempDb& tmp, int run) {
  auto shown = pageload_cli({"show", std::to_string(run), "--json", "--db", tmp.path()}, tmp.dir());
  REQUIRE(shown.status == 0);
  return json::parse(shown.out);
}

int seq_of(const json& run, const std::string& url_part) {
  for (const json& r : run["requests"])
    if (r["url"].get<std::string>().find(url_part) != std::string::npos) return r["seq"];
  FAIL("no request for " << url_part);
  return -1;
}

}  // namespace

TEST_CASE("a page's summary is one line per request with its type, priority, status, initiator and phases") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().https_url("www.test", "/page/showcase")}), tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);  // a 404 image fails its request, not the page
  const json run = show_json(tmp, 1);
  const int requests = static_cast<int>(run["requests"].size());
  REQUIRE(requests >= 10);

  const auto lines = lines_of(r.out);
  CHECK(lines[0] == "GET " + shared_lab().https_url("www.test", "/page/showcase"));
  for (const char* title : {"type", "prio", "status", "url", "size", "http", "conn", "block", "dns", "tcp", "tls", "send", "wait", "recv"})
    CHECK(words(lines[1]).end() != std::find(words(lines[1]).begin(), words(lines[1]).end(), title));
  for (int seq = 0; seq < requests; ++seq) CHECK(!row(r.out, seq).empty());

  const auto document = words(row(r.out, 0));
  CHECK(document[1] == "doc");
  CHECK(document[2] == "highest");
  CHECK(document[3] == "200");
  CHECK(document[4] == "www.test/page/showcase");

  // theme.css is @imported by site.css: its line names its initiator.
  const int site = seq_of(run, "/site.css"), theme = seq_of(run, "/theme.css");
  const auto imported = words(row(r.out, theme));
  CHECK(imported[1] == "<#" + std::to_string(site));
  CHECK(imported[2] == "css");
  CHECK(imported[3] == "highest");
  CHECK(row(r.out, seq_of(run, "discontinued")).find(" 404 ") != std::string::npos);
  CHECK(words(row(r.out, seq_of(run, "analytics.js")))[4].rfind("b.test/", 0) == 0);

  // Totals by host, with the connections and protocol, and by type.
  CHECK(line_starting(r.out, "host").find("conns") != std::string::npos);
  const auto www = words(line_starting(r.out, "www.test"));
  REQUIRE(www.size() >= 8);  // host, requests, failed, bytes (two words), conns, http, dns ms, then the type totals
  CHECK(www[5] == "1");   // one connection: HTTP/2
  CHECK(www[6] == "h2");
  CHECK(!line_starting(r.out, "b.test").empty());
  CHECK(r.out.find("stylesheet") != std::string::npos);
  CHECK(r.out.find("fully loaded at") != std::string::npos);
  CHECK(r.out.find(std::to_string(requests) + " requests, 1 failed") != std::string::npos);
  CHECK(r.out.find("run 1 ok · final 200") != std::string::npos);
}

TEST_CASE("over HTTP/1.1 a page's totals show six connections to its host") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--http1.1", shared_lab().https_url("www.test", "/page/images")}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto www = words(line_starting(r.out, "www.test"));
  REQUIRE(www.size() >= 7);  // host, requests, bytes (two words), conns, http, dns ms, then the type totals
  CHECK(www[1] == "20");
  CHECK(www[4] == "6");
  CHECK(www[5] == "1.1");
  // Images queued for a connection wait in a blocked phase: #18, the last image (the icon,
  // #19, is asked for after the load, on an idle connection).
  CHECK(words(row(r.out, 18))[9] != "-");
}

TEST_CASE("a big page's summary lists its first 40 requests and show lists all of them") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().http_url("a.test", "/page/many?n=60")}), tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const json run = show_json(tmp, 1);
  const int requests = static_cast<int>(run["requests"].size());
  REQUIRE(requests > 40);
  CHECK(!row(r.out, 39).empty());
  CHECK(row(r.out, 40).empty());
  CHECK(r.out.find("… " + std::to_string(requests - 40) + " more requests; pageload show 1 lists all " +
                   std::to_string(requests)) != std::string::npos);
  CHECK(r.out.find(std::to_string(requests) + " requests, 0 failed") != std::string::npos);

  auto show = pageload_cli({"show", "1", "--db", tmp.path()}, tmp.dir());
  REQUIRE(show.status == 0);
  CHECK(!row(show.out, requests - 1).empty());
  CHECK(show.out.find("request #" + std::to_string(requests - 1) + ": GET") != std::string::npos);
  CHECK(show.out.find("lists all") == std::string::npos);
}

TEST_CASE("show tells how each request was found and by which request") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().https_url("www.test", "/page/import")}), tmp.dir());
  REQUIRE(r.status == 0);
  const json run = show_json(tmp, 1);
  auto show = pageload_cli({"show", "1", "--db", tmp.path()}, tmp.dir());
  REQUIRE(show.status == 0);
  CHECK(show.out.find("page       document received at") != std::string::npos);
  CHECK(show.out.find("fetched    document (priority highest), the page's first request") != std::string::npos);
  bool imported = false;
  for (const json& req : run["requests"]) {
    if (req["found_by"] != "css @import" || req["initiator"].is_null()) continue;
    imported = true;
    const std::string line = "fetched    stylesheet (priority " + req["priority"].get<std::string>() + "), found by css @import in #" +
                             std::to_string(req["initiator"].get<int>()) + " at ";
    CHECK(show.out.find(line) != std::string::npos);
  }
  CHECK(imported);
}

TEST_CASE("the --json output carries each request's page fields and the page's counts, named as the database's columns") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", shared_lab().https_url("a.test", "/page/third-party")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);  // a third-party host that does not resolve does not fail the page
  const json j = json::parse(r.out);
  CHECK(j["failed_count"] == 2);
  CHECK(j["request_count"] == j["requests"].size());
  CHECK(j["transfer_bytes"].get<int64_t>() > 0);
  CHECK(j["decoded_bytes"].get<int64_t>() > 0);
  CHECK(j["document_ms"].get<double>() > 0);
  CHECK(j["load_ms"].get<double>() >= j["document_ms"].get<double>());
  const json& document = j["requests"][0];
  CHECK(document["resource_type"] == "document");
  CHECK(document["initiator"].is_null());
  CHECK(document["priority"] == "highest");
  int nxdomain = 0;
  for (const json& req : j["requests"]) {
    if (req["url"].get<std::string>().find("nxdomain.test") == std::string::npos) continue;
    ++nxdomain;
    CHECK(req["initiator"] == 0);
    CHECK((req["resource_type"] == "image" || req["resource_type"] == "script"));
    CHECK(req["found_by"].is_string());
    CHECK(req["discovered_ms"].get<double>() > 0);
    CHECK(req["priority"].is_string());
    CHECK(req["note"].is_null());
    CHECK(req["error"]["class"] == "dns_nxdomain");
  }
  CHECK(nxdomain == 2);
}

TEST_CASE("list shows each page's request count, failed count and load time") {
  TempDb tmp;
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), shared_lab().https_url("a.test", "/page/third-party")}), tmp.dir()).status == 0);
  const json run = show_json(tmp, 1);
  auto list = pageload_cli({"list", "--db", tmp.path()}, tmp.dir());
  REQUIRE(list.status == 0);
  const auto lines = lines_of(list.out);
  REQUIRE(lines.size() == 2);
  CHECK(words(lines[0]) == std::vector<std::string>{"run", "started", "(UTC)", "outcome", "status", "reqs", "failed", "load", "url"});
  const auto cells = words(lines[1]);
  REQUIRE(cells.size() >= 8);
  CHECK(cells[3] == "200");
  CHECK(cells[4] == std::to_string(run["requests"].size()));
  CHECK(cells[5] == "2");
  CHECK(cells[6] == pageload::cli::ms_figure(run["load_ms"].get<double>()));
}

TEST_CASE("with --document-only the summary prints the document's one line, without page totals") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", shared_lab().https_url("www.test", "/page/showcase")}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(!row(r.out, 0).empty());
  CHECK(row(r.out, 1).empty());
  CHECK(line_starting(r.out, "host").empty());
  CHECK(r.out.find("run 1 ok · final 200 · 1 request") != std::string::npos);
}

TEST_CASE("a page cut short by --max-requests says on the run how many references were not fetched") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--max-requests", "10", shared_lab().http_url("a.test", "/page/many?n=30")}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(!row(r.out, 9).empty());
  CHECK(row(r.out, 10).empty());
  CHECK(r.out.find("10 requests, 0 failed") != std::string::npos);
  CHECK(r.out.find("more references not fetched (--max-requests 10)") != std::string::npos);
  CHECK(line_starting(r.out, "warning: ").find("not fetched (--max-requests 10)") != std::string::npos);
}

TEST_CASE("an iframe left out by --max-frame-depth 0 is counted in the singular, as not loaded") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--max-frame-depth", "0", "--no-html",
                                  shared_lab().http_url("www.test", "/page/iframe")}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(line_starting(r.out, "warning: ").find("1 iframe not loaded: deeper than --max-frame-depth 0 allows") !=
        std::string::npos);
  // An <iframe srcdoc> cut by it is counted on the run's warnings too, as the iframe is.
  auto srcdoc = pageload_cli(lab_args({"--db", tmp.path(), "--max-frame-depth", "0", "--no-html",
                                       shared_lab().http_url("www.test", "/page/srcdoc")}),
                             tmp.dir());
  INFO(srcdoc.out << srcdoc.err);
  CHECK(srcdoc.out.find("warning: 1 iframe srcdoc document not read: nested deeper than --max-frame-depth 0 allows") !=
        std::string::npos);
}

TEST_CASE("a word given to --max-requests says it is not a whole number, with exit status 2") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--max-requests", "abc", shared_lab().http_url("a.test", "/")}),
                        tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("--max-requests: abc is not a whole number") != std::string::npos);
  CHECK(r.err.find("not in range") == std::string::npos);
}

TEST_CASE("a page of one document served as application/octet-stream prints its page line and says why it was not parsed") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--no-html", shared_lab().http_url("www.test", "/page/octet-stream")}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("document received at") != std::string::npos);
  CHECK(r.out.find("1 request, 0 failed") != std::string::npos);
  CHECK(r.out.find("the document is application/octet-stream, not HTML: not parsed, so nothing it names was fetched") !=
        std::string::npos);
  // The report says it too, where a newcomer looks at a one-row waterfall.
  auto report = pageload_cli({"report", "latest", "-o", tmp.dir() + "/oct.html", "--db", tmp.path()}, tmp.dir());
  REQUIRE(report.status == 0);
  const std::string html = slurp(tmp.dir() + "/oct.html");
  CHECK(html.find("the document is application/octet-stream, not HTML: not parsed, so nothing it names was fetched") !=
        std::string::npos);
  // And show and --json (a review found them silent: only content_type said why).
  auto show = pageload_cli({"show", "latest", "--db", tmp.path()}, tmp.dir());
  CHECK(show.out.find("  document   the document is application/octet-stream, not HTML: not parsed") != std::string::npos);
  auto json = pageload_cli({"show", "latest", "--json", "--db", tmp.path()}, tmp.dir());
  CHECK(json.out.find("\"document_not_parsed\":\"the document is application/octet-stream, not HTML: not parsed") !=
        std::string::npos);
  // The redirect chain alone (--document-only) is no page: no page line, no such warning.
  auto only = pageload_cli(lab_args({"--db", tmp.path(), "--no-html", "--document-only",
                                     shared_lab().http_url("www.test", "/page/octet-stream")}),
                           tmp.dir());
  CHECK(only.out.find("document received at") == std::string::npos);
  CHECK(only.out.find("not parsed") == std::string::npos);
  auto only_json = pageload_cli({"show", "latest", "--json", "--db", tmp.path()}, tmp.dir());
  CHECK(only_json.out.find("\"document_not_parsed\":null") != std::string::npos);
}
