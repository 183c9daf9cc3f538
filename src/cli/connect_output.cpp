#include "cli/connect_output.h"

#include "cli/cells.h"
#include "cli/output.h"
#include "cli/safe.h"

namespace pageload::cli {
namespace {

std::string endpoint(const ConnectAttempt& a) {
  const bool v6 = a.address.find(':') != std::string::npos;
  return (v6 ? "[" + a.address + "]" : a.address) + ":" + std::to_string(a.port);
}

std::string delay_words() {
  return "curl's " + std::to_string(kHappyEyeballsMs) + " ms happy-eyeballs delay";
}

}  // namespace

std::string attempt_line(const ConnectAttempt& a) {
  std::string out = endpoint(a);
  if (a.span) {
    out += " at " + ms_text(a.span->start_ms);
    if (a.after_fallback_delay) out += ", after " + delay_words();
  }
  out += a.error.empty() ? ": connected" : ": failed";
  if (a.span) out += " after " + ms_text(a.span->duration_ms());
  if (!a.error.empty()) out += ": " + safe(a.error, 200);
  return out;
}

std::string attempts_note(const Connection& c) {
  bool delayed = false;
  for (const auto& a : c.attempts) delayed |= a.after_fallback_delay;
  if (c.attempts.size() < 2 && !delayed) return "";
  std::string out = "connect tries:";
  for (std::size_t i = 0; i < c.attempts.size(); ++i) {
    const ConnectAttempt& a = c.attempts[i];
    out += (i ? "; " : " ") + endpoint(a);
    if (a.span && a.after_fallback_delay) out += " from " + ms_text(a.span->start_ms) + " (" + delay_words() + ")";
    out += a.error.empty() ? ", connected" : ", " + safe(a.error, 80);
    if (a.span) out += " in " + ms_text(a.span->duration_ms());
  }
  return out;
}

std::vector<const Connection*> unverified_loaded(const Run& run) {
  std::vector<const Connection*> out;
  for (const auto& c : run.connections) {
    if (!c.tls || c.tls->verified) continue;
    bool answered = false;
    for (const auto& r : run.requests)
      answered |= r.connection && *r.connection == c.id && r.status.has_value();
    if (answered) out.push_back(&c);
  }
  return out;
}

std::string unverified_line(const Run& run) {
  const auto bad = unverified_loaded(run);
  if (bad.empty()) return "";
  const Connection& c = *bad.front();
  std::string why = c.tls->verify_message.empty() ? "verify result " + std::to_string(c.tls->verify_result)
                                                  : safe(c.tls->verify_message, 200);
  std::string out = "certificate not verified (-k): " + safe(c.host, 200) + ":" + std::to_string(c.port) + ": " + why;
  if (bad.size() > 1) out += " (and " + std::to_string(bad.size() - 1) + " more connections)";
  return out;
}

}  // namespace pageload::cli
