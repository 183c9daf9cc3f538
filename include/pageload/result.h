// What a load measured: a Run of requests (one per redirect hop), the connections they
// used and the DNS lookups behind them. These are plain values: the loader fills them,
// the store writes and reads them, the report draws them. A phase or field that did not
// happen is absent (std::nullopt / empty vector), never a zero that looks measured.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pageload/phase.h"
#include "pageload/resource.h"
#include "pageload/status.h"

namespace pageload {

using Header = std::pair<std::string, std::string>;  // name, value (as sent/received)

// The failure of one phase: which code, and a human message.
struct Failure {
  Code code = Code::kInternal;
  std::string message;

  bool operator==(const Failure&) const = default;
};

struct PhaseRecord {
  Phase phase = Phase::kDns;
  Span span;
  std::optional<Failure> failure;  // set when this phase is where the request failed
  bool ok() const { return !failure.has_value(); }

  bool operator==(const PhaseRecord&) const = default;
};

// One DNS resource record of an answer.
struct DnsAnswer {
  std::string type;   // "A", "AAAA" or "CNAME"
  std::string name;   // owner name
  std::string value;  // address, or CNAME target
  // Seconds, the 32-bit value the server sent (0 to 2^32 - 1). RFC 2181 8: a TTL with the
  // top bit set (2^31 or more) is treated as 0, so such an answer is never cached; it is
  // still recorded as sent.
  uint32_t ttl = 0;

  bool operator==(const DnsAnswer&) const = default;
};

// One try of a query: the message sent to one server, and what came of it. A query
// has one per datagram (or TCP message) the resolver sent: retransmits and the moves to
// the next server after a timeout or an error each add one.
struct DnsAttempt {
  std::string server;            // "ADDR:PORT" ("[V6]:PORT") the message was sent to
  double start_ms = 0;           // when it was sent (run clock)
  // When the reply or the error came, or when the resolver gave up waiting (TIMEOUT);
  // absent when nothing came before another server's reply ended the query.
  std::optional<double> end_ms;
  // The reply's: NOERROR, NODATA, NXDOMAIN, SERVFAIL, REFUSED, FORMERR, NOTIMP, RCODE<n>,
  // BADREPLY (does not parse), TRUNCATED (retried over TCP). No reply: TIMEOUT;
  // UNREACHABLE (ICMP: nothing listens there); ERROR (another socket error). Empty
  // together with end_ms.
  std::string outcome;

  bool operator==(const DnsAttempt&) const = default;
};

// One query (A or AAAA) inside a lookup.
struct DnsQuery {
  std::string type;         // "A" or "AAAA"
  // NOERROR, NXDOMAIN, SERVFAIL, NODATA, REFUSED, TIMEOUT, BADREPLY, ERROR
  std::string outcome;
  std::string ares_status;  // c-ares status name, e.g. "ARES_ENOTFOUND"; empty if none
  Span span;
  std::string server;                 // whose reply ended the query; empty if none did
  std::vector<DnsAttempt> attempts;   // in the order sent

  bool operator==(const DnsQuery&) const = default;
};

// One step of a traced lookup (--dns-trace): a query sent without recursion to one
// server of the walk from the root, and what its reply meant for the walk. A reply the
// walk could not use (a lame server, a referral back up, a chain past its bound) is kind
// "error" with the failure saying why; a server that never answered is "timeout". A check
// that found the walk cannot go on without sending anything (an NS name whose resolution
// leads back to itself, too many queries) is an "error" step with no server.
struct DnsStep {
  int query = 0;              // index into DnsLookup::queries: the walk (A or AAAA) it served
  int depth = 0;              // 0: the host's own walk; 1 and up: resolving a name server's
                              // address for the walk above it
  std::string server;         // "ADDR:PORT" asked; empty for a check that sent nothing
  std::string server_name;    // the NS name the address belongs to; empty for a --dns-root
  std::string zone;           // the zone that server was asked as: ".", "test", "shop.test"
  std::string qname;          // the name and type asked
  std::string qtype;
  Span span;                  // sent .. reply (or gave up); zero-length for a check
  std::string rcode;          // the reply's RCODE (NOERROR, NXDOMAIN, REFUSED...); empty: none
  bool authoritative = false; // the reply's AA bit
  // referral, answer, cname, nxdomain, nodata, error, timeout
  std::string kind;
  std::string referral_zone;      // a referral's: the zone it hands the walk to
  std::vector<std::string> ns;    // ... its NS names
  std::vector<DnsAnswer> glue;    // ... and the addresses it gave for them (A, AAAA)
  std::vector<DnsAnswer> records; // an answer's or cname's records the walk used
  std::optional<Failure> failure; // why the walk could not use this step; set on error and
                                  // timeout steps

