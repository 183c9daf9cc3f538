#pragma once
// One c-ares channel driven from the caller's poll loop: the sockets it waits on, when its
// next timer fires, and handing it what the poll found. The resolver has one channel; the
// tracer one per server and question type. Private to src/dns (it names ares_channel).

#include <ares.h>

#include <optional>
#include <vector>

#include "core/poll.h"

namespace pageload::dns {

// Adds the channel's sockets, with the events it waits for, to `out`.
void append_wait_fds(ares_channel channel, std::vector<WaitFd>& out);

// Milliseconds (rounded up) until the channel's next timeout or retry; nullopt: no timer.
std::optional<long> next_timeout_ms(ares_channel channel);

// Hands the channel the readiness `ready` reports for its own sockets (others are skipped).
// A socket is processed for writing only when the channel asked to write on it.
void process_ready_fds(ares_channel channel, const std::vector<WaitFd>& ready);

// Lets the channel act on timers: timeouts and retries.
void process_timeouts(ares_channel channel);

}  // namespace pageload::dns
