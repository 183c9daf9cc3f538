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

TEST_CASE("a header with nothing after its colon removes it, as in curl, and the semicolon form does not") {
  CHECK(removes_header("Accept:"));
  CHECK(removes_header("User-Agent:  "));
  CHECK_FALSE(removes_header("X-Empty;"));
  CHECK_FALSE(removes_header("Accept: text/html"));
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

// '*:PORT:ADDR', '+HOST:...' and '-HOST:PORT' were taken and then never applied (review of
// issue 11, #14).
TEST_CASE("the --resolve flag takes curl's wildcard host and plus prefix, and refuses the minus form by name") {
  auto any = parse_resolve("*:8080:127.0.0.1");
  REQUIRE(any.ok());
  CHECK(any->host == "*");
  CHECK(any->port == 8080);
  auto plus = parse_resolve("+a.test:443:127.0.0.2");
  REQUIRE(plus.ok());
  CHECK(plus->host == "a.test");
  CHECK(plus->addresses == std::vector<std::string>{"127.0.0.2"});
  auto minus = parse_resolve("-a.test:443");
  REQUIRE_FALSE(minus.ok());
  CHECK(minus.status().code() == Code::kUsage);
  CHECK(minus.status().message().find("curl's --resolve '-HOST:PORT'") != std::string::npos);
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
TEST_CASE("the --dns-root flag takes what --dns-server takes, and its errors name --dns-root") {
  CHECK(parse_dns_server("127.0.0.53:5300", "--dns-root").ok());
  CHECK(parse_dns_server("[::1]:53", "--dns-root").ok());
  auto bad = parse_dns_server("a.root-servers.net", "--dns-root");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().rfind("--dns-root 'a.root-servers.net'", 0) == 0);
}

// `--dns-root 127.0.0.53:` reached std::stoi with "" and ended as "internal error: stoi", exit 4.
TEST_CASE("a --dns-root or --dns-server with an empty port is a usage error naming the empty port") {
  for (const char* text : {"127.0.0.53:", "[::1]:"}) {
    auto bad = parse_dns_server(text, "--dns-root");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().code() == pageload::Code::kUsage);
    CHECK(bad.status().message().find("empty port") != std::string::npos);
  }
}

TEST_CASE("an address with a NUL inside is not an IP address") {
  using namespace std::string_literals;
  CHECK_FALSE(parse_dns_server("::\0A: 1b\r\nC: d"s).ok());
  CHECK_FALSE(parse_dns_server("127.0.0.1\0junk"s).ok());
  CHECK_FALSE(parse_resolve("www.test:80:127.0.0.1\0junk"s).ok());
}

TEST_CASE("time limits are seconds turned into whole milliseconds, rounded up") {
  CHECK(parse_seconds("10", "--max-time").value() == 10000);
  CHECK(parse_seconds("0.5", "--max-time").value() == 500);
  CHECK(parse_seconds("0.0001", "--max-time").value() == 1);  // never 0, which means "no limit"
  CHECK(parse_seconds("86400", "--max-time").value() == 86400000);
}

// "nan" passed the range check and became no limit at all: a load could hang forever.
TEST_CASE("a time limit that is not a finite positive number is a usage error naming the flag") {
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "0", "-1", "0.0", "86401", "1e999", "", "5s", "1,5"}) {
    INFO("'" << bad << "'");
    auto ms = parse_seconds(bad, "--connect-timeout");
    REQUIRE_FALSE(ms.ok());
    CHECK(ms.status().code() == Code::kUsage);
    CHECK(ms.status().message().find("--connect-timeout") != std::string::npos);
  }
}

TEST_CASE("a user agent with a line break is refused, so -A cannot inject a header") {
  CHECK(check_user_agent("Mozilla/5.0 (X11; Linux x86_64)").ok());
  for (std::string bad : {std::string("UA\r\nInjected: yes"), std::string("UA\nX: y"), std::string("UA\0X", 4)}) {
    Status s = check_user_agent(bad);
    CHECK(s.code() == Code::kUsage);
  }
}

TEST_CASE("a -u USER:PASSWORD becomes curl's Basic authorization, and a user without a password is refused") {
  auto h = pageload::cli::parse_user("user:pw");
  REQUIRE(h.ok());
  CHECK(h.value() == pageload::Header{"Authorization", "Basic dXNlcjpwdw=="});
  auto colon = pageload::cli::parse_user("a:b:c");  // the first colon splits, as in curl
  REQUIRE(colon.ok());
  CHECK(colon.value().second == "Basic YTpiOmM=");
  CHECK(pageload::cli::parse_user("user").status().code() == pageload::Code::kUsage);
  CHECK_FALSE(pageload::cli::parse_user("user:p\nw").ok());
}

