// A lab response described before any byte is sent: a status, headers, then body pieces
// each after its own pause, and what happens to the connection (or HTTP/2 stream)
// afterwards. Routes build plans without I/O; the HTTP/1.1 writer (response_writer.h)
// plays one with blocking pauses on its connection's thread, the HTTP/2 session
// (http2_session.h) plays many at once on one connection with timers. So every route
// means the same over both protocols, and a slow route never blocks another stream.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lab/http_request.h"

namespace pageload::lab {

using std::chrono::milliseconds;

// Part of a body: `size` bytes made of `pattern` repeated (and cut short), sent after a
// pause of `delay`. A piece of size 0 is a pause alone.
struct BodyPiece {
  milliseconds delay{0};
  std::string pattern;
  uint64_t size = 0;
};

// Exactly these bytes, after `delay`.
BodyPiece literal(std::string bytes, milliseconds delay = milliseconds(0));
// `size` bytes of `pattern` repeated, after `delay`. `pattern` must not be empty unless
// `size` is 0.
BodyPiece filler(std::string pattern, uint64_t size, milliseconds delay = milliseconds(0));

// What ends the exchange once the body is played.
enum class Ending {
  kComplete,      // the response ends normally; the connection stays open
  kClose,         // HTTP/1.1: "Connection: close" and close; HTTP/2: GOAWAY, then close
                  // once the streams in progress are done
  kReset,         // the TCP connection is reset (RST), whatever else it carries
  kResetStream,   // HTTP/2: RST_STREAM INTERNAL_ERROR; HTTP/1.1: as kReset
  kRefuseStream,  // nothing is answered: HTTP/2 RST_STREAM REFUSED_STREAM; HTTP/1.1
                  // closes the connection without a response
  kGoAway,        // HTTP/2: answered, then GOAWAY naming this stream as the last one
                  // processed (later streams are refused); HTTP/1.1: as kClose
};

struct ResponsePlan {
  milliseconds head_delay{0};  // before the status line / HEADERS frame
  int status = 200;
  // The route's headers, without framing (Content-Length, Transfer-Encoding), which the
  // players add. Names as HTTP/1.1 sends them; HTTP/2 lowercases them.
  HeaderList headers;
  // Content-Length to announce (it may differ from the body on purpose, as /reset's
  // does); nullopt: unknown, so HTTP/1.1 uses chunked coding and HTTP/2 just ends the
  // stream. Ignored for statuses that carry no body.
  std::optional<uint64_t> content_length;
  std::vector<BodyPiece> body;
  Ending ending = Ending::kComplete;
  // From the query: `reason=` (HTTP/1.1 only: HTTP/2 has no reason phrase) and
  // `header=` (sent after the route's own headers and the framing).
  std::optional<std::string> reason;
  HeaderList extra_headers;
  // From the query `keep-alive=MS` (or a page that asks for it): from this response on,
  // the server closes the connection once it has been idle this long, as a server with a
  // short keep-alive timeout does (Apache's KeepAliveTimeout, nginx's keepalive_timeout),
  // without saying so in any header. HTTP/1.1: no next request within MS; HTTP/2: no
  // stream open and nothing received for MS, then GOAWAY and close. nullopt: the server's
  // own idle timeout (30 s).
  std::optional<milliseconds> keep_alive;

  // A whole response: `body` with its Content-Length.
  static ResponsePlan whole(int status, HeaderList headers, std::string body);
  // The sum of the pieces' sizes.
  uint64_t body_size() const;
};

// Whether responses with `status` carry no body (1xx, 204, 304).
bool has_no_body(int status);

// Walks a plan's body piece by piece: each piece's pause is handed out once, before its
// first byte, then its bytes in reads of any size. Used by both players.
class BodyCursor {
 public:
  explicit BodyCursor(const std::vector<BodyPiece>& pieces);
  // Whether every byte has been read (and every pause handed out).
  bool done() const;
  // Whether the current piece's pause is due before its next byte.
  bool pause_pending() const;
  // Hands out the pending pause (zero when none is pending) and marks it taken.
  milliseconds take_pause();
  // Copies up to `max` bytes of the current piece into `out` and returns the count: 0
  // when a pause is pending or at the end. Stops at the end of a piece.
  std::size_t read(char* out, std::size_t max);

 private:
  void skip_finished();

  const std::vector<BodyPiece>& pieces_;
  std::size_t index_ = 0;
  uint64_t offset_ = 0;  // bytes of the current piece already read
  bool pause_taken_ = false;
};

}  // namespace pageload::lab