  // What came of it in a few words, as the terminal and the report show it: "referral
  // to shop.test via ns1.shop.test (glue)", "answer A 127.0.0.1", "NXDOMAIN", "no reply:
  // ...". Names as the server sent them: escape before showing.
  std::string result_text() const;

  bool operator==(const DnsStep&) const = default;
};

// Resolving one host name. `source` tells how the answer was had: "dns" (asked the
// servers), "trace" (walked from the root by pageload itself, --dns-trace: see steps),
// "cache" (the run's TTL-honouring cache: no query sent), or "hosts".
struct DnsLookup {
  int id = 0;                        // index within Run::dns_lookups (store maps to rowid)
  std::string host;
  std::string source = "dns";
  std::vector<std::string> servers;  // resolver servers configured, "ADDR:PORT" (see
                                     // DnsQuery::server and attempts for those used)
  int family = 0;                    // 0 any, 4 or 6 (-4/-6)
  Span span;                         // for "cache" a zero-length span at lookup time
  std::string outcome;               // overall: NOERROR or the failing outcome
  std::string ares_status;           // empty when c-ares reported none (--max-time)
  std::vector<DnsQuery> queries;
  std::vector<DnsAnswer> answers;    // CNAME chain first, then addresses
  std::optional<Failure> failure;
  std::vector<DnsStep> steps;        // source "trace": every query of the walk, in the
                                     // order sent (A and AAAA walks interleaved)
  // Addresses in preference order (what connect will be handed).
  std::vector<std::string> addresses() const;
  // The servers a message of this lookup was sent to, in the order first asked (its
  // queries' tries, a walk's steps); none for "cache" and "hosts". `servers` is the
  // configured list, of which a lookup may ask only the first.
  std::vector<std::string> asked_servers() const;

  bool operator==(const DnsLookup&) const = default;
};

struct TlsInfo {
  std::string version;   // "TLSv1.3"
  std::string cipher;
  std::string alpn;      // "http/1.1", "h2", or empty
  std::string subject;
  std::string issuer;
  std::vector<std::string> sans;
  std::string not_before;  // ISO-8601 UTC
  std::string not_after;   // ISO-8601 UTC
  long verify_result = 0;  // X509_V_OK (0) or an X509_V_ERR_* code
  std::string verify_message;
  bool verified = false;   // chain and host name passed, with or without -k

  bool operator==(const TlsInfo&) const = default;
};

// One message of a TLS handshake, as OpenSSL wrote or read it (its message callback): a
// handshake message (TLS 1.3's encrypted ones after decryption), a ChangeCipherSpec or an
// alert, in the order they went over the connection. Wireshark's handshake view, per
// message, on the run's clock.
struct TlsStep {
  enum class Direction { kSent, kReceived };
  Direction direction = Direction::kSent;
  // ClientHello, ServerHello, HelloRetryRequest, EncryptedExtensions, Certificate,
  // CertificateRequest, CertificateVerify, ServerKeyExchange, ServerHelloDone,
  // ClientKeyExchange, ChangeCipherSpec, Finished, NewSessionTicket, KeyUpdate, ... or
  // Alert; a handshake type without a name here as "Handshake(N)".
  std::string message;
  // The message's bytes: a handshake message with its 4-byte header, 1 for a
  // ChangeCipherSpec, 2 for an alert (record framing and encryption not counted).
  int64_t bytes = 0;
  double at_ms = 0;      // when OpenSSL wrote it, or read it from what came in (run clock)
  std::string alert;     // an Alert's description as RFC 8446 names it: "handshake_failure"
  bool fatal = false;    // an Alert of level fatal (else warning)
  // Sent or received once the handshake was done: TLS 1.3 session tickets, KeyUpdate.
  bool after_handshake = false;

