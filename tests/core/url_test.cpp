#include <catch2/catch.hpp>

#include "core/url.h"

using namespace pageload;

static Url must_parse(const char* text) {
  auto u = parse_url(text);
  REQUIRE(u.ok());
  return u.value();
}

TEST_CASE("an http URL parses into scheme, host, default port and target") {
  Url u = must_parse("http://Example.TEST/a/b?c=d");
  CHECK(u.scheme == "http");
  CHECK(u.host == "example.test");
  CHECK(u.port == 80);
  CHECK(u.target == "/a/b?c=d");
  CHECK_FALSE(u.host_is_ip);
  CHECK(u.origin() == "http://example.test:80");
}

TEST_CASE("an https URL gets port 443 and an explicit port wins") {
  CHECK(must_parse("https://a.test/").port == 443);
  CHECK(must_parse("https://a.test:8443/").port == 8443);
}

TEST_CASE("IP literals are recognised so no DNS lookup is made") {
  CHECK(must_parse("http://127.0.0.1:8080/").host_is_ip);
  Url v6 = must_parse("http://[::1]:8080/x");
  CHECK(v6.host_is_ip);
  CHECK(v6.host == "::1");
}

TEST_CASE("an IDN host is converted to punycode") {
  Url u = must_parse("http://bücher.test/");
  CHECK(u.host == "xn--bcher-kva.test");
}

// curl 7.88 returns its copy of the host even when the punycode conversion fails; that
// copy leaked (found by tests/fuzz/fuzz_url; LeakSanitizer fails this test under
// PAGELOAD_SANITIZE=ON if it comes back).
TEST_CASE("a host that is not valid UTF-8 is refused without leaking curl's copy of it") {
  auto u = parse_url("http://b\xfc" "cher.test/");  // Latin-1 "bücher"
  REQUIRE_FALSE(u.ok());
  CHECK(u.status().code() == Code::kBadUrl);
}

// curl decoded "%30" to "27.0" without rewriting it as the IPv4 address it is, so the
// host was looked up in DNS and parse_url(full) changed it (found by tests/fuzz/fuzz_url).
TEST_CASE("a percent-encoded IPv4 host becomes the address a browser connects to") {
  Url u = must_parse("http://27.%30/x");
  CHECK(u.host == "27.0.0.0");
  CHECK(u.host_is_ip);
  CHECK(u.full == "http://27.0.0.0/x");
  CHECK(must_parse(u.full.c_str()).full == u.full);
  auto next = resolve_location(must_parse("http://www.test/"), "http://127.0.%31:8080/y");
  REQUIRE(next.ok());
  CHECK(next->host == "127.0.0.1");
  CHECK(next->host_is_ip);
}

TEST_CASE("bad URLs are refused with kBadUrl and a message naming the problem") {
  auto none = parse_url("example.com");
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().code() == Code::kBadUrl);
  CHECK(none.status().message().find("no scheme") != std::string::npos);

  auto ftp = parse_url("ftp://a.test/");
  REQUIRE_FALSE(ftp.ok());
  CHECK(ftp.status().message().find("unsupported scheme 'ftp'") != std::string::npos);

  CHECK_FALSE(parse_url("http://a.test:99999/").ok());
  CHECK_FALSE(parse_url("http://a.test:port/").ok());
  CHECK_FALSE(parse_url("http://a b.test/").ok());
  CHECK_FALSE(parse_url("").ok());
  CHECK_FALSE(parse_url("http://a.test/" + std::string(20000, 'x')).ok());
}

TEST_CASE("a relative Location resolves against the hop's URL") {
  Url base = must_parse("http://a.test:8080/dir/page?x=1");
  auto check = [&](const char* loc, const char* want) {
    auto r = resolve_location(base, loc);
    INFO(loc);
    REQUIRE(r.ok());
    CHECK(r->full == want);
  };
  check("/next", "http://a.test:8080/next");
  check("next", "http://a.test:8080/dir/next");
  check("../up", "http://a.test:8080/up");
  check("?q=2", "http://a.test:8080/dir/page?q=2");
  check("//b.test/x", "http://b.test/x");
  check("https://b.test:9443/y", "https://b.test:9443/y");
}

TEST_CASE("a Location to another scheme is refused as a bad redirect") {
  Url base = must_parse("http://a.test/");
  for (const char* loc : {"javascript:alert(1)", "file:///etc/passwd", "ftp://a.test/", "data:text/html,hi"}) {
    INFO(loc);
    auto r = resolve_location(base, loc);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kBadRedirect);
  }
  CHECK(resolve_location(base, "").status().code() == Code::kBadRedirect);
  CHECK(resolve_location(base, std::string(100000, 'a')).status().code() == Code::kBadRedirect);
}

TEST_CASE("a Location with spaces is percent-encoded as browsers do") {
  Url base = must_parse("http://a.test/");
  auto r = resolve_location(base, "/a b");
  REQUIRE(r.ok());
  CHECK(r->full == "http://a.test/a%20b");
}

// "http://WWW.TEST/x" was kept upper-case in the full URL, so a Location back to the same
// page with an upper-case host was a new URL and the loop was caught one hop late.
TEST_CASE("an upper-case host is lower-cased in the full URL, as browsers normalise it") {
  CHECK(must_parse("http://WWW.Test:8080/A?B").full == "http://www.test:8080/A?B");
  auto r = resolve_location(must_parse("http://www.test/x"), "http://WWW.TEST/x");
  REQUIRE(r.ok());
  CHECK(r->full == "http://www.test/x");
  CHECK(r->host == "www.test");
}

// A Location of "\\host\path" was taken as a relative path; browsers (WHATWG URL) read
// a backslash as a slash in http and https URLs, up to the query.
TEST_CASE("a backslash in a Location is a slash before the query, as in browsers") {
  Url base = must_parse("http://a.test/dir/page");
  auto check = [&](const char* loc, const char* want) {
    auto r = resolve_location(base, loc);
    INFO(loc);
    REQUIRE(r.ok());
    CHECK(r->full == want);
  };
  check("\\\\b.test\\x", "http://b.test/x");
  check("/\\b.test/x", "http://b.test/x");
  check("\\next", "http://a.test/next");
  check("sub\\next", "http://a.test/dir/sub/next");
  check("http:\\\\b.test\\y", "http://b.test/y");
  check("/q?a=\\b", "http://a.test/q?a=\\b");
}
