// Proxy environment variables as a user meets them (issue 8, item 2): pageload says when
// it goes through a proxy, names it when it fails, and --noproxy '*' goes direct.
#include "faults/fault_support.h"
#include "fixtures/closed_port.h"

#include <nlohmann/json.hpp>

using namespace pageload;
using namespace pageload::testing;

namespace {

std::string lab_proxy() { return "http://127.0.0.1:" + std::to_string(shared_lab().http_port()); }

}  // namespace

TEST_CASE("a proxy from the environment is named in the terminal summary, --json and the database") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "http://proxied.test:1/status/200"}), tmp.dir(), 20,
                        {"http_proxy=" + lab_proxy()});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("warning: through proxy " + lab_proxy() + " (from the environment: http_proxy)") !=
        std::string::npos);
  auto show = pageload_cli({"show", "--json", "--db", tmp.path()}, tmp.dir());
  REQUIRE(show.status == 0);
  auto j = nlohmann::json::parse(show.out);
  CHECK(j["proxy"] == lab_proxy());
  CHECK(j["connections"][0]["proxy"] == lab_proxy());
  CHECK(j["requests"][0]["phases"].count("dns") == 0);
}

TEST_CASE("a proxy that refuses exits 3 with one error line that names the proxy") {
  TempDb tmp;
  const std::string proxy = "http://127.0.0.1:" + std::to_string(closed_port());
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().http_url("www.test", "/")}), tmp.dir(), 20,
                        {"http_proxy=" + proxy});
  INFO(r.out << r.err);
  CHECK(r.status == 3);
  CHECK(r.out.find("error: connect_refused: ") != std::string::npos);
  CHECK(r.out.find("(through proxy " + proxy + " from http_proxy)") != std::string::npos);
}

// A proxy that answered CONNECT with 404 was stored as `tls, tls_handshake: CONNECT tunnel
// failed, response 404`: TLS never started. The proxy refused the tunnel: connect.
TEST_CASE("a proxy that answers CONNECT with 404 is a connect failure naming the proxy's answer") {
  TempDb tmp;
  const std::string proxy = "http://127.0.0.1:" + std::to_string(shared_lab().fault_port());
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--json", shared_lab().https_url("secure.test", "/")}), tmp.dir(),
                        20, {"https_proxy=" + proxy});
  INFO(r.out << r.err);
  CHECK(r.status == 3);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["error"]["class"] == "connect_refused");
  CHECK(j["error"]["message"] == "the proxy answered the CONNECT for a tunnel to secure.test:" +
                                     std::to_string(shared_lab().https_port()) + " with 404: no tunnel, no TLS (through proxy " +
                                     proxy + " from https_proxy)");
  const auto& req = j["requests"][0];
  CHECK(req["error_phase"] == "connect");
  CHECK(req["phases"].count("tls") == 0);
  CHECK(req["phases"]["connect"]["error"]["class"] == "connect_refused");
}

TEST_CASE("the --noproxy '*' flag connects directly despite proxy variables, and says nothing about a proxy") {
  TempDb tmp;
  const std::string closed = "http://127.0.0.1:" + std::to_string(closed_port());
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--noproxy", "*", shared_lab().http_url("www.test", "/")}),
                        tmp.dir(), 20, {"http_proxy=" + closed, "ALL_PROXY=" + closed});
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("proxy") == std::string::npos);
}
