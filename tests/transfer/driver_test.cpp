// The driver against the lab: stamps, the per-host connection limit and curl's queue,
// body bytes handed over, live connections, and curl's copy of DNS answers.
#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>

#include "lab/lab.h"
#include "transfer/transfer.h"

using namespace pageload;
using namespace pageload::transfer;

namespace {

lab::Lab& the_lab() {
  static std::unique_ptr<lab::Lab> lab = [] {
    auto started = lab::Lab::start();
    if (!started.ok()) throw std::runtime_error("lab did not start: " + started.status().message());
    return std::move(started).value();
  }();
  return *lab;
}

Url url_of(const std::string& text) {
  auto u = parse_url(text);
  REQUIRE(u.ok());
  return u.value();
}

ExchangeSpec get(const std::string& url, PoolId pool) {
  ExchangeSpec spec;
  spec.pool = pool;
  spec.url = url_of(url);
  spec.cacert = the_lab().ca_file();
  spec.user_agent = "pageload-test";
  spec.connect_timeout_ms = 3000;
  spec.timeout_ms = 15000;
  return spec;
}

// Runs the driver until every exchange started is delivered (or 20 s pass).
void run_until_idle(Driver& driver) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (driver.active() > 0 && std::chrono::steady_clock::now() < give_up) {
    std::vector<WaitFd> none;
    driver.wait(none, 100);
    driver.perform();
  }
  REQUIRE(driver.active() == 0);
}

std::unique_ptr<Driver> make_driver(int limit = 6) {
  DriverOptions options;
  options.max_host_connections = limit;
  auto d = Driver::create(options);
  REQUIRE(d.ok());
  return std::move(d).value();
}

// Every stamp reached is no earlier than the one before it.
void check_order(const Stamps& s) {
  std::vector<std::optional<double>> order{s.handed, s.socket_opened, s.tcp_connected, s.tls_done,
                                           s.connection_ready, s.request_sent, s.first_byte, s.done};
  double last = -1;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (!order[i]) continue;
    INFO("stamp " << i);
    CHECK(*order[i] >= last - 0.001);
    last = *order[i];
  }
}

}  // namespace

TEST_CASE("an https exchange stamps every boundary once, in order, and names its connection") {
  auto driver = make_driver();
  RunClock clock;
  PoolId pool = driver->open_pool();
  std::optional<ExchangeResult> got;
  auto spec = get(the_lab().https_url("secure.test", "/status/200"), pool);
  spec.addresses = {"127.0.0.1"};
  REQUIRE(driver->start(spec, clock, [&](ExchangeResult r) { got = std::move(r); }).ok());
  CHECK_FALSE(got);  // never from inside start()
  run_until_idle(*driver);
  REQUIRE(got);
  const Stamps& s = got->stamps;
  for (const auto* stamp : {&s.handed, &s.socket_opened, &s.tcp_connected, &s.tls_done, &s.connection_ready,
                            &s.request_sent, &s.first_byte, &s.done})
    CHECK(stamp->has_value());
  check_order(s);
  REQUIRE(got->connection);
  REQUIRE(got->connection_id);
  CHECK(got->connection_id->remote_ip == "127.0.0.1");
  CHECK(got->connection_id->remote_port == the_lab().https_port());
  CHECK(got->connection_id->local_port == got->connection->local_port);
  CHECK(got->request.phase(Phase::kWait)->span.end_ms == Approx(*s.first_byte));
  CHECK(got->request.phase(Phase::kTls)->span.end_ms == Approx(*s.tls_done));
  CHECK(driver->has_live_connection(pool, spec.url));
}

