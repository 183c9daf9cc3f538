// --connect-to's matching (host_rules.h): the first entry whose host and port match, empty
// fields meaning any (HOST1, PORT1) or the request's own (HOST2, PORT2), as curl's
// CURLOPT_CONNECT_TO.
#include <catch2/catch.hpp>

#include "core/url.h"
#include "loader/host_rules.h"

using namespace pageload;
using namespace pageload::loader;

namespace {

Url url(const char* text) { return parse_url(text).value(); }

ConnectToEntry entry(std::string host, std::optional<int> port, std::string to_host, std::optional<int> to_port) {
  return ConnectToEntry{host, port, to_host, to_port, host + ":" + (port ? std::to_string(*port) : "") + ":" + to_host +
                                                          ":" + (to_port ? std::to_string(*to_port) : "")};
}

}  // namespace

TEST_CASE("the first --connect-to entry matching a request's host and port decides where it connects") {
  LoadOptions o;
  o.connect_to = {entry("a.test", 80, "b.test", 8080), entry("", std::nullopt, "c.test", std::nullopt)};
  auto dial = connect_to_for(url("http://A.test/x"), o);
  REQUIRE(dial);
  CHECK(dial->host == "b.test");
  CHECK(dial->port == 8080);
  CHECK(dial->entry == &o.connect_to[0]);
  // Another port of a.test: the second entry, any host, keeping the port.
  auto other = connect_to_for(url("https://a.test/x"), o);
  REQUIRE(other);
  CHECK(other->host == "c.test");
  CHECK(other->port == 443);
  CHECK(other->entry == &o.connect_to[1]);
}

TEST_CASE("a --connect-to entry that changes neither host nor port, or matches nothing, leaves the request alone") {
  LoadOptions o;
  o.connect_to = {entry("a.test", 80, "", std::nullopt), entry("a.test", 81, "b.test", 82)};
  CHECK_FALSE(connect_to_for(url("http://a.test/"), o));
  CHECK_FALSE(connect_to_for(url("http://b.test:81/"), o));
  CHECK_FALSE(connect_to_for(url("http://a.test:82/"), o));
}

TEST_CASE("a --connect-to target that is an address literal is known as one, so it is not looked up") {
  LoadOptions o;
  o.connect_to = {entry("", std::nullopt, "::1", 8443), entry("", std::nullopt, "", 9000)};
  auto v6 = connect_to_for(url("https://a.test/"), o);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->host_is_ip);
  o.connect_to.erase(o.connect_to.begin());
  auto same_host = connect_to_for(url("http://127.0.0.1/"), o);
  REQUIRE(same_host);
  CHECK(same_host->host == "127.0.0.1");
  CHECK(same_host->host_is_ip);
  CHECK(same_host->port == 9000);
}
