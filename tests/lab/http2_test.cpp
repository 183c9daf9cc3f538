// The HTTPS server over HTTP/2: routes with the same meaning as over HTTP/1.1, slow
// streams that do not hold each other up, and the HTTP/2 faults (refused streams,
// GOAWAY, stream resets) clients are tested against.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "lab/http_server.h"
#include "lab/tls_context.h"
#include "lab_fixture.h"

using namespace pageload::lab;
using namespace pageload::lab::testing;
using namespace std::chrono_literals;

TEST_CASE("every route answers over HTTP/2 with the status and headers it has over HTTP/1.1") {
  LabFixture f;
  // Two clients: curl would otherwise send its "h2 if you can" requests on the
  // HTTP/1.1 connection it already has.
  Client h1_client(f.lab->ca_file(), {f.lab->https_port()});
  const char* paths[] = {"/", "/status/404", "/status/503", "/redirect/302?to=/x", "/chain/301,302", "/loop",
                         "/echo", "/set-cookie", "/gzip", "/large/1000", "/gap/10", "/drip?interval=0",
                         "/nope"};
  for (const char* path : paths) {
    INFO(path);
    Fetch h1 = h1_client.fetch(f.https(path), {.http_version = CURL_HTTP_VERSION_1_1});
    Fetch h2 = f.client->fetch(f.https(path));
    REQUIRE(h2.code == CURLE_OK);
    CHECK(h2.http_version == CURL_HTTP_VERSION_2_0);
    CHECK(h2.status == h1.status);
    for (const char* header : {"Content-Type", "Location", "Set-Cookie", "Vary"})
      CHECK(h2.header(header) == h1.header(header));
    if (std::string(path) == "/echo") continue;  // it shows the request, which differs
    CHECK(h2.header("Content-Length") == h1.header("Content-Length"));
    CHECK(h2.body == h1.body);
  }
  CHECK(f.lab->https_http2_connections() == 1);
  CHECK(f.lab->https_connections() == 2);
}

TEST_CASE("over HTTP/2 header= adds headers, lowercased, and reason= has nothing to change") {
  LabFixture f;
  Fetch r = f.client->fetch(f.https("/status/200?reason=All%20Fine&header=X-Test:%20yes&header=X-A:1%0d%0aX-B:%202"));
  REQUIRE(r.code == CURLE_OK);
  CHECK(r.head.rfind("HTTP/2 200 \r\n", 0) == 0);  // HTTP/2 has no reason phrase
  CHECK(r.head.find("x-test: yes\r\n") != std::string::npos);
  CHECK_FALSE(r.find_header("X-B"));  // CR and LF cannot split a field
  // Connection-specific headers are forbidden in HTTP/2: left out instead of breaking the stream.
  Fetch closing = f.client->fetch(f.https("/status/200?header=Connection:%20close&header=Transfer-Encoding:%20x"));
  CHECK(closing.code == CURLE_OK);
  CHECK_FALSE(closing.find_header("Connection"));
  CHECK_FALSE(closing.find_header("Transfer-Encoding"));
}

TEST_CASE("/echo over HTTP/2 shows the version, the authority and a POST body") {
  LabFixture f;
  FetchOptions post;
  post.body = "hello=world";
  post.has_body = true;
  Fetch r = f.client->fetch(f.https("/echo?x=1"), post);
  REQUIRE(r.status == 200);
  auto doc = nlohmann::json::parse(r.body);
  CHECK(doc["version"] == "HTTP/2");
  CHECK(doc["method"] == "POST");
  CHECK(doc["target"] == "/echo?x=1");
  CHECK(doc["authority"] == "a.test:" + std::to_string(f.lab->https_port()));
  CHECK(doc["body"] == "hello=world");
}

