// The terminal table of a page (cli/page_table.h) on runs built here: what fits in a
// width, what a big page leaves to `show`, what the url column may and may not show.
#include <catch2/catch.hpp>

#include <sstream>

#include "cli/cells.h"
#include "cli/page_table.h"
#include "cli/page_totals.h"

using namespace pageload;
using namespace pageload::cli;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

Request request(int seq, std::string host, std::string path, ResourceType type, int status = 200) {
  Request r;
  r.seq = seq;
  r.method = "GET";
  r.scheme = "https";
  r.host = std::move(host);
  r.port = 8443;
  r.url = "https://" + r.host + ":8443" + path;
  r.status = status;
  r.http_version = "HTTP/2";
  r.resource_type = type;
  r.priority = type == ResourceType::kDocument ? Priority::kHighest : Priority::kLow;
  if (seq > 0) r.initiator = 0;
  r.connection = 0;
  r.reused = seq > 0;
  r.span = {1.0 * seq, 1.0 * seq + 20};
  r.phases = {{Phase::kWait, {1.0 * seq, 1.0 * seq + 19}, std::nullopt}, {Phase::kReceive, {1.0 * seq + 19, 1.0 * seq + 20}, std::nullopt}};
  r.header_bytes = 100;
  r.body_bytes = 900;
  return r;
}

// A document and `images` images on a.test, the image numbered `failing` answering 404.
Run page(int images, int failing = -1) {
  Run run;
  run.id = 7;
  run.url = "https://a.test:8443/page";
  run.outcome = Outcome::kOk;
  run.requests.push_back(request(0, "a.test", "/page", ResourceType::kDocument));
  for (int i = 1; i <= images; ++i)
    run.requests.push_back(request(i, "a.test", "/img/" + std::to_string(i) + ".png", ResourceType::kImage, i == failing ? 404 : 200));
  return run;
}

}  // namespace

TEST_CASE("the url column shows host and path, the port only where it differs from the document's, never a password") {
  Request document = request(0, "a.test", "/page", ResourceType::kDocument);
  Request same = request(1, "a.test", "/style.css?v=1#top", ResourceType::kStylesheet);
  CHECK(url_label(same, &document) == "a.test/style.css?v=1");
  Request other_port = same;
  other_port.port = 9443;
  other_port.url = "https://user:SECRET@b.test:9443/x.css";
  other_port.host = "b.test";
  CHECK(url_label(other_port, &document) == "b.test:9443/x.css");
  Request plain = same;
  plain.scheme = "http";
  plain.port = 80;
  plain.url = "http://a.test/i.png";
  CHECK(url_label(plain, &document) == "http://a.test/i.png");
}

TEST_CASE("a url cut to fit loses its query first, then the middle of its path, and keeps its host") {
  CHECK(fit_label("a.test/page/asset/image-01.png?delay=300", 36) == "a.test/page/asset/image-01.png?…");
  const std::string cut = fit_label("a.test/page/asset/a-very-long-image-name.png", 24);
  CHECK(display_width(cut) == 24);
  CHECK(cut.rfind("a.test/", 0) == 0);
  CHECK(cut.find("…") != std::string::npos);
  CHECK(cut.size() >= 4);
  CHECK(cut.substr(cut.size() - 4) == ".png");
}

TEST_CASE("sizes and durations are printed as the summary's cells") {
  CHECK(ms_figure(0.2) == "0.20");
  CHECK(ms_figure(12.74) == "12.7");
  CHECK(ms_figure(1042.4) == "1042");
  CHECK(bytes_cell(845) == "845B");
  CHECK(bytes_cell(10137) == "9.9K");
  CHECK(bytes_cell(5 * 1024 * 1024 / 4) == "1.2M");
  CHECK(bytes_text(10137) == "9.9 KB");
}

