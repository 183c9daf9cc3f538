// Writes one HTTP/1.1 response on a lab connection: plays a ResponsePlan (its pauses
// as blocking, stoppable sleeps on the connection's thread), or sends an error answer.
// Also decides what happens to the connection afterwards (keep-alive, close, reset).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "lab/http_request.h"
#include "lab/response_plan.h"
#include "lab/stop_flag.h"
#include "lab/stream.h"

namespace pageload::lab {

// The standard reason phrase of `status` (RFC 9110 section 15), or "" if it has none.
std::string_view reason_phrase(int status);

// Per-response tweaks a client asks for in the query (`reason=`, `header=`).
struct ResponseOverrides {
  std::optional<std::string> reason;  // replaces the reason phrase
  HeaderList extra_headers;           // appended after the route's own headers
};

enum class AfterResponse { kKeepAlive, kClose, kReset };

class ResponseWriter {
 public:
  // `head_only`: a HEAD request; body bytes are counted but not sent.
  // `keep_alive`: whether the client allows the connection to stay open.
  ResponseWriter(Stream& stream, const StopFlag& stop, bool head_only, bool keep_alive);

  // Applies query overrides to the response not yet sent. An extra "Connection" header
  // replaces the writer's own, and one with "close" makes the server really close.
  void set_overrides(ResponseOverrides overrides);

  // Plays `plan`: its overrides, head delay, head with framing, body pieces and pauses,
  // and its ending (close, reset, or for kRefuseStream no answer and a close). Stops
  // early, closing, when the peer is gone or the server stops.
  void play(const ResponsePlan& plan);

  // Sends a complete response with a Content-Length (none for 1xx, 204 and 304, which
  // carry no body). Adds Server, and Connection: close when the connection will close.
  // Returns false when the peer is gone.
  bool send(int status, HeaderList headers, std::string_view body);
  // Sends the status line and headers only; the caller's headers must frame the body
  // (Content-Length or Transfer-Encoding: chunked) and the caller writes it next.
  bool send_head(int status, const HeaderList& headers);
  // Raw body bytes after send_head (suppressed for HEAD).
  bool write_body(std::string_view bytes);
  // One chunk of a chunked body, and the terminating zero chunk.
  bool write_chunk(std::string_view bytes);
  bool finish_chunks();
  // Waits `duration`, or less if the server stops. Returns false when stopping.
  bool pause(std::chrono::milliseconds duration) const { return stop_.sleep_for(duration); }

  // The connection closes after this response; sets "Connection: close" if the head
  // is not sent yet.
  void close_after() { after_ = AfterResponse::kClose; }
  // The connection is reset (RST, no TLS close_notify) right after this response.
  void reset_after() { after_ = AfterResponse::kReset; }
  AfterResponse after() const { return after_; }
  bool head_sent() const { return head_sent_; }

 private:
  Stream& stream_;
  const StopFlag& stop_;
  bool head_only_;
  bool head_sent_ = false;
  AfterResponse after_;
  ResponseOverrides overrides_;
};

}  // namespace pageload::lab
