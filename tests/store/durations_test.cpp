// Durations as stored: rounded to the microsecond the clock measured (schema version 4),
// in a fresh file and in one migrated from version 3; the README's query of failed DNS
// tries counting A and AAAA tries that waited at once only once; and the standard reason
// phrases pageload shows for HTTP/2 agreeing with the status_codes table.
#include <catch2/catch.hpp>

#include "core/http_status.h"
#include "store/migrations.h"
#include "store/store.h"
#include "test_support.h"

using namespace pageload;
using namespace pageload::store;
using namespace pageload::store::testing;

namespace {

using V = std::optional<std::string>;

// A run whose spans end a binary fraction away from a round difference: 1.001 .. 1.025 is
// 0.023999999999999966 by plain subtraction.
Run run_with_awkward_spans() {
  Run run = make_three_hop_run("awkward");
  for (auto& q : run.requests)
    for (auto& p : q.phases)
      if (p.phase == Phase::kWait) p.span = Span{1.001, 1.025};
  for (auto& l : run.dns_lookups) {
    l.span = Span{1.001, 1.025};
    for (auto& q : l.queries) {
      q.span = Span{1.001, 1.025};
      for (auto& a : q.attempts) {
        a.start_ms = 1.001;
        if (a.end_ms) a.end_ms = 1.025;
      }
    }
  }
  return run;
}

// The README's query, as it is printed there.
constexpr const char* kFailedDnsServers = R"(
WITH t AS (  -- each failed try, and the latest end of the tries to that server before it
  SELECT lookup_id, server, outcome, start_ms, end_ms,
         MAX(end_ms) OVER (PARTITION BY lookup_id, server, outcome ORDER BY start_ms, end_ms
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_end
  FROM dns_attempts WHERE outcome IN ('TIMEOUT', 'UNREACHABLE', 'ERROR')),
spans AS (   -- tries that overlapped (A and AAAA, asked at once) form one wait
  SELECT *, SUM(before_end IS NULL OR start_ms > before_end)
              OVER (PARTITION BY lookup_id, server, outcome ORDER BY start_ms, end_ms) AS wait
  FROM t),
waits AS (
  SELECT server, outcome, COUNT(*) AS tries, MAX(end_ms) - MIN(start_ms) AS ms
  FROM spans GROUP BY lookup_id, server, outcome, wait)
SELECT server, outcome, SUM(tries) AS tries, ROUND(SUM(ms), 1) AS ms
FROM waits GROUP BY server, outcome ORDER BY ms DESC;
)";

}  // namespace

TEST_CASE("stored durations are rounded to the microsecond with no binary fraction error") {
  REQUIRE(Span{1.001, 1.025}.duration_ms() == 0.024);
  REQUIRE(1.025 - 1.001 != 0.024);  // what the plain subtraction gave
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = Database::open(path);
  REQUIRE(db.ok());
  Run run = run_with_awkward_spans();
  REQUIRE((*db)->finish_run(run).ok());
  CHECK(query(path, "SELECT COUNT(*) FROM phases WHERE name = 'wait' AND duration_ms <> 0.024") == std::vector<Row>{{V("0")}});
  CHECK(query(path, "SELECT COUNT(*) FROM requests WHERE wait_ms IS NOT NULL AND wait_ms <> 0.024") == std::vector<Row>{{V("0")}});
  CHECK(query(path, "SELECT COUNT(*) FROM timeline WHERE wait_ms IS NOT NULL AND wait_ms <> 0.024") == std::vector<Row>{{V("0")}});
  for (const char* table : {"dns_lookups", "dns_queries", "dns_attempts"}) {
    INFO(table);
    CHECK(query(path, std::string("SELECT COUNT(*) FROM ") + table + " WHERE duration_ms <> 0.024") == std::vector<Row>{{V("0")}});
  }
}