  bool sent() const { return direction == Direction::kSent; }
  bool operator==(const TlsStep&) const = default;
};

// curl's happy-eyeballs delay (CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS, which pageload sets to
// curl's default): how long curl waits on the first address family before it also tries
// the other one.
inline constexpr int kHappyEyeballsMs = 200;

// An address curl tried while connecting.
struct ConnectAttempt {
  std::string address;
  int port = 0;
  int family = 0;      // 4 or 6
  std::string error;   // empty when this attempt connected
  // From curl opening its socket to the connect, the failure, or curl giving it up
  // (another attempt won); absent in runs stored before schema version 4.
  std::optional<Span> span;
  // curl started it when its happy-eyeballs timer fired (kHappyEyeballsMs after the first
  // attempt), not when the attempt before it ended: the time before it was curl's wait.
  // The other family after a silent first one; and, in libcurl 7.88, the next address
  // after a refused one (curl opens its socket only when that timer wakes it).
  bool after_fallback_delay = false;

  bool operator==(const ConnectAttempt&) const = default;
};

// How a connection ended, from curl's close-socket callback. `by` is the side that closed
// first, and so the one left holding TCP's TIME_WAIT (none after a reset); `reason` is what
// made it close. Each enum has one table of stored names.
enum class ClosedBy { kServer = 0, kPageload };
inline constexpr std::array<std::string_view, 2> kClosedByNames{"server", "pageload"};
enum class CloseReason {
  kConnectionClose = 0,  // the response on it said `Connection: close`
  kServerClosed,         // the server had closed it (its FIN was waiting when curl looked)
  kReset,                // the server reset it
  kEndOfPage,            // pageload closed the run's pool when the page was done
  kNoKeepalive,          // --no-keepalive: closed after its request
  kOther,                // curl closed it for a reason of its own (an error on it, a full cache)
};
inline constexpr std::array<std::string_view, 6> kCloseReasonNames{
    "connection_close", "server_closed", "reset", "end_of_page", "no_keepalive", "other"};
constexpr std::string_view closed_by_name(ClosedBy b) { return kClosedByNames[static_cast<int>(b)]; }
constexpr std::string_view close_reason_name(CloseReason r) { return kCloseReasonNames[static_cast<int>(r)]; }
std::optional<ClosedBy> closed_by_from_name(std::string_view name);
std::optional<CloseReason> close_reason_from_name(std::string_view name);

struct ConnectionClose {
  double at_ms = 0;  // when pageload's end of it was closed (run clock)
  ClosedBy by = ClosedBy::kPageload;
  CloseReason reason = CloseReason::kOther;

  bool operator==(const ConnectionClose&) const = default;
};

struct Connection {
  int id = 0;  // index within Run::connections (store maps to rowid)
  std::string scheme, host;
  int port = 0;
  std::string remote_ip;
  int remote_port = 0;
  std::string local_ip;
  int local_port = 0;
  int family = 0;  // 4 or 6
  std::vector<ConnectAttempt> attempts;
  std::optional<TlsInfo> tls;
  std::optional<Span> connect;  // TCP connect
  int requests = 0;             // how many requests used it
  // The proxy it went through (URL, user and password redacted); empty: direct. Its
  // remote_ip and connect span are then the proxy's.
  std::string proxy;
  // Why it was given up on before its request got a response, when curl retried the
  // request on a new connection (HTTP/2 REFUSED_STREAM, a closed keep-alive connection).
  std::string retry_reason;
  // TLS only (all empty or absent for plain TCP, or a handshake never begun): every
  // message of the handshake in order, and what they add up to.
  std::vector<TlsStep> tls_steps;
  // Round trips the handshake took: the server's flights the client waited for, up to
  // the end of the handshake (2 for a full TLS 1.2 handshake; 1 for TLS 1.3 and for a
  // resumed TLS 1.2 session; 1 for a handshake refused at once with an alert).
  std::optional<int> tls_round_trips;
  // The client offered a session from an earlier connection (curl's session cache had
  // one for this host and port), and the server accepted it (SSL_session_reused).
  std::optional<bool> tls_session_offered;
  std::optional<bool> tls_resumed;
  // How it ended; absent while it was still open when the run ended (a pool shared with
  // the batch's later runs, --share-connections).
  std::optional<ConnectionClose> closed;

