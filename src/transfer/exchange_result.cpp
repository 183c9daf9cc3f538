#include "transfer/exchange_result.h"

#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>

#include "core/redact.h"
#include "core/resources.h"
#include "core/tls_handshake.h"
#include "transfer/callbacks.h"
#include "transfer/classify.h"
#include "transfer/phases.h"
#include "transfer/response_text.h"
#include "transfer/tunnel_refusal.h"

namespace pageload::transfer::detail {
namespace {

std::string http_version_name(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0: return "HTTP/1.0";
    case CURL_HTTP_VERSION_1_1: return "HTTP/1.1";
    case CURL_HTTP_VERSION_2_0: return "HTTP/2";
    case CURL_HTTP_VERSION_3: return "HTTP/3";
    default: return {};
  }
}

int64_t info_us(CURL* e, CURLINFO what) {
  curl_off_t v = 0;
  curl_easy_getinfo(e, what, &v);
  return static_cast<int64_t>(v);
}

std::optional<double> ms_of(const RunClock& clock, std::optional<int64_t> us) {
  if (!us) return std::nullopt;
  return clock.offset_ms(*us);
}

// Status, headers, trailers, sizes: what came back, as far as it came.
void read_response(Exchange& ex, Request& r) {
  CURL* e = ex.easy.get();
  ResponseHead& head = ex.head;
  if (head.final_status()) {
    if (head.status() > 0) r.status = head.status();
    r.reason = reason_phrase(head.status_line());
    r.response_headers = std::move(head.fields());
  }
  r.response_trailers = std::move(head.trailers());
  for (auto& w : head.warnings()) r.warnings.push_back(std::move(w));
  long version = 0;
  curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
  r.http_version = http_version_name(version);
  for (const auto& [name, value] : r.response_headers)
    if (iequals(name, "location")) r.location = value;
  char* ctype = nullptr;
  if (r.status && curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype) r.content_type = ctype;
  long header_size = 0;
  curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &header_size);
  if (header_size > 0) r.header_bytes = header_size;
  curl_off_t wire = 0;
  curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &wire);
  if (r.status) {
    r.body_bytes = wire;
    r.body_decoded = ex.decoded_bytes;
  }
}

