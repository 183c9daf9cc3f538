#include "core/tls_handshake.h"

#include <array>
#include <cstdio>
#include <string_view>

namespace pageload {
namespace {

struct AlertInfo {
  int code;
  std::string_view name;
  std::string_view meaning;  // for a newcomer; empty where the name says it
};

// RFC 8446 6.2, with the codes of RFC 5246 7.2 that TLS 1.3 retired.
constexpr std::array<AlertInfo, 35> kAlerts{{
    {0, "close_notify", "the sender closes the connection"},
    {10, "unexpected_message", "a message came at a point where it makes no sense"},
    {20, "bad_record_mac", "a record failed its integrity check"},
    {21, "decryption_failed", ""},
    {22, "record_overflow", ""},
    {30, "decompression_failure", ""},
    {40, "handshake_failure", "no parameters both sides accept, or a client certificate missing"},
    {41, "no_certificate", ""},
    {42, "bad_certificate", "a certificate is corrupt or its signature does not verify"},
    {43, "unsupported_certificate", ""},
    {44, "certificate_revoked", ""},
    {45, "certificate_expired", "a certificate has expired or is not yet valid"},
    {46, "certificate_unknown", "a certificate could not be accepted"},
    {47, "illegal_parameter", "a field of a message is out of range or inconsistent"},
    {48, "unknown_ca", "the certificate chain does not lead to a trusted CA"},
    {49, "access_denied", ""},
    {50, "decode_error", "a message could not be decoded"},
    {51, "decrypt_error", "a signature or the Finished check failed"},
    {60, "export_restriction", ""},
    {70, "protocol_version", "no TLS version both sides accept"},
    {71, "insufficient_security", "the other side wants stronger cipher suites"},
    {80, "internal_error", ""},
    {86, "inappropriate_fallback", ""},
    {90, "user_canceled", ""},
    {100, "no_renegotiation", ""},
    {109, "missing_extension", ""},
    {110, "unsupported_extension", ""},
    {111, "certificate_unobtainable", ""},
    {112, "unrecognized_name", "the server has no site under the name asked for (SNI)"},
    {113, "bad_certificate_status_response", ""},
    {114, "bad_certificate_hash_value", ""},
    {115, "unknown_psk_identity", ""},
    {116, "certificate_required", "the server requires a client certificate"},
    {120, "no_application_protocol", "no ALPN protocol both sides speak"},
    {-1, "", ""},
}};

const AlertInfo* alert_info(std::string_view name) {
  for (const auto& a : kAlerts)
    if (!a.name.empty() && a.name == name) return &a;
  return nullptr;
}

// "TLS 1.3" from OpenSSL's "TLSv1.3"; empty when the version is not known.
std::string version_words(const Connection& c) {
  if (!c.tls || c.tls->version.empty()) return {};
  std::string v = c.tls->version;
  if (v.rfind("TLSv", 0) == 0) v = "TLS " + v.substr(4);
  return v;
}

std::string round_trips_words(int n) {
  return std::to_string(n) + (n == 1 ? " round trip" : " round trips");
}

bool has_message(const std::vector<TlsStep>& steps, std::string_view message) {
  for (const auto& s : steps)
    if (s.message == message && !s.after_handshake) return true;
  return false;
}

// The step before `at` in the connection's order, or null.
const TlsStep* step_before(const std::vector<TlsStep>& steps, const TlsStep* at) {
  return at == &steps.front() ? nullptr : at - 1;
}

// Whether the handshake failed: a fatal alert, or no handshake message of the server's
// that only a finished handshake has (its Finished).
bool handshake_failed(const Connection& c) {
  if (tls_fatal_alert(c.tls_steps)) return true;
  for (const auto& s : c.tls_steps)
    if (!s.sent() && s.message == "Finished") return false;
  return true;
}

// The client's own work before its hello: the tls phase starts where TCP connected.
std::string setup_words(const Connection& c) {
  if (!c.connect || c.tls_steps.empty() || !c.tls_steps.front().sent()) return {};
  const double ms = c.tls_steps.front().at_ms - c.connect->end_ms;
  if (ms < 0.05) return {};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", ms);
  return std::string(" The client's own setup (context, CA certificates) took ") + buf +
         " before its hello: tls time that is not the network.";
}

}  // namespace

std::string tls_alert_name(int code) {
  for (const auto& a : kAlerts)
    if (a.code == code) return std::string(a.name);
  return "alert_" + std::to_string(code);
}

std::vector<TlsFlight> tls_flights(const std::vector<TlsStep>& steps) {
  std::vector<TlsFlight> flights;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].after_handshake) continue;
    if (flights.empty() || flights.back().direction != steps[i].direction ||
        flights.back().first + flights.back().count != i)
      flights.push_back({steps[i].direction, i, 0});
    ++flights.back().count;
  }
  return flights;
}

int count_round_trips(const std::vector<TlsStep>& steps) {
  int round_trips = 0;
  bool sent = false;  // the client has sent since the server's last flight
  for (const auto& s : steps) {
    if (s.after_handshake) continue;
    if (s.sent()) {
      sent = true;
    } else if (sent) {
      ++round_trips;
      sent = false;
    }
  }
  return round_trips;
}

