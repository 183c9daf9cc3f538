// Passwords where a URL parser does not expect them (issue 8, item 1): the fault server's
// /secret-location/N sends a 302 whose Location hides the password SECRET-N in a
// scheme-relative URL, a one-slash URL, a URL with a bad port or a bad IPv6 host, a
// backslashed URL, or a URL in the query. None may reach the database, the terminal,
// `show`, `--json` or the report; with --keep-secrets they are kept.
#include "faults/fault_support.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

using namespace pageload;
using namespace pageload::testing;

namespace {

constexpr int kSecretLocations = 6;

std::string secret_url(int n) { return shared_lab().fault_url("fault.test", "/secret-location/" + std::to_string(n)); }

// The rows of `sql` as text, columns and rows separated by '|' and '\n'.
std::string rows(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); ++i) {
          const unsigned char* t = sqlite3_column_text(st, i);
          out += (i ? "|" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "");
        }
        out += "\n";
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return out;
}

// Every text column that can hold server or user text, of every table.
std::string everything(const std::string& db) {
  std::string all;
  for (const char* sql :
       {"SELECT url, final_url, error, label, options FROM runs",
        "SELECT url, location, redirect_url, reason, error, warnings FROM requests",
        "SELECT name, value FROM headers", "SELECT error FROM phases", "SELECT error FROM connect_attempts",
        "SELECT error FROM dns_lookups"})
    all += rows(db, sql);
  return all;
}

}  // namespace

// A 302 to "//bob:SECRET@host/ok" (or "http:/erin:SECRET@...", or one that does not
// parse) put the password in requests.location, headers.value, runs.error, show, --json,
// the report and the terminal's error: line.
TEST_CASE("a password in a scheme-relative, one-slash, backslashed or unparsable Location is redacted everywhere") {
  TempDb tmp;
  for (int n = 0; n < kSecretLocations; ++n) {
    const std::string secret = "SECRET-" + std::to_string(n);
    INFO(secret);
    auto r = pageload_cli(lab_args({"--db", tmp.path(), secret_url(n)}), tmp.dir());
    // Followed to /ok; or a bad redirect; or, for "http:/erin:...", a path on the same
    // host (as browsers read it) that the fault server does not have.
    CHECK((r.status == 0 || r.status == 3 || (n == 1 && r.status == 1)));
    CHECK(r.out.find(secret) == std::string::npos);
    CHECK(r.err.find(secret) == std::string::npos);
    CHECK(r.out.find(":[redacted]@") != std::string::npos);
    const std::string id = std::to_string(n + 1);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"show", id, "--db", tmp.path()}, {"show", id, "--json", "--db", tmp.path()},
             {"list", "--json", "--db", tmp.path()}, {"report", id, "-o", tmp.dir() + "/r.html", "--db", tmp.path()}}) {
      auto out = pageload_cli(args, tmp.dir());
      CHECK(out.status == 0);
      CHECK(out.out.find(secret) == std::string::npos);
    }
    const std::string html = slurp(tmp.dir() + "/r.html");
    CHECK_FALSE(html.empty());
    CHECK(html.find(secret) == std::string::npos);
    CHECK(html.find(":[redacted]@") != std::string::npos);
  }
  const std::string stored = everything(tmp.path());
  CHECK(stored.find("SECRET-") == std::string::npos);
  CHECK(stored.find("//bob:[redacted]@fault.test:") != std::string::npos);
  CHECK(stored.find("unparsable Location 'http://mo:[redacted]@fault.test:99999/ok'") != std::string::npos);
  CHECK(stored.find("http:\\\\ann:[redacted]@fault.test:") != std::string::npos);
}

TEST_CASE("an unparsable Location's password is redacted in the -q error line and in --json") {
  TempDb tmp;
  for (int n : {2, 3}) {
    auto q = pageload_cli(lab_args({"--db", tmp.path(), "-q", secret_url(n)}), tmp.dir());
    CHECK(q.status == 3);
    CHECK(q.err.find("error: bad_redirect: unparsable Location '") != std::string::npos);
    CHECK(q.err.find("SECRET-") == std::string::npos);
    auto j = pageload_cli(lab_args({"--db", tmp.path(), "--json", secret_url(n)}), tmp.dir());
    auto json = nlohmann::json::parse(j.out);
    CHECK(json["error"]["message"].get<std::string>().find(":[redacted]@") != std::string::npos);
    CHECK(json["requests"][0]["location"].get<std::string>().find(":[redacted]@") != std::string::npos);
    CHECK(j.out.find("SECRET-") == std::string::npos);
  }
}

TEST_CASE("with --keep-secrets the Location's password is stored as sent") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--keep-secrets", secret_url(0)}), tmp.dir());
  CHECK(r.status == 0);
  CHECK(rows(tmp.path(), "SELECT location FROM requests WHERE seq = 0").find("//bob:SECRET-0@") == 0);
}

// A URL the user typed with a password that does not parse was echoed whole in the
// one-line usage error.
TEST_CASE("a password in a URL that does not parse is redacted from the usage error") {
  TempDb tmp;
  for (const std::string url : {"http://u:SECRET-9@a.test:99999/", "http://u:SECRET-9@[::bad/", "http://u:SECRET 9@a.test/"}) {
    INFO(url);
    auto r = pageload_cli(lab_args({"--db", tmp.path(), url}), tmp.dir());
    CHECK(r.status == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find("SECRET") == std::string::npos);
    CHECK(r.err.find("[redacted]") != std::string::npos);
  }
}