// The last try's boundaries in run-clock ms (DESIGN in exchange.h): connect and TLS are
// curl's anchored figures when it connected once, else our own stamps. Stamps kDone.
Boundaries boundaries_of(Exchange& ex, bool ok, int64_t now_us) {
  CURL* e = ex.easy.get();
  const RunClock& clock = *ex.clock;
  const Try& last = ex.tries.back();
  Boundaries b;
  b.start = clock.offset_ms(last.start_us);
  b.new_connection = last.timeline.reached(Boundary::kSocketOpened);
  b.tls = ex.spec.url.scheme == "https" && b.new_connection;
  // An https origin through an HTTP proxy goes through a CONNECT tunnel (a SOCKS proxy
  // has none of ours: curl's SOCKS handshake stays in connect).
  b.tunnel = b.tls && ex.spec.proxy && !ex.spec.proxy->resolves_locally;
  b.tunnel_done = ms_of(clock, last.tunnel_done_us);
  b.socket_opened = ms_of(clock, last.timeline.at(Boundary::kSocketOpened));
  b.ready = ms_of(clock, last.timeline.at(Boundary::kConnectionReady));
  if (b.new_connection) {
    const bool single = ex.tries.size() == 1;
    const int64_t anchor = *last.timeline.at(Boundary::kSocketOpened) - info_us(e, CURLINFO_NAMELOOKUP_TIME_T);
    const int64_t connect = single ? info_us(e, CURLINFO_CONNECT_TIME_T) : 0;
    const int64_t appconnect = single ? info_us(e, CURLINFO_APPCONNECT_TIME_T) : 0;
    b.tcp_connected = connect > 0 ? clock.offset_ms(anchor + connect)
                                  : ms_of(clock, last.timeline.at(Boundary::kTcpConnected));
    if (b.tls && appconnect > 0) b.tls_done = clock.offset_ms(anchor + appconnect);
    else if (b.tls && !single && ex.tls.handshake_done_us) b.tls_done = clock.offset_ms(ex.tls.handshake_done_us);
    // curl's anchored figures can read a few microseconds late (NAMELOOKUP is stamped a
    // little before our socket callback runs): never after the next boundary we saw.
    if (b.ready && b.tls_done) b.tls_done = std::min(*b.tls_done, *b.ready);
    if (b.tcp_connected && (b.tls_done || b.ready))
      b.tcp_connected = std::min(*b.tcp_connected, b.tls_done ? *b.tls_done : *b.ready);
    if (b.tcp_connected) b.tcp_connected = std::max(*b.tcp_connected, *b.socket_opened);
    if (b.tcp_connected && b.tunnel_done) b.tcp_connected = std::min(*b.tcp_connected, *b.tunnel_done);
    if (b.tunnel_done && b.tls_done) b.tls_done = std::max(*b.tls_done, *b.tunnel_done);
  }
  b.last_out = ms_of(clock, last.last_out_us);
  b.sent = ms_of(clock, last.timeline.at(Boundary::kRequestSent));
  b.first_byte = ms_of(clock, ex.timeline.at(Boundary::kFirstByte));
  if (!b.first_byte) b.sent = b.last_out;  // no response: the request ends at its last byte
  // TOTAL counts from where curl took the transfer (Curl_pretransfer, a few microseconds
  // after `handed`), not from its queue exit or its last retry as its other times do; it
  // is kept from reading before the first byte.
  const int64_t total = info_us(e, CURLINFO_TOTAL_TIME_T);
  if (ok && total > 0)
    ex.stamp(Boundary::kDone, std::max(*ex.timeline.at(Boundary::kHanded) + total,
                                       ex.timeline.at(Boundary::kFirstByte).value_or(0)));
  else
    ex.stamp(Boundary::kDone, now_us);
  b.done = ms_of(clock, ex.timeline.at(Boundary::kDone));
  return b;
}

struct Failed {
  Phase phase;
  Failure failure;
};

// Why curl's header store refused a line (classify.cpp): `line` as curl showed it (empty
// for a trailer, which curl shows nowhere), in the head or in the trailers.
std::string refused_line_message(std::string_view line, bool in_trailers) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (in_trailers)
    return "malformed trailer after the chunked body: a line without a colon, or a continuation line "
           "(curl refuses it)";
  std::string why = !line.empty() && (line.front() == ' ' || line.front() == '\t')
                        ? "a continuation line (obs-fold) with no header before it"
                        : "a header line without a colon";
  if (line.empty()) return "malformed response header (curl refuses it)";
  return "malformed response header: " + why + ": '" + std::string(line) + "' (curl refuses it)";
}

// A failure after the server sent a fatal alert is the server's refusal, whatever curl
// made of it: in the handshake (tls), or, in TLS 1.3, once the client had taken the
// handshake for done and the server then judged the client's messages (a client
// certificate it requires), in the phase the request had reached.
std::optional<Failed> refused_by_alert(const Exchange& ex, const Classified& c) {
  switch (c.code) {
    case Code::kTlsHandshake:
    case Code::kSendError:
    case Code::kRecvError:
    case Code::kProtocolError:
    case Code::kInternal:
      break;
    default:
      return std::nullopt;  // the client's own verdict (a certificate), a timeout, ...
  }
  std::vector<TlsStep> steps;
  for (const auto& s : ex.tls.steps) steps.push_back(s.step);
  const TlsStep* alert = tls_fatal_alert(steps);
  if (!alert || alert->sent()) return std::nullopt;
  std::string message = *tls_alert_text(steps);
  message[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(message[0])));
  return Failed{c.phase, Failure{Code::kTlsAlert, message}};
}

