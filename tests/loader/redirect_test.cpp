#include <catch2/catch.hpp>

#include "loader/redirect.h"

using namespace pageload;

TEST_CASE("a 303 turns POST into a body-less GET") {
  auto n = method_after_redirect(303, "POST", std::string("x=1"));
  CHECK(n.method == "GET");
  CHECK_FALSE(n.body);
}

TEST_CASE("a 303 keeps HEAD as HEAD") { CHECK(method_after_redirect(303, "HEAD", std::nullopt).method == "HEAD"); }

TEST_CASE("a 303 turns PUT into GET") { CHECK(method_after_redirect(303, "PUT", std::string("b")).method == "GET"); }

TEST_CASE("301 and 302 turn POST into GET but keep other methods") {
  for (int code : {301, 302}) {
    INFO(code);
    CHECK(method_after_redirect(code, "POST", std::string("x")).method == "GET");
    CHECK_FALSE(method_after_redirect(code, "POST", std::string("x")).body);
    auto put = method_after_redirect(code, "PUT", std::string("x"));
    CHECK(put.method == "PUT");
    CHECK(put.body == std::optional<std::string>("x"));
  }
}

TEST_CASE("307 and 308 keep the method and the body") {
  for (int code : {307, 308}) {
    auto n = method_after_redirect(code, "POST", std::string("x=1"));
    CHECK(n.method == "POST");
    CHECK(n.body == std::optional<std::string>("x=1"));
  }
}

TEST_CASE("credentials are not sent to a different host") {
  std::vector<Header> user{{"Authorization", "Bearer t"}, {"Cookie", "a=1"}, {"Proxy-Authorization", "Basic x"},
                           {"X-Trace", "1"}};
  auto same = headers_for_hop(user, "https://a.test:443", "https://A.test:443", false);
  CHECK(same.size() == 4);
  auto other = headers_for_hop(user, "https://a.test:443", "https://b.test:443", false);
  REQUIRE(other.size() == 1);
  CHECK(other[0].first == "X-Trace");
}

// They were forwarded when only the scheme or port changed: an https -> http redirect
// sent the user's Authorization in clear text.
TEST_CASE("credentials are not sent to the same host on another scheme or port") {
  std::vector<Header> user{{"Authorization", "Bearer t"}, {"Cookie", "a=1"}, {"X-Trace", "1"}};
  for (const char* origin : {"http://a.test:443", "https://a.test:8443", "http://a.test:80"}) {
    INFO(origin);
    auto hop = headers_for_hop(user, "https://a.test:443", origin, false);
    REQUIRE(hop.size() == 1);
    CHECK(hop[0].first == "X-Trace");
  }
}

TEST_CASE("a dropped body drops its Content-Type too") {
  std::vector<Header> user{{"Content-Type", "application/json"}};
  CHECK(headers_for_hop(user, "http://a.test:80", "http://a.test:80", true).size() == 1);
  CHECK(headers_for_hop(user, "http://a.test:80", "http://a.test:80", false).empty());
}

TEST_CASE("only 301, 302, 303, 307 and 308 are followed") {
  for (int code : {301, 302, 303, 307, 308}) CHECK(is_redirect_status(code));
  for (int code : {200, 300, 304, 305, 306, 404}) CHECK_FALSE(is_redirect_status(code));
}
