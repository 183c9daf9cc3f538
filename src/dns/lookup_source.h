// What the loader's event loop needs of anything that resolves host names: the recursive
// Resolver (resolver.h) and the walk from the root, Tracer (trace.h), alike. It runs
// inside the caller's loop: no thread, no blocking call. The loop asks wait_fds() and
// timeout_ms(), polls, and hands the result to process(), where callbacks run. All
// methods must be called from the loop's one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/poll.h"
#include "pageload/result.h"

namespace pageload::dns {

class LookupSource {
 public:
  using Callback = std::function<void(DnsLookup)>;
  using LookupId = uint64_t;  // names a lookup for abandon(); never 0

  virtual ~LookupSource() = default;

  // Starts resolving `host` for family 0 (A and AAAA, asked in parallel), 4 (A only) or
  // 6 (AAAA only); any other family is treated as 0. Span offsets are on `clock`, which
  // is copied. `cb` runs exactly once, from a later process() call, never from inside
  // resolve(), unless the lookup is abandoned first; it may call resolve() again but
  // must not destroy the source.
  virtual LookupId resolve(const std::string& host, int family, const RunClock& clock, Callback cb) = 0;

  // Gives up lookup `id` now (the caller's own deadline has passed): its callback will
  // never run, and what it has so far is returned, TIMEOUT with `failure`. A lookup that
  // finished but was not yet delivered is returned as it finished. nullopt for an
  // unknown or delivered id.
  virtual std::optional<DnsLookup> abandon(LookupId id, const Failure& failure) = 0;

  // The sockets to watch now (POLLIN and/or POLLOUT); ask again after every process().
  virtual std::vector<WaitFd> wait_fds() const = 0;

  // How long the loop may wait before calling process() even if no socket is ready; 0
  // when finished lookups wait to be delivered, nullopt when nothing is pending.
  virtual std::optional<long> timeout_ms() const = 0;

  // Handles the sockets of `ready` that are this source's (others are ignored), expired
  // timers, then runs the callbacks of every lookup that finished. Safe to call with an
  // empty list, at any time.
  virtual void process(const std::vector<WaitFd>& ready) = 0;

  // True while any lookup (not abandoned) has not had its callback run yet.
  virtual bool busy() const = 0;
};

}  // namespace pageload::dns
