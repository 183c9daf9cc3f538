// The phases of one request and the one table that names them.
//
// A phase is an enum and a span of offsets (ms) from the run's start. Every module that
// needs a phase's column, CSS class or label reads it from kPhases, never spells it.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace pageload {

// kBlocked is HAR's `blocked`: the time a request spent queued for a connection or an
// HTTP/2 stream (browser and curl limits), apart from DNS, connect and TLS. kTunnel is an
// https request's CONNECT through an HTTP proxy: from the TCP connect to the proxy to the
// proxy's answer (the TLS handshake with the origin then runs inside the tunnel).
enum class Phase { kBlocked = 0, kDns, kConnect, kTunnel, kTls, kSend, kWait, kReceive };
inline constexpr int kPhaseCount = 8;

struct PhaseInfo {
  Phase phase;
  std::string_view name;    // stored in phases.name
  std::string_view column;  // column of the `timeline` view
  std::string_view css;     // CSS class of the waterfall segment
  std::string_view label;   // legend label
};

inline constexpr std::array<PhaseInfo, kPhaseCount> kPhases{{
    {Phase::kBlocked, "blocked", "blocked_ms", "ph-blocked", "Queued (blocked)"},
    {Phase::kDns, "dns", "dns_ms", "ph-dns", "DNS lookup"},
    {Phase::kConnect, "connect", "connect_ms", "ph-connect", "TCP connect"},
    {Phase::kTunnel, "tunnel", "tunnel_ms", "ph-tunnel", "Proxy tunnel (CONNECT)"},
    {Phase::kTls, "tls", "tls_ms", "ph-tls", "TLS handshake"},
    {Phase::kSend, "send", "send_ms", "ph-send", "Request sent"},
    {Phase::kWait, "wait", "wait_ms", "ph-wait", "Waiting (TTFB)"},
    {Phase::kReceive, "receive", "receive_ms", "ph-receive", "Content download"},
}};

constexpr const PhaseInfo& phase_info(Phase p) { return kPhases[static_cast<int>(p)]; }
constexpr std::string_view phase_name(Phase p) { return phase_info(p).name; }
constexpr std::optional<Phase> phase_from_name(std::string_view name) {
  for (const auto& info : kPhases)
    if (info.name == name) return info.phase;
  return std::nullopt;
}

// Offsets in milliseconds from the run's start, on the one monotonic clock.
struct Span {
  double start_ms = 0;
  double end_ms = 0;
  // Rounded to the microsecond, the clock's resolution: the offsets are whole
  // microseconds divided by 1000, and their plain difference carries the binary
  // fraction's error (0.023999999999999966 for 0.024).
  constexpr double duration_ms() const { return round_to_us(end_ms - start_ms); }
  static constexpr double round_to_us(double ms) {
    const double us = ms * 1000.0;
    const long long whole = us >= 0 ? static_cast<long long>(us + 0.5) : -static_cast<long long>(-us + 0.5);
    return static_cast<double>(whole) / 1000.0;
  }
  bool operator==(const Span&) const = default;
};

}  // namespace pageload
