// DNS server strings as users write them.
#include <catch2/catch.hpp>

#include "dns/server_list.h"

using namespace pageload;
using namespace pageload::dns;

TEST_CASE("server strings are normalised to ADDR:PORT") {
  CHECK(normalize_server("127.0.0.1").value() == "127.0.0.1:53");
  CHECK(normalize_server("127.0.0.1:5353").value() == "127.0.0.1:5353");
  CHECK(normalize_server("::1").value() == "[::1]:53");
  CHECK(normalize_server("[::1]").value() == "[::1]:53");
  CHECK(normalize_server("[::1]:5353").value() == "[::1]:5353");
}

TEST_CASE("a server that is not a numeric address with a good port is refused") {
  for (const char* bad : {"", "localhost", "dns.example:53", "127.0.0.1:", "127.0.0.1:0",
                          "127.0.0.1:65536", "127.0.0.1:53x", "[::1", "[::1]x", "[::1]:",
                          "[127.0.0.1]:53", "1.2.3:53", "::1:53:"}) {
    INFO("'" << bad << "'");
    auto s = normalize_server(bad);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == Code::kUsage);
  }
}

TEST_CASE("a list fails on its first bad server and joins as CSV") {
  CHECK_FALSE(normalize_servers({"127.0.0.1", "nope"}).ok());
  auto list = normalize_servers({"127.0.0.1", "[::1]:54"});
  REQUIRE(list.ok());
  CHECK(servers_csv(list.value()) == "127.0.0.1:53,[::1]:54");
}