// libcurl 7.88 restarts a transfer's times when it leaves its queue: phases built from
// them would put the waiting ones' wait before their send.
TEST_CASE("eight exchanges to one HTTP/1.1 host with a limit of six: two wait for a connection, phases intact") {
  auto driver = make_driver(6);
  RunClock clock;
  PoolId pool = driver->open_pool();
  const uint64_t before = the_lab().http_connections();
  std::vector<ExchangeResult> results;
  for (int i = 0; i < 8; ++i)
    REQUIRE(driver->start(get(the_lab().http_url("127.0.0.1", "/delay/300"), pool), clock,
                          [&](ExchangeResult r) { results.push_back(std::move(r)); })
                .ok());
  run_until_idle(*driver);
  REQUIRE(results.size() == 8);
  CHECK(the_lab().http_connections() - before == 6);
  int opened = 0, waited = 0;
  for (const auto& r : results) {
    INFO("request span " << r.request.span.start_ms << " .. " << r.request.span.end_ms);
    REQUIRE_FALSE(r.request.failure);
    check_order(r.stamps);
    const PhaseRecord* wait = r.request.phase(Phase::kWait);
    REQUIRE(wait);
    CHECK(wait->span.duration_ms() > 250);
    CHECK(wait->span.duration_ms() < 2000);
    for (const auto& p : r.request.phases) {
      CHECK(p.span.start_ms >= r.request.span.start_ms - 0.001);
      CHECK(p.span.end_ms <= r.request.span.end_ms + 0.001);
    }
    const double queued = *r.stamps.connection_ready - *r.stamps.handed;
    if (r.connection) {
      ++opened;
      CHECK(queued < 250);
      CHECK(r.request.phase(Phase::kConnect)->span.duration_ms() < 100);
    } else {
      ++waited;
      CHECK(r.request.reused);
      CHECK(queued > 250);  // behind a 300 ms response on one of the six
      CHECK(r.request.phase(Phase::kSend)->span.start_ms >= *r.stamps.connection_ready - 0.001);
    }
  }
  CHECK(opened == 6);
  CHECK(waited == 2);
}

TEST_CASE("a queued exchange that opens its connection late keeps connect where its socket opened") {
  auto driver = make_driver(6);
  RunClock clock;
  PoolId pool = driver->open_pool();
  std::vector<ExchangeResult> results;
  for (int i = 0; i < 8; ++i) {
    auto spec = get(the_lab().http_url("127.0.0.1", "/delay/300"), pool);
    spec.keepalive = false;  // no reuse: the two that wait open connections of their own
    REQUIRE(driver->start(spec, clock, [&](ExchangeResult r) { results.push_back(std::move(r)); }).ok());
  }
  run_until_idle(*driver);
  REQUIRE(results.size() == 8);
  int late = 0;
  for (const auto& r : results) {
    REQUIRE_FALSE(r.request.failure);
    REQUIRE(r.connection);
    check_order(r.stamps);
    const PhaseRecord* connect = r.request.phase(Phase::kConnect);
    REQUIRE(connect);
    CHECK(connect->span.start_ms == Approx(*r.stamps.socket_opened));
    CHECK(connect->span.duration_ms() < 100);  // not the time spent in the queue
    CHECK(r.request.phase(Phase::kWait)->span.duration_ms() > 250);
    if (*r.stamps.socket_opened - *r.stamps.handed > 250) ++late;
  }
  CHECK(late == 2);
}

TEST_CASE("decoded body bytes are handed to on_body as they arrive") {
  auto driver = make_driver();
  RunClock clock;
  PoolId pool = driver->open_pool();
  std::string body;
  int calls = 0;
  auto spec = get(the_lab().http_url("127.0.0.1", "/gzip"), pool);
  spec.on_body = [&](std::string_view bytes) {
    body += bytes;
    ++calls;
  };
  std::optional<ExchangeResult> got;
  REQUIRE(driver->start(spec, clock, [&](ExchangeResult r) { got = std::move(r); }).ok());
  run_until_idle(*driver);
  REQUIRE(got);
  CHECK(calls > 0);
  CHECK(got->request.body_bytes < got->request.body_decoded);  // it came gzip-encoded
  CHECK(static_cast<int64_t>(body.size()) == got->request.body_decoded);
  CHECK(body.rfind("pageload lab: a compressible line of text, line 0\n", 0) == 0);
}

TEST_CASE("start fails for an unknown pool, starts nothing and never calls back") {
  auto driver = make_driver();
  RunClock clock;
  bool called = false;
  Status s = driver->start(get(the_lab().http_url("127.0.0.1", "/"), 99), clock, [&](ExchangeResult) { called = true; });
  CHECK_FALSE(s.ok());
  CHECK(driver->active() == 0);
  driver->perform();
  CHECK_FALSE(called);
}

TEST_CASE("a pool has a live connection after a keep-alive exchange, and none once the server closed it") {
  auto driver = make_driver();
  RunClock clock;
  PoolId pool = driver->open_pool();
  const Url url = url_of(the_lab().http_url("127.0.0.1", "/status/200"));
  CHECK_FALSE(driver->has_live_connection(pool, url));
  REQUIRE(driver->start(get(url.full, pool), clock, [](ExchangeResult) {}).ok());
  run_until_idle(*driver);
  CHECK(driver->has_live_connection(pool, url));
  CHECK_FALSE(driver->has_live_connection(driver->open_pool(), url));  // another pool's
  REQUIRE(driver->start(get(the_lab().http_url("127.0.0.1", "/close"), pool), clock, [](ExchangeResult) {}).ok());
  run_until_idle(*driver);
  CHECK_FALSE(driver->has_live_connection(pool, url));
}

