#include "transfer/callbacks.h"

#include <cerrno>

#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "transfer/exchange.h"
#include "transfer/response_text.h"

namespace pageload::transfer::detail {
namespace {

Exchange& exchange(void* p) { return *static_cast<Exchange*>(p); }

// Bytes of a refused response header line kept to quote in the failure message.
constexpr std::size_t kUnreadLineKept = 120;

std::string sockaddr_ip(const sockaddr* sa, int* port, int* family) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    *port = ntohs(in->sin_port);
    *family = 4;
  } else if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    *port = ntohs(in6->sin6_port);
    *family = 6;
  }
  return buf;
}

// Stamps the TCP connect the first time one of the current try's sockets has the peer
// its attempt was for. The peer is compared because curl may have closed a failed
// attempt's socket and the number been reused.
void note_tcp_connect(Exchange& ex, int64_t now_us) {
  Try& t = ex.current();
  if (t.timeline.reached(Boundary::kTcpConnected)) return;
  for (const auto& [fd, index] : t.sockets) {
    auto ends = socket_ends(fd);
    const ConnectAttempt& attempt = t.attempts[index];
    if (ends && ends->remote_ip == attempt.address && ends->remote_port == attempt.port) {
      ex.stamp(Boundary::kTcpConnected, now_us);
      ex.registry->note_connected(fd);  // its ends, should curl close it unannounced
      t.tcp_ends = std::move(ends);
      // This one connected; any other still going is given up now.
      for (auto& end : t.attempt_ends_us)
        if (!end) end = now_us;
      return;
    }
  }
}

// "connect to 127.0.0.2 port 8080 failed: Connection refused": curl's only report of
// why one address of several failed. Used for display text only, never for decisions.
void note_attempt_failure(Exchange& ex, std::string_view text, int64_t now_us) {
  constexpr std::string_view kPrefix = "connect to ";
  if (text.substr(0, kPrefix.size()) != kPrefix) return;
  auto failed = text.find(" failed: ");
  if (failed == std::string_view::npos) return;
  std::string_view who = text.substr(kPrefix.size(), failed - kPrefix.size());
  auto port_at = who.find(" port ");
  std::string ip(who.substr(0, port_at));
  std::string reason(trim(text.substr(failed + 9)));
  Try& t = ex.current();
  for (std::size_t i = 0; i < t.attempts.size(); ++i)
    if (t.attempts[i].address == ip && t.attempts[i].error.empty()) {
      t.attempts[i].error = reason;
      if (i < t.attempt_ends_us.size() && !t.attempt_ends_us[i]) t.attempt_ends_us[i] = now_us;
      return;
    }
}

// curl's note that it is about to retry on a fresh connection: the reason shown for the
// try it gives up (display only; the retry itself is seen as a new socket).
void note_retry(Exchange& ex, std::string_view text) {
  // curl 7.88: "REFUSED_STREAM, retrying a fresh connect", "Connection died, retrying a
  // fresh connect (retry count: N)".
  if (text.starts_with("REFUSED_STREAM"))
    ex.current().retry_reason = "REFUSED_STREAM: the server refused the HTTP/2 stream";
  else if (text.starts_with("Connection died, retrying") && ex.current().retry_reason.empty())
    ex.current().retry_reason = "the connection was closed by the server";
}

// A proxy that talks on without end is cut short: heads of a CONNECT exchange kept, and
// header lines kept in each.
constexpr std::size_t kMaxTunnelHeads = 16, kMaxTunnelHeaders = 100;

// A head curl sent (a CONNECT to the proxy): its first line and its header lines.
TunnelHead sent_head(std::string_view text) {
  TunnelHead head;
  head.sent = true;
  bool first = true;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    Header h;
    if (first) head.first_line = std::string(line);
    else if (!line.empty() && split_header(line, h)) head.headers.push_back(std::move(h));
    first = false;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return head;
}

// One line of the proxy's answer to a CONNECT (curl shows them one at a time): the status
// line opens a head, a header line joins it.
void note_tunnel_answer_line(Exchange& ex, std::string_view line) {
  auto& heads = ex.tunnel_heads;
  if (heads.empty() || heads.back().sent) {
    if (heads.size() >= kMaxTunnelHeads) return;
    TunnelHead answer;
    answer.first_line = std::string(line);
    heads.push_back(std::move(answer));
    return;
  }
  Header h;
  if (heads.back().headers.size() < kMaxTunnelHeaders && split_header(line, h)) heads.back().headers.push_back(std::move(h));
}

