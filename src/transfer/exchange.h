// One exchange in flight: the easy handle, and what curl's callbacks stamp and collect.
// Internal to the transfer module.
//
// DESIGN. Every boundary is stamped through Exchange::stamp(), once, on one clock reading
// taken by the callback where it happens (curl's Curl_pgrsTime pattern), into optional
// fields: a boundary not reached stays nullopt. Where each is taken:
//   handed            Driver::perform, just before the curl_multi_perform that begins it
//   socket_opened     CURLOPT_OPENSOCKETFUNCTION, a connection's first socket
//   tcp_connected     the first curl event at which one of its sockets has the peer it
//                     was opened for, at the latest when curl sets up TLS
//   tunnel_done       the end of a proxy's answer to CONNECT (Try::tunnel_done_us)
//   tls_done          OpenSSL's handshake-done callback (TlsCapture)
//   connection_ready  CURLOPT_PREREQFUNCTION: connected (or reused), request about to go
//   request_sent      the last HEADER_OUT/DATA_OUT debug event before the first byte
//   first_byte        the header callback's first status line that is not 100 Continue
//   done              curl's TOTAL, an offset from where it took the transfer (handed)
// finish() then keeps curl's own figures for connect and TLS where they are sound:
// CONNECT and APPCONNECT are offsets from curl's per-connect start, which it anchors where
// curl opened the socket (minus NAMELOOKUP, which curl stamps just before). A transfer
// that waited in curl's queue restarts those offsets when it leaves it, so anchoring on
// the socket keeps them right. Our own tcp_connected stands in when curl has no CONNECT
// (7.88 reports none when the TLS handshake then fails), and our tcp_connected and
// tls_done both stand in for a retried exchange, as curl sums its figures over the tries.
//
// A try is one pass of curl through connect and request. curl retries on a new
// connection after an HTTP/2 REFUSED_STREAM or when a reused connection turns out to be
// closed: a socket opened after the current try was ready begins the next try.
#pragma once

#include <curl/curl.h>

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transfer/response_head.h"
#include "transfer/sockets.h"
#include "transfer/tls_capture.h"
#include "transfer/transfer.h"

namespace pageload::transfer::detail {

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct EasyDeleter {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;

enum class Boundary {
  kHanded,
  kSocketOpened,
  kTcpConnected,
  kTlsDone,
  kConnectionReady,
  kRequestSent,
  kFirstByte,
  kDone,
};
inline constexpr int kBoundaryCount = 8;

// Monotonic microseconds of each boundary, each set at most once.
class Timeline {
 public:
  // The first reading wins: a later one for the same boundary is ignored.
  void stamp(Boundary b, int64_t now_us) {
    auto& slot = at_[static_cast<int>(b)];
    if (!slot) slot = now_us;
  }
  std::optional<int64_t> at(Boundary b) const { return at_[static_cast<int>(b)]; }
  bool reached(Boundary b) const { return at(b).has_value(); }

 private:
  std::array<std::optional<int64_t>, kBoundaryCount> at_;
};

// One pass through connect and request (see DESIGN).
struct Try {
  Timeline timeline;                   // its own socket_opened .. request_sent
  int64_t start_us = 0;                // handed, or when curl began the retry
  std::optional<int64_t> last_out_us;  // the last request byte written so far
  std::vector<ConnectAttempt> attempts;
  // When each attempt began (curl opened its socket) and ended (connected, failed, or
  // given up for another that connected), monotonic us, by attempt index.
  std::vector<int64_t> attempt_starts_us;
  std::vector<std::optional<int64_t>> attempt_ends_us;
  // Through an HTTP proxy to an https origin: curl sent the CONNECT (debug HEADER_OUT),
  // and when the proxy's answer ended (the blank line after its headers, HEADER_IN; the
  // last one when curl asked again, e.g. after a 407). Curl's own timers have no such
  // boundary: CONNECT is the TCP connect to the proxy, APPCONNECT the TLS inside the tunnel.
  bool tunnel_requested = false;
  std::optional<int64_t> tunnel_done_us;
  // Sockets curl opened to connect, each with the index of its attempt.
  std::vector<std::pair<curl_socket_t, std::size_t>> sockets;
  std::optional<ConnectionId> connection;  // from CURLOPT_PREREQFUNCTION
  // The ends of the socket that connected, as note_tcp_connect() read them: the only
  // record of a connection the exchange ended on before curl reported it (a page's
  // --max-time running out just after the TCP connect), which curl then closes.
  std::optional<ConnectionId> tcp_ends;
  std::string retry_reason;                // why curl gave up on it, if it did
};

struct Exchange {
  ExchangeSpec spec;
  const RunClock* clock = nullptr;
  SocketRegistry* registry = nullptr;  // the driver's, for the sockets curl opens
  Driver::Callback done;
  Easy easy;
  Slist headers, resolve, connect_to;

  Timeline timeline;    // handed, first_byte, done
  std::list<Try> tries;  // never empty once started; the last is the current one
  TlsCapture tls;       // the current connection's handshake
  bool session_read = false;
  std::vector<Header> request_headers;
  // Through an HTTP proxy to an https origin: the CONNECT heads curl sent and the proxy's
  // answers (debug callback), in order, for -v/-i/-D (Request::tunnel_heads).
  std::vector<TunnelHead> tunnel_heads;
  ResponseHead head;
  char error_buffer[CURL_ERROR_SIZE] = {};  // curl's own detail of a failure
  int64_t decoded_bytes = 0;
  bool too_large = false;
  int open_errno = 0;            // why curl's last socket could not be opened (EMFILE...)
  // A response header line curl showed (debug callback) that never reached on_header:
  // the one its header store refused (a line without a colon, a fold with nothing before).
  std::string unread_header_line;
  bool resolve_refused = false;  // curl wanted to resolve a name itself (see start())
  std::string cancelled;         // Driver::cancel_all's message
  std::vector<std::string> cookies_before;  // the jar's lines handed to curl (spec.cookies)

  Try& current() { return tries.back(); }

  // The one stamping function: `b` at `now_us`, routed to the exchange or the current try.
  void stamp(Boundary b, int64_t now_us) {
    switch (b) {
      case Boundary::kHanded:
      case Boundary::kFirstByte:
      case Boundary::kDone:
        timeline.stamp(b, now_us);
        break;
      default:
        current().timeline.stamp(b, now_us);
    }
  }
};

// The connection a socket is: its two ends, once connected.
std::optional<ConnectionId> socket_ends(curl_socket_t fd);

}  // namespace pageload::transfer::detail