TEST_CASE("every line of a page's table fits an 80-column terminal") {
  Run run = page(5, 3);
  run.requests[2].url = "https://a.test:8443/page/asset/an-image-with-a-rather-long-name-indeed.png?size=2000&delay=300";
  for (int width : {80, 100, 120}) {
    INFO("width " << width);
    const std::string table = format_request_table(run, {width, false});
    for (const std::string& line : lines_of(table)) {
      INFO(line);
      CHECK(display_width(line) <= static_cast<std::size_t>(width));
    }
    CHECK(table.find("404") != std::string::npos);
  }
}

TEST_CASE("a table too narrow for the url puts each url on a line of its own under its request") {
  const std::string table = format_request_table(page(2), {60, false});
  const auto lines = lines_of(table);
  REQUIRE(lines.size() == 1 + 3 * 2);
  CHECK(lines[1].rfind("#0", 0) == 0);
  CHECK(lines[2].find("a.test/page") != std::string::npos);
  CHECK(lines[4].find("a.test/img/1.png") != std::string::npos);
}

TEST_CASE("the priority column names Chromium's priority and is left out for runs without one") {
  Run run = page(1);
  std::string table = format_request_table(run, {120, false});
  CHECK(lines_of(table)[0].find("prio") != std::string::npos);
  CHECK(lines_of(table)[1].find("highest") != std::string::npos);
  CHECK(lines_of(table)[2].find("low") != std::string::npos);
  for (auto& r : run.requests) r.priority.reset();
  table = format_request_table(run, {120, false});
  CHECK(lines_of(table)[0].find("prio") == std::string::npos);
}

TEST_CASE("a big page's table lists its first rows and every failed request after them, and says how many more and where, without Markdown quotes") {
  const Run run = page(99, 70);
  const std::string table = format_request_table(run, {120, false, 40});
  const auto lines = lines_of(table);
  // The header, rows #0..#39, a gap line, #70, the closing gap line.
  REQUIRE(lines.size() == 1 + 40 + 1 + 1 + 1);
  CHECK(lines[40].find("#39") != std::string::npos);
  CHECK(lines[41].find("… 30 more requests") != std::string::npos);
  CHECK(lines[42].find("#70") != std::string::npos);
  CHECK(lines[42].find("404") != std::string::npos);
  CHECK(lines[43].find("… 29 more requests; pageload show 7 lists all 100") != std::string::npos);
  CHECK(lines_of(format_request_table(run, {120, false})).size() == 101);  // show: every request
}

// Past the cap, the rows left out may have failed too: the gap line says how many.
TEST_CASE("a big page with more failed requests than the table shows says how many of those left out failed") {
  Run run = page(99);
  for (std::size_t i = 40; i < run.requests.size(); ++i) run.requests[i].status = 404;
  const auto lines = lines_of(format_request_table(run, {120, false, 40}));
  // The header, rows #0..#39, the failed #40..#79, the closing gap line.
  REQUIRE(lines.size() == 1 + 40 + 40 + 1);
  CHECK(lines[80].find("#79") != std::string::npos);
  CHECK(lines[81].find("… 20 more requests (20 failed); pageload show 7 lists all 100") != std::string::npos);
  // Rows left out that did not fail are not counted as failed.
  CHECK(lines_of(format_request_table(page(99, 70), {120, false, 40})).back().find("failed") == std::string::npos);
}

TEST_CASE("a note several requests share is printed once, naming the others") {
  Run run = page(3);
  for (int i = 1; i <= 3; ++i) {
    run.requests[i].failure = Failure{Code::kDnsNxdomain, "b.test: no such name"};
    run.requests[i].error_phase = Phase::kDns;
    run.requests[i].status.reset();
  }
  const std::string table = format_request_table(run, {120, false});
  CHECK(table.find("dns failed: dns_nxdomain: b.test: no such name (also #2, #3)") != std::string::npos);
  std::size_t count = 0;
  for (std::size_t at = table.find("no such name"); at != std::string::npos; at = table.find("no such name", at + 1)) ++count;
  CHECK(count == 1);
}

