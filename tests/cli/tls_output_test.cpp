// The handshake as the terminal, `show` and --json show it.
#include <catch2/catch.hpp>

#include "cli/output.h"
#include "cli/parse.h"
#include "cli/tls_output.h"

using namespace pageload;
using namespace pageload::cli;

namespace {

using D = TlsStep::Direction;

// Two hops over one resumed TLS 1.2 connection, shaped like a real run's.
Run resumed_run() {
  Run run;
  run.id = 7;
  run.url = "https://a.test/";
  run.outcome = Outcome::kOk;
  Connection c;
  c.scheme = "https";
  c.host = "a.test";
  c.port = 443;
  c.tls = TlsInfo{};
  c.tls->version = "TLSv1.2";
  c.connect = Span{1.0, 1.5};
  c.tls_steps = {TlsStep{D::kSent, "ClientHello", 512, 1.75, "", false, false},
                 TlsStep{D::kReceived, "ServerHello", 94, 2.5, "", false, false},
                 TlsStep{D::kReceived, "ChangeCipherSpec", 1, 2.5, "", false, false},
                 TlsStep{D::kReceived, "Finished", 16, 2.75, "", false, false},
                 TlsStep{D::kSent, "ChangeCipherSpec", 1, 3.0, "", false, false},
                 TlsStep{D::kSent, "Finished", 16, 3.0, "", false, false}};
  c.tls_round_trips = 1;
  c.tls_session_offered = true;
  c.tls_resumed = true;
  run.connections = {c};
  Request r;
  r.method = "GET";
  r.url = "https://a.test/";
  r.scheme = "https";
  r.connection = 0;
  r.status = 200;
  r.phases = {{Phase::kConnect, {1.0, 1.5}, std::nullopt}, {Phase::kTls, {1.5, 3.0}, std::nullopt}};
  run.requests = {r, r};
  run.requests[1].seq = 1;
  run.requests[1].reused = true;
  return run;
}

}  // namespace

TEST_CASE("the summary gives a new connection's handshake one line under its phases, a reused one none") {
  const std::string out = format_summary(resumed_run(), false);
  const std::string line =
      "   tls TLSv1.2 resumed, 1 round trip: → ClientHello ← ServerHello ChangeCipherSpec Finished → ChangeCipherSpec "
      "Finished\n";
  CHECK(out.find(line) != std::string::npos);
  CHECK(out.find(line, out.find(line) + 1) == std::string::npos);  // once: hop 1 reused it
}

TEST_CASE("show lists every message with its time, offset, direction and size, then the words") {
  const std::string out = format_show(resumed_run());
  CHECK(out.find("  handshake  TLSv1.2 resumed, 1 round trip\n") != std::string::npos);
  CHECK(out.find("         1.75 ms  +   0.00  → ClientHello               512 bytes\n") != std::string::npos);
  CHECK(out.find("         2.50 ms  +   0.75  ← ServerHello                94 bytes\n") != std::string::npos);
  CHECK(out.find("  in words   Resumed TLS 1.2 session in 1 round trip") != std::string::npos);
  CHECK(out.find("← ChangeCipherSpec            1 byte\n") != std::string::npos);  // not "1 bytes"
  CHECK(out.find(" 1 bytes") == std::string::npos);
}

TEST_CASE("the JSON (--json) carries the steps and the handshake's columns, null where not known") {
  auto j = nlohmann::json::parse(format_json(resumed_run()));
  const auto& c = j["connections"][0];
  CHECK(c["tls_round_trips"] == 1);
  CHECK(c["tls_resumed"] == true);
  CHECK(c["tls_session_offered"] == true);
  REQUIRE(c["tls_steps"].size() == 6);
  CHECK(c["tls_steps"][0] == nlohmann::json{{"direction", "sent"}, {"message", "ClientHello"}, {"bytes", 512},
                                            {"at_ms", 1.75}, {"alert", nullptr}, {"fatal", nullptr},
                                            {"after_handshake", false}});
  Run plain = resumed_run();
  plain.connections[0] = Connection{};
  auto p = nlohmann::json::parse(format_json(plain))["connections"][0];
  CHECK(p["tls_steps"].empty());
  CHECK(p["tls_round_trips"].is_null());
  CHECK(p["tls_resumed"].is_null());
}

TEST_CASE("a plain TCP connection prints no tls line") {
  Run run = resumed_run();
  run.connections[0].tls_steps.clear();
  run.connections[0].tls.reset();
  CHECK(tls_summary_line(run.connections[0]).empty());
  CHECK(tls_show_lines(run.connections[0]).empty());
  CHECK(format_summary(run, false).find("   tls ") == std::string::npos);
}

TEST_CASE("the TLS maximum takes curl's 1.2, 1.3 and default, and 1.0, 1.1 or anything else is a usage error") {
  CHECK(parse_tls_max("1.2").value() == TlsVersion::kTls12);
  CHECK(parse_tls_max("1.3").value() == TlsVersion::kTls13);
  CHECK(parse_tls_max("default").value() == TlsVersion::kDefault);
  for (const char* bad : {"1.1", "1.0", "1.4", "", "tls1.2"}) {
    auto v = parse_tls_max(bad);
    CHECK_FALSE(v.ok());
    CHECK(v.status().code() == Code::kUsage);
  }
  CHECK(parse_tls_max("1.1").status().message().find("disabled") != std::string::npos);
  CHECK_FALSE(check_tls_versions(TlsVersion::kTls13, TlsVersion::kTls12).ok());
  CHECK(check_tls_versions(TlsVersion::kTls12, TlsVersion::kTls12).ok());
  CHECK(check_tls_versions(TlsVersion::kTls13, TlsVersion::kDefault).ok());
}
