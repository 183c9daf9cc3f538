// Odd but legal answers that were read differently from a browser (issue 8): a Location
// with the host in upper case, a Location with backslashes, DNS TTLs with the top bit
// set, and bidirectional controls in what a server sends, shown in the report.
#include "faults/fault_support.h"

#include <nlohmann/json.hpp>

using namespace pageload;
using namespace pageload::testing;

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