// Why the exchange failed (rc != CURLE_OK): the phase, our code and a one-line message.
Failed failure_of(Exchange& ex, CURLcode rc, const Progress& progress) {
  const ResponseHead& head = ex.head;
  long os_errno = ex.open_errno;  // curl reports none when it could not open a socket
  if (!os_errno) curl_easy_getinfo(ex.easy.get(), CURLINFO_OS_ERRNO, &os_errno);
  long connect_code = 0;  // the proxy's answer to CONNECT, when it was asked for a tunnel
  if (ex.spec.proxy) curl_easy_getinfo(ex.easy.get(), CURLINFO_HTTP_CONNECTCODE, &connect_code);
  Classified c = ex.too_large                  ? Classified{Phase::kReceive, Code::kTooLarge}
                 : !head.violation().empty()   ? Classified{Phase::kReceive, Code::kProtocolError}
                 : ex.resolve_refused          ? Classified{Phase::kConnect, Code::kConnectError}
                                               : classify_failure(rc, os_errno, progress, ex.tls.info.verify_result,
                                                                  ex.tls.hostname_ok, connect_code);
  std::string message = ex.error_buffer[0] ? std::string(ex.error_buffer) : curl_easy_strerror(rc);
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
  if (!ex.cancelled.empty())
    return {c.phase, Failure{c.code, ex.cancelled}};
  if (auto refused = refused_by_alert(ex, c)) return *refused;
  if (!head.violation().empty())
    message = head.violation();
  else if (ex.resolve_refused)
    message = "no current addresses for " + ex.spec.url.host + ":" + std::to_string(ex.spec.url.port) +
              ": the connection to reuse was closed and the DNS answer has expired "
              "(pageload lets curl resolve no name itself)";
  else if (c.code == Code::kLocalResource)
    message = resource_message("cannot open a socket", static_cast<int>(os_errno));
  else if (rc == CURLE_OUT_OF_MEMORY && c.code == Code::kProtocolError)
    message = "response header too large (curl accepts at most 100 KB per header line)";
  else if (rc == CURLE_BAD_FUNCTION_ARGUMENT && c.code == Code::kProtocolError)
    message = refused_line_message(ex.unread_header_line, progress.head_complete);
  else if (c.code == Code::kConnectRefused && connect_code != 0)
    message = tunnel_refused_message(ex.spec.connect_to
                                         ? ex.spec.connect_to->host + ":" + std::to_string(ex.spec.connect_to->port)
                                         : ex.spec.url.host + ":" + std::to_string(ex.spec.url.port),
                                     connect_code) +
              (connect_code != 407 ? ""
               : ex.spec.proxy_user.empty() && (!ex.spec.proxy || ex.spec.proxy->url.find('@') == std::string::npos)
                   ? " (the proxy wants a user and password: -U USER:PASSWORD)"
                   : " (the proxy refused the user and password)");
  else if (c.code == Code::kRecvError && !head.final_status() && !head.interim().empty())
    message = "connection closed after an interim " + std::to_string(head.interim().back()) +
              " response, before the final response";
  else if (rc == CURLE_PARTIAL_FILE && !head.final_head_complete() && !ex.error_buffer[0])
    message = "connection closed inside the response headers";
  else if (c.code == Code::kTooLarge)
    message = "response larger than --max-filesize " + std::to_string(ex.spec.max_filesize) + " bytes";
  else if (c.code == Code::kTlsCertHostname)
    message = "certificate does not match host name " + ex.spec.url.host;
  else if (!ex.tls.info.verify_message.empty() && c.phase == Phase::kTls)
    message = "certificate verify failed: " + ex.tls.info.verify_message;
  if (const std::string& why = ex.tries.back().retry_reason; !why.empty()) message += " (" + why + ")";
  if (const auto& p = ex.spec.proxy)
    message += " (through proxy " + p->shown + (p->variable == "-x" ? " given with -x" : " from " + p->variable) + ")";
  return {c.phase, Failure{c.code, message}};
}

