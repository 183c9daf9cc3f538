// Several writers on one file: WAL and busy_timeout make them wait, never fail.
#include <catch2/catch.hpp>

#include <thread>

#include "store/store.h"
#include "test_support.h"

using namespace pageload;
using namespace pageload::store;
using namespace pageload::store::testing;

TEST_CASE("two databases on one file writing 50 runs each from two threads all succeed") {
  ScratchDir dir;
  const std::string path = dir.file("shared.db");
  constexpr int kRunsEach = 50;
  std::vector<std::string> errors[2];

  auto writer = [&](int who) {
    auto db = Database::open(path);  // both may race to create the schema
    if (!db.ok()) {
      errors[who].push_back(db.status().to_string());
      return;
    }
    for (int i = 0; i < kRunsEach; ++i) {
      Run run = make_three_hop_run("writer" + std::to_string(who));
      run.started_at.clear();
      if (Status s = (*db)->begin_run(run); !s.ok()) errors[who].push_back(s.to_string());
      if (Status s = (*db)->finish_run(run); !s.ok()) errors[who].push_back(s.to_string());
    }
  };
  std::thread a(writer, 0), b(writer, 1);
  a.join();
  b.join();

  CHECK(errors[0].empty());
  CHECK(errors[1].empty());
  for (const auto& e : errors[0]) WARN(e);
  for (const auto& e : errors[1]) WARN(e);
  auto rows = query(path, "SELECT label, COUNT(*), SUM(outcome = 'failed') FROM runs GROUP BY label ORDER BY label");
  REQUIRE(rows.size() == 2);
  CHECK(*rows[0][1] == "50");
  CHECK(*rows[0][2] == "50");
  CHECK(*rows[1][1] == "50");
  CHECK(*query(path, "SELECT COUNT(*) FROM requests")[0][0] == "300");
}
