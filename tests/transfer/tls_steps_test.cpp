// The TLS handshake step by step against the lab: the messages of TLS 1.2 and 1.3, a
// resumed session, a HelloRetryRequest and handshakes refused with an alert, with their
// round trips, as the driver records them on the run's clock.
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

ExchangeSpec get(const std::string& url, PoolId pool) {
  ExchangeSpec spec;
  spec.pool = pool;
  auto u = parse_url(url);
  REQUIRE(u.ok());
  spec.url = u.value();
  spec.cacert = the_lab().ca_file();
  spec.user_agent = "pageload-test";
  spec.connect_timeout_ms = 3000;
  spec.timeout_ms = 15000;
  spec.addresses = {"127.0.0.1"};
  return spec;
}

// Runs one exchange to the end on `driver` and returns what it measured.
ExchangeResult exchange(Driver& driver, const ExchangeSpec& spec, const RunClock& clock) {
  std::optional<ExchangeResult> got;
  REQUIRE(driver.start(spec, clock, [&](ExchangeResult r) { got = std::move(r); }).ok());
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!got && std::chrono::steady_clock::now() < give_up) {
    std::vector<WaitFd> none;
    driver.wait(none, 100);
    driver.perform();
  }
  REQUIRE(got);
  return std::move(*got);
}

std::unique_ptr<Driver> make_driver() {
  auto d = Driver::create();
  REQUIRE(d.ok());
  return std::move(d).value();
}

using Seq = std::vector<std::string>;

// "→ClientHello", "←ServerHello", "←Alert protocol_version": direction and name of
// every step of the handshake (with_after: also those after it).
Seq sequence(const Connection& c, bool with_after = false) {
  Seq out;
  for (const auto& s : c.tls_steps) {
    if (s.after_handshake && !with_after) continue;
    out.push_back(std::string(s.sent() ? "→" : "←") + s.message + (s.message == "Alert" ? " " + s.alert : ""));
  }
  return out;
}

// One exchange on a pool of its own.
Connection connection_of(const ExchangeSpec& base) {
  auto driver = make_driver();
  RunClock clock;
  ExchangeSpec spec = base;
  spec.pool = driver->open_pool();
  ExchangeResult r = exchange(*driver, spec, clock);
  INFO((r.request.failure ? r.request.failure->message : "ok"));
  REQUIRE(r.connection);
  return *r.connection;
}

const Seq kFull13 = {"→ClientHello",       "←ServerHello",       "←ChangeCipherSpec", "←EncryptedExtensions",
                     "←Certificate",       "←CertificateVerify", "←Finished",         "→ChangeCipherSpec",
                     "→Finished"};
const Seq kFull12 = {"→ClientHello",       "←ServerHello",       "←Certificate", "←ServerKeyExchange",
                     "←ServerHelloDone",   "→ClientKeyExchange", "→ChangeCipherSpec", "→Finished",
                     "←ChangeCipherSpec",  "←Finished"};

}  // namespace

TEST_CASE("a TLS 1.3 handshake records its nine messages in order and takes one round trip") {
  Connection c = connection_of(get(the_lab().https_url("a.test", "/status/200"), 0));
  CHECK(sequence(c) == kFull13);
  CHECK(c.tls_round_trips == 1);
  CHECK(c.tls_resumed == false);
  CHECK(c.tls_session_offered == false);
  REQUIRE(c.tls);
  CHECK(c.tls->version == "TLSv1.3");
  // The server's session tickets come once the handshake is done.
  const Seq all = sequence(c, true);
  CHECK(all.size() > kFull13.size());
  for (std::size_t i = kFull13.size(); i < all.size(); ++i) CHECK(all[i] == "←NewSessionTicket");
}

TEST_CASE("a TLS 1.2 handshake on the lab's TLS 1.2 port takes two round trips with the server's key exchange") {
  Connection c = connection_of(get(the_lab().https12_url("a.test", "/status/200"), 0));
  CHECK(sequence(c, true) == kFull12);
  CHECK(c.tls_round_trips == 2);
  REQUIRE(c.tls);
  CHECK(c.tls->version == "TLSv1.2");
  CHECK(c.tls->alpn == "h2");  // the TLS 1.2 port offers h2 and http/1.1 as the main one
}

TEST_CASE("a TLS maximum of 1.2 (--tls-max 1.2) makes the main port speak TLS 1.2 too") {
  auto spec = get(the_lab().https_url("a.test", "/status/200"), 0);
  spec.tls_max = TlsVersion::kTls12;
  Connection c = connection_of(spec);
  CHECK(sequence(c) == kFull12);
  CHECK(c.tls->version == "TLSv1.2");
}

