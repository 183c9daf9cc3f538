// The Lab aggregate: ports, URLs, the CA file and its state directory.
#include <catch2/catch.hpp>

#include "fixtures/skip.h"
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "lab_fixture.h"
#include "raw_socket.h"

using namespace pageload::lab;
using namespace pageload::lab::testing;

TEST_CASE("the lab starts three servers on distinct ephemeral ports") {
  LabFixture f;
  CHECK(f.lab->dns_port() > 0);
  CHECK(f.lab->http_port() > 0);
  CHECK(f.lab->https_port() > 0);
  CHECK(f.lab->http_port() != f.lab->https_port());
  CHECK(f.lab->dns_server() == "127.0.0.1:" + std::to_string(f.lab->dns_port()));
}

TEST_CASE("lab URLs name the host, the right port and the path") {
  LabFixture f;
  std::string port = std::to_string(f.lab->http_port());
  CHECK(f.lab->http_url("a.test", "/x?y=1") == "http://a.test:" + port + "/x?y=1");
  CHECK(f.lab->http_url("a.test", "x") == "http://a.test:" + port + "/x");
  CHECK(f.lab->https_url("b.test", "/") == "https://b.test:" + std::to_string(f.lab->https_port()) + "/");
  CHECK(f.lab->http_url("::1", "/") == "http://[::1]:" + port + "/");
}

TEST_CASE("a temporary state dir holds the CA and is removed when the lab stops") {
  std::string dir;
  {
    LabFixture f;
    dir = f.lab->state_dir();
    CHECK(std::filesystem::exists(f.lab->ca_file()));
    CHECK(f.lab->ca_file().rfind(dir, 0) == 0);
  }
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("a given state dir is kept when the lab stops") {
  auto dir = std::filesystem::temp_directory_path() / ("pageload-lab-test-" + std::to_string(::getpid()));
  {
    LabOptions options;
    options.state_dir = dir.string();
    auto lab = Lab::start(options);
    REQUIRE(lab.ok());
    CHECK(lab.value()->ca_file() == (dir / "ca.pem").string());
  }
  CHECK(std::filesystem::exists(dir / "ca.pem"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("describe names the ports, the CA file and the test names") {
  LabFixture f;
  std::string text = f.lab->describe();
  CHECK(text.find(f.lab->dns_server()) != std::string::npos);
  CHECK(text.find(std::to_string(f.lab->https_port())) != std::string::npos);
  CHECK(text.find(f.lab->ca_file()) != std::string::npos);
  CHECK(text.find("expired.test") != std::string::npos);
  CHECK(text.find("/chain/") != std::string::npos);
}

TEST_CASE("a lab on ports already taken fails to start") {
  LabFixture f;
  LabOptions options;
  options.http_port = f.lab->http_port();
  auto second = Lab::start(options);
  CHECK_FALSE(second.ok());
}

TEST_CASE("private keys in the state dir are readable by the owner only") {
  LabFixture f;
  auto perms = std::filesystem::status(f.lab->state_dir() + "/ca-key.pem").permissions();
  CHECK((perms & std::filesystem::perms::group_read) == std::filesystem::perms::none);
  CHECK((perms & std::filesystem::perms::others_read) == std::filesystem::perms::none);
}

TEST_CASE("the HTTP, HTTPS and fault servers also listen on ::1 with the same ports") {
  LabFixture f;
  if (f.lab->also_bound().empty()) {
    SKIP_OR_FAIL("no IPv6 loopback here: " << f.lab->also_unavailable());
    return;
  }
  CHECK(f.lab->also_bound() == "::1");
  for (int port : {f.lab->http_port(), f.lab->https_port(), f.lab->fault_port(FaultPort::kByPath),
                   f.lab->fault_port(FaultPort::kTlsSpeaksHttp), f.lab->fault_port(FaultPort::kTlsCutOff)}) {
    INFO("port " << port);
    CHECK(RawSocket(port, "::1").connected());
  }
  RawSocket raw(f.lab->http_port(), "::1");
  raw.send_all("GET /status/204 HTTP/1.1\r\nHost: v6.test\r\nConnection: close\r\n\r\n");
  CHECK(raw.read_all().rfind("HTTP/1.1 204 ", 0) == 0);
  CHECK(f.lab->http_connections() == 2);
  CHECK(f.lab->describe().find("also listen on [::1]") != std::string::npos);
}

TEST_CASE("a lab asked for no second address listens on 127.0.0.1 only") {
  LabOptions options;
  options.also_bind = "";
  auto lab = Lab::start(options);
  REQUIRE(lab.ok());
  CHECK(lab.value()->also_bound().empty());
  CHECK(lab.value()->also_unavailable().empty());
  CHECK_FALSE(RawSocket(lab.value()->http_port(), "::1").connected());
  CHECK(RawSocket(lab.value()->http_port(), "127.0.0.1").connected());
  CHECK(lab.value()->describe().find("IPv6") == std::string::npos);
}

TEST_CASE("a lab whose second address the machine lacks starts without it and says so") {
  LabOptions options;
  options.also_bind = "192.0.2.1";  // TEST-NET-1: on no interface here, so bind() fails
  auto lab = Lab::start(options);
  REQUIRE(lab.ok());
  CHECK(lab.value()->also_bound().empty());
  CHECK(lab.value()->also_unavailable().find("192.0.2.1") != std::string::npos);
  CHECK(lab.value()->describe().find("not available") != std::string::npos);
  CHECK(RawSocket(lab.value()->http_port(), "127.0.0.1").connected());
}

TEST_CASE("the lab counts each server's connections by the host of their first request") {
  LabFixture f;
  REQUIRE(f.client->fetch(f.http("/", "a.test")).status == 200);
  REQUIRE(f.client->fetch(f.http("/status/204", "a.test")).status == 204);  // the same connection
  REQUIRE(f.client->fetch(f.http("/", "B.test")).status == 200);
  REQUIRE(f.client->fetch(f.https11("/", "c.test")).status == 200);
  REQUIRE(f.client->fetch(f.https("/", "a.test")).status == 200);  // HTTP/2: by :authority
  // A connection that never carries a request counts under "" (a browser's preconnect).
  RawSocket idle(f.lab->http_port());
  REQUIRE(idle.connected());
  for (int i = 0; i < 500 && f.lab->http_connections() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));

  using Counts = std::map<std::string, uint64_t>;
  CHECK(f.lab->connections_by_host(Lab::Server::kHttp) == Counts{{"", 1}, {"a.test", 1}, {"b.test", 1}});
  CHECK(f.lab->connections_by_host(Lab::Server::kHttps11) == Counts{{"c.test", 1}});
  CHECK(f.lab->connections_by_host(Lab::Server::kHttps) == Counts{{"a.test", 1}});
}
