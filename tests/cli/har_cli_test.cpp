// HAR out and in from the command line (review of issue 13): an export of a lab page
// imported again gives back its failures, lookups and handshakes; imported runs say so in
// list, show and the report; `--har -` is standard output; a run named twice is one page.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "fixtures/lab_fixture.h"
#include "store/store.h"

using namespace pageload::testing;
using nlohmann::json;

namespace {

json show_json(const TempDb& tmp, int run) {
  auto shown = pageload_cli({"show", std::to_string(run), "--json", "--db", tmp.path()}, tmp.dir());
  REQUIRE(shown.status == 0);
  return json::parse(shown.out);
}

const json* by_url(const json& run, const std::string& url) {
  for (const json& r : run["requests"])
    if (r["url"] == url) return &r;
  return nullptr;
}

// A run's request, lookup and connection fields a HAR carries, as one JSON value per URL.
json comparable(const json& run) {
  json out = json::object();
  for (const json& r : run["requests"]) {
    json row{{"status", r["status"]}, {"error_phase", r["error_phase"]}, {"error", r["error"]},
             {"http_version", r["http_version"]}};
    for (const auto& [name, phase] : r["phases"].items())
      if (phase.contains("error")) row["failed_phase"] = {name, phase["error"]};
    if (!r["dns_lookup"].is_null() && r["phases"].contains("dns")) {  // the lookup it made, not one it reused
      const json& l = run["dns_lookups"][r["dns_lookup"].get<int>()];
      row["dns"] = {{"host", l["host"]}, {"outcome", l["outcome"]}, {"answers", l["answers"]},
                    {"servers", l["servers"]}, {"error", l["error"]}};
    }
    if (!r["connection"].is_null() && r["phases"].contains("tls"))
      row["tls"] = run["connections"][r["connection"].get<int>()]["tls"];
    out[r["url"].get<std::string>()] = row;
  }
  return out;
}

}  // namespace

TEST_CASE("a page with a host that does not resolve, exported and imported, gives back its failures, lookups and TLS") {
  TempDb tmp;
  const std::string url = shared_lab().https_url("www.test", "/page/third-party");
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", url}), tmp.dir()).status == 0);
  REQUIRE(pageload_cli({"har", "1", "-o", "page.har", "--db", tmp.path()}, tmp.dir()).status == 0);
  auto imported = pageload_cli({"import", "page.har", "--db", tmp.path()}, tmp.dir());
  INFO(imported.out << imported.err);
  REQUIRE(imported.status == 0);
  const json measured = show_json(tmp, 1), back = show_json(tmp, 2);
  REQUIRE(back["source"] == "har");
  const json a = comparable(measured), b = comparable(back);
  CHECK(a.dump(1) == b.dump(1));
  int nxdomain = 0;
  for (const auto& [u, row] : a.items())
    if (row["error"].is_object() && row["error"]["class"] == "dns_nxdomain" && row["error_phase"] == "dns" &&
        row.contains("dns"))
      ++nxdomain;
  CHECK(nxdomain >= 1);
  CHECK(by_url(back, url) != nullptr);
}

TEST_CASE("list, show and the report say a run was imported from a HAR, and by which producer") {
  TempDb tmp;
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", shared_lab().http_url("www.test", "/page/not-found")}), tmp.dir()).status == 0);
  REQUIRE(pageload_cli({"har", "1", "-o", "page.har", "--db", tmp.path()}, tmp.dir()).status == 0);
  REQUIRE(pageload_cli({"import", "page.har", "--db", tmp.path()}, tmp.dir()).status == 0);
  const std::string said = "imported from a HAR file, written by pageload ";
  auto list = pageload_cli({"list", "--db", tmp.path()}, tmp.dir());
  REQUIRE(list.status == 0);
  CHECK(list.out.find(said) != std::string::npos);
  CHECK(list.out.find(said) == list.out.rfind(said));  // the measured run says nothing of the kind
  auto show = pageload_cli({"show", "2", "--db", tmp.path()}, tmp.dir());
  CHECK(show.out.find("  source     " + said) != std::string::npos);
  CHECK(pageload_cli({"show", "1", "--db", tmp.path()}, tmp.dir()).out.find("  source ") == std::string::npos);
  REQUIRE(pageload_cli({"report", "2", "-o", "r.html", "--db", tmp.path()}, tmp.dir()).status == 0);
  CHECK(slurp(tmp.dir() + "/r.html").find(said) != std::string::npos);
  CHECK(show_json(tmp, 2)["producer"].get<std::string>().rfind("pageload ", 0) == 0);
}

