// Odd but legal answers that were read differently from a browser (issue 8): a Location
// with the host in upper case, a Location with backslashes, DNS TTLs with the top bit
// set, and bidirectional controls in what a server sends, shown in the report.
#include "faults/fault_support.h"

#include <nlohmann/json.hpp>

using namespace pageload;
using namespace pageload::testing;

// A Location to the same URL with the host in upper case was requested once more (the
// loop caught a hop late) and the host kept its case.
TEST_CASE("a Location back to the same URL with an upper-case host is a loop at once") {
  Run run = load_and_store(fault_options(shared_lab().fault_url("fault.test", "/upper-loop")));
  REQUIRE(run.failure);
  CHECK(run.failure->code == Code::kRedirectLoop);
  REQUIRE(run.requests.size() == 1);
  CHECK(run.requests[0].redirect_url == shared_lab().fault_url("fault.test", "/upper-loop"));
  CHECK(run.requests[0].location.find("http://FAULT.TEST:") == 0);  // stored as sent
}

// "\\host\path" was resolved as a relative path; browsers read it as "//host/path".
TEST_CASE("a Location with backslashes is followed as browsers follow it") {
  Run run = load_and_store(fault_options(shared_lab().fault_url("fault.test", "/backslash")));
  INFO((run.failure ? run.failure->message : ""));
  CHECK(run.outcome == Outcome::kOk);
  REQUIRE(run.requests.size() == 2);
  CHECK(run.requests[0].redirect_url == shared_lab().fault_url("fault.test", "/ok?q=a\\b"));
  CHECK(run.requests[1].status == 200);
}

// A TTL of 2^31 or more was stored negative.
TEST_CASE("a DNS TTL of 2^31 or more is stored, shown and printed as the server sent it") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", shared_lab().http_url("ttl-4294967295.test", "/")}),
                        tmp.dir());
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["dns_lookups"][0]["answers"][0]["ttl"] == 4294967295u);
  auto show = pageload_cli({"show", "--db", tmp.path()}, tmp.dir());
  CHECK(show.out.find("ttl 4294967295") != std::string::npos);
  CHECK(show.out.find("ttl -") == std::string::npos);
  // RFC 2181 8: such a TTL counts as 0, so a second hop to the host asks again.
  Run run = load_and_store(fault_options(shared_lab().http_url(
      "ttl-2147483648.test", "/redirect/302?to=" + shared_lab().http_url("ttl-2147483648.test", "/status/200"))));
  REQUIRE(run.requests.size() == 2);
  REQUIRE(run.dns_lookups.size() >= 1);
  CHECK(run.dns_lookups[0].answers.at(0).ttl == 2147483648u);
  for (const auto& l : run.dns_lookups) CHECK(l.source != "cache");
}

// U+202E from a server was drawn raw by the report (the terminal escaped it).
TEST_CASE("a right-to-left override from a server is escaped in the report as in the terminal") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200?reason=OK%E2%80%AEgpj.exe");
  auto r = pageload_cli({"run", "--dns-server", shared_lab().dns_server(), "--db", tmp.path(), "--html",
                         tmp.dir() + "/r.html", url},
                        tmp.dir());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("\u202E") == std::string::npos);
  CHECK(r.out.find("OK\\u{202e}gpj.exe") != std::string::npos);
  const std::string html = slurp(tmp.dir() + "/r.html");
  CHECK(html.find("\u202E") == std::string::npos);
  CHECK(html.find("OK\\u{202e}gpj.exe") != std::string::npos);
}
