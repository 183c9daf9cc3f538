#include "cli/tls_output.h"

#include <cstdio>

#include "cli/safe.h"
#include "core/tls_handshake.h"

namespace pageload::cli {
namespace {

// Our own words and message names, long but bounded (a handshake has tens of messages).
constexpr std::size_t kLongLine = 1000;

}  // namespace

std::string tls_summary_line(const Connection& c) {
  if (c.tls_steps.empty()) return {};
  return safe(tls_handshake_brief(c) + ": " + tls_sequence_text(c.tls_steps, false), kLongLine);
}

std::string tls_show_lines(const Connection& c) {
  if (c.tls_steps.empty()) return {};
  std::string out = "  handshake  " + safe(tls_handshake_brief(c)) + "\n";
  const double first = c.tls_steps.front().at_ms;
  char line[160];
  for (const auto& s : c.tls_steps) {
    std::string name = s.message;
    if (s.message == "Alert") name += " " + s.alert + (s.fatal ? " (fatal)" : " (warning)");
    if (s.after_handshake) name += "  (after the handshake)";
    std::snprintf(line, sizeof line, "    %9.2f ms  +%7.2f  %s %-22s %6lld %s\n", s.at_ms, s.at_ms - first,
                  s.sent() ? "→" : "←", safe(name).c_str(), static_cast<long long>(s.bytes),
                  s.bytes == 1 ? "byte" : "bytes");
    out += line;
  }
  out += "  in words   " + safe(tls_handshake_words(c), kLongLine) + "\n";
  return out;
}

void add_tls_json(const Connection& c, nlohmann::json& j) {
  using nlohmann::json;
  json steps = json::array();
  for (const auto& s : c.tls_steps) {
    const bool alert = s.message == "Alert";
    steps.push_back({{"direction", s.sent() ? "sent" : "received"},
                     {"message", s.message},
                     {"bytes", s.bytes},
                     {"at_ms", s.at_ms},
                     {"alert", alert ? json(s.alert) : json(nullptr)},
                     {"fatal", alert ? json(s.fatal) : json(nullptr)},
                     {"after_handshake", s.after_handshake}});
  }
  j["tls_steps"] = steps;
  j["tls_round_trips"] = c.tls_round_trips ? json(*c.tls_round_trips) : json(nullptr);
  j["tls_session_offered"] = c.tls_session_offered ? json(*c.tls_session_offered) : json(nullptr);
  j["tls_resumed"] = c.tls_resumed ? json(*c.tls_resumed) : json(nullptr);
}

}  // namespace pageload::cli
