#include <catch2/catch.hpp>

#include "pageload/result.h"

using namespace pageload;

TEST_CASE("every code round-trips through its stable name") {
  for (int i = 0; i <= static_cast<int>(Code::kInternal); ++i) {
    Code c = static_cast<Code>(i);
    CHECK(code_from_name(code_name(c)) == c);
  }
}

TEST_CASE("codes map to the documented exit statuses") {
  CHECK(Status(Code::kDnsNxdomain, "").exit_status() == 3);
  CHECK(Status(Code::kConnectRefused, "").exit_status() == 3);
  CHECK(Status(Code::kBadUrl, "").exit_status() == 2);
  CHECK(Status(Code::kDatabase, "").exit_status() == 4);
}

TEST_CASE("a run's exit status follows its outcome") {
  Run r;
  r.outcome = Outcome::kOk;
  CHECK(r.exit_status() == 0);
  r.outcome = Outcome::kHttpError;
  CHECK(r.exit_status() == 1);
  r.outcome = Outcome::kFailed;
  r.failure = Failure{Code::kTlsCertExpired, "expired"};
  CHECK(r.exit_status() == 3);
}

TEST_CASE("phase names round-trip and the table is in enum order") {
  for (const auto& info : kPhases) CHECK(phase_from_name(info.name) == info.phase);
  CHECK_FALSE(phase_from_name("bogus").has_value());
}
