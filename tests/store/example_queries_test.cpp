// The SQL users are shown (median wait per host, slow DNS, failing DNS servers, redirect
// chain) runs on a database the store wrote and gives the expected answers. A failure
// here means the public schema changed under them.
#include <catch2/catch.hpp>

#include "store/store.h"
#include "test_support.h"

using namespace pageload;
using namespace pageload::store;
using namespace pageload::store::testing;

namespace {

using V = std::optional<std::string>;

constexpr const char* kMedianWaitPerHost = R"(
WITH w AS (
  SELECT host, wait_ms,
         ROW_NUMBER() OVER (PARTITION BY host ORDER BY wait_ms) AS i,
         COUNT(*) OVER (PARTITION BY host) AS n
  FROM requests WHERE wait_ms IS NOT NULL AND error_phase IS NOT 'wait')
SELECT host, AVG(wait_ms) AS median_wait_ms, MAX(n) AS samples
FROM w WHERE i IN ((n + 1) / 2, (n + 2) / 2)
GROUP BY host ORDER BY host)";

constexpr const char* kSlowDnsRuns = R"(
SELECT run_id, label, dns_ms FROM run_summary WHERE dns_ms > 100 ORDER BY started_at)";

// As the README prints it (tests/store/durations_test.cpp checks the overlap).
constexpr const char* kFailedDnsServers = R"(
WITH t AS (
  SELECT lookup_id, server, outcome, start_ms, end_ms,
         MAX(end_ms) OVER (PARTITION BY lookup_id, server, outcome ORDER BY start_ms, end_ms
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_end
  FROM dns_attempts WHERE outcome IN ('TIMEOUT', 'UNREACHABLE', 'ERROR')),
spans AS (
  SELECT *, SUM(before_end IS NULL OR start_ms > before_end)
              OVER (PARTITION BY lookup_id, server, outcome ORDER BY start_ms, end_ms) AS wait
  FROM t),
waits AS (
  SELECT server, outcome, COUNT(*) AS tries, MAX(end_ms) - MIN(start_ms) AS ms
  FROM spans GROUP BY lookup_id, server, outcome, wait)
SELECT server, outcome, SUM(tries) AS tries, ROUND(SUM(ms), 1) AS ms
FROM waits GROUP BY server, outcome ORDER BY ms DESC)";

constexpr const char* kRedirectChain = R"(
SELECT r.seq, r.redirect_from, r.status, s.phrase, r.url, r.redirect_url
FROM requests r LEFT JOIN status_codes s ON s.code = r.status
WHERE r.run_id = (SELECT id FROM runs WHERE label = 'slow-dns') ORDER BY r.seq)";

}  // namespace

TEST_CASE("the example queries for users answer correctly on stored runs") {
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  auto db = Database::open(path);
  REQUIRE(db.ok());
  // Waits on b.test: hop 0 14.5, hop 1 14.75 per run; the third run waits longer.
  for (int i = 0; i < 3; ++i) {
    Run run = make_three_hop_run(i == 2 ? "slow-dns" : "normal");
    run.started_at = "2026-11-25T05:0" + std::to_string(i) + ":00.000000Z";
    if (i == 2) {
      run.dns_lookups[0].span.end_ms = 150.5;
      run.requests[0].phases[0].span.end_ms = 150.5;  // dns 150 ms
      run.requests[1].phases[1].span.end_ms = 140.25;  // wait 100 ms
    }
    REQUIRE((*db)->finish_run(run).ok());
  }

  // b.test waits: 14.5, 14.5, 14.5, 14.75, 14.75, 100 -> median (14.5 + 14.75) / 2.
  CHECK(query(path, kMedianWaitPerHost) == std::vector<Row>{Row{V("b.test"), V("14.625"), V("6")}});

  // Each run's AAAA query found nothing listening on its first server (0.25 ms); the
  // A query's unanswered try (NULL outcome) is not a failure.
  CHECK(query(path, kFailedDnsServers) == std::vector<Row>{Row{V("127.0.0.1:5353"), V("UNREACHABLE"), V("3"), V("0.8")}});

  auto slow = query(path, kSlowDnsRuns);
  REQUIRE(slow.size() == 1);
  CHECK(slow[0][1] == V("slow-dns"));
  CHECK(slow[0][2] == V("150.0"));

  auto chain = query(path, kRedirectChain);
  REQUIRE(chain.size() == 3);
  CHECK(chain[0] == Row{V("0"), {}, V("301"), V("Moved Permanently"), V("https://b.test/"), V("https://b.test/x")});
  CHECK(chain[1] == Row{V("1"), V("0"), V("302"), V("Found"), V("https://b.test/x"), V("http://c.test/")});
  CHECK(chain[2] == Row{V("2"), V("1"), {}, {}, V("http://c.test/"), {}});
}

// The README's ```sql blocks themselves, read from README.md: each must run on a database
// the store wrote (a renamed column would break them, and the users who copy them).
TEST_CASE("every SQL example in the README runs on a stored database") {
  const std::string readme = read_bytes(PAGELOAD_README);
  std::vector<std::string> blocks;
  for (std::size_t at = readme.find("```sql\n"); at != std::string::npos; at = readme.find("```sql\n", at)) {
    at += 7;
    const std::size_t end = readme.find("```", at);
    REQUIRE(end != std::string::npos);
    blocks.push_back(readme.substr(at, end - at));
    at = end + 3;
  }
  REQUIRE(blocks.size() >= 5);
  ScratchDir dir;
  const std::string path = dir.file("runs.db");
  {
    auto db = Database::open(path);
    REQUIRE(db.ok());
    Run run = make_three_hop_run("before");
    REQUIRE((*db)->finish_run(run).ok());
  }
  for (const auto& sql : blocks) {
    INFO(sql);
    CHECK_NOTHROW(query(path, sql));
  }
}
