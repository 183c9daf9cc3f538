// How pageload prints what happened while connecting: each address tried (when, for how
// long, whether curl's happy-eyeballs delay started it), and certificates that did not
// verify on connections that still carried a response (-k). Formatting only.
#pragma once

#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload::cli {

// "127.0.0.2:8080 at 1.20 ms: failed after 0.09 ms: Connection refused", "[::1]:8080 at
// 201.3 ms, after curl's 200 ms happy-eyeballs delay: connected after 0.11 ms".
std::string attempt_line(const ConnectAttempt& a);

// One line for the summary when a connection tried more than one address, or waited for
// curl's fallback delay: "connect tries: 127.0.0.2:8080 refused in 0.09 ms; [::1]:8080
// from 201.3 ms (curl's 200 ms happy-eyeballs delay), connected in 0.11 ms". Empty when it
// connected at the first address.
std::string attempts_note(const Connection& c);

// The run's connections whose certificate did not verify and that carried a response
// anyway (loaded under -k), in order.
std::vector<const Connection*> unverified_loaded(const Run& run);

// "certificate not verified (-k): www.test:443: certificate has expired" (and how many
// more connections); empty when every certificate verified.
std::string unverified_line(const Run& run);

}  // namespace pageload::cli