TEST_CASE("each message has its size and a time inside the tls phase, in order") {
  auto driver = make_driver();
  RunClock clock;
  auto spec = get(the_lab().https12_url("a.test", "/status/200"), driver->open_pool());
  ExchangeResult r = exchange(*driver, spec, clock);
  REQUIRE(r.connection);
  const PhaseRecord* tls = r.request.phase(Phase::kTls);
  REQUIRE(tls);
  double last = tls->span.start_ms;
  for (const auto& s : r.connection->tls_steps) {
    INFO(s.message << " at " << s.at_ms << " in " << tls->span.start_ms << " .. " << tls->span.end_ms);
    CHECK(s.at_ms >= last);
    CHECK(s.at_ms <= tls->span.end_ms + 1);  // curl stamps APPCONNECT apart from OpenSSL
    last = s.at_ms;
  }
  const auto& steps = r.connection->tls_steps;
  CHECK(steps.front().bytes > 100);                                        // a ClientHello with its extensions
  CHECK(steps[2].bytes > 300);                                             // the certificate
  CHECK(steps[6].bytes == 1);                                              // ChangeCipherSpec
  CHECK(steps.back().bytes == 16);                                         // Finished: 4 + 12
}

TEST_CASE("a second connection to the same host resumes the first's TLS 1.2 session in one round trip") {
  auto driver = make_driver();
  RunClock clock;
  auto spec = get(the_lab().https12_url("a.test", "/status/200"), driver->open_pool());
  spec.keepalive = false;  // a new connection each time
  ExchangeResult first = exchange(*driver, spec, clock);
  ExchangeResult second = exchange(*driver, spec, clock);
  REQUIRE(first.connection);
  REQUIRE(second.connection);
  CHECK(first.connection->tls_round_trips == 2);
  CHECK(second.connection->tls_session_offered == true);
  CHECK(second.connection->tls_resumed == true);
  CHECK(second.connection->tls_round_trips == 1);
  CHECK(sequence(*second.connection) ==
        Seq{"→ClientHello", "←ServerHello", "←ChangeCipherSpec", "←Finished", "→ChangeCipherSpec", "→Finished"});
  // The resumed session still reads as verified: its certificate was checked the first time.
  REQUIRE(second.connection->tls);
  CHECK(second.connection->tls->verified);
}

TEST_CASE("a resumed TLS 1.3 session sends no certificate and still takes one round trip") {
  auto driver = make_driver();
  RunClock clock;
  auto spec = get(the_lab().https_url("a.test", "/status/200"), driver->open_pool());
  spec.keepalive = false;
  exchange(*driver, spec, clock);
  ExchangeResult second = exchange(*driver, spec, clock);
  REQUIRE(second.connection);
  CHECK(second.connection->tls_resumed == true);
  CHECK(second.connection->tls_round_trips == 1);
  CHECK(sequence(*second.connection) == Seq{"→ClientHello", "←ServerHello", "←ChangeCipherSpec",
                                            "←EncryptedExtensions", "←Finished", "→ChangeCipherSpec", "→Finished"});
}

// curl 7.88 frees an HTTP/2 connection's SSL without a close_notify, which made OpenSSL
// mark its session unresumable: every later connection made a full handshake.
TEST_CASE("a session from an HTTP/2 connection curl closed is still resumed, again and again") {
  for (bool tls12 : {true, false}) {
    INFO((tls12 ? "TLS 1.2" : "TLS 1.3"));
    auto driver = make_driver();
    RunClock clock;
    const std::string url = tls12 ? the_lab().https12_url("a.test", "/status/200")
                                  : the_lab().https_url("a.test", "/status/200");
    auto spec = get(url, driver->open_pool());
    spec.keepalive = false;
    for (int i = 0; i < 4; ++i) {
      ExchangeResult r = exchange(*driver, spec, clock);
      INFO("connection " << i);
      CHECK(r.request.http_version == "HTTP/2");
      REQUIRE(r.connection);
      CHECK(r.connection->tls_resumed == (i > 0));
    }
  }
}

TEST_CASE("without the session cache (--no-sessionid) every connection is a full handshake") {
  auto driver = make_driver();
  RunClock clock;
  auto spec = get(the_lab().https12_url("a.test", "/status/200"), driver->open_pool());
  spec.keepalive = false;
  spec.tls_sessions = false;
  for (int i = 0; i < 2; ++i) {
    ExchangeResult r = exchange(*driver, spec, clock);
    REQUIRE(r.connection);
    CHECK(r.connection->tls_session_offered == false);
    CHECK(r.connection->tls_resumed == false);
    CHECK(r.connection->tls_round_trips == 2);
  }
}

