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
// failed, response 404`: TLS never started. The proxy refused the tunnel: the tunnel
// phase (issue 11; it was the connect phase before the tunnel had a phase of its own).
TEST_CASE("a proxy that answers CONNECT with 404 fails the tunnel phase naming the proxy's answer") {
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
  CHECK(req["error_phase"] == "tunnel");
  CHECK(req["phases"].count("tls") == 0);
  CHECK(req["phases"]["tunnel"]["error"]["class"] == "connect_refused");
  CHECK(req["phases"]["connect"].count("error") == 0);  // the proxy itself was reached
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

// -x/--proxy (issue 11).
TEST_CASE("a load with -x through the lab's proxy shows a tunnel column and the tunnel in show and the database") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-x", shared_lab().proxy_url(),
                                  shared_lab().https_url("www.test", "/status/200")}),
                        tmp.dir(), 20, {"https_proxy=http://127.0.0.1:" + std::to_string(closed_port())});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find(" tunnel ") != std::string::npos);  // the column, only on a page with a tunnel
  CHECK(r.out.find("through proxy " + shared_lab().proxy_url() + " (-x)") != std::string::npos);
  auto show = pageload_cli({"show", "--db", tmp.path()}, tmp.dir());
  REQUIRE(show.status == 0);
  CHECK(show.out.find("    tunnel ") != std::string::npos);
  auto json = pageload_cli({"show", "--json", "--db", tmp.path()}, tmp.dir());
  auto j = nlohmann::json::parse(json.out);
  CHECK(j["requests"][0]["phases"].count("tunnel") == 1);
  CHECK(j["requests"][0]["phases"].count("dns") == 0);
}

TEST_CASE("a page without a proxy has no tunnel column") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), shared_lab().https_url("www.test", "/status/200")}),
                        tmp.dir());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("tunnel") == std::string::npos);
}

TEST_CASE("a socks or https proxy given with -x is a usage error naming what is not supported, and nothing is stored") {
  TempDb tmp;
  for (const char* proxy : {"socks5://127.0.0.1:1080", "https://127.0.0.1:3128"}) {
    auto r = pageload_cli({"run", "--db", tmp.path(), "-x", proxy, "http://www.test/"}, tmp.dir());
    INFO(r.out << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find("-x/--proxy: ") != std::string::npos);
    CHECK(r.err.find(std::string(proxy).substr(0, std::string(proxy).find(':')) + "://") != std::string::npos);
    CHECK(count_lines(r.err) == 1);
  }
  auto list = pageload_cli({"list", "--db", tmp.path()}, tmp.dir());
  CHECK(count_lines(list.out) <= 1);  // the heading alone, if the file exists at all
}