void record_request_headers(Exchange& ex, std::string_view text) {
  ex.request_headers.clear();
  bool first = true;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    if (!first && !line.empty()) {
      Header h;
      if (split_header(line, h)) ex.request_headers.push_back(std::move(h));
    }
    first = false;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// A `Connection: close` among the response's fields (the option is a token list, any case).
bool asks_to_close(const std::vector<Header>& fields) {
  for (const auto& [name, value] : fields) {
    if (name.size() != 10 || strncasecmp(name.c_str(), "connection", 10) != 0) continue;
    std::string_view rest(value);
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view token = trim(rest.substr(0, comma));
      if (token.size() == 5 && strncasecmp(token.data(), "close", 5) == 0) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

}  // namespace

std::optional<ConnectionId> socket_ends(curl_socket_t fd) {
  sockaddr_storage local{}, peer{};
  socklen_t local_len = sizeof local, peer_len = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) return std::nullopt;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) return std::nullopt;
  ConnectionId id;
  int family = 0;
  id.remote_ip = sockaddr_ip(reinterpret_cast<sockaddr*>(&peer), &id.remote_port, &family);
  id.local_ip = sockaddr_ip(reinterpret_cast<sockaddr*>(&local), &id.local_port, &family);
  return id;
}

curl_socket_t on_open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* addr) {
  Exchange& ex = exchange(clientp);
  const int64_t now = mono_now_us();
  int fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
  if (fd < 0) ex.open_errno = errno;  // curl keeps no errno for this failure
  if (purpose == CURLSOCKTYPE_IPCXN) {
    if (ex.current().timeline.reached(Boundary::kConnectionReady)) {
      // curl retries on a fresh connection: the try before it is over.
      Try next;
      next.start_us = now;
      ex.tries.push_back(std::move(next));
      ex.tls.restart_handshake();
    }
    Try& t = ex.current();
    ex.stamp(Boundary::kSocketOpened, now);
    ConnectAttempt attempt;
    attempt.address = sockaddr_ip(&addr->addr, &attempt.port, &attempt.family);
    t.attempts.push_back(attempt);
    t.attempt_starts_us.push_back(now);
    t.attempt_ends_us.emplace_back();
    if (fd >= 0) {
      t.sockets.emplace_back(fd, t.attempts.size() - 1);
      ex.registry->opened(fd, ex.spec.pool, ex.spec.url.origin(), !ex.spec.keepalive);
    }
  }
  return fd < 0 ? CURL_SOCKET_BAD : fd;
}

int on_prereq(void* clientp, char* remote_ip, char* local_ip, int remote_port, int local_port) {
  Exchange& ex = exchange(clientp);
  const int64_t now = mono_now_us();
  ex.stamp(Boundary::kConnectionReady, now);
  if (ex.spec.on_stage) ex.spec.on_stage(ExchangeSpec::Stage::kSending);
  if (ex.spec.on_http2 && ex.spec.url.scheme == "https") {
    // The handshake is done: the protocol ALPN chose is known before the first response.
    curl_tlssessioninfo* info = nullptr;
    TlsInfo negotiated;
    if (curl_easy_getinfo(ex.easy.get(), CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info &&
        info->backend == CURLSSLBACKEND_OPENSSL && info->internals)
      read_negotiated(static_cast<const SSL*>(info->internals), negotiated);
    if (negotiated.alpn == "h2") ex.spec.on_http2();
  }
  ConnectionId id;
  id.remote_ip = remote_ip ? remote_ip : "";
  id.local_ip = local_ip ? local_ip : "";
  id.remote_port = remote_port;
  id.local_port = local_port;
  if (!id.remote_ip.empty() && local_port > 0) ex.current().connection = std::move(id);
  return CURL_PREREQFUNC_OK;
}

int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* clientp) {
  Exchange& ex = exchange(clientp);
  const int64_t now = mono_now_us();
  if (!ex.current().sockets.empty()) note_tcp_connect(ex, now);
  std::string_view text(data, size);
  switch (type) {
    case CURLINFO_HEADER_OUT:
      if (text.starts_with("CONNECT ") && ex.spec.proxy && !ex.current().timeline.reached(Boundary::kConnectionReady)) {
        ex.current().tunnel_requested = true;  // the proxy's tunnel, not the request
        if (ex.tunnel_heads.size() < kMaxTunnelHeads) ex.tunnel_heads.push_back(sent_head(text));
        break;
      }
      ex.current().last_out_us = now;
      record_request_headers(ex, text);
      break;
    case CURLINFO_DATA_OUT:
      ex.current().last_out_us = now;
      break;
    case CURLINFO_HEADER_IN:
      if (ex.current().tunnel_requested && !ex.current().timeline.reached(Boundary::kConnectionReady)) {
        // The proxy's answer to the CONNECT (curl keeps it from the header callback):
        // its blank line ends it.
        if (trim(text).empty()) ex.current().tunnel_done_us = now;
        else note_tunnel_answer_line(ex, trim(text));
        break;
      }
      // curl shows each response header line here just before its header store and our
      // header callback get it; on_header clears it, so a line left here was refused.
      ex.unread_header_line.assign(text.substr(0, kUnreadLineKept));
      break;
    case CURLINFO_TEXT:
      note_attempt_failure(ex, trim(text), now);
      note_retry(ex, trim(text));
      break;
    default:
      break;
  }
  return 0;
}