TEST_CASE("a server that wants another key share answers with a HelloRetryRequest: two round trips") {
  Connection c = connection_of(get(the_lab().https_url("hello-retry.test", "/status/200"), 0));
  const Seq seq = sequence(c);
  REQUIRE(seq.size() >= 4);
  CHECK(seq[0] == "→ClientHello");
  CHECK(seq[1] == "←HelloRetryRequest");
  CHECK(std::count(seq.begin(), seq.end(), "→ClientHello") == 2);
  CHECK(c.tls_round_trips == 2);
  CHECK(c.tls->version == "TLSv1.3");
}

TEST_CASE("TLS 1.3 only (--tlsv1.3) against the TLS 1.2 port: the server's protocol_version alert after the ClientHello") {
  auto spec = get(the_lab().https12_url("a.test", "/"), 0);
  spec.tls_min = TlsVersion::kTls13;
  auto driver = make_driver();
  RunClock clock;
  spec.pool = driver->open_pool();
  ExchangeResult r = exchange(*driver, spec, clock);
  REQUIRE(r.request.failure);
  CHECK(r.request.failure->code == Code::kTlsAlert);
  CHECK(r.request.error_phase == Phase::kTls);
  CHECK(r.request.failure->message.find("protocol_version after the client's ClientHello") != std::string::npos);
  REQUIRE(r.connection);
  CHECK(sequence(*r.connection) == Seq{"→ClientHello", "←Alert protocol_version"});
  CHECK(r.connection->tls_steps.back().fatal);
  CHECK(r.connection->tls_round_trips == 1);
}

TEST_CASE("a required client certificate over TLS 1.2: handshake_failure after the client's Finished") {
  auto driver = make_driver();
  RunClock clock;
  ExchangeResult r = exchange(*driver, get(the_lab().https12_url("client-cert.test", "/"), driver->open_pool()), clock);
  REQUIRE(r.request.failure);
  CHECK(r.request.failure->code == Code::kTlsAlert);
  CHECK(r.request.error_phase == Phase::kTls);
  REQUIRE(r.connection);
  CHECK(sequence(*r.connection) ==
        Seq{"→ClientHello", "←ServerHello", "←Certificate", "←ServerKeyExchange", "←CertificateRequest",
            "←ServerHelloDone", "→Certificate", "→ClientKeyExchange", "→ChangeCipherSpec", "→Finished",
            "←Alert handshake_failure"});
  CHECK(r.connection->tls_steps[6].bytes == 7);  // an empty certificate list: no client certificate
  CHECK(r.connection->tls_round_trips == 2);
}

TEST_CASE("a required client certificate over TLS 1.3: certificate_required after the handshake, in the wait") {
  auto driver = make_driver();
  RunClock clock;
  ExchangeResult r = exchange(*driver, get(the_lab().https_url("client-cert.test", "/"), driver->open_pool()), clock);
  REQUIRE(r.request.failure);
  CHECK(r.request.failure->code == Code::kTlsAlert);
  CHECK(r.request.phase(Phase::kTls));
  CHECK(r.request.phase(Phase::kTls)->ok());  // the client's side of the handshake was done
  CHECK(r.request.error_phase != Phase::kTls);
  REQUIRE(r.connection);
  const auto& last = r.connection->tls_steps.back();
  CHECK(last.message == "Alert");
  CHECK(last.alert == "certificate_required");
  CHECK(last.after_handshake);
  CHECK_FALSE(last.sent());
  const Seq seq = sequence(*r.connection);
  CHECK(std::find(seq.begin(), seq.end(), "←CertificateRequest") != seq.end());
  CHECK(r.connection->tls_round_trips == 1);
}

TEST_CASE("a certificate the client rejects ends with the client's own alert, classified as the certificate") {
  auto driver = make_driver();
  RunClock clock;
  ExchangeResult r = exchange(*driver, get(the_lab().https_url("expired.test", "/"), driver->open_pool()), clock);
  REQUIRE(r.request.failure);
  CHECK(r.request.failure->code == Code::kTlsCertExpired);
  REQUIRE(r.connection);
  const auto& last = r.connection->tls_steps.back();
  CHECK(last.message == "Alert");
  CHECK(last.sent());
  CHECK(last.alert == "certificate_expired");
  CHECK(last.fatal);
}
