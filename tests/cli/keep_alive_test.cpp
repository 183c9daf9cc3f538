// The classic keep-alive failure end to end: the lab's /page/keep-alive is served by a
// server that closes a connection idle for 200 ms, and the page's font is found 600 ms
// later. pageload as a user runs it: the stored connections say who closed which and why,
// the report flags the failure, and the kernel's own table of TCP sockets agrees on which
// side holds TIME_WAIT.
#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.h"
#include "fixtures/lab_fixture.h"

using namespace pageload::testing;
using nlohmann::json;

namespace {

struct SocketEnd {
  std::string ip;
  int port = 0;
};

// "0100007F:1F90" -> 127.0.0.1, 8080 (/proc/net/tcp: the address as the kernel stores it).
SocketEnd parse_end(const std::string& hex) {
  const auto colon = hex.find(':');
  in_addr a{};
  a.s_addr = static_cast<uint32_t>(std::stoul(hex.substr(0, colon), nullptr, 16));
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return {buf, static_cast<int>(std::stoul(hex.substr(colon + 1), nullptr, 16))};
}

// Whether the kernel holds an IPv4 socket in TIME_WAIT (state 06) whose local end is
// `local_port` and whose peer's is `peer_port`, both on 127.0.0.1.
bool in_time_wait(int local_port, int peer_port) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, peer, state;
    fields >> slot >> local >> peer >> state;
    if (state != "06") continue;
    const SocketEnd l = parse_end(local), p = parse_end(peer);
    if (l.ip == "127.0.0.1" && p.ip == "127.0.0.1" && l.port == local_port && p.port == peer_port) return true;
  }
  return false;
}

const json& request_with(const json& run, const std::string& url_part) {
  for (const json& r : run["requests"])
    if (r["url"].get<std::string>().find(url_part) != std::string::npos) return r;
  FAIL("no request for " << url_part);
  throw std::logic_error("unreachable");
}

}  // namespace

// Over plain HTTP curl finds the server's FIN before it reuses the idle connection; over
// TLS (HTTP/1.1) the server's close_notify reads as data, so curl sends the request on
// it, draws a reset and sends it again on a new connection; over HTTP/2 it reads the
// GOAWAY. Every way, the font opens a new connection and the report says why.
TEST_CASE("a kept-alive connection the server closed while idle is closed by the server and a keep-alive failure in the report") {
  const std::string mode = GENERATE(std::string("http"), std::string("https --http1.1"), std::string("https h2"));
  INFO(mode);
  TempDb tmp;
  auto& lab = shared_lab();
  const std::string report = tmp.dir() + "/keep-alive.html";
  const std::string url = mode == "http" ? lab.http_url("www.test", "/page/keep-alive")
                                         : lab.https_url("www.test", "/page/keep-alive");
  std::vector<std::string> args{"run", "--dns-server", lab.dns_server(), "--cacert", lab.ca_file(), "--db", tmp.path(),
                                "--html", report, url};
  if (mode == "https --http1.1") args.insert(args.begin() + 1, "--http1.1");
  auto r = pageload_cli(args, tmp.dir());
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  auto shown = pageload_cli({"show", "1", "--json", "--db", tmp.path()}, tmp.dir());
  REQUIRE(shown.status == 0);
  const json run = json::parse(shown.out);

  // The document's connection, idle while b.test's stylesheet took 600 ms, was closed by
  // the server; the font on the same host had to open a connection of its own.
  const json& doc = run["requests"][0];
  const json& font = request_with(run, "/keep-alive.woff2");
  CHECK(font["resource_type"] == "font");
  REQUIRE(doc["connection"].is_number());
  REQUIRE(font["connection"].is_number());
  const int closed = doc["connection"], replacement = font["connection"];
  REQUIRE(closed != replacement);
  CHECK(font["reused"] == false);
  const json& c = run["connections"][closed];
  CHECK(c["closed_by"] == "server");
  if (mode == "https --http1.1") {
    CHECK(c["close_reason"] == "reset");
    CHECK(c["retry_reason"] == "the connection was closed by the server");
  } else {
    CHECK(c["close_reason"] == "server_closed");
  }
  REQUIRE(c["closed_ms"].is_number());
  CHECK(c["closed_ms"].get<double>() > doc["span"]["end_ms"].get<double>() + 150);  // idle first, closed after
  // Connections still open at the end of the page were closed by pageload, also over TLS,
  // where the server answers curl's close_notify with its own close at once.
  for (const json& other : run["connections"]) {
    if (other["id"] == closed) continue;
    INFO("connection " << other["id"]);
    CHECK(other["closed_by"] == "pageload");
    CHECK(other["close_reason"] == "end_of_page");
  }

  // The report flags it: the closed connection, the request and its replacement linked.
  const std::string html = slurp(report);
  const auto note = html.find("Keep-alive failure: <a href=\"#conn-" + std::to_string(closed) + "\">");
  REQUIRE(note != std::string::npos);
  const std::string rest = html.substr(note, 600);
  CHECK(rest.find(mode == "https --http1.1" ? "curl sent a request on it, found it closed"
                                            : "the server closed it while it was idle") != std::string::npos);
  CHECK(rest.find("<a href=\"#req-" + std::to_string(font["seq"].get<int>()) + "\">") != std::string::npos);
  CHECK(rest.find("<a href=\"#conn-" + std::to_string(replacement) + "\">") != std::string::npos);
  // The request that paid says so in its own row (the Conn column's ↻, its details' sizes
  // line), not only in the Connections card: the column is hidden on a narrow screen.
  const auto row_at = html.find("id=\"req-" + std::to_string(font["seq"].get<int>()) + "\"");
  REQUIRE(row_at != std::string::npos);
  const std::string row = html.substr(row_at, html.find("</details>", row_at) - row_at);
  CHECK(row.find("title=\"opened in place of a connection the server closed\">↻</span>") != std::string::npos);
  CHECK(row.find("in place of <a class=\"conn\" href=\"#conn-" + std::to_string(closed) +
                 "\">") != std::string::npos);
  CHECK(row.find("which the server closed: a keep-alive failure") != std::string::npos);

  // The kernel agrees on TIME_WAIT, which plain TCP leaves to the side that closed first:
  // the server's end of the connection it closed, this machine's of those pageload
  // closed. (Over TLS the closes end in resets, and the report says so.)
  if (mode == "http") {
    CHECK(html.find("<b>TIME_WAIT</b>: the server, which closed first; this machine") !=
          std::string::npos);
    const int client = c["local_port"], server = c["remote_port"];
    CHECK(in_time_wait(server, client));
    CHECK_FALSE(in_time_wait(client, server));
    const json& last = run["connections"][replacement];
    const int client2 = last["local_port"], server2 = last["remote_port"];
    CHECK(in_time_wait(client2, server2));
    CHECK_FALSE(in_time_wait(server2, client2));
  } else {
    CHECK(html.find("the kernel then answers with a reset and neither side keeps TIME_WAIT") != std::string::npos);
  }
}