TEST_CASE("a count flag given a word says it is not a whole number, not that it is out of range") {
  CHECK(check_whole_number("abc", 1, 100000) == "abc is not a whole number");
  CHECK(check_whole_number("12abc", 1, 100000) == "12abc is not a whole number");
  CHECK(check_whole_number("", 1, 100000) == " is not a whole number");
  CHECK(check_whole_number("0", 1, 100000) == "0 is out of range: 1 to 100000");
  CHECK(check_whole_number("99999999999999999999", 1, 100000) == "99999999999999999999 is out of range: 1 to 100000");
  CHECK(check_whole_number("50", 1, 100000).empty());
  CHECK(check_whole_number("0", 0, 20).empty());
}

TEST_CASE("the --connect-to flag takes curl's HOST1:PORT1:HOST2:PORT2 with any field empty") {
  auto full = parse_connect_to("Alias.Test:443:www.test:8443");
  REQUIRE(full.ok());
  CHECK(full->host == "alias.test");  // names match whatever their case
  CHECK(full->port == 443);
  CHECK(full->to_host == "www.test");
  CHECK(full->to_port == 8443);
  CHECK(full->text == "Alias.Test:443:www.test:8443");
  auto any = parse_connect_to(":::");
  REQUIRE(any.ok());
  CHECK(any->host.empty());
  CHECK_FALSE(any->port);
  CHECK(any->to_host.empty());
  CHECK_FALSE(any->to_port);
  auto port_only = parse_connect_to("a.test:80::8080");
  REQUIRE(port_only.ok());
  CHECK(port_only->to_host.empty());
  CHECK(port_only->to_port == 8080);
  auto v6 = parse_connect_to("[::1]:443:[fe80::1]:");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->to_host == "fe80::1");
  CHECK_FALSE(v6->to_port);
  auto v4 = parse_connect_to("::127.0.0.1:8080");
  REQUIRE(v4.ok());
  CHECK(v4->to_host == "127.0.0.1");
}

TEST_CASE("a --connect-to value that is not four fields, or has a bad port or host, is a usage error naming it") {
  for (const char* bad : {"", "a.test", "a.test:80", "a.test:80:b.test", "::", "a.test:0:b.test:80",
                          "a.test:80:b.test:65536", "a.test:x:b.test:80", "a.test:80:b.test:80:1", "[::1:80:b.test:80",
                          "[nope]:80:b.test:80", "a.test:80:b test:80", "a.test:80:b.test/x:80", "a.test:80:u@b.test:80",
                          "a.test:80:b.test:-1"}) {
    INFO(bad);
    auto c = parse_connect_to(bad);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == Code::kUsage);
    CHECK(c.status().message().find("--connect-to needs HOST1:PORT1:HOST2:PORT2") != std::string::npos);
  }
}

TEST_CASE("the -U flag needs USER:PASSWORD and no line break") {
  auto u = parse_proxy_user("lab:se:cret");
  REQUIRE(u.ok());
  CHECK(u.value() == "lab:se:cret");
  CHECK_FALSE(parse_proxy_user("lab").ok());
  CHECK_FALSE(parse_proxy_user("lab:x\r\nX-Injected: 1").ok());
  CHECK_FALSE(parse_proxy_user(std::string("lab:x\0y", 7)).ok());
}

TEST_CASE("may_name_unsupported_curl_flag sees curl's flags pageload refuses, alone, with =VALUE or in a group") {
  using pageload::cli::may_name_unsupported_curl_flag;
  CHECK(may_name_unsupported_curl_flag({"run", "--form", "x"}));
  CHECK(may_name_unsupported_curl_flag({"run", "--limit-rate=1k", "http://a/"}));
  CHECK(may_name_unsupported_curl_flag({"run", "-F", "x"}));
  CHECK(may_name_unsupported_curl_flag({"run", "-sF", "x"}));
  CHECK(may_name_unsupported_curl_flag({"run", "-Fx=y"}));
  // pageload's own flags, values and URLs are none of them.
  CHECK_FALSE(may_name_unsupported_curl_flag({"run", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://a/"}));
  CHECK_FALSE(may_name_unsupported_curl_flag({"run", "--http1.1", "--db", "x.db", "-H", "X-A: b", "https://a/-F"}));
  CHECK_FALSE(may_name_unsupported_curl_flag({}));
}
