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

// How many loads fit under a limit of `limit` descriptors when `open_now` are already
// open: (limit - open_now - kDescriptorsReserved) / kDescriptorsPerLoad, at least 1.
// Pure, for tests.
int loads_within(uint64_t limit, uint64_t open_now);

struct ParallelBudget {
  int parallel = 1;     // what may run at once (at most the requested number)
  uint64_t limit = 0;   // the soft RLIMIT_NOFILE in force, after raising it
  bool lowered = false; // parallel is below the request
};

// The process's descriptor budget for `requested` loads at once. Raises the soft
// RLIMIT_NOFILE towards the hard one as far as `requested` loads need (as Go and nginx
// do: the soft limit of 1024 is a default for select(), which nothing here uses), then
// caps the loads by what the limit allows.
ParallelBudget budget_parallel(int requested);

}  // namespace pageload