TEST_CASE("a version 3 database is migrated to version 4 with its durations rounded and its rows and references intact") {
  ScratchDir dir;
  const std::string old_path = dir.file("v3.db");
  exec(old_path, read_bytes(PAGELOAD_SCHEMA_V3) + "PRAGMA user_version = 3;");
  exec(old_path,
       "INSERT INTO runs (id, started_at, url, outcome, total_ms) VALUES (1, '2026-11-01T00:00:00Z', 'http://a.test/', 'ok', 9);"
       "INSERT INTO dns_lookups (id, run_id, seq, host, source, start_ms, end_ms, outcome) VALUES (7, 1, 0, 'a.test', 'dns', 1.001, 1.025, 'NOERROR');"
       "INSERT INTO dns_queries (lookup_id, seq, type, outcome, start_ms, end_ms) VALUES (7, 0, 'A', 'NOERROR', 1.001, 1.025);"
       "INSERT INTO dns_attempts (lookup_id, query_seq, seq, server, start_ms, end_ms, outcome) VALUES (7, 0, 0, '127.0.0.1:53', 1.001, 1.025, 'NOERROR');"
       "INSERT INTO dns_steps (lookup_id, seq, query_seq, depth, zone, qname, qtype, start_ms, end_ms, kind) VALUES (7, 0, 0, 0, '.', 'a.test', 'A', 1.001, 1.025, 'referral');"
       "INSERT INTO requests (id, run_id, seq, method, url, reused, start_ms, end_ms, dns_lookup_id) VALUES (10, 1, 0, 'GET', 'http://a.test/', 0, 1.001, 1.025, 7);"
       "INSERT INTO phases (request_id, name, start_ms, end_ms, ok) VALUES (10, 'dns', 1.001, 1.025, 1);");
  REQUIRE(query(old_path, "SELECT duration_ms <> 0.024 FROM phases") == std::vector<Row>{{V("1")}});  // the old column
  {
    auto db = Database::open(old_path);
    REQUIRE(db.ok());
    auto run = (*db)->load_run(1);
    REQUIRE(run.ok());
    REQUIRE(run->dns_lookups.size() == 1);
    CHECK(run->requests.at(0).dns_lookup == 0);
    CHECK(run->dns_lookups[0].queries.at(0).attempts.size() == 1);
    CHECK(run->dns_lookups[0].steps.size() == 1);
  }
  CHECK(*query(old_path, "PRAGMA user_version")[0][0] == std::to_string(detail::kSchemaVersion));
  for (const char* table : {"phases", "dns_lookups", "dns_queries", "dns_attempts", "dns_steps"}) {
    INFO(table);
    CHECK(query(old_path, std::string("SELECT COUNT(*), SUM(duration_ms = 0.024) FROM ") + table) ==
          std::vector<Row>{{V("1"), V("1")}});
  }
  CHECK(query(old_path, "SELECT COUNT(*) FROM pragma_foreign_key_check").at(0).at(0) == V("0"));
  // Deleting the run still cascades through the rebuilt tables.
  exec(old_path, "PRAGMA foreign_keys = ON; DELETE FROM requests; DELETE FROM runs;");
  CHECK(query(old_path, "SELECT (SELECT COUNT(*) FROM dns_lookups) + (SELECT COUNT(*) FROM dns_queries) +"
                        " (SELECT COUNT(*) FROM dns_attempts) + (SELECT COUNT(*) FROM dns_steps)") ==
        std::vector<Row>{{V("0")}});
  // And the file has the tables and columns of a fresh one.
  const std::string new_path = dir.file("fresh.db");
  REQUIRE(Database::open(new_path).ok());
  const char* sql_of = "SELECT type, name, sql FROM sqlite_master WHERE name IN ('phases', 'dns_lookups', 'dns_queries',"
                       " 'dns_attempts', 'dns_steps') ORDER BY name";
  auto squeeze = [](std::vector<Row> rows) {  // the CREATE texts without comments and spacing
    for (auto& row : rows) {
      std::string out, sql = *row[2];
      for (std::size_t i = 0; i < sql.size(); ++i) {
        if (sql.compare(i, 2, "--") == 0) i = sql.find('\n', i);
        if (i == std::string::npos) break;
        if (sql[i] != ' ' && sql[i] != '\n') out += sql[i];
      }
      row[2] = out.substr(out.find('('));  // the table's own name may be quoted after a rename
    }
    return rows;
  };
  CHECK(squeeze(query(old_path, sql_of)) == squeeze(query(new_path, sql_of)));
}

TEST_CASE("the README's failed DNS tries query counts A and AAAA tries that waited at once only once") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = Database::open(path);
  REQUIRE(db.ok());
  Run run = make_three_hop_run("silent");
  DnsLookup& l = run.dns_lookups.at(0);
  // A and AAAA each wait 1000 ms on a silent server at the same time, then ask another.
  l.queries = {DnsQuery{"A", "NOERROR", "ARES_SUCCESS", {0, 1002}, "127.0.0.2:53", {}},
               DnsQuery{"AAAA", "NOERROR", "ARES_SUCCESS", {0, 1003}, "127.0.0.2:53", {}}};
  l.queries[0].attempts = {DnsAttempt{"127.0.0.1:53", 0, 1000, "TIMEOUT"}, DnsAttempt{"127.0.0.2:53", 1000, 1002, "NOERROR"}};
  l.queries[1].attempts = {DnsAttempt{"127.0.0.1:53", 0.5, 1000.5, "TIMEOUT"}, DnsAttempt{"127.0.0.2:53", 1000.5, 1003, "NOERROR"}};
  REQUIRE((*db)->finish_run(run).ok());
  // Two tries, one second: not the two seconds their durations add up to.
  CHECK(query(path, kFailedDnsServers) == std::vector<Row>{{V("127.0.0.1:53"), V("TIMEOUT"), V("2"), V("1000.5")}});
  // The README prints this query.
  const std::string readme = read_bytes(PAGELOAD_README);
  std::string printed = kFailedDnsServers;
  printed = printed.substr(1);  // the raw string's first line break
  CHECK(readme.find(printed) != std::string::npos);
}

TEST_CASE("the standard reason phrases shown for a status without one are the status_codes table's") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  REQUIRE(Database::open(path).ok());
  const auto rows = query(path, "SELECT code, phrase FROM status_codes ORDER BY code");
  REQUIRE(rows.size() > 60);
  for (const auto& row : rows) {
    INFO(*row[0]);
    CHECK(std::string(standard_reason(std::stoi(*row[0]))) == *row[1]);
  }
  CHECK(standard_reason(299).empty());
  CHECK(status_with_reason(200, "", "HTTP/2") == "200 OK (standard phrase; HTTP/2 sends none)");
  CHECK(status_with_reason(200, "Fine", "HTTP/1.1") == "200 Fine");
  CHECK(status_with_reason(204, "", "HTTP/1.1") == "204 No Content (standard phrase; the server sent none)");
  CHECK(status_with_reason(306, "", "HTTP/2") == "306");  // "(Unused)" is no phrase
  CHECK(status_with_reason(299, "", "HTTP/2") == "299");
}