  bool operator==(const Connection&) const = default;
};

// One request of the page: the document, a hop of a redirect chain, or a subresource.
// A value a run carries while it is printed but the database does not keep (no column):
// left out of equality, so a run read back from the database equals the one loaded.
template <typename T>
struct LiveOnly {
  T value{};
  bool operator==(const LiveOnly&) const { return true; }
};

// One head of an HTTP proxy's CONNECT exchange, as curl -v shows it: the CONNECT curl sent
// ("CONNECT www.test:443 HTTP/1.1" and its headers) or the proxy's answer ("HTTP/1.1 407
// Proxy Authentication Required", Proxy-Authenticate...).
struct TunnelHead {
  bool sent = false;       // curl's CONNECT; false: the proxy's answer
  std::string first_line;  // the request line or the status line
  std::vector<Header> headers;

  bool operator==(const TunnelHead&) const = default;
};

struct Request {
  int id = 0;       // index within Run::requests (store maps to rowid)
  int seq = 0;      // 0 for the first hop
  std::optional<int> redirect_from;  // seq of the hop that led here
  std::string method;
  std::string url;
  std::string scheme, host;
  int port = 0;
  std::optional<int> connection;  // index into Run::connections
  bool reused = false;
  std::optional<int> dns_lookup;  // index into Run::dns_lookups
  Span span;
  std::vector<PhaseRecord> phases;  // in order; absent phases are simply missing

  std::string http_version;  // "HTTP/1.1", "HTTP/2"
  std::optional<int> status;
  std::string reason;
  std::string location;       // raw Location header
  std::string redirect_url;   // Location resolved against url
  std::optional<int64_t> header_bytes;
  std::optional<int64_t> body_bytes;     // on the wire
  std::optional<int64_t> body_decoded;   // after content decoding
  std::string content_type;
  std::vector<Header> request_headers;
  std::vector<Header> response_headers;
  // Trailer fields after a chunked body: stored, never read as headers (no Location).
  std::vector<Header> response_trailers;
  std::vector<std::string> warnings;  // e.g. https-to-http downgrade
  // Through an HTTP proxy to an https origin, on the request that opened the tunnel: the
  // CONNECT exchange, in order (-v, -i, -I and -D print it, as curl does). Live only: not
  // stored, so `show` and a run read back have none.
  LiveOnly<std::vector<TunnelHead>> tunnel_heads;
  // The response's head never ended (no blank line: a connection closed, or a line curl
  // refuses, inside it), so -D, -i and -v end it with no empty line, as curl writes it.
  // Live only.
  LiveOnly<bool> head_cut;

  std::optional<Phase> error_phase;
  std::optional<Failure> failure;

  // The page: what this request fetched and who asked for it.
  ResourceType resource_type = ResourceType::kDocument;
  // seq of the request whose response named this one (for a redirect hop, the hop before
  // it); absent only for the page's first request.
  std::optional<int> initiator;
  std::optional<double> discovered_ms;  // when the page found it (run clock)
  std::optional<Priority> priority;     // Chromium's, as DevTools names it
  std::string found_by;                 // "link rel=stylesheet", "css @import", "redirect", ...
  std::string note;                     // a caveat of how it was found, e.g. a selector
                                        // treated as matching

