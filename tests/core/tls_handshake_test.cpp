// What a handshake's messages add up to: round trips, flights, and the words shown.
#include <catch2/catch.hpp>

#include "core/tls_handshake.h"

using namespace pageload;

namespace {

using D = TlsStep::Direction;

TlsStep sent(const char* message, double at = 0) { return TlsStep{D::kSent, message, 10, at, "", false, false}; }
TlsStep got(const char* message, double at = 0) { return TlsStep{D::kReceived, message, 10, at, "", false, false}; }
TlsStep alert(D d, const char* name, bool fatal = true) { return TlsStep{d, "Alert", 2, 0, name, fatal, false}; }
TlsStep later(TlsStep s) {
  s.after_handshake = true;
  return s;
}

const std::vector<TlsStep> kFull12 = {sent("ClientHello"),      got("ServerHello"),      got("Certificate"),
                                      got("ServerKeyExchange"), got("ServerHelloDone"),  sent("ClientKeyExchange"),
                                      sent("ChangeCipherSpec"), sent("Finished"),        got("ChangeCipherSpec"),
                                      got("Finished")};
const std::vector<TlsStep> kResumed12 = {sent("ClientHello"), got("ServerHello"), got("ChangeCipherSpec"),
                                         got("Finished"), sent("ChangeCipherSpec"), sent("Finished")};
const std::vector<TlsStep> kFull13 = {sent("ClientHello"),       got("ServerHello"),       got("ChangeCipherSpec"),
                                      got("EncryptedExtensions"), got("Certificate"),       got("CertificateVerify"),
                                      got("Finished"),            sent("ChangeCipherSpec"), sent("Finished"),
                                      later(got("NewSessionTicket")), later(got("NewSessionTicket"))};

Connection with(const std::vector<TlsStep>& steps, const char* version, bool resumed = false, bool offered = false) {
  Connection c;
  c.tls_steps = steps;
  c.tls = TlsInfo{};
  c.tls->version = version;
  c.tls_round_trips = count_round_trips(steps);
  c.tls_resumed = resumed;
  c.tls_session_offered = offered;
  return c;
}

}  // namespace

TEST_CASE("a full TLS 1.2 handshake takes two round trips, TLS 1.3 one, a resumed 1.2 session one") {
  CHECK(count_round_trips(kFull12) == 2);
  CHECK(count_round_trips(kFull13) == 1);
  CHECK(count_round_trips(kResumed12) == 1);
}

TEST_CASE("a HelloRetryRequest costs a round trip more") {
  const std::vector<TlsStep> hrr = {sent("ClientHello"), got("HelloRetryRequest"), sent("ChangeCipherSpec"),
                                    sent("ClientHello"), got("ServerHello"),       got("Finished"),
                                    sent("Finished")};
  CHECK(count_round_trips(hrr) == 2);
}

TEST_CASE("a handshake refused at once is one round trip, one never answered none") {
  CHECK(count_round_trips({sent("ClientHello"), alert(D::kReceived, "protocol_version")}) == 1);
  CHECK(count_round_trips({sent("ClientHello")}) == 0);
  CHECK(count_round_trips({}) == 0);
}

TEST_CASE("messages after the handshake are no round trip of it") {
  std::vector<TlsStep> steps = kFull13;
  steps.push_back(later(sent("KeyUpdate")));
  steps.push_back(later(got("KeyUpdate")));
  CHECK(count_round_trips(steps) == 1);
}

TEST_CASE("flights group the handshake's messages by direction and leave out what came after") {
  const auto flights = tls_flights(kFull13);
  REQUIRE(flights.size() == 3);
  CHECK(flights[0].direction == D::kSent);
  CHECK(flights[0].count == 1);
  CHECK(flights[1].direction == D::kReceived);
  CHECK(flights[1].first == 1);
  CHECK(flights[1].count == 6);
  CHECK(flights[2].count == 2);
}

TEST_CASE("the sequence text shows flights with arrows and counts what came after the handshake") {
  CHECK(tls_sequence_text(kResumed12) == "→ ClientHello ← ServerHello ChangeCipherSpec Finished → ChangeCipherSpec Finished");
  CHECK(tls_sequence_text(kFull13) ==
        "→ ClientHello ← ServerHello ChangeCipherSpec EncryptedExtensions Certificate CertificateVerify Finished → "
        "ChangeCipherSpec Finished · after: ← NewSessionTicket ×2");
  CHECK(tls_sequence_text(kFull13, false).find("NewSessionTicket") == std::string::npos);
  CHECK(tls_sequence_text({sent("ClientHello"), alert(D::kReceived, "protocol_version")}) ==
        "→ ClientHello ← Alert protocol_version");
}