TEST_CASE("a HAR request whose initiator the file does not give reads initiator not recorded, not the page's first request") {
  TempDb tmp;
  auto entry = [](const std::string& url, const std::string& at) {
    return json{{"startedDateTime", at}, {"time", 3},
                {"request", {{"method", "GET"}, {"url", url}, {"httpVersion", "HTTP/1.1"}, {"headers", json::array()}}},
                {"response", {{"status", 200}, {"statusText", "OK"}, {"httpVersion", "HTTP/1.1"}, {"headers", json::array()},
                              {"content", {{"size", 1}, {"mimeType", "image/png"}}}, {"redirectURL", ""}}},
                {"timings", {{"send", 1}, {"wait", 1}, {"receive", 1}}}};
  };
  const json har{{"log", {{"version", "1.2"}, {"creator", {{"name", "hand-made"}, {"version", "1"}}},
                          {"entries", {entry("http://a.test/", "2026-12-01T10:00:00.000Z"),
                                       entry("http://a.test/x.png", "2026-12-01T10:00:00.010Z")}}}}};
  std::ofstream(tmp.dir() + "/h.har") << har.dump();
  REQUIRE(pageload_cli({"import", "h.har", "--db", tmp.path()}, tmp.dir()).status == 0);
  auto show = pageload_cli({"show", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(show.out.find("document, the page's first request") != std::string::npos);
  CHECK(show.out.find("image, initiator not recorded") != std::string::npos);
}

TEST_CASE("run --har - writes the HAR to standard output and no file named -") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--har", "-", shared_lab().http_url("www.test", "/page/not-found")}),
                        tmp.dir());
  INFO(r.err);
  REQUIRE(r.status == 0);
  const json har = json::parse(r.out);  // the summary is off: standard output is the HAR alone
  CHECK(har["log"]["pages"].size() == 1);
  CHECK(har["log"]["entries"].size() >= 2);
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/-"));
  auto both = pageload_cli(lab_args({"--db", tmp.path(), "--har", "-", "--json", shared_lab().http_url("www.test", "/")}),
                           tmp.dir());
  CHECK(both.status == 2);
  CHECK(both.err.find("--har -") != std::string::npos);
}

TEST_CASE("pageload har given one run twice writes it once") {
  TempDb tmp;
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", shared_lab().http_url("www.test", "/page/not-found")}), tmp.dir()).status == 0);
  auto r = pageload_cli({"har", "1", "1", "latest", "--db", tmp.path()}, tmp.dir());
  REQUIRE(r.status == 0);
  const json har = json::parse(r.out);
  CHECK(har["log"]["pages"].size() == 1);
  for (const auto& e : har["log"]["entries"]) CHECK(e["pageref"] == "page_1");
}

// Review of issues 12 and 13 (findings 7, 9, 15): a --repeat-view export imported again lost
// its cached rows, its group and views, and `show latest` was not the run just imported.
TEST_CASE("a repeat view exported and imported keeps its cached rows, its group and views, and latest is the last one imported") {
  TempDb tmp;
  const std::string url = shared_lab().https_url("www.test", "/page/cache");
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", "--no-html", "--repeat-view", url}), tmp.dir()).status == 0);
  REQUIRE(pageload_cli({"har", "1", "2", "-o", "rv.har", "--db", tmp.path()}, tmp.dir()).status == 0);
  auto imported = pageload_cli({"import", "rv.har", "--db", tmp.path()}, tmp.dir());
  INFO(imported.out << imported.err);
  REQUIRE(imported.status == 0);
  CHECK(imported.out.find("repeat view 1") != std::string::npos);
  auto db = pageload::store::Database::open_existing(tmp.path());
  REQUIRE(db.ok());
  auto latest = db.value()->latest_run_id();
  REQUIRE(latest.ok());
  CHECK(*latest == 4);
  auto measured = db.value()->load_run(2), back = db.value()->load_run(4), back_first = db.value()->load_run(3);
  REQUIRE(measured.ok());
  REQUIRE(back.ok());
  REQUIRE(back_first.ok());
  CHECK(back->view == pageload::RunView::kRepeat);
  CHECK(back_first->view == pageload::RunView::kFirst);
  REQUIRE(back->group_id);
  CHECK(back->group_id == back_first->group_id);
  CHECK(back->group_id != measured->group_id);
  auto group = db.value()->load_run_group(*back->group_id);
  REQUIRE(group.ok());
  CHECK(group->group.repeat_view);
  int cached_in = 0, cached_out = 0, saved_in = 0, saved_out = 0;
  for (const auto& r : measured->requests) cached_in += r.from_cache, saved_in += r.bytes_saved.has_value();
  for (const auto& r : back->requests) {
    cached_out += r.from_cache, saved_out += r.bytes_saved.has_value();
    if (r.from_cache) CHECK(r.phases.empty());
  }
  CHECK(cached_in >= 3);
  CHECK(cached_out == cached_in);
  CHECK(saved_out == saved_in);
}

