// Two pageload processes writing one database file at once.
#include <catch2/catch.hpp>

#include <fstream>

#include "durability/process.h"
#include "fixtures/lab_fixture.h"

using namespace pageload::testing;

namespace {

std::vector<std::string> lab_run_args(const std::string& db, const std::string& input) {
  auto& lab = shared_lab();
  return {"run", "--dns-server", lab.dns_server(), "--cacert", lab.ca_file(), "--db", db,
          "--input", input, "--no-html", "--quiet", "--parallel", "4"};
}

}  // namespace

TEST_CASE("two processes writing 100 runs each to one database store all 200, none locked out") {
  TempDb tmp;
  for (int p = 0; p < 2; ++p) {
    std::ofstream input(tmp.dir() + "/urls" + std::to_string(p));
    for (int i = 0; i < 100; ++i)
      input << shared_lab().http_url("www.test", "/status/200?p=" + std::to_string(p) + "&i=" + std::to_string(i))
            << "\n";
  }
  // Neither creates the file first: both race to create it and switch it to WAL.
  Process a(lab_run_args(tmp.path(), tmp.dir() + "/urls0"), tmp.dir() + "/a");
  Process b(lab_run_args(tmp.path(), tmp.dir() + "/urls1"), tmp.dir() + "/b");
  int status_a = a.wait(), status_b = b.wait();
  INFO("a stderr: " << a.err());
  INFO("b stderr: " << b.err());
  CHECK(status_a == 0);
  CHECK(status_b == 0);
  CHECK(a.err().find("locked") == std::string::npos);
  CHECK(b.err().find("locked") == std::string::npos);

  Peek db(tmp.path());
  CHECK(db.value("SELECT COUNT(*) FROM runs") == "200");
  CHECK(db.value("SELECT COUNT(*) FROM runs WHERE outcome = 'ok' AND final_status = 200") == "200");
  CHECK(db.value("SELECT COUNT(DISTINCT url) FROM runs") == "200");
  CHECK(db.value("SELECT COUNT(*) FROM requests") == "200");
  CHECK(db.value("PRAGMA integrity_check") == "ok");
}
