// The libcurl multi driver: runs HTTP exchanges (a document's redirect hops, a page's
// subresources) on one event loop, HTTP/2 multiplexed where ALPN agrees, at most
// max_host_connections per host and pool, and turns what happened into phase spans and
// stamps on the run's clock. This is the one place curl times become spans; the loader
// never reads curl. No curl type leaks out of this module.
//
// Timing model (DESIGN in exchange.h): every boundary of an exchange is stamped once, on
// one clock reading, by the callback where it happens (Stamps). Connect and TLS keep
// curl's own figures (the ones `curl -w` prints), anchored on our clock where curl opened
// the connection's socket; the request, the first response byte and the end are ours,
// because libcurl 7.88 restarts its per-transfer times when a transfer leaves its queue,
// sums them over its own retries, and stamps STARTTRANSFER when an upload starts.
#pragma once

#include <compare>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/poll.h"
#include "core/url.h"
#include "pageload/options.h"
#include "pageload/result.h"
#include "transfer/cookie_jar.h"
#include "transfer/proxy.h"

namespace pageload::transfer {

// A connection pool (and curl DNS cache) of its own: each run gets one, so a run never
// reuses a connection another run opened, as separate browser profiles would not.
using PoolId = int;

// kNegotiate: HTTP/2 by ALPN for https (HTTP/1.1 if the server does not offer h2), 1.1
// for http; kHttp11: HTTP/1.1 everywhere (--http1.1).
enum class HttpVersion { kNegotiate, kHttp11 };

struct DriverOptions {
  // Connections per host (name and port) at once in one pool; an exchange over the limit
  // waits in curl's queue for one to be free (CURLMOPT_MAX_HOST_CONNECTIONS, which
  // libcurl counts per connection cache, i.e. per pool). 0: no limit.
  int max_host_connections = 6;
  // Connections at once in one pool, all hosts together (CURLMOPT_MAX_TOTAL_CONNECTIONS,
  // also counted per pool): an exchange over it waits in curl's queue, and curl closes
  // an idle connection of the pool to make room. 0: no limit. What keeps a page load
  // within its share of the file descriptor limit (core/resources.h).
  int max_pool_connections = 0;
};

// Streams curl puts on one HTTP/2 connection at once (CURLMOPT_MAX_CONCURRENT_STREAMS):
// Chromium's default until the server's SETTINGS say otherwise, and the most servers
// allow. Beyond it curl opens another connection to the origin, where a browser queues
// the request for a stream on the one it has; the loader holds those back (PageLoad).
inline constexpr int kMaxStreamsPerConnection = 100;

// Idle connections a pool keeps for reuse (CURLMOPT_MAXCONNECTS): the pool's bound when it
// has one, else Chromium's 256 sockets per pool. Never curl's default, which shrinks as
// transfers finish.
inline constexpr int kMaxIdleConnections = 256;
constexpr int idle_connections_kept(const DriverOptions& o) {
  return o.max_pool_connections > 0 ? o.max_pool_connections : kMaxIdleConnections;
}

// What to send in one exchange.
struct ExchangeSpec {
  PoolId pool = 0;  // from Driver::open_pool()
  Url url;
  std::string method = "GET";
  std::vector<Header> headers;        // user headers, already filtered by the loader
  std::optional<std::string> body;
  std::string user_agent;
  // Addresses DNS found for url.host, handed to curl (CURLOPT_RESOLVE) so it does no
  // lookup of its own. Give them whenever the exchange may open a connection. Empty for
  // IP literals, behind a proxy, and for an exchange meant to reuse a connection
  // (Driver::has_live_connection): should curl need a new connection after all, and
  // the addresses an earlier exchange gave have expired, the exchange fails in connect
  // (kConnectError) rather than connecting to stale addresses or letting curl resolve.
  std::vector<std::string> addresses;
  // How long the addresses may be used (the answer's remaining TTL, seconds); curl's
  // copy expires with it. Unset: for as long as the pool lives (--resolve, localhost).
  std::optional<double> addresses_ttl_s;
  // --connect-to: the host and port to connect to instead of url's (CURLOPT_CONNECT_TO);
  // `addresses` are then this host's. The URL, Host header, SNI and certificate check
  // stay url's. Through a proxy, an https tunnel is asked for this host and port.
  struct ConnectTo {
    std::string host;  // no brackets
    int port = 0;
    bool host_is_ip = false;
  };
  std::optional<ConnectTo> connect_to;
  std::optional<Proxy> proxy;         // unset: direct (curl's own environment lookup is off)
  // -U USER:PASSWORD for the proxy (CURLOPT_PROXYUSERPWD, Basic); credentials in the
  // proxy's URL win, as in curl. Empty: none.
  std::string proxy_user;
  // The addresses of the proxy's host when it is a name (looked up by the loader as any
  // host is), so that curl does not resolve it itself.
  std::vector<std::string> proxy_addresses;
  bool insecure = false;
  std::string cacert;
  int ip_version = 0;
  bool keepalive = true;
  long connect_timeout_ms = 0;
  long timeout_ms = 0;                 // 0: none; else what is left of --max-time
  long long max_filesize = 0;
  bool compressed = true;
  HttpVersion http_version = HttpVersion::kNegotiate;
  // TLS versions: the lowest (--tlsv1.2, --tlsv1.3) and the highest (--tls-max) the
  // handshake may agree on; and whether it may resume a session an earlier connection
  // to the same host and port left in the pool's cache (false: --no-sessionid).
  TlsVersion tls_min = TlsVersion::kDefault;
  TlsVersion tls_max = TlsVersion::kDefault;
  bool tls_sessions = true;
  // The run's cookie jar: curl's cookie engine sends the cookies of it that match the
  // URL and stores in it what the response sets. Outlives the exchange; nullptr: none.
  CookieJar* cookies = nullptr;
  // -b 'NAME=VALUE; ...' (curl's CURLOPT_COOKIE): sent as given, in the one Cookie header
  // with the jar's. Empty: none.
  std::string cookie;
  // HTTP/2 stream weight, 1..256, from the request's priority (CURLOPT_STREAM_WEIGHT).
  int stream_weight = 16;
  // The exchange reached a stage: its connection is ready and the request is about to go
  // (kSending), the first byte of the response came (kReceiving). A retry on a new
  // connection reports kSending again. Called from perform(); must not call the driver.
  enum class Stage { kSending, kReceiving };
  std::function<void(Stage)> on_stage;
  // The connection the exchange got is ready and speaks HTTP/2 (TLS ALPN chose h2): said
  // with kSending, before any response, so that the caller can stop holding the origin's
  // other requests back as HTTP/1.1 ones. Called from perform(); must not call the driver.
  std::function<void()> on_http2;
  // The final response's head is complete: its status and header fields as received,
  // before any of its body. Called from perform(); must not call the driver.
  std::function<void(int status, const std::vector<Header>& fields)> on_head;
  // Decoded body bytes as they arrive (the documents and stylesheets the loader parses).
  // Unset: bytes are only counted. Called from perform(); must not call the driver.
  std::function<void(std::string_view)> on_body;
};

// Every boundary of an exchange, stamped once on one clock reading, in ms on the run's
// clock; nullopt: not reached. They are the boundaries of the phases in the request.
// For an exchange curl retried (ExchangeResult::retries) the connection stamps are the
// last try's. What lies between `handed` and the last try's socket_opened (or, on a
// reused or multiplexed connection, connection_ready) that is no phase is time spent
// queued for a connection or a stream, or on tries given up: HAR's `blocked`.
struct Stamps {
  std::optional<double> handed;            // curl_multi_add_handle
  std::optional<double> socket_opened;     // a new connection's first socket: connect starts
  std::optional<double> tcp_connected;
  std::optional<double> tls_done;
  std::optional<double> connection_ready;  // CURLOPT_PREREQFUNCTION: the request is about to go
  std::optional<double> request_sent;      // the last request byte written (body included)
  // The first byte of the response: the status line of the first response that is not
  // 100 Continue (which only lets the request body go), seen by our header callback.
  std::optional<double> first_byte;
  std::optional<double> done;              // the last response byte (curl's end of transfer)
};

// One TCP connection, as its two ends; what ties a reused or multiplexed exchange to
// the exchange that opened the connection.
struct ConnectionId {
  std::string local_ip;
  int local_port = 0;
  std::string remote_ip;
  int remote_port = 0;
  auto operator<=>(const ConnectionId&) const = default;
};

// How one connection of a pool ended, stamped in curl's close-socket callback: when our
// end was closed, whether the server's FIN (or a reset) had already arrived, and why.
struct ConnectionEnd {
  ConnectionId id;
  int64_t closed_us = 0;  // the monotonic clock (core/clock.h)
  ClosedBy by = ClosedBy::kPageload;
  CloseReason reason = CloseReason::kOther;
};

// A connection curl gave up on and retried the request on a new one: after an HTTP/2
// REFUSED_STREAM, or a reused connection the server had closed (curl 7.88 tries up to
// six times).
struct Retry {
  // "REFUSED_STREAM: the server refused the HTTP/2 stream", "the connection was closed by
  // the server" (curl's own note, for display only)
  std::string reason;
  std::optional<Connection> connection;    // set when this try opened it
  std::optional<ConnectionId> connection_id;
  Span span;                               // the try, from its start to the retry
};

// What one exchange measured. `request` has everything but seq, ids and dns filled in:
// phases connect..receive (no dns, no blocked), status, headers, trailers, sizes.
struct ExchangeResult {
  Request request;
  Stamps stamps;
  std::optional<Connection> connection;      // set when this exchange opened (or tried) one
  std::optional<ConnectionId> connection_id; // the connection the request went on
  std::vector<Retry> retries;                // earlier tries, in order
  // curl needed a new connection but had no current addresses for the host (the one it
  // meant to reuse had been closed and the loader's answer had expired): the exchange
  // failed in connect without a packet sent; the loader looks the host up and starts over.
  bool needed_addresses = false;
};

class Driver {
 public:
  using Callback = std::function<void(ExchangeResult)>;

