// What a load needs from the machine itself, file descriptors above all: how a failure to
// get one is told apart from a network failure and worded, and how many loads fit in
// flight under the process's descriptor limit (RLIMIT_NOFILE, `ulimit -n`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pageload {

// True for an errno that says this machine ran out, not the network: EMFILE (the
// process's descriptor limit), ENFILE (the system's), ENOBUFS and ENOMEM.
bool is_resource_exhaustion(int err);

// "cannot open a socket: Too many open files (EMFILE; this process may have 64: ulimit -n)",
// for Code::kLocalResource. `what` says what could not be had.
std::string resource_message(std::string_view what, int err);

// File descriptors a load in flight may hold at once: two sockets while connecting (an
// IPv4 and an IPv6 attempt), a kept-alive connection of an earlier hop to another
// origin, and one for a moment (a CA file read for TLS).
inline constexpr uint64_t kDescriptorsPerLoad = 4;
// Descriptors kept for what the process holds besides its loads: the database and its
// -wal and -shm files, the resolver's sockets, curl's and our wake-up pipes, a report
// being written, the --input file.
inline constexpr uint64_t kDescriptorsReserved = 24;

// A page load opens connections to every host the page names, up to six per host at
// once (as Chrome): it is bounded by a cap on its pool's connections instead. Chrome's
// cap for a whole profile is 256 sockets; a load is capped lower only when the
// descriptor limit asks for it.
inline constexpr int kMaxConnectionsPerLoad = 256;
// Descriptors a connection may hold while connecting: an IPv4 and an IPv6 attempt.
inline constexpr uint64_t kDescriptorsPerConnection = 2;
// A page load is given at least one host's six connections before --parallel is lowered
// for it: fewer loads at once rather than each one starved of connections.
inline constexpr int kConnectionsPerLoadWanted = 6;

// Descriptors one load with at most `connections` connections at once may hold: two
// sockets for each, and one for a CA file being read.
uint64_t descriptors_for_connections(int connections);

struct ParallelBudget {
  int parallel = 1;     // what may run at once (at most the requested number)
  uint64_t limit = 0;   // the soft RLIMIT_NOFILE in force, after raising it
  bool lowered = false; // parallel is below the request
  // Page loads: the most connections each load's pool may have open at once
  // (CURLMOPT_MAX_TOTAL_CONNECTIONS); kMaxConnectionsPerLoad when the limit allows.
  int connections_per_load = kMaxConnectionsPerLoad;
  // Not even one load fits: the limit is below `minimum` (and parallel is 0).
  bool too_low = false;
  uint64_t minimum = 0;  // descriptors the limit must allow for one load
};

// Pure, for tests: how `requested` loads fit under `limit` descriptors with `open_now`
// open. Document-only loads (`pages` false) need kDescriptorsPerLoad each. Page loads
// get descriptors_for_connections(kConnectionsPerLoadWanted) each while that lets one
// run, and the descriptors left are shared out as a cap on each load's connections.
ParallelBudget plan_parallel(uint64_t limit, uint64_t open_now, int requested, bool pages);

// The process's descriptor budget for `requested` loads at once. Raises the soft
// RLIMIT_NOFILE towards the hard one as far as `requested` loads need (as Go and nginx
// do: the soft limit of 1024 is a default for select(), which nothing here uses), then
// plans the loads under what the limit allows (plan_parallel).
ParallelBudget budget_parallel(int requested, bool pages);

}  // namespace pageload
