// The HTTP server itself: connection reuse, closing, resets, bad input, stopping.
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "fixtures/skip.h"
#include <chrono>
#include <thread>
#include <vector>

#include "lab/http_server.h"
#include "lab_fixture.h"
#include "raw_socket.h"

using namespace pageload::lab;
using namespace pageload::lab::testing;
using namespace std::chrono_literals;

TEST_CASE("two requests on one curl handle share one connection") {
  LabFixture f;
  CHECK(f.client->fetch(f.http("/")).status == 200);
  CHECK(f.client->fetch(f.http("/status/204")).status == 204);
  CHECK(f.client->fetch(f.http("/echo")).status == 200);
  CHECK(f.lab->http_connections() == 1);
}

TEST_CASE("Connection: close from the client closes the connection after the response") {
  LabFixture f;
  FetchOptions close;
  close.headers = {"Connection: close"};
  Fetch r = f.client->fetch(f.http("/"), close);
  CHECK(r.status == 200);
  CHECK(r.header("Connection") == "close");
  CHECK(f.client->fetch(f.http("/")).status == 200);
  CHECK(f.lab->http_connections() == 2);
}

TEST_CASE("/close answers with Connection: close and the next request needs a new connection") {
  LabFixture f;
  Fetch r = f.client->fetch(f.http("/close"));
  CHECK(r.status == 200);
  CHECK(r.header("Connection") == "close");
  CHECK(f.client->fetch(f.http("/")).status == 200);
  CHECK(f.lab->http_connections() == 2);
}

TEST_CASE("/reset cuts the body short with a connection reset") {
  LabFixture f;
  Fetch r = f.client->fetch(f.http("/reset"));
  CHECK((r.code == CURLE_RECV_ERROR || r.code == CURLE_PARTIAL_FILE));
  CHECK(r.code == CURLE_RECV_ERROR);  // the RST lands while curl waits for more
  CHECK(r.body.size() <= 1000u);

  RawSocket raw(f.lab->http_port());
  REQUIRE(raw.connected());
  raw.send_all("GET /reset HTTP/1.1\r\nHost: a.test\r\n\r\n");
  std::string got = raw.read_all();
  CHECK(got.find("Content-Length: 100000") != std::string::npos);
  CHECK(raw.last_error() == ECONNRESET);
}

