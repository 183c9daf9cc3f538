// Turns an exchange's boundaries into its phase spans (connect, tls, send, wait, receive)
// and what it reached. Pure, so every path (queued, reused, failed in each phase, retried)
// is tested with made-up times. Internal to the transfer module.
#pragma once

#include <optional>
#include <vector>

#include "pageload/result.h"
#include "transfer/classify.h"

namespace pageload::transfer::detail {

// The boundaries of the exchange's last try, in ms on the run clock.
struct Boundaries {
  double start = 0;                   // the try began (handed, or curl's retry)
  bool new_connection = false;        // it opened a connection (socket_opened is set)
  bool tls = false;                   // and that connection does TLS
  bool tunnel = false;                // through an HTTP proxy's CONNECT tunnel (https)
  std::optional<double> socket_opened, tcp_connected, tls_done;
  std::optional<double> tunnel_done;  // the proxy's whole answer to the CONNECT was read
  std::optional<double> ready;        // connection ready, request about to be written
  std::optional<double> last_out;     // the last request byte written so far
  std::optional<double> sent;         // the request complete (last byte before the response)
  std::optional<double> first_byte;
  std::optional<double> done;         // the transfer's end, when it succeeded
};

// What the exchange reached, for classify_failure(); head_complete is left false.
Progress progress_of(const Boundaries& b);

// The phases that happened, in order. `failure` (with the phase it belongs to) ends the
// exchange at `now`: the failed phase runs until then; a phase not reached is absent.
std::vector<PhaseRecord> build_phases(const Boundaries& b, const std::optional<Failure>& failure,
                                      Phase failed_phase, double now);

}  // namespace pageload::transfer::detail
