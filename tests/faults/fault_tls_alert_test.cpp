// Handshakes a server refuses with an alert (README "Failure modes"): stored as
// tls_alert with the alert as the last TLS step, the message saying after which message
// it came, exit 3; and the terminal and `show` saying the same, as a user sees them.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "fault_support.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

const TlsStep& last_step(const Run& run) {
  REQUIRE(run.connections.size() == 1);
  REQUIRE_FALSE(run.connections[0].tls_steps.empty());
  return run.connections[0].tls_steps.back();
}

}  // namespace

TEST_CASE("TLS 1.3 only (--tlsv1.3) against the TLS 1.2-only port fails in tls with the server's protocol_version alert") {
  auto o = fault_options(shared_lab().https12_url("a.test", "/"));
  o.tls_min = TlsVersion::kTls13;
  Timed t = timed_load(o);
  check_failed(t.run, Phase::kTls, Code::kTlsAlert);
  CHECK(t.run.failure->message ==
        "The server sent the fatal alert protocol_version after the client's ClientHello (no TLS version both sides "
        "accept)");
  const TlsStep& alert = last_step(t.run);
  CHECK(alert.message == "Alert");
  CHECK(alert.alert == "protocol_version");
  CHECK_FALSE(alert.sent());
  CHECK(t.run.connections[0].tls_round_trips == 1);
  CHECK(t.seconds < 3);
}

TEST_CASE("a server requiring a client certificate refuses TLS 1.2 in tls with handshake_failure") {
  Timed t = timed_load(fault_options(shared_lab().https12_url("client-cert.test", "/")));
  check_failed(t.run, Phase::kTls, Code::kTlsAlert);
  CHECK(last_step(t.run).alert == "handshake_failure");
  CHECK(t.run.failure->message.find("after the client's Finished") != std::string::npos);
}

TEST_CASE("a server requiring a client certificate refuses TLS 1.3 after the handshake, with certificate_required") {
  Timed t = timed_load(fault_options(shared_lab().https_url("client-cert.test", "/")));
  REQUIRE(t.run.failure);
  CHECK(t.run.failure->code == Code::kTlsAlert);
  REQUIRE(t.run.requests[0].error_phase);
  // The client's Finished ended the handshake for it; the verdict came with the response.
  CHECK((*t.run.requests[0].error_phase == Phase::kWait || *t.run.requests[0].error_phase == Phase::kSend));
  CHECK(last_step(t.run).alert == "certificate_required");
  CHECK(last_step(t.run).after_handshake);
  CHECK(t.run.exit_status() == 3);
}

TEST_CASE("the terminal, show and --json say at which message the handshake failed") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--tlsv1.3", shared_lab().https12_url("a.test", "/")}), tmp.dir());
  INFO(r.out << r.err);
  CHECK(r.status == 3);
  CHECK(r.out.find("tls failed (alert protocol_version from the server), 1 round trip: → ClientHello ← Alert "
                   "protocol_version") != std::string::npos);
  CHECK(r.out.find("error: tls_alert: The server sent the fatal alert protocol_version after the client's "
                   "ClientHello") != std::string::npos);
  auto show = pageload_cli({"show", "--db", tmp.path()}, tmp.dir());
  CHECK(show.out.find("← Alert protocol_version (fatal)") != std::string::npos);
  CHECK(show.out.find("The handshake failed: the server sent the fatal alert protocol_version") != std::string::npos);
  auto json = nlohmann::json::parse(pageload_cli({"show", "--json", "--db", tmp.path()}, tmp.dir()).out);
  const auto& steps = json["connections"][0]["tls_steps"];
  REQUIRE(steps.size() == 2);
  CHECK(steps[1]["message"] == "Alert");
  CHECK(steps[1]["alert"] == "protocol_version");
  CHECK(steps[1]["fatal"] == true);
  CHECK(steps[1]["direction"] == "received");
  CHECK(steps[0]["alert"].is_null());
  CHECK(json["connections"][0]["tls_round_trips"] == 1);
  CHECK(json["requests"][0]["error"]["class"] == "tls_alert");
}

TEST_CASE("a TLS maximum of 1.1 (--tls-max 1.1), or one below --tlsv1.3, is a usage error and nothing is stored") {
  TempDb tmp;
  for (const auto& args : std::vector<std::vector<std::string>>{{"--tls-max", "1.1"}, {"--tls-max", "1.4"},
                                                                 {"--tlsv1.3", "--tls-max", "1.2"}}) {
    std::vector<std::string> a = args;
    a.push_back("--db");
    a.push_back(tmp.path());
    a.push_back(shared_lab().https_url("a.test", "/"));
    auto r = pageload_cli(lab_args(a), tmp.dir());
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find("--tls-max") != std::string::npos);
    CHECK(r.out.empty());
  }
  CHECK_FALSE(std::filesystem::exists(tmp.path()));
}
