// TLS sessions across the connections of a load: a later connection to the same host
// resumes the session an earlier one left in the run's pool (or, with
// --share-connections, an earlier run's), as a browser does; --no-sessionid turns it off.
// Asserted on the rows read back from SQLite.
#include <catch2/catch.hpp>

#include "fixtures/lab_fixture.h"

using namespace pageload;
using pageload::testing::lab_options;
using pageload::testing::load_and_store;
using pageload::testing::shared_lab;

TEST_CASE("within one run each new connection to the host resumes the session: TLS 1.2 from two round trips to one") {
  auto o = lab_options(shared_lab().https12_url("a.test", "/chain/302,302"));
  o.keepalive = false;  // every hop on a connection of its own
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  REQUIRE(run.connections.size() == 3);
  CHECK(run.connections[0].tls_resumed == false);
  CHECK(run.connections[0].tls_round_trips == 2);
  for (std::size_t i = 1; i < 3; ++i) {
    INFO("connection " << i);
    CHECK(run.connections[i].tls_session_offered == true);
    CHECK(run.connections[i].tls_resumed == true);
    CHECK(run.connections[i].tls_round_trips == 1);
    // No certificate crossed: the handshake is the shorter one.
    for (const auto& s : run.connections[i].tls_steps) CHECK(s.message != "Certificate");
    CHECK(run.connections[i].tls_steps.size() < run.connections[0].tls_steps.size());
  }
}

TEST_CASE("without the session cache (--no-sessionid) every connection of the run makes a full handshake") {
  auto o = lab_options(shared_lab().https12_url("a.test", "/chain/302"));
  o.keepalive = false;
  o.tls_sessions = false;
  Run run = load_and_store(o);
  REQUIRE(run.connections.size() == 2);
  for (const auto& c : run.connections) {
    CHECK(c.tls_session_offered == false);
    CHECK(c.tls_resumed == false);
    CHECK(c.tls_round_trips == 2);
  }
  CHECK(run.options_json.find("\"tls_sessions\":false") != std::string::npos);
}

TEST_CASE("runs sharing a pool (--share-connections) resume each other's sessions, runs of their own do not") {
  auto loader = Loader::create();
  REQUIRE(loader.ok());
  auto o = lab_options(shared_lab().https_url("b.test", "/status/200"));
  o.keepalive = false;  // the connection closes: the next run needs a new one
  o.share_connections = true;
  auto first = loader.value()->load(o);
  auto second = loader.value()->load(o);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(second->connections.size() == 1);
  CHECK(first->connections[0].tls_resumed == false);
  CHECK(second->connections[0].tls_resumed == true);

  o.share_connections = false;
  auto own = loader.value()->load(o);
  REQUIRE(own.ok());
  REQUIRE(own->connections.size() == 1);
  CHECK(own->connections[0].tls_session_offered == false);
}

TEST_CASE("the TLS version flags (--tlsv1.2, --tls-max 1.2, --tlsv1.3) choose the version and are kept with the run's options") {
  auto o = lab_options(shared_lab().https_url("a.test", "/status/200"));
  o.tls_min = TlsVersion::kTls12;
  o.tls_max = TlsVersion::kTls12;
  Run tls12 = load_and_store(o);
  REQUIRE(tls12.connections.size() == 1);
  CHECK(tls12.connections[0].tls->version == "TLSv1.2");
  CHECK(tls12.connections[0].tls_round_trips == 2);
  CHECK(tls12.options_json.find("\"tls_max\":\"1.2\"") != std::string::npos);
  o.tls_min = TlsVersion::kTls13;
  o.tls_max = TlsVersion::kDefault;
  Run tls13 = load_and_store(o);
  CHECK(tls13.connections[0].tls->version == "TLSv1.3");
  CHECK(tls13.connections[0].tls_round_trips == 1);
  CHECK(tls13.options_json.find("\"tls_min\":\"1.3\"") != std::string::npos);
}

namespace {

// Every connection a page load opened after its document's offered that connection's
// TLS session and had it accepted: no certificate crossed, one round trip.
void check_resumed_after_document(const Run& run) {
  REQUIRE(run.requests[0].connection);
  const Connection& first = run.connections[*run.requests[0].connection];
  CHECK(first.tls_session_offered == false);
  CHECK(first.tls_resumed == false);
  for (const Connection& c : run.connections) {
    if (c.id == first.id) continue;
    INFO("connection " << c.id);
    CHECK(c.tls_session_offered == true);
    CHECK(c.tls_resumed == true);
    CHECK(c.tls_round_trips == 1);
    for (const auto& s : c.tls_steps) CHECK(s.message != "Certificate");
  }
}

}  // namespace

TEST_CASE("a page over HTTP/1.1: the connections opened for its images resume the document's TLS 1.3 session") {
  Run run = load_and_store(lab_options(shared_lab().https11_url("a.test", "/page/images")));
  REQUIRE(run.outcome == Outcome::kOk);
  REQUIRE(run.connections.size() == 6);
  CHECK(run.connections[*run.requests[0].connection].tls->version == "TLSv1.3");
  check_resumed_after_document(run);
}

TEST_CASE("a page over TLS 1.2 and HTTP/1.1: the later connections resume in one round trip, the document's took two") {
  auto o = lab_options(shared_lab().https12_url("a.test", "/page/images"));
  o.http11 = true;
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  REQUIRE(run.connections.size() == 6);
  CHECK(run.connections[*run.requests[0].connection].tls_round_trips == 2);
  check_resumed_after_document(run);
}

TEST_CASE("a page without the session cache (--no-sessionid): every connection makes a full handshake") {
  auto o = lab_options(shared_lab().https11_url("a.test", "/page/images"));
  o.tls_sessions = false;
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  REQUIRE(run.connections.size() == 6);
  for (const Connection& c : run.connections) {
    INFO("connection " << c.id);
    CHECK(c.tls_session_offered == false);
    CHECK(c.tls_resumed == false);
  }
}
