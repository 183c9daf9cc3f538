// A tiny poll() loop that drives a Resolver or a Tracer the way the loader does, for tests.
#pragma once

#include <poll.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "dns/lookup_source.h"

namespace pageload::dns::testing {

// Polls the resolver's sockets and timers until no lookup is pending; fails the test
// if that takes longer than limit_ms.
inline void run_until_idle(LookupSource& resolver, long limit_ms = 5000) {
  int64_t deadline = mono_now_us() + limit_ms * 1000;
  while (resolver.busy()) {
    std::vector<WaitFd> fds = resolver.wait_fds();
    std::vector<pollfd> polled;
    for (const auto& w : fds) polled.push_back(pollfd{w.fd, w.events, 0});
    long wait = std::min(resolver.timeout_ms().value_or(100), 100L);
    poll(polled.data(), polled.size(), static_cast<int>(wait));
    for (std::size_t i = 0; i < fds.size(); ++i) fds[i].revents = polled[i].revents;
    resolver.process(fds);
    REQUIRE(mono_now_us() < deadline);
  }
}

// Resolves one name to completion.
inline DnsLookup resolve_now(LookupSource& resolver, const std::string& host, int family,
                             const RunClock& clock = RunClock()) {
  std::optional<DnsLookup> out;
  resolver.resolve(host, family, clock, [&](DnsLookup l) { out = std::move(l); });
  run_until_idle(resolver);
  REQUIRE(out);
  return *out;
}

}  // namespace pageload::dns::testing
