// A pageload process killed with SIGKILL in the middle of a load.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "durability/process.h"
#include "fixtures/lab_fixture.h"

using namespace pageload::testing;

namespace {

std::vector<std::string> lab_run_args(const std::string& db, const std::string& url) {
  auto& lab = shared_lab();
  return {"run", "--dns-server", lab.dns_server(), "--cacert", lab.ca_file(), "--db", db, "--no-html", "--quiet", url};
}

}  // namespace

TEST_CASE("kill -9 during a load leaves an intact database and the run visible as running") {
  TempDb tmp;
  auto& lab = shared_lab();
  // Earlier runs: a redirect chain over TLS (several hops, connections, DNS rows) and a 404.
  for (const auto& url : {lab.https_url("secure.test", "/chain/301,302"), lab.http_url("www.test", "/status/404"),
                          lab.http_url("cname-2.www.test", "/")}) {
    Process p(lab_run_args(tmp.path(), url), tmp.dir() + "/earlier");
    int status = p.wait();
    INFO(p.err());
    REQUIRE((status == 0 || status == 1));
  }
  std::string before;
  {
    Peek db(tmp.path());
    REQUIRE(db.value("SELECT COUNT(*) FROM runs") == "3");
    before = dump_runs(db, 3);
  }

  Process slow(lab_run_args(tmp.path(), lab.http_url("www.test", "/delay/5000")), tmp.dir() + "/slow");
  bool running = false;
  for (int i = 0; i < 500 && !running; ++i) {  // up to 5 s for the 'running' row to appear
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    Peek db(tmp.path());
    running = db.value("SELECT COUNT(*) FROM runs WHERE outcome = 'running'") == "1";
  }
  REQUIRE(running);
  slow.kill_hard();
  CHECK(slow.wait() == 128 + SIGKILL);

  {
    Peek db(tmp.path());
    CHECK(db.value("PRAGMA integrity_check") == "ok");
    CHECK(db.value("PRAGMA foreign_key_check") == "");
    CHECK(dump_runs(db, 3) == before);
    CHECK(db.value("SELECT id || ' ' || outcome || ' ' || url FROM runs WHERE id > 3") ==
          "4 running " + lab.http_url("www.test", "/delay/5000"));
  }
  // `pageload list` shows it as not finished, and the database takes new runs.
  Process list({"list", "--db", tmp.path()}, tmp.dir() + "/list");
  CHECK(list.wait() == 0);
  CHECK(list.out().find("running") != std::string::npos);
  Process after(lab_run_args(tmp.path(), lab.http_url("www.test", "/")), tmp.dir() + "/after");
  CHECK(after.wait() == 0);
  Peek db(tmp.path());
  CHECK(db.value("SELECT COUNT(*) FROM runs WHERE outcome IN ('ok', 'http_error')") == "4");
  CHECK(db.value("SELECT outcome FROM runs WHERE id = 4") == "running");
}