std::string tls_sequence_text(const std::vector<TlsStep>& steps, bool with_after) {
  auto name = [](const TlsStep& s) { return s.message == "Alert" ? "Alert " + s.alert : s.message; };
  std::string out;
  for (const auto& f : tls_flights(steps)) {
    out += out.empty() ? "" : " ";
    out += f.direction == TlsStep::Direction::kSent ? "→" : "←";
    for (std::size_t i = f.first; i < f.first + f.count; ++i) out += " " + name(steps[i]);
  }
  if (!with_after) return out;
  // After the handshake: each message once, with a count ("← NewSessionTicket ×2").
  std::string after;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].after_handshake) continue;
    std::size_t n = 1;
    while (i + 1 < steps.size() && steps[i + 1].after_handshake && steps[i + 1].direction == steps[i].direction &&
           name(steps[i + 1]) == name(steps[i])) {
      ++n;
      ++i;
    }
    after += (after.empty() ? "" : " ") + std::string(steps[i].sent() ? "→ " : "← ") + name(steps[i]) +
             (n > 1 ? " ×" + std::to_string(n) : "");
  }
  if (!after.empty()) out += (out.empty() ? "after the handshake: " : " · after: ") + after;
  return out;
}

const TlsStep* tls_fatal_alert(const std::vector<TlsStep>& steps) {
  for (const auto& s : steps)
    if (s.message == "Alert" && s.fatal) return &s;
  return nullptr;
}

std::optional<std::string> tls_alert_text(const std::vector<TlsStep>& steps) {
  const TlsStep* alert = tls_fatal_alert(steps);
  if (!alert) return std::nullopt;
  std::string out = alert->sent() ? "the client sent the fatal alert " : "the server sent the fatal alert ";
  out += alert->alert;
  if (const TlsStep* before = step_before(steps, alert))
    out += std::string(" after ") + (before->sent() ? "the client's " : "the server's ") +
           (before->message == "Alert" ? "alert " + before->alert : before->message);
  if (const AlertInfo* info = alert_info(alert->alert); info && !info->meaning.empty())
    out += " (" + std::string(info->meaning) + ")";
  return out;
}

std::string tls_handshake_brief(const Connection& c) {
  if (c.tls_steps.empty()) return {};
  const int rt = c.tls_round_trips.value_or(count_round_trips(c.tls_steps));
  std::string out;
  if (handshake_failed(c)) {
    out = "failed";
    if (const TlsStep* alert = tls_fatal_alert(c.tls_steps))
      out += std::string(" (alert ") + alert->alert + (alert->sent() ? " from the client)" : " from the server)");
  } else {
    out = c.tls ? c.tls->version : "";
    out += (out.empty() ? "" : " ") + std::string(c.tls_resumed.value_or(false) ? "resumed" : "full handshake");
  }
  return out + ", " + round_trips_words(rt);
}

std::string tls_handshake_words(const Connection& c) {
  if (c.tls_steps.empty()) return {};
  const std::vector<TlsStep>& steps = c.tls_steps;
  const int rt = c.tls_round_trips.value_or(count_round_trips(steps));
  const std::string version = version_words(c);
  const bool resumed = c.tls_resumed.value_or(false);
  const bool retry = has_message(steps, "HelloRetryRequest");
  std::string out;
  if (handshake_failed(c)) {
    out = "The handshake failed";
    if (auto alert = tls_alert_text(steps)) out += ": " + *alert;
    else out += " without an alert: the connection ended after the " +
                std::string(steps.back().sent() ? "client's " : "server's ") + steps.back().message;
    out += ". The client had waited for the server " + (rt == 0 ? std::string("without an answer") : round_trips_words(rt)) + ".";
    if (const TlsStep* alert = tls_fatal_alert(steps); alert && alert->after_handshake)
      out += " In TLS 1.3 the client takes the handshake for done once it has sent its Finished, so the server's "
             "verdict on the client's messages only arrives with the first response.";
    return out + setup_words(c);
  }
  const std::string named = version.empty() ? "" : version + " ";
  const std::string setup = setup_words(c);
  if (resumed) {
    out = "Resumed " + named + "session in " + round_trips_words(rt) +
          ": the server accepted the session the client kept from an earlier connection to this host and port, "
          "so it sent no certificate";
    if (version == "TLS 1.3")
      out += " and no signature. TLS 1.3 takes one round trip with or without resumption (only early data, "
             "which curl does not send, would save it); resuming saves the certificate and the signing.";
    else
      out += ", and the handshake took one round trip instead of the two of a full TLS 1.2 handshake.";
  } else {
    out = "Full " + named + "handshake in " + round_trips_words(rt) + ": the client sent its hello and waited ";
    if (version == "TLS 1.2" && rt == 2 && !retry)
      out += "twice for the server, first for its hello and certificate, then for its Finished, before the request "
             "could go. TLS 1.3 needs one round trip.";
    else if (rt == 1)
      out += "once, for the server's hello, certificate and Finished, then sent its Finished and the request.";
    else
      out += "for the server " + round_trips_words(rt) + " before the request could go.";
    if (retry)
      out += " The server answered the first hello with a HelloRetryRequest (it wants a key share for another "
             "group), which cost a round trip more.";
    if (c.tls_session_offered.value_or(false))
      out += " The client offered a session from an earlier connection; the server declined it.";
    else
      out += " No earlier session to offer (the first connection to this host and port, or --no-sessionid).";
  }
  return out + setup;
}

}  // namespace pageload