// What the handshake showed, with the verify result as a user reads it.
TlsInfo tls_of(Exchange& ex) {
  const bool certificate_seen = ex.tls.saw_leaf || (ex.session_read && !ex.tls.info.subject.empty());
  TlsInfo tls = ex.tls.info;
  if (tls.verify_result == 0 && !ex.tls.saw_leaf) {
    // A resumed session runs no verify callback; OpenSSL keeps the earlier result.
    long verify = 0;
    if (curl_easy_getinfo(ex.easy.get(), CURLINFO_SSL_VERIFYRESULT, &verify) == CURLE_OK && verify != 0) {
      tls.verify_result = verify;
      tls.verify_message = X509_verify_cert_error_string(verify);
    }
  }
  if (!ex.tls.hostname_ok && (tls.verify_result == 0 || tls.verify_result == X509_V_ERR_UNSPECIFIED)) {
    tls.verify_result = X509_V_ERR_HOSTNAME_MISMATCH;
    tls.verify_message = X509_verify_cert_error_string(X509_V_ERR_HOSTNAME_MISMATCH);
  }
  // Chain and host name passed against the trust store, with or without -k.
  tls.verified = certificate_seen && tls.verify_result == 0 && ex.tls.hostname_ok;
  return tls;
}

// The handshake's messages on the run's clock, and what they add up to. Nothing when no
// handshake began (the connect failed, or a proxy refused the tunnel).
void add_tls_steps(const Exchange& ex, Connection& c) {
  if (ex.tls.steps.empty()) return;
  for (const auto& s : ex.tls.steps) {
    TlsStep step = s.step;
    step.at_ms = ex.clock->offset_ms(s.at_us);
    c.tls_steps.push_back(std::move(step));
  }
  c.tls_round_trips = count_round_trips(c.tls_steps);
  c.tls_session_offered = ex.tls.session_offered;
  c.tls_resumed = ex.tls.resumed;
}

// Where the proxy came from, in words: "-x" or "from the environment: https_proxy".
std::string proxy_source(const Proxy& p) {
  return p.variable == "-x" ? std::string("-x") : "from the environment: " + p.variable;
}

// The try's attempts with when each ran. One the try never saw end ran until now (the
// exchange ended while it was going). An attempt that began when curl's happy-eyeballs
// timer fired (kHappyEyeballsMs after the first), not just after an attempt before it
// ended, is marked: the time before it was curl's wait, not the network's. Two cases:
// the other family, started while the first still waited for an answer (RFC 8305); and,
// in libcurl 7.88, the next address of either family after a refused one, whose socket
// curl opens only when that timer wakes it (lib/connect.c: baller_start_next creates the
// filter, the socket comes with the next connect call).
std::vector<ConnectAttempt> attempts_of(const Exchange& ex, const Try& t, int64_t now_us) {
  std::vector<ConnectAttempt> out = t.attempts;
  if (t.attempt_starts_us.size() != out.size()) return out;
  constexpr int64_t kSlackUs = 2000;  // curl's timer fires a little late, never early
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int64_t start = t.attempt_starts_us[i];
    const int64_t end = t.attempt_ends_us[i].value_or(now_us);
    out[i].span = Span{ex.clock->offset_ms(start), ex.clock->offset_ms(std::max(start, end))};
    if (i == 0) continue;
    const bool after_delay = start - t.attempt_starts_us[0] >= int64_t{kHappyEyeballsMs} * 1000 - kSlackUs;
    bool after_an_end = false;  // curl starts the next address as soon as one fails
    for (std::size_t k = 0; k < i; ++k)
      if (auto e = t.attempt_ends_us[k]; e && *e <= start && start - *e < kSlackUs) after_an_end = true;
    out[i].after_fallback_delay = after_delay && !after_an_end;
  }
  return out;
}

