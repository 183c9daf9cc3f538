#include <catch2/catch.hpp>

#include "core/redact.h"

using namespace pageload;

TEST_CASE("secret headers are recognised whatever their case") {
  CHECK(is_secret_header("Authorization"));
  CHECK(is_secret_header("proxy-authorization"));
  CHECK(is_secret_header("COOKIE"));
  CHECK(is_secret_header("Set-Cookie"));
  CHECK_FALSE(is_secret_header("Content-Type"));
}

TEST_CASE("redaction keeps the auth scheme and cookie names but not the secrets") {
  CHECK(redact_value("Authorization", "Bearer abc.def") == "Bearer [redacted]");
  CHECK(redact_value("Authorization", "abc") == "[redacted]");
  CHECK(redact_value("Cookie", "a=1; b=2") == "a=[redacted]; b=[redacted]");
  CHECK(redact_value("Set-Cookie", "id=s3cr3t; Path=/; HttpOnly") == "id=[redacted]; Path=/; HttpOnly");
  CHECK(redact_value("Accept", "text/html") == "text/html");
}

TEST_CASE("redact_headers leaves no secret value behind") {
  std::vector<Header> h{{"Cookie", "sid=topsecret"}, {"X-Other", "topsecret"}};
  redact_headers(h);
  CHECK(h[0].second.find("topsecret") == std::string::npos);
  CHECK(h[1].second == "topsecret");
}

// A password in the URL was stored, printed and drawn as typed.
TEST_CASE("a URL's password is redacted and its user name kept") {
  CHECK(redact_url("http://user:PASSW0RD@a.test:8080/x?y=1") == "http://user:[redacted]@a.test:8080/x?y=1");
  CHECK(redact_url("https://u:p@ss:w@a.test/") == "https://u:[redacted]@a.test/");
  CHECK(redact_url("https://:secret@a.test") == "https://:[redacted]@a.test");
  CHECK(redact_url("https://token@a.test/") == "https://token@a.test/");
  CHECK(redact_url("https://a.test/path?email=a:b@c.test") == "https://a.test/path?email=a:b@c.test");
  CHECK(redact_url("https://a.test:8443/#x@y") == "https://a.test:8443/#x@y");
  CHECK(redact_url("/relative:x@y") == "/relative:x@y");
  CHECK(redact_url("") == "");
}
