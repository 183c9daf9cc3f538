// The server side of one HTTP/2 connection (nghttp2), without I/O: the caller feeds it
// the bytes the client sent, takes the bytes to send back, and tells it the time. Each
// stream's request becomes a ResponsePlan (routes.h) that the session plays with timers
// of its own: a stream waiting out its /delay or between /drip chunks is deferred
// (NGHTTP2_ERR_DEFERRED) and resumed when due, so every stream of a connection is
// served at once. http2_connection.h drives a session over a TLS socket; the fuzz
// target drives one over bytes alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lab/http_request.h"
#include "lab/response_plan.h"
#include "lab/routes.h"

struct nghttp2_session;

namespace pageload::lab {

class Http2Session {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    int local_port = 0;        // given to each request (Request::local_port)
    RequestLimits limits;      // header bytes and count per request, body bytes
    uint32_t max_concurrent_streams = 100;
    // Called with each complete request before it is answered (the server counts a
    // connection's host by its first one). May be empty.
    std::function<void(const Request&)> on_request;
  };

  // A server session; its SETTINGS frame is queued at once. `state` (the server's route
  // state) must outlive the session. Null when nghttp2 cannot allocate one.
  static std::unique_ptr<Http2Session> create(const Options& options, RouteState& state);
  ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // Feeds bytes from the client at time `now`. False on a connection error (a bad
  // preface, a protocol violation): the session then only flushes what it queued (a
  // GOAWAY) and finishes.
  bool receive(std::string_view bytes, Clock::time_point now);
  // Starts the responses and resumes the bodies whose pauses end by `now`.
  void advance(Clock::time_point now);
  // When advance() next has something to do, if anything is waiting.
  std::optional<Clock::time_point> next_deadline() const;

  // Moves frames nghttp2 has ready into the output buffer until it holds at least
  // `limit` bytes (a limit, so a 4 GiB /large stream does not fill memory).
  void produce(std::size_t limit);
  // Bytes waiting to be written to the client; consume() drops the first `n` once sent.
  std::string_view output() const { return output_; }
  void consume(std::size_t n) { output_.erase(0, n); }

  // Ends the session gracefully: a GOAWAY naming the last stream taken; the streams in
  // progress finish, then finished() turns true. Idempotent.
  void shut_down() { goaway_pending_ = !goaway_sent_; }

  // Whether the session is over: nothing left to read or to write but output().
  bool finished() const;
  // Whether a route asked for the TCP connection to be reset (Ending::kReset): the
  // caller flushes output() and resets it.
  bool reset_requested() const { return reset_requested_; }
  // Whether any stream is open (receiving, waiting, sending).
  bool has_streams() const { return !streams_.empty(); }
  // Streams opened so far (for tests).
  uint64_t streams_opened() const { return streams_opened_; }
  // The idle time after which the connection is to be closed, when a response asked for
  // one (ResponsePlan::keep_alive, the latest such response's); else nullopt.
  std::optional<std::chrono::milliseconds> keep_alive() const { return keep_alive_; }

 private:
  struct Stream;
  struct Callbacks;
  friend struct Callbacks;

  Http2Session(const Options& options, RouteState& state);
  Stream* find(int32_t stream_id);
  void on_request_complete(Stream& stream);
  void start_response(Stream& stream);
  void after_body(Stream& stream);

  Options options_;
  RouteState& state_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, std::unique_ptr<Stream>> streams_;
  std::string output_;
  Clock::time_point now_{};
  bool failed_ = false;           // a connection error: no more reading
  bool reset_requested_ = false;
  bool goaway_pending_ = false;   // a kClose response ended (or shut_down()): GOAWAY once produced
  bool goaway_sent_ = false;
  uint64_t streams_opened_ = 0;
  std::optional<std::chrono::milliseconds> keep_alive_;
};

}  // namespace pageload::lab