TEST_CASE("a HEAD request over HTTP/2 gets the Content-Length and no body") {
  LabFixture f;
  Fetch r = f.client->fetch(f.https("/large/1000"), {.head_request = true});
  CHECK(r.code == CURLE_OK);
  CHECK(r.http_version == CURL_HTTP_VERSION_2_0);
  CHECK(r.header("Content-Length") == "1000");
  CHECK(r.body.empty());
  CHECK(f.client->fetch(f.https("/")).status == 200);
  CHECK(f.lab->https_connections() == 1);
}

TEST_CASE("slow streams on one HTTP/2 connection are served at once, not one after another") {
  LabFixture f;
  // Each takes about 500 ms; one after another they would take over 2.5 s.
  std::vector<std::string> urls = {f.https("/delay/500?n=1"), f.https("/delay/500?n=2"), f.https("/delay/500?n=3"),
                                   f.https("/drip?chunks=6&interval=100&size=10"), f.https("/gap/500"),
                                   f.https("/large/2000000")};
  auto start = std::chrono::steady_clock::now();
  std::vector<Fetch> got = f.client->fetch_all(urls);
  double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO(urls[i] << ": " << got[i].error);
    CHECK(got[i].code == CURLE_OK);
    CHECK(got[i].status == 200);
    CHECK(got[i].http_version == CURL_HTTP_VERSION_2_0);
  }
  CHECK(got[0].done_ms >= 490);
  CHECK(got[3].body.size() == 60u);
  CHECK(got[4].body.size() == 2000u);
  CHECK(got[5].body.size() == 2000000u);
  CHECK(wall < 1500);  // about the longest (500 ms), far from the sum
  CHECK(f.lab->https_connections() == 1);
  // The big body was not held back behind the slow ones.
  CHECK(got[5].done_ms < got[0].done_ms);
}

TEST_CASE("a refused stream is retried by curl on a new connection and then answered") {
  LabFixture f;
  Fetch r = f.client->fetch(f.https("/refuse/1?case=retry"));
  INFO(r.trace);
  CHECK(r.code == CURLE_OK);
  CHECK(r.status == 200);
  CHECK(r.trace.find("REFUSED_STREAM") != std::string::npos);
  CHECK(r.trace.find("retrying a fresh connect") != std::string::npos);
  CHECK(f.lab->https_connections() == 2);
  // The next load of the same URL is refused once again, then answered.
  Fetch again = f.client->fetch(f.https("/refuse/1?case=retry"));
  INFO(again.trace);
  CHECK(again.status == 200);
  CHECK(again.trace.find("retrying a fresh connect") != std::string::npos);
  CHECK(f.lab->https_connections() == 3);
}

TEST_CASE("a refused request over HTTP/1.1 gets its connection closed without an answer") {
  LabFixture f;
  Fetch refused = f.client->fetch(f.http("/refuse/1?case=h1"));
  CHECK(refused.code == CURLE_GOT_NOTHING);
  Fetch answered = f.client->fetch(f.http("/refuse/1?case=h1"));
  CHECK(answered.status == 200);
}

TEST_CASE("/reset-stream resets its own stream and leaves the others on the connection alone") {
  LabFixture f;
  std::vector<Fetch> got = f.client->fetch_all({f.https("/delay/300"), f.https("/reset-stream")});
  CHECK(got[0].code == CURLE_OK);
  CHECK(got[0].status == 200);
  INFO(got[1].trace);
  CHECK(got[1].code == CURLE_HTTP2_STREAM);
  CHECK(got[1].body.size() <= 1000u);
  CHECK(f.lab->https_connections() == 1);
}

TEST_CASE("/reset over HTTP/2 resets the whole connection") {
  LabFixture f;
  // The drip has had bytes by the time of the reset, so curl cannot send it again.
  std::vector<Fetch> got = f.client->fetch_all({f.https("/drip?chunks=30&interval=100"), f.https("/reset")});
  INFO(got[0].trace);
  CHECK(got[1].code != CURLE_OK);
  CHECK(got[0].code != CURLE_OK);  // its stream went down with the connection
  CHECK(got[0].trace.find("Connection reset by peer") != std::string::npos);
  CHECK(got[0].done_ms < 1500);
  CHECK(f.lab->https_connections() == 1);
}