TEST_CASE("the totals count requests, failures, connections and protocol by host, and sum the hosts past the tenth") {
  Run run = page(3, 2);
  run.requests[1].reused = false;
  run.requests[1].connection = 1;
  std::string totals = format_totals(run, {120, false});
  const auto lines = lines_of(totals);
  REQUIRE(lines.size() >= 3);
  CHECK(lines[0].find("host") == 0);
  CHECK(lines[0].find("failed") != std::string::npos);
  CHECK(lines[1].rfind("a.test", 0) == 0);
  CHECK(lines[1].find("h2") != std::string::npos);
  CHECK(totals.find("image") != std::string::npos);

  Run wide = page(0);
  for (int i = 1; i <= 14; ++i)
    wide.requests.push_back(request(i, "h" + std::to_string(i) + ".test", "/i.png", ResourceType::kImage));
  totals = format_totals(wide, {120, false});
  CHECK(totals.find("… 6 other hosts") != std::string::npos);
  CHECK(totals.find("h9.test") == std::string::npos);
  CHECK(totals.find("h8.test") != std::string::npos);
  CHECK(page_document(wide) == 0);
}

TEST_CASE("a server's escape sequences in a url, a warning or a failure reach the table escaped") {
  Run run = page(1);
  run.requests[1].url = "https://a.test:8443/\x1b[2J\x1b[31mevil.png";
  run.requests[1].warnings = {"header says \x1b]0;title\x07"};
  run.requests[1].failure = Failure{Code::kRecvError, "reset \x1b[5m"};
  const std::string table = format_request_table(run, {200, false});
  CHECK(table.find('\x1b') == std::string::npos);
  CHECK(table.find('\x07') == std::string::npos);
  CHECK(table.find("\\x1b[31mevil.png") != std::string::npos);
  CHECK(table.find("warning: header says \\x1b]0;title\\x07") != std::string::npos);
}

TEST_CASE("a row the HTTP cache answered has no protocol in the http column, a revalidated one keeps h2") {
  Run run = page(2);
  Request& cached = run.requests[1];
  cached.from_cache = true;
  cached.cache_lookup = "fresh";
  cached.connection.reset();
  cached.phases.clear();
  run.requests[2].cache_lookup = "revalidated";
  run.requests[2].status = 304;
  TableStyle style;
  style.width = 200;
  const auto lines = lines_of(format_request_table(run, style));
  REQUIRE(lines.size() >= 4);
  // The header names the columns; the cached row's http cell is "-" and its size "(cache)".
  const std::size_t http = lines[0].find("http");
  REQUIRE(http != std::string::npos);
  auto cell = [&](const std::string& line) { return line.substr(http, 4); };
  CHECK(lines[2].find("(cache)") != std::string::npos);
  CHECK(cell(lines[1]) == "h2  ");
  CHECK(cell(lines[2]) == "-   ");
  CHECK(cell(lines[3]) == "h2  ");
}

// Re-review of issue 11 (#6): through a proxy named by host name, the host table put the
// proxy's DNS lookup under the origin host, which was never looked up.
TEST_CASE("the totals give a host reached through a proxy no DNS time and a direct host its own") {
  Run run = page(0);
  run.requests[0].phases.insert(run.requests[0].phases.begin(), PhaseRecord{Phase::kDns, {0, 8.5}, std::nullopt});
  Connection proxied;
  proxied.id = 0;
  proxied.host = "a.test";
  proxied.port = 8443;
  proxied.proxy = "http://proxy.test:3128";
  run.connections.push_back(proxied);
  // The host's "dns ms" cell: the one after its protocol (the type table follows it).
  auto dns_cell = [](const std::string& totals, const std::string& host) {
    for (const auto& line : lines_of(totals))
      if (line.rfind(host, 0) == 0) {
        std::istringstream cells(line.substr(line.find(" h2 ") + 4));
        std::string cell;
        cells >> cell;
        return cell;
      }
    return std::string("(no row)");
  };
  CHECK(dns_cell(format_totals(run, {120, false}), "a.test") == "-");
  run.connections[0].proxy.clear();
  CHECK(dns_cell(format_totals(run, {120, false}), "a.test") == "8.50");
}