// An exchange without addresses must not connect to ones whose TTL has run out: curl
// kept them in its DNS cache, where CURLOPT_RESOLVE entries never expire by themselves.
TEST_CASE("curl's copy of a DNS answer does not outlive its TTL") {
  auto driver = make_driver();
  RunClock clock;
  PoolId pool = driver->open_pool();
  auto first = get(the_lab().http_url("ttl.test", "/close"), pool);  // the connection closes
  first.addresses = {"127.0.0.1"};
  first.addresses_ttl_s = 0;
  REQUIRE(driver->start(first, clock, [](ExchangeResult) {}).ok());
  run_until_idle(*driver);

  const uint64_t before = the_lab().http_connections();
  std::optional<ExchangeResult> second;
  REQUIRE(driver->start(get(the_lab().http_url("ttl.test", "/status/200"), pool), clock,
                        [&](ExchangeResult r) { second = std::move(r); })
              .ok());
  run_until_idle(*driver);
  REQUIRE(second);
  REQUIRE(second->request.failure);
  CHECK(second->request.failure->code == Code::kConnectError);
  CHECK(second->request.failure->message.find("no current addresses for ttl.test:") == 0);
  CHECK(the_lab().http_connections() == before);

  // With time left on the answer, the same exchange connects to it.
  first.addresses_ttl_s = 60;
  REQUIRE(driver->start(first, clock, [](ExchangeResult) {}).ok());
  run_until_idle(*driver);
  second.reset();
  REQUIRE(driver->start(get(the_lab().http_url("ttl.test", "/status/200"), pool), clock,
                        [&](ExchangeResult r) { second = std::move(r); })
              .ok());
  run_until_idle(*driver);
  REQUIRE(second);
  CHECK_FALSE(second->request.failure);
  CHECK(second->connection);
}

TEST_CASE("exchanges to one HTTP/2 origin share one connection as overlapping streams") {
  auto driver = make_driver();
  RunClock clock;
  PoolId pool = driver->open_pool();
  const uint64_t before = the_lab().https_connections();
  std::vector<ExchangeResult> results;
  for (int i = 0; i < 5; ++i) {
    auto spec = get(the_lab().https_url("h2.test", "/delay/300?stream=" + std::to_string(i)), pool);
    spec.addresses = {"127.0.0.1"};
    spec.stream_weight = 32 * (i + 1);
    REQUIRE(driver->start(spec, clock, [&](ExchangeResult r) { results.push_back(std::move(r)); }).ok());
  }
  run_until_idle(*driver);
  REQUIRE(results.size() == 5);
  CHECK(the_lab().https_connections() - before == 1);
  int opened = 0;
  double first_handed = 1e9, last_done = 0;
  for (const auto& r : results) {
    INFO((r.request.failure ? r.request.failure->message : std::string("ok")));
    REQUIRE_FALSE(r.request.failure);
    CHECK(r.request.http_version == "HTTP/2");
    REQUIRE(r.connection_id);
    CHECK(*r.connection_id == *results[0].connection_id);
    check_order(r.stamps);
    CHECK(r.request.phase(Phase::kWait)->span.duration_ms() > 250);
    opened += r.connection ? 1 : 0;
    first_handed = std::min(first_handed, *r.stamps.handed);
    last_done = std::max(last_done, *r.stamps.done);
  }
  CHECK(opened == 1);
  CHECK(last_done - first_handed < 600);  // five 300 ms responses at once, not one after another
  CHECK(driver->has_live_connection(pool, url_of(results[0].request.url)));
}

