// How a page's connections are kept, numbered and closed: a browser keeps its idle
// keep-alive connections for the page, opens one HTTP/2 connection per origin, and the
// connection numbers count in the order they were opened. Against the lab.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "fixtures/lab_fixture.h"
#include "loader/page_load.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

std::map<std::string, int> connections_by_host(const Run& run) {
  std::map<std::string, int> n;
  for (const Connection& c : run.connections) ++n[c.host];
  return n;
}

}  // namespace

TEST_CASE("curl keeps a page's idle connections until the page ends instead of closing them as requests finish") {
  // 60 slow resources over a.test, b.test and c.test: as they finish, curl's default cache
  // size (4 per transfer still in its hands) fell below the page's 19 connections and it
  // closed idle ones mid-page, the document's among them, so the icon opened a second.
  Run run = load_and_store(lab_options(shared_lab().http_url("www.test", "/page/many?n=60&each=100")));
  REQUIRE(run.outcome == Outcome::kOk);
  CHECK(connections_by_host(run)["www.test"] == 1);
  REQUIRE(run.load_ms);
  for (const Connection& c : run.connections) {
    INFO("conn #" << c.id << " " << c.host);
    REQUIRE(c.closed);
    CHECK(c.closed->by == ClosedBy::kPageload);
    CHECK(c.closed->reason == CloseReason::kEndOfPage);
    CHECK(c.closed->at_ms >= *run.load_ms - 0.5);
  }
}

TEST_CASE("connections the page closes at its end over TLS are recorded as closed by pageload, not by the server") {
  // curl's close_notify on each TLS connection drew the lab's own close before the socket
  // was closed: read then, four of six connections looked closed by the server.
  for (int i = 0; i < 3; ++i) {
    Run run = load_and_store(lab_options("https://www.test:" + std::to_string(shared_lab().https11_port()) + "/page/images"));
    REQUIRE(run.outcome == Outcome::kOk);
    for (const Connection& c : run.connections) {
      INFO("run " << i << " conn #" << c.id);
      REQUIRE(c.closed);
      CHECK(c.closed->by == ClosedBy::kPageload);
      CHECK(c.closed->reason == CloseReason::kEndOfPage);
    }
  }
}

TEST_CASE("connections are numbered in the order they were opened, the document's first") {
  // The document's connection was #1 when a stylesheet's connection (opened later, but
  // its request finished first) took #0.
  Run run = load_and_store(lab_options("https://www.test:" + std::to_string(shared_lab().https11_port()) + "/page/slow-document"));
  REQUIRE(run.outcome == Outcome::kOk);
  REQUIRE(run.connections.size() >= 2);
  CHECK(run.requests.at(0).connection == 0);
  for (std::size_t i = 0; i < run.connections.size(); ++i) {
    CHECK(run.connections[i].id == static_cast<int>(i));
    REQUIRE(run.connections[i].connect);
    if (i) CHECK(run.connections[i].connect->start_ms >= run.connections[i - 1].connect->start_ms);
  }
}

TEST_CASE("renumbering connections by open time keeps each request on its own connection") {
  Run run;
  for (double start : {30.0, 10.0, 20.0}) {
    Connection c;
    c.id = static_cast<int>(run.connections.size());
    c.local_port = static_cast<int>(start);
    c.connect = Span{start, start + 1};
    run.connections.push_back(c);
  }
  for (int conn : {0, 1, 2, 1}) {
    Request r;
    r.connection = conn;
    run.requests.push_back(r);
  }
  loader::number_connections_by_open_time(run);
  REQUIRE(run.connections.size() == 3);
  CHECK(run.connections[0].local_port == 10);
  CHECK(run.connections[1].local_port == 20);
  CHECK(run.connections[2].local_port == 30);
  for (std::size_t i = 0; i < 3; ++i) CHECK(run.connections[i].id == static_cast<int>(i));
  CHECK(run.requests[0].connection == 2);
  CHECK(run.requests[1].connection == 0);
  CHECK(run.requests[2].connection == 1);
  CHECK(run.requests[3].connection == 0);
}
