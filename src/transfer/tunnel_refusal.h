// The message of a tunnel a proxy refused (it answered the CONNECT with a status other
// than 2xx), and that status read back from a run's failure message: both written here,
// in one place, so that -w %{http_connect} can give the proxy's status from a run, which
// keeps the message but no field for it.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace pageload::transfer {

inline constexpr std::string_view kTunnelRefused = "the proxy answered the CONNECT for a tunnel to ";

// "the proxy answered the CONNECT for a tunnel to HOST:PORT with 407: no tunnel, no TLS"
inline std::string tunnel_refused_message(const std::string& target, long status) {
  return std::string(kTunnelRefused) + target + " with " + std::to_string(status) + ": no tunnel, no TLS";
}

// The status of a message tunnel_refused_message() began; nullopt for any other message.
inline std::optional<int> tunnel_refused_status(std::string_view message) {
  if (!message.starts_with(kTunnelRefused)) return std::nullopt;
  const auto with = message.find(" with ", kTunnelRefused.size());  // a host and port hold no space
  if (with == std::string_view::npos) return std::nullopt;
  const char* first = message.data() + with + 6;
  const char* last = message.data() + message.size();
  int status = 0;
  const auto [end, ec] = std::from_chars(first, last, status);
  if (ec != std::errc() || end == last || *end != ':') return std::nullopt;
  return status;
}

}  // namespace pageload::transfer
