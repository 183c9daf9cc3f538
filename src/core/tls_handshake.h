// What the messages of a TLS handshake (Connection::tls_steps) add up to: its round trips,
// its flights, and the words the terminal and the report use for them, so both say the
// same thing. Pure functions over result values; no OpenSSL.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload {

// The name RFC 8446 (6.2) and RFC 5246 (7.2) give TLS alert `code`: "handshake_failure",
// "protocol_version"; "alert_N" for a code neither names.
std::string tls_alert_name(int code);

// One flight: consecutive steps in one direction, steps[first, first + count).
struct TlsFlight {
  TlsStep::Direction direction = TlsStep::Direction::kSent;
  std::size_t first = 0;
  std::size_t count = 0;
};

// The flights of the handshake: the steps before it was done (after_handshake ones are
// left out), grouped by direction.
std::vector<TlsFlight> tls_flights(const std::vector<TlsStep>& steps);

// The round trips of a handshake: how many times the client, having sent a flight, then
// got one from the server (so a handshake the server never answered has 0, one refused
// at once with an alert 1). Steps after the handshake do not count.
int count_round_trips(const std::vector<TlsStep>& steps);

// "→ ClientHello ← ServerHello Certificate ServerKeyExchange ServerHelloDone → ..." : the
// handshake's flights, an alert as "Alert protocol_version"; then, with `after`, after
// " · after:", the messages once the handshake was done ("← NewSessionTicket ×2").
std::string tls_sequence_text(const std::vector<TlsStep>& steps, bool after = true);

// "TLSv1.3 full handshake, 1 round trip", "TLSv1.2 resumed, 1 round trip", "failed
// (alert protocol_version from the server), 1 round trip": for the terminal's tls line.
// Empty for a connection with no TLS steps.
std::string tls_handshake_brief(const Connection& c);

// The handshake's round trips and its resumption in plain words, for someone who has
// never read a TLS RFC: what the client waited for, what resuming saved, why it did not
// resume, where a failed handshake stopped. Empty for a connection with no TLS steps.
std::string tls_handshake_words(const Connection& c);

// The alert that ended a failed handshake, in words: "the server sent the fatal alert
// handshake_failure after the client's Finished (no parameters both sides accept, or a
// client certificate missing)"; nullopt when no fatal alert was sent or received.
std::optional<std::string> tls_alert_text(const std::vector<TlsStep>& steps);

// The first fatal alert among the steps, if any.
const TlsStep* tls_fatal_alert(const std::vector<TlsStep>& steps);

}  // namespace pageload