// libcurl 7.88 could leave a stream's last frames unread in its HTTP/2 connection buffer
// when another stream's transfer ended (transfer.cpp, kHttp2ReceiveBufferBytes): the
// stream then waited for the server to send again, from the lab 30 s later (its idle
// GOAWAY). It happened in about half the connections carrying several 1 MB responses, so
// three connections of eight such streams each: before the fix nearly always one stalled.
TEST_CASE("1 MB responses on one HTTP/2 connection all arrive without the server sending again") {
  auto driver = make_driver();
  RunClock clock;
  constexpr int kConnections = 3, kStreams = 8;
  const auto started = std::chrono::steady_clock::now();
  for (int c = 0; c < kConnections; ++c) {
    PoolId pool = driver->open_pool();  // a pool of its own: a connection of its own
    std::vector<ExchangeResult> results;
    for (int i = 0; i < kStreams; ++i) {
      auto spec = get(the_lab().https_url("h2.test", "/large/1000000?stall=" + std::to_string(c * kStreams + i)), pool);
      spec.addresses = {"127.0.0.1"};
      REQUIRE(driver->start(spec, clock, [&](ExchangeResult r) { results.push_back(std::move(r)); }).ok());
    }
    // Well short of the lab's 30 s idle timeout, so a stall cannot end before this does;
    // the transfers themselves take a few tens of milliseconds.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(8);
    while (driver->active() > 0 && std::chrono::steady_clock::now() < give_up) {
      std::vector<WaitFd> none;
      driver->wait(none, 100);
      driver->perform();
    }
    INFO("connection " << c << ": " << results.size() << " of " << kStreams << " responses after "
                       << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() << " s");
    REQUIRE(results.size() == kStreams);
    for (const auto& r : results) {
      INFO((r.request.failure ? r.request.failure->message : std::string("ok")));
      REQUIRE_FALSE(r.request.failure);
      CHECK(r.request.http_version == "HTTP/2");
      CHECK(r.request.body_bytes == 1000000);
      REQUIRE(r.connection_id);
      CHECK(*r.connection_id == *results[0].connection_id);
    }
    driver->close_pool(pool);
  }
}

TEST_CASE("HttpVersion::kHttp11 speaks HTTP/1.1 to a server that offers h2") {
  auto driver = make_driver();
  RunClock clock;
  auto spec = get(the_lab().https_url("h1.test", "/status/200"), driver->open_pool());
  spec.addresses = {"127.0.0.1"};
  spec.http_version = HttpVersion::kHttp11;
  std::optional<ExchangeResult> got;
  REQUIRE(driver->start(spec, clock, [&](ExchangeResult r) { got = std::move(r); }).ok());
  run_until_idle(*driver);
  REQUIRE(got);
  CHECK(got->request.http_version == "HTTP/1.1");
  REQUIRE(got->connection);
  REQUIRE(got->connection->tls);
  CHECK(got->connection->tls->alpn == "http/1.1");
}

// curl retries a refused HTTP/2 stream on a new connection, up to five times; each try
// is recorded as what it was instead of one connection with six connect attempts.
TEST_CASE("an HTTP/2 REFUSED_STREAM retried by curl is recorded as retries, each on its own connection") {
  auto driver = make_driver();
  RunClock clock;
  auto spec = get(the_lab().https_url("refused.h2.test", "/refuse/2?driver=1"), driver->open_pool());
  spec.addresses = {"127.0.0.1"};
  std::optional<ExchangeResult> got;
  REQUIRE(driver->start(spec, clock, [&](ExchangeResult r) { got = std::move(r); }).ok());
  run_until_idle(*driver);
  REQUIRE(got);
  INFO((got->request.failure ? got->request.failure->message : std::string("ok")));
  CHECK(got->request.status == 200);
  REQUIRE(got->retries.size() == 2);
  double previous_end = *got->stamps.handed;
  for (const auto& retry : got->retries) {
    CHECK(retry.reason.find("REFUSED_STREAM") == 0);
    REQUIRE(retry.connection);
    REQUIRE(retry.connection_id);
    CHECK(retry.connection->attempts.size() == 1);
    CHECK(retry.connection->local_port == retry.connection_id->local_port);
    CHECK(retry.span.start_ms >= previous_end - 0.001);
    previous_end = retry.span.end_ms;
  }
  CHECK(got->retries[0].connection_id != got->retries[1].connection_id);
  REQUIRE(got->connection);
  CHECK(got->connection->attempts.size() == 1);  // the last try's own, not all six
  CHECK(*got->stamps.socket_opened >= got->retries.back().span.end_ms - 0.001);
  const PhaseRecord* connect = got->request.phase(Phase::kConnect);
  REQUIRE(connect);
  CHECK(connect->span.start_ms == Approx(*got->stamps.socket_opened));
  CHECK(connect->span.duration_ms() < 100);
  check_order(got->stamps);
}

namespace {

// One exchange, run to its end; its result.
ExchangeResult exchange(Driver& driver, const ExchangeSpec& spec, const RunClock& clock) {
  std::optional<ExchangeResult> got;
  REQUIRE(driver.start(spec, clock, [&](ExchangeResult r) { got = std::move(r); }).ok());
  run_until_idle(driver);
  REQUIRE(got);
  return std::move(*got);
}

auto any_connection = [](const ConnectionId&) { return true; };

}  // namespace