// Review of issues 12 and 13 (findings 12 and 17): Chrome's bracketed IPv6 address came out
// as [[2001:db8::1]]:0, and an imported run printed "1 requests", "versions pageload 0.1.0; "
// and a report footer ending "( )".
TEST_CASE("an imported run shows its IPv6 server once bracketed with the URL's port, and no empty versions") {
  TempDb tmp;
  const json har = {{"log",
                     {{"version", "1.2"},
                      {"creator", {{"name", "WebInspector"}, {"version", "537.36"}}},
                      {"entries",
                       json::array({{{"startedDateTime", "2026-12-01T10:00:00.000Z"},
                                     {"time", 3},
                                     {"request", {{"method", "GET"}, {"url", "https://ex.test/"}, {"headers", json::array()}}},
                                     {"response", {{"status", 200}, {"statusText", "OK"}, {"httpVersion", "h2"},
                                                   {"headers", json::array()}, {"content", {{"size", 5}}}}},
                                     {"serverIPAddress", "[2001:db8::1]"},
                                     {"timings", {{"send", 1}, {"wait", 1}, {"receive", 1}}}}})}}}};
  std::ofstream(std::filesystem::path(tmp.dir()) / "v6.har") << har.dump();
  auto imported = pageload_cli({"import", "v6.har", "--db", tmp.path()}, tmp.dir());
  INFO(imported.out << imported.err);
  REQUIRE(imported.status == 0);
  CHECK(imported.out.find("(1 request, from WebInspector 537.36)") != std::string::npos);
  auto shown = pageload_cli({"show", "latest", "--db", tmp.path()}, tmp.dir());
  REQUIRE(shown.status == 0);
  INFO(shown.out);
  CHECK(shown.out.find("[[") == std::string::npos);
  CHECK(shown.out.find("-> [2001:db8::1]:443") != std::string::npos);
  CHECK(shown.out.find(" :0 ") == std::string::npos);
  CHECK(shown.out.find("; \n") == std::string::npos);
  auto report = pageload_cli({"report", "latest", "-o", "-", "--db", tmp.path()}, tmp.dir());
  REQUIRE(report.status == 0);
  const auto footer = report.out.find("Generated by pageload");
  REQUIRE(footer != std::string::npos);
  const std::string line = report.out.substr(footer, report.out.find("</footer>", footer) - footer);
  INFO(line);
  CHECK(line.find('(') == std::string::npos);  // no library versions: no "( )"
}

// Final review of issue 13 #1: strings show printed as stored (the HTTP version, a lookup's
// outcome, types and servers, the TLS version, cipher, ALPN and expiry) reached the terminal
// raw from a hostile HAR: ESC [ and OSC sequences could recolour it or set its title.
TEST_CASE("show escapes every string an imported HAR gave, the HTTP version, DNS and TLS fields included") {
  TempDb tmp;
  const std::string url = shared_lab().https_url("www.test", "/page/third-party");
  REQUIRE(pageload_cli(lab_args({"--db", tmp.path(), "-q", url}), tmp.dir()).status == 0);
  REQUIRE(pageload_cli({"har", "1", "-o", "page.har", "--db", tmp.path()}, tmp.dir()).status == 0);
  json har;
  std::ifstream(std::filesystem::path(tmp.dir()) / "page.har") >> har;
  const std::string evil = "\x1b[31mRED\x1b]0;T\x07";
  // Every string inside these objects, and the response's HTTP version, made hostile.
  std::function<void(json&)> poison = [&](json& j) {
    if (j.is_string()) j = j.get<std::string>() + evil;
    else if (j.is_structured()) for (auto& v : j) poison(v);
  };
  int poisoned = 0;
  for (auto& e : har["log"]["entries"]) {
    e["response"]["httpVersion"] = e["response"]["httpVersion"].get<std::string>() + evil;
    for (const char* field : {"_dns", "_tls"})
      if (e.contains(field)) {
        poison(e[field]);
        ++poisoned;
      }
  }
  REQUIRE(poisoned >= 2);
  std::ofstream(std::filesystem::path(tmp.dir()) / "evil.har") << har.dump();
  REQUIRE(pageload_cli({"import", "evil.har", "--db", tmp.path()}, tmp.dir()).status == 0);
  auto shown = pageload_cli({"show", "latest", "--db", tmp.path()}, tmp.dir());
  REQUIRE(shown.status == 0);
  CHECK(shown.out.find("RED") != std::string::npos);  // the strings are shown, escaped
  for (std::size_t at = shown.out.find_first_of("\x1b\x07"); at != std::string::npos;
       at = shown.out.find_first_of("\x1b\x07", at + 1)) {
    const auto line_start = shown.out.rfind('\n', at) + 1;
    FAIL_CHECK("raw control character in: " << shown.out.substr(line_start, shown.out.find('\n', at) - line_start));
  }
}