TEST_CASE("alert codes have RFC 8446's names, an unknown one its number") {
  CHECK(tls_alert_name(40) == "handshake_failure");
  CHECK(tls_alert_name(70) == "protocol_version");
  CHECK(tls_alert_name(116) == "certificate_required");
  CHECK(tls_alert_name(0) == "close_notify");
  CHECK(tls_alert_name(201) == "alert_201");
}

TEST_CASE("a fatal alert says who sent it, after which message, and what it means") {
  const std::vector<TlsStep> refused = {sent("ClientHello"), alert(D::kReceived, "protocol_version")};
  CHECK(tls_alert_text(refused) ==
        "the server sent the fatal alert protocol_version after the client's ClientHello "
        "(no TLS version both sides accept)");
  const std::vector<TlsStep> rejected = {sent("ClientHello"), got("ServerHello"), got("Certificate"),
                                         alert(D::kSent, "unknown_ca")};
  CHECK(tls_alert_text(rejected)->rfind("the client sent the fatal alert unknown_ca after the server's Certificate", 0) == 0);
  CHECK_FALSE(tls_alert_text(kFull13));
  CHECK_FALSE(tls_alert_text({sent("ClientHello"), later(alert(D::kReceived, "close_notify", false))}));
}

TEST_CASE("the brief names the version, resumption and round trips, or the alert that ended it") {
  CHECK(tls_handshake_brief(with(kFull12, "TLSv1.2")) == "TLSv1.2 full handshake, 2 round trips");
  CHECK(tls_handshake_brief(with(kResumed12, "TLSv1.2", true, true)) == "TLSv1.2 resumed, 1 round trip");
  CHECK(tls_handshake_brief(with({sent("ClientHello"), alert(D::kReceived, "protocol_version")}, "")) ==
        "failed (alert protocol_version from the server), 1 round trip");
  CHECK(tls_handshake_brief(Connection{}).empty());
}

TEST_CASE("the words explain round trips, what resuming saved and why a session was not resumed") {
  const std::string full12 = tls_handshake_words(with(kFull12, "TLSv1.2"));
  CHECK(full12.find("Full TLS 1.2 handshake in 2 round trips") == 0);
  CHECK(full12.find("TLS 1.3 needs one round trip") != std::string::npos);
  CHECK(full12.find("No earlier session to offer") != std::string::npos);

  const std::string resumed12 = tls_handshake_words(with(kResumed12, "TLSv1.2", true, true));
  CHECK(resumed12.find("Resumed TLS 1.2 session in 1 round trip") == 0);
  CHECK(resumed12.find("instead of the two") != std::string::npos);

  std::vector<TlsStep> resumed13 = {sent("ClientHello"), got("ServerHello"), got("EncryptedExtensions"),
                                    got("Finished"), sent("Finished")};
  const std::string r13 = tls_handshake_words(with(resumed13, "TLSv1.3", true, true));
  CHECK(r13.find("one round trip with or without resumption") != std::string::npos);

  const std::string declined = tls_handshake_words(with(kFull13, "TLSv1.3", false, true));
  CHECK(declined.find("the server declined it") != std::string::npos);
}

TEST_CASE("the words of a failed handshake name the alert, and in TLS 1.3 why it came late") {
  std::vector<TlsStep> steps = kFull13;
  steps.resize(9);
  steps.push_back(later(alert(D::kReceived, "certificate_required")));
  const std::string words = tls_handshake_words(with(steps, "TLSv1.3"));
  CHECK(words.find("The handshake failed: the server sent the fatal alert certificate_required after the client's "
                   "Finished") == 0);
  CHECK(words.find("takes the handshake for done") != std::string::npos);
  CHECK(tls_handshake_words(with({sent("ClientHello")}, "")).find("without an answer") != std::string::npos);
}

TEST_CASE("the time before the ClientHello is named as the client's own setup") {
  Connection c = with(kFull13, "TLSv1.3");
  c.connect = Span{1.0, 2.0};
  c.tls_steps[0].at_ms = 3.5;
  CHECK(tls_handshake_words(c).find("The client's own setup (context, CA certificates) took 1.50 ms before its hello") !=
        std::string::npos);
}