void read_tls_session(Exchange& ex) {
  if (ex.session_read || ex.spec.url.scheme != "https") return;
  ex.session_read = true;
  curl_tlssessioninfo* info = nullptr;
  if (curl_easy_getinfo(ex.easy.get(), CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info &&
      info->backend == CURLSSLBACKEND_OPENSSL && info->internals)
    capture_session(static_cast<SSL*>(info->internals), ex.tls);
}

size_t on_header(char* buffer, size_t size, size_t nitems, void* clientp) {
  Exchange& ex = exchange(clientp);
  const int64_t now = mono_now_us();
  const std::size_t n = size * nitems;
  ex.unread_header_line.clear();
  read_tls_session(ex);
  using Line = ResponseHead::Line;
  switch (ex.head.feed(std::string_view(buffer, n))) {
    case Line::kInterimStatus:
      if (ex.head.status() == 100) break;  // only lets the request body go
      [[fallthrough]];
    case Line::kFinalStatus:
      // The request's last byte is the last one written before the response began.
      if (auto out = ex.current().last_out_us) ex.stamp(Boundary::kRequestSent, *out);
      if (!ex.timeline.reached(Boundary::kFirstByte) && ex.spec.on_stage)
        ex.spec.on_stage(ExchangeSpec::Stage::kReceiving);
      ex.stamp(Boundary::kFirstByte, now);
      break;
    case Line::kHeadEnd:
      // curl closes such a connection once the response is read (CURLINFO_ACTIVESOCKET
      // names no socket before the transfer is done: the connection is found by its ends).
      if (ex.head.final_head_complete() && ex.current().connection && asks_to_close(ex.head.fields()))
        ex.registry->set_close_requested(*ex.current().connection);
      if (ex.head.final_head_complete() && !ex.spec.keepalive && ex.current().connection)
        ex.registry->note_peer_before_close(*ex.current().connection);
      if (ex.head.final_head_complete() && ex.spec.on_head) ex.spec.on_head(ex.head.status(), ex.head.fields());
      break;
    case Line::kViolation:
      return 0;  // curl ends the transfer (CURLE_WRITE_ERROR); finish() says why
    default:
      break;
  }
  return n;
}

size_t on_write(char* data, size_t size, size_t nmemb, void* clientp) {
  Exchange& ex = exchange(clientp);
  const std::size_t n = size * nmemb;
  ex.decoded_bytes += static_cast<int64_t>(n);
  // --max-filesize bounds the decoded size too, so a gzip bomb cannot exhaust memory
  // or disk even though nothing is kept: we only count.
  if (ex.spec.max_filesize > 0 && ex.decoded_bytes > ex.spec.max_filesize) {
    ex.too_large = true;
    return 0;
  }
  if (!ex.spec.keepalive && ex.current().connection) ex.registry->note_peer_before_close(*ex.current().connection);
  if (ex.spec.on_body) ex.spec.on_body(std::string_view(data, n));
  return n;
}

CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* clientp) {
  Exchange& ex = exchange(clientp);
  const int64_t now = mono_now_us();
  // TLS is set up only on a connected socket.
  note_tcp_connect(ex, now);
  ex.stamp(Boundary::kTcpConnected, now);
  install_verify_capture(static_cast<SSL_CTX*>(ssl_ctx), &ex.tls);
  return CURLE_OK;
}

int on_resolver_start(void*, void*, void* clientp) {
  Exchange& ex = exchange(clientp);
  // An IP literal goes through here too (curl 7.88 calls this before it sees one). With a
  // proxy curl resolves the proxy's name: the loader gives its addresses when it is a name
  // (so curl finds them in its cache and never gets here for it); a SOCKS proxy that
  // takes addresses needs the target's, given like any host's.
  // With --connect-to the name curl resolves is the one it connects to instead.
  const bool ip = ex.spec.connect_to ? ex.spec.connect_to->host_is_ip : ex.spec.url.host_is_ip;
  if (ip || (ex.spec.proxy && ex.spec.proxy->host_is_ip)) return 0;
  ex.resolve_refused = true;
  return 1;
}

}  // namespace pageload::transfer::detail