  // Creates the multi handle. kInternal if libcurl cannot initialise.
  static StatusOr<std::unique_ptr<Driver>> create(const DriverOptions& options = {});
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // A new, empty connection pool (and connection limit). Close it when no exchange uses
  // it any more; its idle connections close with it (CloseReason::kEndOfPage).
  PoolId open_pool();
  void close_pool(PoolId pool);

  // How connections of `pool` ended since the last call, oldest first, those `wanted`
  // picks; the others stay for a later call (another run sharing the pool). A closed
  // pool's ends are all forgotten after the call. Only connected sockets have an end.
  std::vector<ConnectionEnd> take_connection_ends(PoolId pool,
                                                  const std::function<bool(const ConnectionId&)>& wanted);

  // Starts one exchange: curl begins it at the next perform() (which stamps it handed),
  // so a loop's starts cost one pass of curl, not one each. `done` runs later from
  // perform() (or cancel_all()), never from inside start(). Offsets in the result are on `clock`, which must outlive the
  // exchange. Fails (nothing started, `done` never called) when curl refuses the handle,
  // the pool is unknown, or the spec cannot be handed to curl.
  Status start(const ExchangeSpec& spec, const RunClock& clock, Callback done);

  // Whether `pool` holds a connection to url's scheme, host and port that the server has
  // not closed (checked as curl checks before reusing one). An exchange to that origin
  // started now reuses it (or, HTTP/1.1 with every such connection busy, waits for one
  // or opens another, which needs addresses).
  // `multiplexed_only`: one that speaks HTTP/2, so it takes the exchange as a stream even
  // while others are in flight on it.
  bool has_live_connection(PoolId pool, const Url& url, bool multiplexed_only = false) const;

