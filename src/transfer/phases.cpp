#include "transfer/phases.h"

#include <algorithm>

namespace pageload::transfer::detail {

Progress progress_of(const Boundaries& b) {
  Progress p;
  p.tls = b.tls;
  p.connected = !b.new_connection || b.tcp_connected.has_value();
  p.tunnel = b.tunnel;
  p.tunneled = !b.tunnel || b.tunnel_done.has_value();
  p.handshaken = !b.tls || b.tls_done.has_value();
  p.request_sent = b.last_out.has_value() || b.sent.has_value();
  p.first_byte = b.first_byte.has_value();
  return p;
}

std::vector<PhaseRecord> build_phases(const Boundaries& b, const std::optional<Failure>& failure,
                                      Phase failed_phase, double now) {
  std::vector<PhaseRecord> out;
  const Progress reached = progress_of(b);
  auto add = [&](Phase p, double start, double end) {
    PhaseRecord rec{p, {start, std::max(start, end)}, std::nullopt};
    if (failure && p == failed_phase) rec.failure = failure;
    out.push_back(rec);
  };
  auto reached_or_failed = [&](Phase p, bool was_reached) { return was_reached || (failure && failed_phase == p); };

  double cursor = b.start;
  if (b.new_connection) {
    const double start = *b.socket_opened;
    if (reached_or_failed(Phase::kConnect, reached.connected)) {
      const bool failed_here = failure && failed_phase == Phase::kConnect;
      double end = reached.connected && !failed_here ? *b.tcp_connected : now;
      add(Phase::kConnect, start, end);
      cursor = std::max(start, end);
    }
    // Through a proxy, an https origin's tunnel: the CONNECT from the TCP connect to the
    // proxy to its whole answer. The TLS handshake with the origin runs inside it, after.
    if (b.tunnel && reached.connected && reached_or_failed(Phase::kTunnel, reached.tunneled)) {
      double end = reached.tunneled ? *b.tunnel_done : now;
      add(Phase::kTunnel, cursor, end);
      cursor = std::max(cursor, end);
    }
    if (b.tls && reached.connected && reached.tunneled && reached_or_failed(Phase::kTls, reached.handshaken)) {
      double end = reached.handshaken ? *b.tls_done : now;
      add(Phase::kTls, cursor, end);
      cursor = std::max(cursor, end);
    }
  }
  const bool through_handshake = reached.connected && reached.tunneled && reached.handshaken;
  if (through_handshake && (b.ready || (failure && failed_phase == Phase::kSend))) {
    double start = b.ready ? std::max(cursor, *b.ready) : cursor;
    double end = b.sent ? *b.sent : b.last_out ? *b.last_out : now;
    add(Phase::kSend, start, end);
    cursor = std::max(start, end);
  }
  if (through_handshake && reached.request_sent && reached_or_failed(Phase::kWait, reached.first_byte)) {
    double end = reached.first_byte ? *b.first_byte : now;
    add(Phase::kWait, cursor, end);
    cursor = std::max(cursor, end);
  }
  if (reached.first_byte && (!failure || failed_phase == Phase::kReceive))
    add(Phase::kReceive, cursor, failure || !b.done ? now : *b.done);
  bool has_failed_phase = false;
  for (const auto& r : out) has_failed_phase |= failure && r.phase == failed_phase;
  if (failure && !has_failed_phase) add(failed_phase, cursor, now);
  return out;
}

}  // namespace pageload::transfer::detail