TEST_CASE("pipelined requests are answered in order") {
  LabFixture f;
  RawSocket raw(f.lab->http_port());
  REQUIRE(raw.connected());
  raw.send_all("GET /status/201 HTTP/1.1\r\nHost: a\r\n\r\nGET /status/202 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  std::string got = raw.read_all();
  auto first = got.find("HTTP/1.1 201 Created");
  auto second = got.find("HTTP/1.1 202 Accepted");
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(first < second);
  CHECK(raw.closed());
}

TEST_CASE("a chunked request body reaches /echo decoded") {
  LabFixture f;
  RawSocket raw(f.lab->http_port());
  raw.send_all(
      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n");
  std::string got = raw.read_all();
  CHECK(got.find("\"body\":\"hello world\"") != std::string::npos);
}

TEST_CASE("an HTTP/1.0 request closes the connection unless it asks for keep-alive") {
  LabFixture f;
  RawSocket raw(f.lab->http_port());
  raw.send_all("GET / HTTP/1.0\r\n\r\n");
  std::string got = raw.read_all();
  CHECK(got.rfind("HTTP/1.1 200 OK", 0) == 0);
  CHECK(raw.closed());
}

TEST_CASE("garbage and hostile requests get 4xx answers and leave the lab serving") {
  LabFixture f;
  const std::pair<std::string, std::string> cases[] = {
      {"NOT HTTP AT ALL\r\n\r\n", "400"},
      {"GET / HTTP/9.9\r\n\r\n", "400"},
      {"GET  / HTTP/1.1\r\n\r\n", "400"},
      {"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", "400"},
      {"GET / HTTP/1.1\r\n folded: x\r\n\r\n", "400"},
      {"GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "400"},
      {"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "400"},
      {"GET / HTTP/1.1\r\nContent-Length: 999999999999999999\r\n\r\n", "413"},
      {"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "501"},
      {"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400"},
      {"GET / HTTP/1.1\r\nX-Big: " + std::string(70000, 'a') + "\r\n\r\n", "431"},
      {std::string("GET /\0 HTTP/1.1\r\n\r\n", 19), "400"},
  };
  for (const auto& [request, status] : cases) {
    INFO(request.substr(0, 60));
    RawSocket raw(f.lab->http_port());
    REQUIRE(raw.connected());
    raw.send_all(request);
    std::string got = raw.read_all();
    CHECK(got.rfind("HTTP/1.1 " + status, 0) == 0);
  }
  CHECK(f.client->fetch(f.http("/")).status == 200);
}

TEST_CASE("a client that disconnects mid-response does not hurt the lab") {
  LabFixture f;
  {
    RawSocket raw(f.lab->http_port());
    raw.send_all("GET /large/50000000 HTTP/1.1\r\nHost: a\r\n\r\n");
    raw.read_all(50ms);
  }  // closed with most of the body unread
  {
    RawSocket raw(f.lab->http_port());
    raw.send_all("GET /drip?chunks=100&interval=10 HTTP/1.1\r\nHost: a\r\n\r\n");
    raw.read_all(30ms);
  }
  std::this_thread::sleep_for(100ms);
  CHECK(f.client->fetch(f.http("/")).status == 200);
}

TEST_CASE("stopping the server does not wait for connected or sleeping clients") {
  auto server = HttpServer::start({});
  REQUIRE(server.ok());
  RawSocket idle(server.value()->port());
  RawSocket half(server.value()->port());
  half.send_all("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc");
  RawSocket sleeping(server.value()->port());
  sleeping.send_all("GET /delay/60000 HTTP/1.1\r\nHost: a\r\n\r\n");
  RawSocket dripping(server.value()->port());
  dripping.send_all("GET /drip?chunks=1000&interval=1000 HTTP/1.1\r\nHost: a\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  CHECK(server.value()->connections_accepted() == 4);
  auto start = std::chrono::steady_clock::now();
  server.value()->stop();
  CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("a taken port is reported as an error") {
  auto first = HttpServer::start({});
  REQUIRE(first.ok());
  HttpServerOptions options;
  options.port = first.value()->port();
  auto second = HttpServer::start(options);
  CHECK_FALSE(second.ok());
  CHECK(second.status().code() == pageload::Code::kConnectError);
  HttpServerOptions bad;
  bad.bind = "not-an-address";
  CHECK(HttpServer::start(bad).status().code() == pageload::Code::kUsage);
}

TEST_CASE("header=Connection:close makes the server really close") {
  LabFixture f;
  Fetch r = f.client->fetch(f.http("/status/200?header=Connection:%20close"));
  CHECK(r.status == 200);
  CHECK(r.header("Connection") == "close");
  CHECK(r.head.find("Connection: close\r\nConnection") == std::string::npos);  // only once
  RawSocket raw(f.lab->http_port());
  raw.send_all("GET /status/200?header=Connection:close HTTP/1.1\r\nHost: a\r\n\r\n");
  raw.read_all();
  CHECK(raw.closed());
}

TEST_CASE("an absolute-form request target is routed by its path") {
  LabFixture f;
  RawSocket raw(f.lab->http_port());
  raw.send_all("GET http://a.test/status/202?x=1 HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n");
  CHECK(raw.read_all().rfind("HTTP/1.1 202 Accepted", 0) == 0);
}

TEST_CASE("many clients at once are all served") {
  LabFixture f;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&f, &ok, i] {
      Client client(f.lab->ca_file(), {f.lab->http_port(), f.lab->https_port()});
      std::string path = "/delay/" + std::to_string(50 + i);
      bool good = client.fetch(f.http(path)).status == 200 && client.fetch(f.https("/large/100000")).body.size() == 100000;
      if (good) ok.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok.load() == 16);
  CHECK(f.lab->http_connections() == 16);
  CHECK(f.lab->https_connections() == 16);
}

TEST_CASE("a client aborting a TLS download raises no SIGPIPE in the process") {
  struct sigaction before {};
  sigaction(SIGPIPE, nullptr, &before);
  LabFixture f;
  for (int i = 0; i < 3; ++i) {
    FetchOptions abort;
    abort.abort_after_bytes = 1;
    Fetch r = f.client->fetch(f.https("/large/50000000"), abort);
    CHECK(r.code == CURLE_WRITE_ERROR);
    Fetch plain = f.client->fetch(f.http("/large/50000000"), abort);
    CHECK(plain.code == CURLE_WRITE_ERROR);
  }
  std::this_thread::sleep_for(200ms);  // the server threads hit EPIPE/ECONNRESET meanwhile
  CHECK(f.client->fetch(f.https("/")).status == 200);
  struct sigaction after {};
  sigaction(SIGPIPE, nullptr, &after);
  CHECK(after.sa_handler == before.sa_handler);  // the lab did not change the disposition
}

TEST_CASE("the server can listen on ::1") {
  HttpServerOptions options;
  options.bind = "::1";
  auto server = HttpServer::start(options);
  if (!server.ok()) {
    SKIP_OR_FAIL("no IPv6 loopback here: " << server.status().to_string());
    return;
  }
  Client client("", {});
  Fetch r = client.fetch("http://[::1]:" + std::to_string(server.value()->port()) + "/status/200");
  CHECK(r.status == 200);
}

TEST_CASE("keep-alive= makes the server close a connection idle that long, with a FIN, and keep a busy one") {
  LabFixture f;
  RawSocket raw(f.lab->http_port());
  REQUIRE(raw.connected());
  // A second request within the timeout is answered on the same connection.
  raw.send_all("GET /status/200?keep-alive=300 HTTP/1.1\r\nHost: a.test\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  raw.send_all("GET /status/204 HTTP/1.1\r\nHost: a.test\r\n\r\n");
  const auto start = std::chrono::steady_clock::now();
  const std::string got = raw.read_all(5000ms);
  const auto closed_after = std::chrono::steady_clock::now() - start;
  CHECK(got.find("HTTP/1.1 200 OK") != std::string::npos);
  CHECK(got.find("HTTP/1.1 204 No Content") != std::string::npos);
  CHECK(got.find("Connection: close") == std::string::npos);  // it says so in no header
  // Then, idle, it is closed by the server (an orderly FIN, not a reset), well before
  // the server's own 30 s idle timeout.
  CHECK(raw.closed());
  CHECK(raw.last_error() == 0);
  CHECK(closed_after >= 250ms);
  CHECK(closed_after < 3000ms);
  CHECK(f.lab->http_connections() == 1);
}
