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

// Ctrl-C left the run 'running' forever with none of what it had measured.
TEST_CASE("SIGINT or SIGTERM during a load stores the run as interrupted with the phases it measured") {
  auto& lab = shared_lab();
  struct Case {
    int signo;
    std::string url;
    const char* phase;  // where the load was when the signal came
  };
  for (const Case& c : {Case{SIGINT, lab.http_url("www.test", "/delay/5000"), "wait"},
                        Case{SIGTERM, lab.http_url("silent.test", "/"), "dns"}}) {
    INFO(c.url);
    TempDb tmp;
    Process slow(lab_run_args(tmp.path(), c.url), tmp.dir() + "/slow");
    bool running = false;
    for (int i = 0; i < 500 && !running; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      try {  // the file may exist before its schema does
        Peek db(tmp.path());
        running = db.value("SELECT COUNT(*) FROM runs WHERE outcome = 'running'") == "1";
      } catch (const std::exception&) {
      }
    }
    REQUIRE(running);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into the slow phase
    slow.signal(c.signo);
    CHECK(slow.wait() == 128 + c.signo);
    Peek db(tmp.path());
    CHECK(db.value("SELECT outcome || ' ' || error_class FROM runs") == "failed interrupted");
    CHECK(db.value("SELECT error_phase FROM requests") == c.phase);
    CHECK(db.value("SELECT COUNT(*) FROM phases WHERE ok = 0 AND error_class = 'interrupted' AND name = '" +
                   std::string(c.phase) + "'") == "1");
    if (std::string(c.phase) == "wait") {
      CHECK(db.value("SELECT group_concat(name) FROM (SELECT name FROM phases WHERE ok = 1 ORDER BY start_ms)") ==
            "dns,connect,send");
      CHECK(std::stod(db.value("SELECT duration_ms FROM phases WHERE name = 'wait'")) >= 250);
    }
    CHECK(db.value("PRAGMA integrity_check") == "ok");
  }
}
