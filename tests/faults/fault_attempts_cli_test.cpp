// Address attempts with their times (issue 11), as a user reads them: the summary's note
// under the request, `show`'s lines per connection and --json.
#include "faults/fault_support.h"
#include "fixtures/skip.h"

#include <nlohmann/json.hpp>

using namespace pageload;
using namespace pageload::testing;

TEST_CASE("the summary and show give each address tried its time, and name curl's happy-eyeballs delay") {
  if (shared_lab().also_bound().empty()) {
    SKIP_OR_FAIL("no IPv6 loopback here: " << shared_lab().also_unavailable());
    return;
  }
  TempDb tmp;
  const std::string url =
      "http://dual.test:" + std::to_string(shared_lab().fault_port(lab::FaultPort::kBacklogFull)) + "/ok";
  auto r = pageload_cli(lab_args({"--db", tmp.path(), url}), tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("connect tries: 127.0.0.1:") != std::string::npos);
  CHECK(r.out.find("(curl's 200 ms happy-eyeballs delay), connected in") != std::string::npos);
  auto show = pageload_cli({"show", "--db", tmp.path()}, tmp.dir());
  INFO(show.out);
  CHECK(show.out.find("  tried      127.0.0.1:") != std::string::npos);
  CHECK(show.out.find(", after curl's 200 ms happy-eyeballs delay: connected after ") != std::string::npos);
  auto json = pageload_cli({"show", "--json", "--db", tmp.path()}, tmp.dir());
  auto j = nlohmann::json::parse(json.out);
  const auto& attempts = j["connections"][0]["attempts"];
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[1]["after_fallback_delay"] == true);
  CHECK(attempts[1]["start_ms"].get<double>() - attempts[0]["start_ms"].get<double>() >= 198);
}

TEST_CASE("a connection that connected at its first address has no attempts note") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().http_url("www.test", "/status/200")}), tmp.dir());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("connect tries") == std::string::npos);
}
