// Secrets given on the command line or set by a server reach no output by default: not
// the database file (any table, the run's options included), the terminal summary,
// --json, `show`, `show --json`, or the HTML report.
#include <catch2/catch.hpp>

#include <filesystem>

#include "durability/process.h"
#include "fixtures/lab_fixture.h"

using namespace pageload::testing;

namespace {

const char* const kSecrets[] = {"t0ken-s3cret", "c00kie-s3cret", "pr0xy-s3cret", "s3cr3t-value", "pa55w0rd-s3cret"};

// Every byte of the database as SQLite leaves it on disk: the file and its WAL.
std::string database_bytes(const std::string& path) {
  std::string all = slurp(path);
  if (std::filesystem::exists(path + "-wal")) all += slurp(path + "-wal");
  return all;
}

void check_no_secret(const std::string& where, const std::string& text) {
  for (const char* secret : kSecrets) {
    INFO(where << " contains " << secret);
    CHECK(text.find(secret) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("secrets are redacted by default in the database, the terminal, --json and the report") {
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string report = tmp.dir() + "/report.html";
  auto args = [&](std::vector<std::string> output) {
    std::vector<std::string> a{"run", "--dns-server", lab.dns_server(), "--cacert", lab.ca_file(), "--db", tmp.path(),
                               "-H", "Authorization: Bearer t0ken-s3cret", "-H", "Cookie: sid=c00kie-s3cret",
                               "-H", "Proxy-Authorization: Basic pr0xy-s3cret"};
    a.insert(a.end(), output.begin(), output.end());
    // A password in the URL, and a redirect to a URL with another one (the second is in
    // the first URL's query string too, where it is not a credential: only its use as
    // the hop's URL and Location is checked below).
    std::string next = lab.https_url("secure.test", "/set-cookie");
    next.insert(next.find("://") + 3, "bob:l0cation-s3cret@");
    std::string url = lab.https_url("secure.test", "/redirect/302?to=" + next);
    url.insert(url.find("://") + 3, "alice:pa55w0rd-s3cret@");
    a.push_back(url);
    return a;
  };
  Process run(args({"--html", report}), tmp.dir() + "/run");
  REQUIRE(run.wait() == 0);
  check_no_secret("terminal summary", run.out() + run.err());
  check_no_secret("report", slurp(report));
  CHECK(slurp(report).find("[redacted]") != std::string::npos);

  Process json(args({"--json", "--no-html"}), tmp.dir() + "/json");
  REQUIRE(json.wait() == 0);
  check_no_secret("--json", json.out());
  CHECK(json.out().find("[redacted]") != std::string::npos);

  for (std::vector<std::string> show : {std::vector<std::string>{"show", "1", "--db", tmp.path()},
                                        std::vector<std::string>{"show", "2", "--json", "--db", tmp.path()}}) {
    Process p(show, tmp.dir() + "/show");
    REQUIRE(p.wait() == 0);
    check_no_secret("show", p.out());
  }
  check_no_secret("database file", database_bytes(tmp.path()));
  Peek db(tmp.path());
  CHECK(db.value("SELECT COUNT(*) FROM headers WHERE value LIKE '%[redacted]%'") != "0");
  CHECK(db.value("SELECT COUNT(*) FROM requests WHERE seq = 1 AND url LIKE 'https://bob:[redacted]@%'") == "2");
  CHECK(db.value("SELECT COUNT(*) FROM requests WHERE seq = 0 AND location LIKE 'https://bob:[redacted]@%'"
                 " AND redirect_url LIKE 'https://bob:[redacted]@%'") == "2");
  CHECK(db.value("SELECT COUNT(*) FROM runs WHERE url LIKE 'https://alice:[redacted]@%'"
                 " AND final_url LIKE 'https://bob:[redacted]@%'") == "2");
}

TEST_CASE("the --keep-secrets flag stores the secret values it was asked to keep") {
  TempDb tmp;
  auto& lab = shared_lab();
  Process run({"run", "--keep-secrets", "--no-html", "--dns-server", lab.dns_server(), "--db", tmp.path(), "-H",
               "Authorization: Bearer t0ken-s3cret", lab.http_url("www.test", "/set-cookie")},
              tmp.dir() + "/run");
  REQUIRE(run.wait() == 0);
  Peek db(tmp.path());
  CHECK(db.value("SELECT COUNT(*) FROM headers WHERE value = 'Bearer t0ken-s3cret'") == "1");
  CHECK(db.value("SELECT COUNT(*) FROM headers WHERE value LIKE 'session=s3cr3t-value%'") == "1");
}
