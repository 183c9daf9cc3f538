// The lab's HTTP/2 server session (nghttp2 plus our stream bookkeeping, plans and
// timers), fed whatever a hostile client could send over a TLS connection, with time
// run forward so every delayed answer and paused body is played.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lab/http2_session.h"

using namespace pageload::lab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  RouteState state;
  Http2Session::Options options;
  options.limits.max_head_bytes = 4096;
  options.limits.max_headers = 32;
  options.limits.max_body_bytes = 4096;
  auto session = Http2Session::create(options, state);
  if (!session) return 0;
  auto now = Http2Session::Clock::time_point{} + std::chrono::hours(1);
  // In two halves, so frames split across reads are covered too.
  session->receive(input.substr(0, size / 2), now);
  session->receive(input.substr(size / 2), now);
  std::size_t sent = 0;
  for (int round = 0; round < 2000 && sent < (8u << 20); ++round) {
    session->advance(now);
    session->produce(64 * 1024);
    sent += session->output().size();
    session->consume(session->output().size());
    if (session->finished() || session->reset_requested()) break;
    auto next = session->next_deadline();
    if (!next) break;
    now = std::max(now, *next);
  }
  return 0;
}
