// --connect-to (issue 11) as a curl user types it: a request keeps its URL, Host header and
// TLS name, and connects to another host and port, looked up instead of the URL's; the
// run says so in its warnings (terminal, show, --json) and its options. Against the lab.
#include "faults/fault_support.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

using namespace pageload;
using namespace pageload::testing;

namespace {

// The first column of the first row of `sql`, as text ("" when none).
std::string first_value(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      if (const unsigned char* t = sqlite3_column_text(st, 0)) out = reinterpret_cast<const char*>(t);
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return out;
}

nlohmann::json show_json(const TempDb& tmp) {
  auto show = pageload_cli({"show", "--json", "--db", tmp.path()}, tmp.dir());
  REQUIRE(show.status == 0);
  return nlohmann::json::parse(show.out);
}

}  // namespace

TEST_CASE("the --connect-to flag sends a name the lab's DNS does not know to www.test's server and says so") {
  TempDb tmp;
  const std::string port = std::to_string(shared_lab().http_port());
  const std::string entry = "nxdomain.test:1:www.test:" + port;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "--connect-to", entry,
                                  "http://nxdomain.test:1/status/200"}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const std::string said = "requests for nxdomain.test:1 go to www.test:" + port + " (--connect-to " + entry + ")";
  CHECK(r.out.find("warning: " + said) != std::string::npos);
  auto j = show_json(tmp);
  CHECK(j["url"] == "http://nxdomain.test:1/status/200");
  CHECK(j["final_status"] == 200);
  CHECK(j["warnings"][0] == said);
  // The lookup made was www.test's, and the request's dns phase is that lookup.
  REQUIRE(j["dns_lookups"].size() == 1);
  CHECK(j["dns_lookups"][0]["host"] == "www.test");
  CHECK(j["dns_lookups"][0]["outcome"] == "NOERROR");
  CHECK(j["requests"][0]["dns_lookup"] == 0);
  CHECK(j["requests"][0]["phases"].count("dns") == 1);
  // The connection is the URL's origin's, to www.test's port; the Host header the URL's.
  REQUIRE(j["connections"].size() == 1);
  CHECK(j["connections"][0]["host"] == "nxdomain.test");
  CHECK(j["connections"][0]["port"] == 1);
  CHECK(j["connections"][0]["remote_port"] == shared_lab().http_port());
  CHECK(j["connections"][0]["remote_ip"] == "127.0.0.1");
  auto show = pageload_cli({"show", "--db", tmp.path()}, tmp.dir());
  CHECK(show.out.find("  warning    " + said) != std::string::npos);
  CHECK(show.out.find("  dns        www.test via ") != std::string::npos);
  CHECK(first_value(tmp.path(), "SELECT json_extract(options, '$.connect_to[0]') FROM runs") == entry);
}

TEST_CASE("without --connect-to the same URL fails its DNS lookup") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "http://nxdomain.test:1/status/200"}), tmp.dir());
  CHECK(r.status == 3);
  CHECK(r.out.find("dns_nxdomain") != std::string::npos);
}

TEST_CASE("a --connect-to entry keeps the URL's name for TLS and the Host header") {
  TempDb tmp;
  const auto before = shared_lab().connections_by_host(lab::Lab::Server::kHttps);
  const std::string port = std::to_string(shared_lab().https_port());
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "--connect-to",
                                  "alias-ct.test:1:www.test:" + port, "https://alias-ct.test:1/status/200"}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto j = show_json(tmp);
  REQUIRE(j["connections"].size() == 1);
  CHECK(j["connections"][0]["remote_port"] == shared_lab().https_port());
  CHECK(j["connections"][0]["tls"]["verified"] == true);  // the certificate was checked for alias-ct.test
  CHECK(j["dns_lookups"][0]["host"] == "www.test");
  const auto after = shared_lab().connections_by_host(lab::Lab::Server::kHttps);
  auto count = [](const std::map<std::string, uint64_t>& m, const std::string& host) {
    auto it = m.find(host);
    return it == m.end() ? uint64_t{0} : it->second;
  };
  CHECK(count(after, "alias-ct.test:1") + count(after, "alias-ct.test") ==
        count(before, "alias-ct.test:1") + count(before, "alias-ct.test") + 1);
}

TEST_CASE("empty fields of --connect-to: any host on a port, and the request's own host") {
  TempDb tmp;
  const std::string port = std::to_string(shared_lab().http_port());
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "--connect-to", "nomatch.test:1:x.test:2",
                                  "--connect-to", ":1::" + port, "http://www.test:1/status/200"}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto j = show_json(tmp);
  CHECK(j["warnings"][0] == "requests for www.test:1 go to www.test:" + port + " (--connect-to :1::" + port + ")");
  CHECK(j["connections"][0]["remote_port"] == shared_lab().http_port());
  CHECK(j["dns_lookups"][0]["host"] == "www.test");
}

TEST_CASE("a --connect-to address literal needs no lookup") {
  TempDb tmp;
  const std::string port = std::to_string(shared_lab().http_port());
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "--connect-to",
                                  "nxdomain.test:1:127.0.0.1:" + port, "http://nxdomain.test:1/status/200"}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto j = show_json(tmp);
  CHECK(j["dns_lookups"].empty());
  CHECK(j["requests"][0]["phases"].count("dns") == 0);
  CHECK(j["connections"][0]["remote_port"] == shared_lab().http_port());
}

TEST_CASE("a --connect-to entry through a proxy tunnels an https request to the other host and port") {
  TempDb tmp;
  const std::string port = std::to_string(shared_lab().https_port());
  const uint64_t tunnels = shared_lab().proxy_tunnels();
  // nxdomain.test: the proxy answers 502 to a CONNECT for it, so the 200 proves the tunnel
  // was asked for www.test.
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "-x", shared_lab().proxy_url(), "--connect-to",
                                  "nxdomain.test:1:www.test:" + port, "https://nxdomain.test:1/status/200"}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(shared_lab().proxy_tunnels() == tunnels + 1);
  CHECK(r.out.find("requests for nxdomain.test:1 are tunnelled to www.test:" + port + " through the proxy " +
                   shared_lab().proxy_url()) != std::string::npos);
  auto j = show_json(tmp);
  CHECK(j["dns_lookups"].empty());  // the proxy resolved www.test
}

TEST_CASE("a --connect-to entry for an http request through a proxy is named as not applied") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--document-only", "-x", shared_lab().proxy_url(), "--connect-to",
                                  "www.test::nxdomain.test:", shared_lab().http_url("www.test", "/status/200")}),
                        tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("--connect-to www.test::nxdomain.test: not applied: an http:// request goes to the proxy") !=
        std::string::npos);
}

TEST_CASE("a malformed --connect-to is a usage error before anything is stored") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--connect-to", "www.test:80", shared_lab().http_url("www.test", "/")}),
                        tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("--connect-to needs HOST1:PORT1:HOST2:PORT2") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
  CHECK_FALSE(std::filesystem::exists(tmp.path()));
}