TEST_CASE("after a GOAWAY, streams the server did not take are retried on a new connection") {
  LabFixture f;
  // The GOAWAY comes 800 ms in, naming the first stream as the last one processed: the
  // other two are open by then (even on a busy machine), so they are refused and curl
  // sends them again.
  std::vector<Fetch> got =
      f.client->fetch_all({f.https("/goaway/800"), f.https("/delay/1000?n=1"), f.https("/delay/1000?n=2")});
  for (const Fetch& r : got) {
    INFO(r.trace);
    CHECK(r.code == CURLE_OK);
    CHECK(r.status == 200);
  }
  CHECK(got[0].trace.find("GOAWAY") != std::string::npos);
  CHECK(got[0].trace.find("retrying") == std::string::npos);
  CHECK(got[1].trace.find("retrying a fresh connect") != std::string::npos);
  CHECK(got[2].trace.find("retrying a fresh connect") != std::string::npos);
  CHECK(f.lab->https_connections() >= 2);  // curl may retry each on a connection of its own
  CHECK(got[1].done_ms >= 1700);  // 800 ms until the GOAWAY, then 1000 ms anew
}

TEST_CASE("/close over HTTP/2 ends the connection with a GOAWAY after the answer") {
  LabFixture f;
  Fetch r = f.client->fetch(f.https("/close"));
  CHECK(r.code == CURLE_OK);
  CHECK(r.status == 200);
  CHECK(f.client->fetch(f.https("/")).status == 200);
  CHECK(f.lab->https_connections() == 2);
}

TEST_CASE("stopping the server does not wait for a delayed HTTP/2 stream") {
  LabFixture f;
  std::thread client([&] {
    Client c(f.lab->ca_file(), {f.lab->https_port()});
    c.fetch(f.https("/delay/60000"));
  });
  std::this_thread::sleep_for(200ms);
  CHECK(f.lab->https_http2_connections() == 1);
  auto start = std::chrono::steady_clock::now();
  f.lab.reset();
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  client.join();
}

TEST_CASE("an idle HTTP/2 connection is closed after the idle timeout") {
  auto certs_dir = std::filesystem::temp_directory_path() / "pageload-h2-idle-XXXXXX";
  std::string dir = certs_dir.string();
  REQUIRE(::mkdtemp(dir.data()) != nullptr);
  auto certs = LabCertificates::generate(dir);
  REQUIRE(certs.ok());
  std::shared_ptr<LabCertificates> shared(std::move(certs.value()));
  auto tls = TlsServerContext::create(shared);
  REQUIRE(tls.ok());
  HttpServerOptions options;
  options.tls = tls.value();
  options.idle_timeout = 200ms;
  auto server = HttpServer::start(options);
  REQUIRE(server.ok());
  Client c(shared->ca_file(), {server.value()->port()});
  std::string url = "https://a.test:" + std::to_string(server.value()->port()) + "/";
  CHECK(c.fetch(url).http_version == CURL_HTTP_VERSION_2_0);
  CHECK(c.fetch(url).status == 200);
  CHECK(server.value()->connections_accepted() == 1);
  std::this_thread::sleep_for(600ms);
  CHECK(c.fetch(url).status == 200);
  CHECK(server.value()->connections_accepted() == 2);
  server.value()->stop();
  std::filesystem::remove_all(dir);
}

TEST_CASE("over HTTP/2 keep-alive= closes the connection once idle that long, and the next request opens another") {
  LabFixture f;
  CHECK(f.client->fetch(f.https("/status/200?keep-alive=100")).status == 200);
  CHECK(f.client->fetch(f.https("/status/200")).status == 200);  // at once: the same connection
  CHECK(f.lab->https_connections() == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  Fetch later = f.client->fetch(f.https("/status/204"));
  INFO(later.trace);
  CHECK(later.status == 204);
  CHECK(f.lab->https_connections() == 2);
  CHECK(f.lab->https_http2_connections() == 2);
}
