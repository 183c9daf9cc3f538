// `pageload compare` as a user runs it: two loads of one lab page stored, then compared.
#include <catch2/catch.hpp>

#include <filesystem>

#include "cli_runner.h"
#include "fixtures/lab_fixture.h"

using namespace pageload::testing;

TEST_CASE("compare of --http1.1 against HTTP/2 on one page names the connection difference") {
  TempDb tmp;
  const std::string url = shared_lab().https_url("www.test", "/page/images");
  auto h1 = pageload_cli(lab_args({"--db", tmp.path(), "-q", "--http1.1", url}), tmp.dir());
  auto h2 = pageload_cli(lab_args({"--db", tmp.path(), "-q", url}), tmp.dir());
  REQUIRE(h1.status == 0);
  REQUIRE(h2.status == 0);
  auto r = pageload_cli({"compare", "1", "latest", "--db", tmp.path(), "-o", "cmp.html"}, tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  // Over HTTP/1.1 the 18 images need six connections; over HTTP/2 one carries them all.
  CHECK(r.out.find("connections: 6 → 1") != std::string::npos);
  CHECK(r.out.find(": HTTP/1.1 over 6 connections → HTTP/2 over 1 connection") != std::string::npos);
  CHECK(r.out.find("HTTP/1.1 → HTTP/2") != std::string::npos);  // the host's protocol column
  // The same 20 URLs on both sides: nothing appeared or disappeared.
  CHECK(r.out.find("appeared,") == std::string::npos);
  const std::string html = slurp(tmp.dir() + "/cmp.html");
  CHECK(html.find("HTTP/1.1 over 6 connections → HTTP/2 over 1 connection") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
}

TEST_CASE("compare refuses a run the database does not have with exit status 2") {
  TempDb tmp;
  auto run = pageload_cli(lab_args({"--db", tmp.path(), "-q", shared_lab().http_url("a.test", "/")}), tmp.dir());
  REQUIRE(run.status == 0);
  auto r = pageload_cli({"compare", "1", "7", "--db", tmp.path(), "-o", "cmp.html"}, tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err == "pageload: no run 7 in " + tmp.path() + "\n");  // as show and report say it
  CHECK(r.out.empty());
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/cmp.html"));
  r = pageload_cli({"compare", "first", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("run must be a run id or 'latest'") != std::string::npos);
  r = pageload_cli({"compare", "1", "1", "--align", "middle", "--db", tmp.path()}, tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err == "pageload: --align must be start or first-byte, got 'middle'\n");
}

TEST_CASE("compare of a run with itself says nothing changed beyond timing") {
  TempDb tmp;
  auto run = pageload_cli(lab_args({"--db", tmp.path(), "-q", shared_lab().http_url("a.test", "/page/fonts")}), tmp.dir());
  REQUIRE(run.status == 0);
  auto r = pageload_cli({"compare", "1", "1", "--db", tmp.path()}, tmp.dir());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("nothing beyond timing") != std::string::npos);
  CHECK(r.out.find("Requests: the same") != std::string::npos);
}

TEST_CASE("compare of a first view with its repeat view names the cache use and marks cached rows") {
  TempDb tmp;
  auto run = pageload_cli(
      lab_args({"--db", tmp.path(), "-q", "--no-html", "--repeat-view", shared_lab().http_url("www.test", "/page/cache")}),
      tmp.dir());
  REQUIRE(run.status == 0);
  auto r = pageload_cli({"compare", "1", "2", "--db", tmp.path(), "-o", "cmp.html"}, tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("nothing beyond timing") == std::string::npos);
  CHECK(r.out.find("B is the repeat view of A (group 1, run 1)") != std::string::npos);
  CHECK(r.out.find("HTTP cache: none → 8 requests from the cache, 3 revalidated (200→304), ") != std::string::npos);
  CHECK(r.out.find("(cache)") != std::string::npos);  // B's bytes for a row the cache answered
  const std::string html = slurp(tmp.dir() + "/cmp.html");
  CHECK(html.find("B is the repeat view of A (group 1, run 1)") != std::string::npos);
  // B's waterfall: eight rows marked cache, drawn without a bar; three revalidated.
  const std::string waterfall = html.substr(html.find("id=\"waterfalls\""));
  std::size_t marks = 0;
  for (auto at = waterfall.find("<span class=\"cache-mark\" title="); at != std::string::npos;
       at = waterfall.find("<span class=\"cache-mark\" title=", at + 1))
    ++marks;
  CHECK(marks == 2 * 8);  // in both alignments' layouts
  CHECK(waterfall.find("<span class=\"reval\"") != std::string::npos);
  CHECK(html.find("200 → 304 ↻") != std::string::npos);
}
