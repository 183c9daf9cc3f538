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
