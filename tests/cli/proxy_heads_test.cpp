// Through a proxy, curl -v shows the CONNECT exchange and curl -i/-D print the proxy's
// answer before the origin's head (CURLOPT_SUPPRESS_CONNECT_HEADERS off). pageload showed
// nothing of it, so a 407 from the proxy left -i empty (review of issue 11, #1).
#include <catch2/catch.hpp>

#include "cli_runner.h"
#include "fixtures/lab_fixture.h"

using namespace pageload;
using namespace pageload::testing;

TEST_CASE("the CONNECT exchange of a proxy tunnel is shown by -v and its answer printed by -i before the origin's head") {
  TempDb tmp;
  const std::string url = shared_lab().https_url("www.test", "/status/200");
  const std::string host_port = url.substr(8, url.find('/', 8) - 8);
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-v", "-i", "--document-only", "-x",
                                  shared_lab().proxy_url(), url}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto connect = r.err.find("> CONNECT " + host_port + " HTTP/1.1\r\n");
  const auto established = r.err.find("< HTTP/1.1 200 Connection established\r\n< \r\n");
  const auto get = r.err.find("> GET /status/200 ");
  CHECK(connect != std::string::npos);
  CHECK(established > connect);
  CHECK(get > established);
  CHECK(r.err.find("> Host: " + host_port + "\r\n") > connect);
  // -i: the proxy's answer, then the origin's.
  CHECK(r.out.rfind("HTTP/1.1 200 Connection established\r\n\r\nHTTP/", 0) == 0);
  // What the database holds is the origin's exchange alone.
  auto show = pageload_cli({"show", "--db", tmp.path()}, tmp.dir());
  CHECK(show.out.find("Connection established") == std::string::npos);
}

TEST_CASE("a proxy's 407 to the CONNECT is printed by -i and -D and shown by -v with the password redacted") {
  TempDb tmp;
  const std::string url = shared_lab().https_url("www.test", "/status/200");
  auto refused = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-v", "-i", "-D", "heads.txt", "-x",
                                        shared_lab().auth_proxy_url(), url}),
                              tmp.dir());
  INFO(refused.out << refused.err);
  CHECK(refused.status == 3);
  CHECK(refused.out.rfind("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=", 0) == 0);
  CHECK(slurp(tmp.dir() + "/heads.txt").rfind("HTTP/1.1 407 Proxy Authentication Required\r\n", 0) == 0);
  CHECK(refused.err.find("> CONNECT ") != std::string::npos);
  CHECK(refused.err.find("< HTTP/1.1 407 Proxy Authentication Required\r\n< Proxy-Authenticate: Basic") !=
        std::string::npos);

  const std::string password = "lab-proxy-secret";
  auto wrong = pageload_cli(lab_args({"--db", tmp.path(), "-s", "-v", "-U", "lab:not-the-" + password, "-x",
                                      shared_lab().auth_proxy_url(), url}),
                            tmp.dir());
  INFO(wrong.err);
  CHECK(wrong.status == 3);
  CHECK(wrong.err.find("> Proxy-Authorization: Basic [redacted]\r\n") != std::string::npos);
  CHECK(wrong.err.find(password) == std::string::npos);
  CHECK(wrong.err.find("< HTTP/1.1 407 ") != std::string::npos);
}
