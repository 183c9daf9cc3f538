// `pageload demo`'s page cases: each a real load of a lab page, its report written, and
// one line saying what to look at in it. The rows, connections and notes a line points
// at must be in that report.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "cli_runner.h"

using namespace pageload::testing;

namespace {

struct Stop {
  std::string report_path, look, html;
};

// The stop whose title contains `title`: its report (read) and its look line.
Stop stop_titled(const std::string& out, const std::string& title) {
  const auto at = out.find(title);
  REQUIRE(at != std::string::npos);
  // Up to the next stop's number, or the closing SQL hints (a page's summary has blank
  // lines of its own).
  const std::string tail = out.substr(at);
  std::smatch next;
  const bool more = std::regex_search(tail, next, std::regex("\n\n[0-9]+\\. |\nQuery the runs"));
  const std::string block = more ? tail.substr(0, static_cast<std::size_t>(next.position(0))) : tail;
  const auto report = block.find("   report: ");
  const auto look = block.find("   look: ");
  REQUIRE(report != std::string::npos);
  REQUIRE(look != std::string::npos);
  Stop s;
  s.report_path = block.substr(report + 11, block.find('\n', report) - report - 11);
  s.look = block.substr(look + 9, block.find('\n', look) - look - 9);
  REQUIRE(std::filesystem::is_regular_file(s.report_path));
  s.html = slurp(s.report_path);
  return s;
}

// The numbers after '#' in `text`, in order.
std::vector<int> seqs_in(const std::string& text) {
  std::vector<int> out;
  const std::regex hash("#([0-9]+)");
  for (std::sregex_iterator it(text.begin(), text.end(), hash), e; it != e; ++it) out.push_back(std::stoi((*it)[1]));
  return out;
}

// The report's waterfall row for request `seq`, up to the end of its bar.
std::string row_of(const std::string& html, int seq) {
  const auto at = html.find("id=\"req-" + std::to_string(seq) + "\"");
  if (at == std::string::npos) return "";
  return html.substr(at, html.find("</summary>", at) - at);
}

int count(const std::string& html, const std::string& what) {
  int n = 0;
  for (auto at = html.find(what); at != std::string::npos; at = html.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the demo tours page cases, each with its report and one line saying what to look at in it") {
  TempDb tmp;
  auto r = pageload_cli({"demo", "--db", tmp.path(), "--out", tmp.dir()}, tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);

  SECTION("HTTP/1.1 and HTTP/2 on the same page") {
    const Stop h1 = stop_titled(r.out, "A page of 18 slow images over HTTP/1.1");
    INFO(h1.look);
    CHECK(h1.look.rfind("Connections: 6 HTTP/1.1 connections", 0) == 0);
    CHECK(count(h1.html, "<details class=\"cx") >= 6);  // six to the host, and any curl gave up
    const auto rows = seqs_in(h1.look);
    REQUIRE(rows.size() == 3);  // rows #A to #B, and the longest wait
    for (int seq : rows) CHECK(row_of(h1.html, seq).find("ph-blocked") != std::string::npos);

    const Stop h2 = stop_titled(r.out, "The same page over HTTP/2");
    INFO(h2.look);
    CHECK(h2.look.rfind("Connections: one HTTP/2 connection", 0) == 0);
    CHECK(h2.look.find("Open it beside " + h1.report_path + " (HTTP/1.1)") != std::string::npos);
    CHECK(count(h2.html, "<details class=\"cx") == 1);
    CHECK(h2.html.find("</span> · HTTP/2 · 1 connection · ") != std::string::npos);  // the origin's heading
  }
  SECTION("a slow third-party host") {
    const Stop s = stop_titled(r.out, "A slow third-party host");
    INFO(s.look);
    const auto rows = seqs_in(s.look);
    REQUIRE(rows.size() == 2);  // the script and the pixel
    for (int seq : rows) CHECK(row_of(s.html, seq).find("widgets.delay-300.test") != std::string::npos);
    CHECK(row_of(s.html, rows[0]).find("ph-dns") != std::string::npos);  // the host's one lookup, 300 ms
    // The other waited for that lookup, queued: the line says so rather than promise it a dns segment.
    CHECK(row_of(s.html, rows[1]).find("ph-dns") == std::string::npos);
    CHECK(row_of(s.html, rows[1]).find("ph-blocked") != std::string::npos);
    CHECK(s.look.find("queued behind that lookup") != std::string::npos);
    CHECK(s.look.find("where the \"loaded\" line stands") != std::string::npos);
  }
  SECTION("a late-discovered font") {
    const Stop s = stop_titled(r.out, "A late-discovered font");
    INFO(s.look);
    const auto seqs = seqs_in(s.look);
    REQUIRE(seqs.size() == 5);  // font, stylesheet, then the path #0 -> stylesheet -> font
    const int font = seqs[0], sheet = seqs[1];
    CHECK(row_of(s.html, font).find("data-type=\"font\"") != std::string::npos);
    CHECK(row_of(s.html, sheet).find("data-type=\"stylesheet\"") != std::string::npos);
    const auto crit = s.html.find("<p class=\"crit-box\">");
    REQUIRE(crit != std::string::npos);
    const std::string box = s.html.substr(crit, s.html.find("</p>", crit) - crit);
    CHECK(box.find("<a href=\"#req-0\">") < box.find("<a href=\"#req-" + std::to_string(sheet) + "\">"));
    CHECK(box.find("<a href=\"#req-" + std::to_string(sheet) + "\">") <
          box.find("<a href=\"#req-" + std::to_string(font) + "\">"));
    CHECK(box.find("<a href=\"#req-" + std::to_string(font) + "\">") != std::string::npos);
  }
  SECTION("a keep-alive failure") {
    const Stop s = stop_titled(r.out, "A keep-alive failure");
    INFO(s.look);
    CHECK(s.look.find("ends in a red mark, closed by the server") != std::string::npos);
    const auto seqs = seqs_in(s.look);
    REQUIRE(seqs.size() == 3);  // connection #A, font #F, its connection #B
    const std::string note = "Keep-alive failure: <a href=\"#conn-" + std::to_string(seqs[0]) + "\">";
    const auto at = s.html.find(note);
    REQUIRE(at != std::string::npos);
    const std::string rest = s.html.substr(at, 600);
    CHECK(rest.find("<a href=\"#req-" + std::to_string(seqs[1]) + "\">") != std::string::npos);
    CHECK(rest.find("<a href=\"#conn-" + std::to_string(seqs[2]) + "\">") != std::string::npos);
    CHECK(s.html.find("<u class=\"end by-server\"") != std::string::npos);
  }
}