TEST_CASE("a keep-alive connection ends when its pool closes, closed by pageload, after its exchange") {
  auto driver = make_driver();
  RunClock clock;
  PoolId pool = driver->open_pool();
  ExchangeResult r = exchange(*driver, get(the_lab().http_url("127.0.0.1", "/status/200"), pool), clock);
  REQUIRE(r.connection_id);
  CHECK(driver->take_connection_ends(pool, any_connection).empty());  // still open
  driver->close_pool(pool);
  auto ends = driver->take_connection_ends(pool, any_connection);
  REQUIRE(ends.size() == 1);
  CHECK(ends[0].id == *r.connection_id);
  CHECK(ends[0].by == ClosedBy::kPageload);
  CHECK(ends[0].reason == CloseReason::kEndOfPage);
  CHECK(clock.offset_ms(ends[0].closed_us) >= *r.stamps.done);
  CHECK(driver->take_connection_ends(pool, any_connection).empty());  // taken once
}

TEST_CASE("a response with Connection: close ends its connection for that reason, right after it") {
  auto driver = make_driver();
  RunClock clock;
  PoolId pool = driver->open_pool();
  ExchangeResult r = exchange(*driver, get(the_lab().http_url("127.0.0.1", "/close"), pool), clock);
  REQUIRE(r.connection_id);
  auto ends = driver->take_connection_ends(pool, any_connection);
  REQUIRE(ends.size() == 1);
  CHECK(ends[0].id == *r.connection_id);
  CHECK(ends[0].reason == CloseReason::kConnectionClose);
  // Who closed first is a race between the lab's FIN and curl's close: either is recorded.
  CHECK(clock.offset_ms(ends[0].closed_us) >= *r.stamps.first_byte);
}

// The classic keep-alive failure: the server closes a connection it left open, and the
// next request to it needs a new connection. curl finds the FIN when it goes to reuse it.
TEST_CASE("a connection the server closed while idle ends closed by the server, found when curl went to reuse it") {
  auto driver = make_driver();
  RunClock clock;
  PoolId pool = driver->open_pool();
  auto first = get(the_lab().fault_url("127.0.0.1", "/close-after-redirect"), pool);
  ExchangeResult r = exchange(*driver, first, clock);
  REQUIRE(r.connection_id);
  CHECK(r.request.status == 302);
  // The lab's FIN left with the response; wait until the socket shows it.
  const Url url = url_of(first.url.full);
  for (int i = 0; i < 200 && driver->has_live_connection(pool, url); ++i) usleep(5000);
  REQUIRE_FALSE(driver->has_live_connection(pool, url));
  ExchangeResult second = exchange(*driver, get(the_lab().fault_url("127.0.0.1", "/landing"), pool), clock);
  CHECK(second.request.status == 200);
  REQUIRE(second.connection);  // a new connection, with its own connect
  auto ends = driver->take_connection_ends(pool, any_connection);
  REQUIRE(ends.size() == 1);
  CHECK(ends[0].id == *r.connection_id);
  CHECK(ends[0].by == ClosedBy::kServer);
  CHECK(ends[0].reason == CloseReason::kServerClosed);
  CHECK(clock.offset_ms(ends[0].closed_us) <= *second.stamps.socket_opened + 0.001);
}

TEST_CASE("with keep-alive off each connection ends after its exchange, closed by pageload") {
  auto driver = make_driver();
  RunClock clock;
  PoolId pool = driver->open_pool();
  auto spec = get(the_lab().http_url("127.0.0.1", "/status/200"), pool);
  spec.keepalive = false;
  ExchangeResult r = exchange(*driver, spec, clock);
  auto ends = driver->take_connection_ends(pool, any_connection);
  REQUIRE(ends.size() == 1);
  CHECK(ends[0].reason == CloseReason::kNoKeepalive);
  CHECK(ends[0].by == ClosedBy::kPageload);
}

TEST_CASE("connection ends another run wants stay in a shared pool until taken, and go when the pool closes") {
  auto driver = make_driver();
  RunClock clock;
  PoolId pool = driver->open_pool();
  auto spec = get(the_lab().http_url("127.0.0.1", "/close"), pool);
  ExchangeResult a = exchange(*driver, spec, clock);
  ExchangeResult b = exchange(*driver, spec, clock);
  REQUIRE(a.connection_id);
  REQUIRE(b.connection_id);
  auto only_a = [&](const ConnectionId& id) { return id == *a.connection_id; };
  auto got_a = driver->take_connection_ends(pool, only_a);
  REQUIRE(got_a.size() == 1);
  CHECK(got_a[0].id == *a.connection_id);
  driver->close_pool(pool);
  auto none = [](const ConnectionId&) { return false; };
  CHECK(driver->take_connection_ends(pool, none).empty());
  CHECK(driver->take_connection_ends(pool, any_connection).empty());  // forgotten with the pool
}