  // Waits up to max_wait_ms for curl's sockets or any of `extra` (whose revents are
  // filled in), whichever comes first; curl's own timers shorten the wait.
  void wait(std::vector<WaitFd>& extra, long max_wait_ms);
  // Begins the exchanges started since the last call, runs curl on whatever is ready and
  // delivers finished exchanges to their callbacks; returns how many it delivered.
  int perform();
  // Exchanges started that the next perform() begins.
  bool has_unbegun() const;
  // Exchanges started and not yet delivered.
  int active() const;
  // Ends every exchange in flight now, each delivered to its callback as failed with
  // Code::kInterrupted and `message` in the phase it had reached, with everything it
  // measured so far. Callbacks run from inside this call.
  void cancel_all(const std::string& message);

  // "libcurl/7.88.1 OpenSSL/3.0.22 zlib/... nghttp2/...": libcurl and the libraries it
  // loads with that matter to HTTP (curl_version_info). Any thread.
  static std::string library_version();

 private:
  Driver();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// --cacert FILE checked before any load, as curl reads it (PEM): Ok when it holds at least
// one certificate; else kUsage "--cacert FILE: " and the OS's reason it cannot be read, or
// that no certificate is in it. (curl's own message, "error setting certificate file:
// FILE", came only once a connection needed it, without a reason.)
Status check_ca_file(const std::string& path);

}  // namespace pageload::transfer