  // The HTTP cache (schema version 5). What the response's headers allow a browser's
  // cache (src/cache/policy.h): how long it is fresh, and the header that decided
  // ("max-age", "expires", "last-modified", "permanent", "no-cache", "no-store", "none",
  // "not-storable"); absent/empty for a request without a response.
  std::optional<double> cache_lifetime_s;
  std::string cache_reason;
  // What the cache did for this request when the load had one (--repeat-view, --cache):
  // "fresh" (answered from the cache: no network phases), "revalidated" (a conditional
  // request answered 304: the stored body was used), "changed" (a conditional request
  // answered with a new response), "miss" (nothing usable stored); empty without a cache.
  std::string cache_lookup;
  bool from_cache = false;  // cache_lookup == "fresh": nothing went on the network
  // Body bytes on the wire the cache spared ("fresh" and "revalidated"): the stored
  // response's body size when it was fetched.
  std::optional<int64_t> bytes_saved;

  const PhaseRecord* phase(Phase p) const {
    for (const auto& r : phases)
      if (r.phase == p) return &r;
    return nullptr;
  }

  bool operator==(const Request&) const = default;
};

enum class Outcome { kRunning, kOk, kHttpError, kFailed };
std::string_view outcome_name(Outcome o);           // "running", "ok", "http_error", "failed"
std::optional<Outcome> outcome_from_name(std::string_view name);

// A run's view within a group (issue 12): the first view, or the repeat view that loads
// the page again as a returning visitor.
enum class RunView { kFirst, kRepeat };
std::string_view run_view_name(RunView v);  // "first", "repeat"
std::optional<RunView> run_view_from_name(std::string_view name);

// The runs of one invocation asked for together (`run -n N`, `--repeat-view`): the
// run_groups row. Its runs point at it through Run::group_id.
struct RunGroup {
  int64_t id = 0;          // database rowid once stored
  std::string created_at;  // UTC ISO-8601 with microseconds
  std::string url;
  std::string label;
  int runs = 1;            // first views asked for
  bool repeat_view = false;
  bool operator==(const RunGroup&) const = default;
};

struct Run {
  int64_t id = 0;           // database rowid once stored
  std::string started_at;   // UTC ISO-8601 with microseconds
  std::string url;
  std::string final_url;
  std::optional<int> final_status;
  Outcome outcome = Outcome::kRunning;
  std::optional<Failure> failure;
  std::optional<double> total_ms;
  std::string label;
  std::string options_json;   // the options the run was made with, secrets redacted
  std::string tool_version;   // "pageload 0.1.0"
  std::string library_versions;  // "libcurl/7.88.1 c-ares/1.18.1 ..."
  // The proxies the run's requests went through (URLs, credentials redacted, in order of
  // first use, space-separated); empty: none.
  std::string proxy;
  // Where the run comes from: "pageload" (measured) or "har" (imported from a HAR file by
  // `pageload import`; `producer` is its log.creator, e.g. "WebInspector 537.36").
  std::string source = "pageload";
  std::string producer;
  // The run's place in its group (RunGroup); all empty for a run made alone.
  std::optional<int64_t> group_id;
  std::optional<RunView> view;
  std::optional<int> run_number;  // 1..N within the group
  std::vector<Request> requests;
  std::vector<Connection> connections;
  std::vector<DnsLookup> dns_lookups;
  // The page's figures. The document: its final response complete; the load: every
  // request done (WebPageTest's "fully loaded"). Absent while running or when the
  // document never completed.
  std::optional<double> document_ms;
  std::optional<double> load_ms;
  std::vector<std::string> warnings;  // about the run as a whole (references not fetched, ...)

  // Counts over the requests, as stored on the run row.
  struct Figures {
    int requests = 0;
    int redirects = 0;        // requests that a redirect led to
    int failed = 0;           // failed, or answered with a status of 400 or more
    int64_t transfer_bytes = 0;  // headers and bodies as received on the wire
    int64_t decoded_bytes = 0;   // bodies after content decoding
  };
  Figures figures() const;

  // Exit status for this run (0 ok, 1 http >= 400, 3 network, 4 local...).
  int exit_status() const;

  bool operator==(const Run&) const = default;
};

}  // namespace pageload
