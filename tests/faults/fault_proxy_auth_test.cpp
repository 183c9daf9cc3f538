// Proxy credentials (issue 11) as curl takes them, -U/--proxy-user USER:PASSWORD or a user
// and password inside -x's URL, against the lab's forward proxy that demands them (407
// without). The password is redacted wherever pageload writes: the database (options,
// headers), the terminal, -v, show, --json and the report.
#include "faults/fault_support.h"

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

using namespace pageload;
using namespace pageload::testing;

namespace {

const std::string kCredentials(lab::Lab::kProxyCredentials);
const std::string kPassword = kCredentials.substr(kCredentials.find(':') + 1);

// The database's bytes, its write-ahead log's included.
std::string database_bytes(const TempDb& tmp) {
  std::string all;
  for (const std::string& path : {tmp.path(), tmp.path() + "-wal"}) {
    std::ifstream in(path, std::ios::binary);
    all += std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("the lab's authenticating proxy answers 407 to an http request without -U, and 200 with it") {
  TempDb tmp;
  const std::string url = shared_lab().http_url("www.test", "/status/200");
  const uint64_t refused = shared_lab().auth_proxy_refused();
  auto without = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "-x", shared_lab().auth_proxy_url(), url}),
                              tmp.dir());
  INFO(without.out << without.err);
  CHECK(without.status == 1);  // an HTTP error, as curl -f: the proxy's answer is the response
  CHECK(shared_lab().auth_proxy_refused() == refused + 1);
  CHECK(without.out.find("407 is the proxy's answer: it wants a user and password (-U USER:PASSWORD)") !=
        std::string::npos);
  auto j = nlohmann::json::parse(pageload_cli({"show", "--json", "--db", tmp.path()}, tmp.dir()).out);
  CHECK(j["final_status"] == 407);

  const std::string report = tmp.dir() + "/with.html";
  auto with = pageload_cli({"run", "--dns-server", shared_lab().dns_server(), "--html", report, "--db", tmp.path(),
                            "--document-only", "-v", "-x", shared_lab().auth_proxy_url(), "-U", kCredentials, url},
                           tmp.dir());
  INFO(with.out << with.err);
  REQUIRE(with.status == 0);
  CHECK(shared_lab().auth_proxy_refused() == refused + 1);
  // -v shows the header curl sent, its value redacted, and the request line in the absolute
  // form a proxy is sent.
  CHECK(with.err.find("> Proxy-Authorization: Basic [redacted]") != std::string::npos);
  CHECK(with.err.find("> GET " + url + " HTTP/1.1") != std::string::npos);
  auto shown = nlohmann::json::parse(pageload_cli({"show", "--json", "--db", tmp.path()}, tmp.dir()).out);
  CHECK(shown["final_status"] == 200);
  bool sent = false;
  for (const auto& h : shown["requests"][0]["request_headers"])
    if (h[0] == "Proxy-Authorization") sent = h[1] == "Basic [redacted]";
  CHECK(sent);
  auto show = pageload_cli({"show", "--db", tmp.path()}, tmp.dir());
  for (const std::string& written : {with.out, with.err, show.out, database_bytes(tmp), file_text(report)}) {
    CHECK(written.find(kPassword) == std::string::npos);
    CHECK(written.find("bGFiOmxhYi1wcm94eS1zZWNyZXQ") == std::string::npos);  // base64 of the credentials
  }
  CHECK(database_bytes(tmp).find("\"proxy_user\":\"lab:[redacted]\"") != std::string::npos);
}

TEST_CASE("an https request through the authenticating proxy without credentials fails its tunnel with 407 and says what to add") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "-x", shared_lab().auth_proxy_url(),
                                  shared_lab().https_url("www.test", "/status/200")}),
                        tmp.dir());
  INFO(r.out << r.err);
  CHECK(r.status == 3);
  CHECK(r.out.find("with 407: no tunnel, no TLS (the proxy wants a user and password: -U USER:PASSWORD)") !=
        std::string::npos);
  auto wrong = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "-x", shared_lab().auth_proxy_url(), "-U",
                                      "lab:wrong-password", shared_lab().https_url("www.test", "/status/200")}),
                            tmp.dir());
  CHECK(wrong.status == 3);
  CHECK(wrong.out.find("with 407: no tunnel, no TLS (the proxy refused the user and password)") != std::string::npos);
  CHECK(wrong.out.find("wrong-password") == std::string::npos);
}

TEST_CASE("credentials inside -x's URL open the tunnel and are stored redacted") {
  TempDb tmp;
  std::string proxy = shared_lab().auth_proxy_url();
  proxy.insert(proxy.find("//") + 2, kCredentials + "@");
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "--json", "-x", proxy,
                                  shared_lab().https_url("www.test", "/status/200")}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  // runs.proxy, connections.proxy and the run's options name the proxy with its user and
  // without its password, as a URL's password is redacted everywhere else.
  std::string redacted = shared_lab().auth_proxy_url();
  redacted.insert(redacted.find("//") + 2, "lab:[redacted]@");
  CHECK(j["proxy"] == redacted);
  CHECK(j["connections"][0]["proxy"] == redacted);
  std::string in_options = shared_lab().auth_proxy_url();
  in_options.insert(in_options.find("//") + 2, "lab:[redacted]@");
  CHECK(database_bytes(tmp).find("\"proxy\":\"" + in_options + "\"") != std::string::npos);
  CHECK(j["requests"][0]["phases"].count("tunnel") == 1);
  CHECK(r.out.find(kPassword) == std::string::npos);
  CHECK(r.err.find(kPassword) == std::string::npos);
  CHECK(database_bytes(tmp).find(kPassword) == std::string::npos);
}

TEST_CASE("the -U flag without a password is a usage error, and proxy flags pageload lacks are refused by name") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-x", shared_lab().auth_proxy_url(), "-U", "lab",
                                  shared_lab().http_url("www.test", "/")}),
                        tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("-U/--proxy-user needs USER:PASSWORD") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp.path()));
  for (const char* flag : {"--proxytunnel", "--proxy-digest", "--proxy-ntlm", "--proxy-insecure"}) {
    auto refused = pageload_cli(lab_args({"--db", tmp.path(), flag, shared_lab().http_url("www.test", "/")}), tmp.dir());
    INFO(flag);
    CHECK(refused.status == 2);
    CHECK(refused.err.find(std::string("pageload does not support curl's ") + flag) != std::string::npos);
  }
}

// -w had no %{http_connect}: a script could not tell the proxy's 407 from the origin's
// answer (review of issue 11, #5).
TEST_CASE("the -w variable http_connect is the proxy's answer to the CONNECT, 000 without a tunnel") {
  TempDb tmp;
  const std::string url = shared_lab().https_url("www.test", "/status/200");
  auto refused = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-x",
                                        shared_lab().auth_proxy_url(), "-w", "%{http_connect} %{http_code}", url}),
                              tmp.dir());
  CHECK(refused.status == 3);
  CHECK(refused.out == "407 000");
  auto made = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-x",
                                     shared_lab().auth_proxy_url(), "-U", kCredentials, "-w", "%{http_connect} %{http_code}",
                                     url}),
                           tmp.dir());
  INFO(made.err);
  CHECK(made.status == 0);
  CHECK(made.out == "200 200");
  auto direct = pageload_cli(lab_args({"--db", tmp.path(), "-s", "--document-only", "-w", "%{http_connect}", url}),
                             tmp.dir());
  CHECK(direct.out == "000");
}