// The connection the last try opened (or tried to): addresses, every attempt, TLS.
Connection connection_of(Exchange& ex, const ExchangeResult& result, const Progress& progress,
                         const std::optional<Failed>& failed, int64_t now_us) {
  const Request& r = result.request;
  const Try& last = ex.tries.back();
  Connection c;
  c.scheme = r.scheme;
  c.host = r.host;
  c.port = r.port;
  if (ex.spec.proxy) c.proxy = ex.spec.proxy->shown;
  if (progress.connected && result.connection_id) {
    c.remote_ip = result.connection_id->remote_ip;
    c.remote_port = result.connection_id->remote_port;
    c.local_ip = result.connection_id->local_ip;
    c.local_port = result.connection_id->local_port;
  } else if (progress.connected && !last.attempts.empty()) {
    // curl reports no address when the handshake failed; TCP reached the last one tried.
    c.remote_ip = last.attempts.back().address;
    c.remote_port = last.attempts.back().port;
  }
  if (!c.remote_ip.empty()) c.family = c.remote_ip.find(':') != std::string::npos ? 6 : 4;
  c.attempts = attempts_of(ex, last, now_us);
  // The attempt that connected has no error; every earlier one failed.
  for (auto& a : c.attempts) {
    const bool winner = progress.connected && a.address == c.remote_ip && a.port == c.remote_port;
    if (!winner && a.error.empty())
      a.error = failed && failed->phase == Phase::kConnect ? failed->failure.message : "abandoned";
    if (winner) a.error.clear();
  }
  if (const PhaseRecord* p = r.phase(Phase::kConnect)) c.connect = p->span;
  const bool certificate_seen = ex.tls.saw_leaf || (ex.session_read && !ex.tls.info.subject.empty());
  if (r.scheme == "https" && (certificate_seen || !ex.tls.info.version.empty())) c.tls = tls_of(ex);
  if (r.scheme == "https") add_tls_steps(ex, c);
  return c;
}

// A retry curl logged no reason for (none of note_retry's notes came).
constexpr std::string_view kNoRetryReason = "curl gave no reason";

// A try curl gave up on, up to where the next one began.
Retry retry_of(const RunClock& clock, const Try& t, const Try& next, const Request& r) {
  Retry retry;
  retry.reason = t.retry_reason.empty() ? std::string(kNoRetryReason) : t.retry_reason;
  retry.connection_id = t.connection;
  retry.span = {clock.offset_ms(t.start_us), clock.offset_ms(next.start_us)};
  if (auto opened = t.timeline.at(Boundary::kSocketOpened)) {
    Connection c;
    c.scheme = r.scheme;
    c.host = r.host;
    c.port = r.port;
    if (t.connection) {
      c.remote_ip = t.connection->remote_ip;
      c.remote_port = t.connection->remote_port;
      c.local_ip = t.connection->local_ip;
      c.local_port = t.connection->local_port;
      c.family = c.remote_ip.find(':') != std::string::npos ? 6 : 4;
    }
    c.attempts = t.attempts;
    for (auto& a : c.attempts)
      if (a.error.empty() && !(t.connection && a.address == c.remote_ip && a.port == c.remote_port))
        a.error = "abandoned";
    double end = clock.offset_ms(t.timeline.at(Boundary::kTcpConnected).value_or(next.start_us));
    c.connect = Span{clock.offset_ms(*opened), end};
    retry.connection = std::move(c);
  }
  return retry;
}

std::string retry_warning(const std::vector<Retry>& retries) {
  char took[32];
  std::snprintf(took, sizeof took, "%.1f ms", retries.back().span.end_ms - retries.front().span.start_ms);
  const std::string& why = retries.front().reason;
  return "curl retried the request on " + std::to_string(retries.size()) +
         (retries.size() == 1 ? " new connection" : " new connections") + (why == kNoRetryReason ? "" : " (" + why + ")") +
         ", " + took + " before the last try";
}

}  // namespace

