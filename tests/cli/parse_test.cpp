#include <catch2/catch.hpp>

#include "cli/parse.h"

using namespace pageload;
using namespace pageload::cli;

TEST_CASE("the -H flag takes curl's 'Name: value' form") {
  auto h = parse_header("X-Test:  a b ");
  REQUIRE(h.ok());
  CHECK(h->first == "X-Test");
  CHECK(h->second == "a b");
  auto empty = parse_header("X-Empty;");
  REQUIRE(empty.ok());
  CHECK(empty->second.empty());
}

TEST_CASE("malformed -H values are usage errors") {
  for (const char* bad : {"NoColon", ": value", "Bad Name: v", "X: a\r\nInjected: 1"}) {
    INFO(bad);
    auto h = parse_header(bad);
    REQUIRE_FALSE(h.ok());
    CHECK(h.status().code() == Code::kUsage);
  }
}

TEST_CASE("the --resolve flag takes HOST:PORT:ADDR with several addresses and IPv6 in brackets") {
  auto r = parse_resolve("a.test:8443:127.0.0.1,[::1]");
  REQUIRE(r.ok());
  CHECK(r->host == "a.test");
  CHECK(r->port == 8443);
  CHECK(r->addresses == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK_FALSE(parse_resolve("a.test:80").ok());
  CHECK_FALSE(parse_resolve("a.test:x:127.0.0.1").ok());
  CHECK_FALSE(parse_resolve("a.test:80:not-an-ip").ok());
}

TEST_CASE("the --dns-server flag takes an address with an optional port") {
  CHECK(parse_dns_server("127.0.0.1").ok());
  CHECK(parse_dns_server("127.0.0.1:5353").ok());
  CHECK(parse_dns_server("[::1]:53").ok());
  CHECK(parse_dns_server("::1").ok());
  CHECK_FALSE(parse_dns_server("dns.example:53").ok());
  CHECK_FALSE(parse_dns_server("127.0.0.1:99999").ok());
}

// inet_pton stops at a NUL, so "::" followed by anything passed (found by tests/fuzz/fuzz_cli_parse).
TEST_CASE("an address with a NUL inside is not an IP address") {
  using namespace std::string_literals;
  CHECK_FALSE(parse_dns_server("::\0A: 1b\r\nC: d"s).ok());
  CHECK_FALSE(parse_dns_server("127.0.0.1\0junk"s).ok());
  CHECK_FALSE(parse_resolve("www.test:80:127.0.0.1\0junk"s).ok());
}