ExchangeResult build_result(Exchange& ex, CURLcode rc, int64_t now_us) {
  CURL* e = ex.easy.get();
  const RunClock& clock = *ex.clock;
  const double now = clock.offset_ms(now_us);
  const Try& last = ex.tries.back();

  ExchangeResult result;
  result.needed_addresses = ex.resolve_refused;
  Request& r = result.request;
  r.method = ex.spec.method;
  r.url = ex.spec.url.full;
  r.scheme = ex.spec.url.scheme;
  r.host = ex.spec.url.host;
  r.port = ex.spec.url.port;
  r.request_headers = std::move(ex.request_headers);
  r.tunnel_heads.value = std::move(ex.tunnel_heads);
  if (r.scheme == "https" && !ex.session_read && rc == CURLE_OK) read_tls_session(ex);
  read_response(ex, r);
  // curl 7.88 takes a connection closed inside the response head, or after an interim
  // response alone (103 Early Hints, then close), for a complete response.
  if (rc == CURLE_OK && ex.head.any_status() && !ex.head.final_head_complete()) rc = CURLE_PARTIAL_FILE;
  r.head_cut.value = ex.head.any_status() && !ex.head.final_head_complete();

  const Boundaries b = boundaries_of(ex, rc == CURLE_OK, now_us);
  Progress progress = progress_of(b);
  progress.head_complete = ex.head.final_head_complete();
  std::optional<Failed> failed;
  if (rc != CURLE_OK) {
    failed = failure_of(ex, rc, progress);
    r.error_phase = failed->phase;
    r.failure = failed->failure;
  }
  r.phases = build_phases(b, r.failure, failed ? failed->phase : Phase::kReceive, now);
  r.span = {clock.offset_ms(*ex.timeline.at(Boundary::kHanded)), failed ? now : *b.done};
  r.reused = !b.new_connection && b.ready.has_value();

  // Stamps: the boundaries as the phases used them.
  Stamps& s = result.stamps;
  s.handed = r.span.start_ms;
  s.socket_opened = b.socket_opened;
  s.tcp_connected = b.tcp_connected;
  s.tls_done = b.tls_done;
  s.connection_ready = b.ready;
  s.request_sent = b.sent;
  s.first_byte = b.first_byte;
  if (!failed) s.done = b.done;

  // The connection the request went on: from the pre-request callback, else what curl
  // reports (a failure before the request).
  if (last.connection) {
    result.connection_id = last.connection;
  } else {
    char* ip = nullptr;
    char* local_ip = nullptr;
    long port = 0, local_port = 0;
    curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip);
    curl_easy_getinfo(e, CURLINFO_PRIMARY_PORT, &port);
    curl_easy_getinfo(e, CURLINFO_LOCAL_IP, &local_ip);
    curl_easy_getinfo(e, CURLINFO_LOCAL_PORT, &local_port);
    if (ip && *ip && local_port > 0)
      result.connection_id = ConnectionId{local_ip ? local_ip : "", static_cast<int>(local_port), ip,
                                          static_cast<int>(port)};
    // Ended (timed out, cancelled) just after the TCP connect, before curl read the
    // socket's addresses: the ends pageload read when it saw the connect. Without them
    // the connection's row could not be matched to its close.
    if (!result.connection_id && last.tcp_ends) result.connection_id = last.tcp_ends;
  }
  for (auto it = ex.tries.begin(); std::next(it) != ex.tries.end(); ++it)
    result.retries.push_back(retry_of(clock, *it, *std::next(it), r));
  if (!result.retries.empty()) r.warnings.push_back(retry_warning(result.retries));
  if (ex.spec.proxy)
    r.warnings.push_back("through proxy " + ex.spec.proxy->shown + " (" + proxy_source(*ex.spec.proxy) +
                         "): connect is to the proxy" +
                         (b.tunnel ? std::string(", tunnel its CONNECT, tls with the origin inside it") : "") +
                         "; --noproxy '*' goes direct");
  // An http:// request's 407 is the proxy's answer, not the origin's.
  if (ex.spec.proxy && !b.tunnel && r.status == 407)
    r.warnings.push_back(ex.spec.proxy_user.empty() && ex.spec.proxy->url.find('@') == std::string::npos
                             ? "407 is the proxy's answer: it wants a user and password (-U USER:PASSWORD)"
                             : "407 is the proxy's answer: it refused the user and password");
  if (b.new_connection) result.connection = connection_of(ex, result, progress, failed, now_us);
  if (b.new_connection && ex.tls.steps_dropped)
    r.warnings.push_back("the TLS connection carried " + std::to_string(ex.tls.steps_dropped) +
                         " more messages than the " + std::to_string(kMaxTlsSteps) + " recorded");
  return result;
}

}  // namespace pageload::transfer::detail
