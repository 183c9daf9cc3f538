// DESIGN: one CURLM per Driver holds the connection pool. Each hop is an Exchange: an
// easy handle plus the stamps our callbacks take on the one clock. curl's CURLINFO
// times are offsets from curl's per-transfer start; we anchor that start on our clock:
//   new connection: anchor = (our stamp when curl opens the first socket) - NAMELOOKUP,
//                   since curl stamps NAMELOOKUP immediately before opening it;
//   reused:         anchor = our stamp just before curl_multi_add_handle + perform.
// Send is ours: from the prereq callback (request about to be written) to the last
// HEADER_OUT/DATA_OUT debug event (request written). Wait ends and receive starts at
// curl's STARTTRANSFER; receive ends at TOTAL.
// Connect ends at curl's CONNECT, but curl 7.88 reports 0 for it (also from inside its
// callbacks) when the TLS handshake then fails. So we also stamp the TCP connect
// ourselves: at each curl event until then we ask the sockets curl opened whether they
// have a peer (curl logs its own "Connected" right after the connect completes), and at
// the latest when curl sets up TLS, which it does only on a connected socket. That stamp
// ends connect when curl has none; TLS starts there, setup included.
#include "transfer/transfer.h"

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <list>
#include <map>

#include "core/redact.h"
#include "core/resources.h"
#include "transfer/classify.h"
#include "transfer/response_text.h"
#include "transfer/tls_capture.h"

namespace pageload::transfer {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct EasyDeleter {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;

struct ShareDeleter {
  void operator()(CURLSH* s) const { curl_share_cleanup(s); }
};
using Share = std::unique_ptr<CURLSH, ShareDeleter>;

struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
using Multi = std::unique_ptr<CURLM, MultiDeleter>;

void append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown) {
    list.release();
    list.reset(grown);
  }
}

std::string http_version_name(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0: return "HTTP/1.0";
    case CURL_HTTP_VERSION_1_1: return "HTTP/1.1";
    case CURL_HTTP_VERSION_2_0: return "HTTP/2";
    case CURL_HTTP_VERSION_3: return "HTTP/3";
    default: return {};
  }
}

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

// "HOST:PORT:ADDR[,ADDR]". A host starting with '-' would read as curl's removal syntax
// ("-HOST:PORT"); the '+' prefix (curl 7.75) says "add" and only makes the entry expire
// like a lookup, after we have used it.
std::string resolve_line(const Url& url, const std::vector<std::string>& addresses) {
  std::string line = !url.host.empty() && url.host[0] == '-' ? "+" : "";
  line += url.host + ":" + std::to_string(url.port) + ":";
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    if (i) line += ",";
    bool v6 = addresses[i].find(':') != std::string::npos;
    line += v6 ? "[" + addresses[i] + "]" : addresses[i];
  }
  return line;
}

}  // namespace

// One hop in flight. Lives in Impl::exchanges_ until delivered; its address is what
// curl's callbacks receive, so it never moves.
struct Exchange {
  HopSpec spec;
  const RunClock* clock = nullptr;
  Driver::Callback done;
  Easy easy;
  Slist headers, resolve;

  int64_t added_us = 0;         // just before curl_multi_add_handle
  int64_t first_socket_us = 0;  // curl opened its first socket: connect starts
  int64_t tcp_connected_us = 0; // first seen with a peer (see DESIGN): connect ends
  int64_t tls_setup_us = 0;     // curl began setting up TLS: TCP was connected
  int64_t prereq_us = 0;        // request about to be written
  int64_t last_out_us = 0;      // last request byte handed to the socket
  std::vector<ConnectAttempt> attempts;
  // Sockets curl opened to connect, each with the index of its attempt.
  std::vector<std::pair<curl_socket_t, std::size_t>> sockets;
  TlsCapture tls;
  bool session_read = false;
  std::vector<Header> request_headers;
  std::vector<Header> response_headers;
  std::string status_line;
  bool head_complete = false;         // the blank line after the final response's headers
  std::size_t headers_dropped = 0;    // beyond kMaxRecordedHeaders
  char error_buffer[CURL_ERROR_SIZE] = {};  // curl's own detail of a failure
  int64_t decoded_bytes = 0;
  bool too_large = false;
  int open_errno = 0;     // why curl's last socket could not be opened (EMFILE...)
  std::string cancelled;  // Driver::cancel_all's message
};

struct Driver::Impl {
  Multi multi;
  std::list<Exchange> exchanges;
  std::map<PoolId, Share> pools;
  PoolId next_pool = 1;

  Exchange* find(CURL* easy) {
    for (auto& ex : exchanges)
      if (ex.easy.get() == easy) return &ex;
    return nullptr;
  }
  void finish(Exchange& ex, CURLcode rc);
};

namespace {

curl_socket_t on_open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* addr) {
  auto* ex = static_cast<Exchange*>(clientp);
  int64_t now = mono_now_us();
  int fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
  if (fd < 0) ex->open_errno = errno;  // curl keeps no errno for this failure
  if (purpose == CURLSOCKTYPE_IPCXN) {
    if (!ex->first_socket_us) ex->first_socket_us = now;
    ConnectAttempt attempt;
    attempt.address = sockaddr_ip(&addr->addr, &attempt.port, &attempt.family);
    ex->attempts.push_back(attempt);
    if (fd >= 0) ex->sockets.emplace_back(fd, ex->attempts.size() - 1);
  }
  return fd < 0 ? CURL_SOCKET_BAD : fd;
}

// Stamps the TCP connect the first time one of curl's sockets has the peer its attempt
// was for. The peer is compared because curl may have closed a failed attempt's socket
// and the number been reused.
void note_tcp_connect(Exchange& ex) {
  if (ex.tcp_connected_us) return;
  for (const auto& [fd, index] : ex.sockets) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) continue;
    int port = 0, family = 0;
    const ConnectAttempt& attempt = ex.attempts[index];
    if (sockaddr_ip(reinterpret_cast<sockaddr*>(&peer), &port, &family) == attempt.address && port == attempt.port) {
      ex.tcp_connected_us = mono_now_us();
      return;
    }
  }
}

int on_prereq(void* clientp, char*, char*, int, int) {
  auto* ex = static_cast<Exchange*>(clientp);
  ex->prereq_us = mono_now_us();
  return CURL_PREREQFUNC_OK;
}

// "connect to 127.0.0.2 port 8080 failed: Connection refused": curl's only report of
// why one address of several failed. Used for display text only, never for decisions.
void note_attempt_failure(Exchange& ex, std::string_view text) {
  constexpr std::string_view kPrefix = "connect to ";
  if (text.substr(0, kPrefix.size()) != kPrefix) return;
  auto failed = text.find(" failed: ");
  if (failed == std::string_view::npos) return;
  std::string_view who = text.substr(kPrefix.size(), failed - kPrefix.size());
  auto port_at = who.find(" port ");
  std::string ip(who.substr(0, port_at));
  std::string reason(trim(text.substr(failed + 9)));
  for (auto& a : ex.attempts)
    if (a.address == ip && a.error.empty()) {
      a.error = reason;
      return;
    }
}

int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  if (!ex->tcp_connected_us && !ex->sockets.empty()) note_tcp_connect(*ex);
  std::string_view text(data, size);
  switch (type) {
    case CURLINFO_HEADER_OUT: {
      ex->last_out_us = mono_now_us();
      ex->request_headers.clear();
      bool first = true;
      while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        if (!first && !line.empty()) {
          Header h;
          if (split_header(line, h)) ex->request_headers.push_back(std::move(h));
        }
        first = false;
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
      }
      break;
    }
    case CURLINFO_DATA_OUT:
      ex->last_out_us = mono_now_us();
      break;
    case CURLINFO_TEXT:
      note_attempt_failure(*ex, trim(text));
      break;
    default:
      break;
  }
  return 0;
}

// Reads the TLS session while the connection is certainly alive.
void read_tls_session(Exchange& ex) {
  if (ex.session_read || ex.spec.url.scheme != "https") return;
  ex.session_read = true;
  curl_tlssessioninfo* info = nullptr;
  if (curl_easy_getinfo(ex.easy.get(), CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info &&
      info->backend == CURLSSLBACKEND_OPENSSL && info->internals)
    capture_session(static_cast<SSL*>(info->internals), ex.tls);
}

// Response headers kept per response: curl bounds their total size (300 KB), but 20,000
// tiny headers fit in that and would each be a database row.
constexpr std::size_t kMaxRecordedHeaders = 1000;

size_t on_header(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* ex = static_cast<Exchange*>(userdata);
  std::size_t n = size * nitems;
  read_tls_session(*ex);
  std::string_view line = trim(std::string_view(buffer, n));
  if (line.substr(0, 5) == "HTTP/") {
    // A new response (after 1xx, or the only one): its headers replace earlier ones.
    ex->status_line = std::string(line);
    ex->response_headers.clear();
    ex->headers_dropped = 0;
    ex->head_complete = false;
  } else if (line.empty()) {
    ex->head_complete = true;
  } else if (ex->response_headers.size() >= kMaxRecordedHeaders) {
    ++ex->headers_dropped;
  } else {
    Header h;
    if (split_header(line, h)) ex->response_headers.push_back(std::move(h));
  }
  return n;
}

size_t on_write(char*, size_t size, size_t nmemb, void* userdata) {
  auto* ex = static_cast<Exchange*>(userdata);
  std::size_t n = size * nmemb;
  ex->decoded_bytes += static_cast<int64_t>(n);
  // --max-filesize bounds the decoded size too, so a gzip bomb cannot exhaust memory
  // or disk even though nothing is kept: we only count.
  if (ex->spec.max_filesize > 0 && ex->decoded_bytes > ex->spec.max_filesize) {
    ex->too_large = true;
    return 0;
  }
  return n;
}

CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* userp) {
  auto* ex = static_cast<Exchange*>(userp);
  if (!ex->tls_setup_us) ex->tls_setup_us = mono_now_us();
  note_tcp_connect(*ex);
  if (!ex->tcp_connected_us) ex->tcp_connected_us = ex->tls_setup_us;
  install_verify_capture(static_cast<SSL_CTX*>(ssl_ctx), &ex->tls);
  return CURLE_OK;
}


}  // namespace

void Driver::Impl::finish(Exchange& ex, CURLcode rc) {
  CURL* e = ex.easy.get();
  const int64_t now_us = mono_now_us();
  const RunClock& clock = *ex.clock;
  auto info_us = [&](CURLINFO what) {
    curl_off_t v = 0;
    curl_easy_getinfo(e, what, &v);
    return static_cast<int64_t>(v);
  };
  const int64_t namelookup = info_us(CURLINFO_NAMELOOKUP_TIME_T);
  const int64_t connect = info_us(CURLINFO_CONNECT_TIME_T);
  const int64_t appconnect = info_us(CURLINFO_APPCONNECT_TIME_T);
  const int64_t pretransfer = info_us(CURLINFO_PRETRANSFER_TIME_T);
  const int64_t starttransfer = info_us(CURLINFO_STARTTRANSFER_TIME_T);
  const int64_t total = info_us(CURLINFO_TOTAL_TIME_T);

  const bool new_connection = ex.first_socket_us != 0;
  const bool https = ex.spec.url.scheme == "https";
  const int64_t anchor = new_connection ? ex.first_socket_us - namelookup : ex.added_us;
  auto at = [&](int64_t curl_us) { return clock.offset_ms(anchor + curl_us); };
  auto ms = [&](int64_t mono_us) { return clock.offset_ms(mono_us); };
  const double end_ms = total > 0 && rc == CURLE_OK ? at(total) : ms(now_us);

  HopResult result;
  Request& r = result.request;
  r.method = ex.spec.method;
  r.url = ex.spec.url.full;
  r.scheme = ex.spec.url.scheme;
  r.host = ex.spec.url.host;
  r.port = ex.spec.url.port;
  r.span = {ms(ex.added_us), end_ms};
  r.request_headers = std::move(ex.request_headers);
  r.response_headers = std::move(ex.response_headers);
  if (https && !ex.session_read && rc == CURLE_OK) read_tls_session(ex);

  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (status > 0) {
    r.status = static_cast<int>(status);
    r.reason = reason_phrase(ex.status_line);
  }
  long version = 0;
  curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
  r.http_version = http_version_name(version);
  for (const auto& [name, value] : r.response_headers)
    if (iequals(name, "location")) r.location = value;
  char* ctype = nullptr;
  if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype) r.content_type = ctype;
  long header_size = 0;
  curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &header_size);
  if (header_size > 0) r.header_bytes = header_size;
  curl_off_t wire = 0;
  curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &wire);
  if (r.status) {
    r.body_bytes = wire;
    r.body_decoded = ex.decoded_bytes;
  }
  if (ex.headers_dropped)
    r.warnings.push_back(std::to_string(ex.headers_dropped) + " more response headers not recorded (limit " +
                         std::to_string(kMaxRecordedHeaders) + ")");
  // curl 7.88 takes a connection closed inside the response head for a complete response.
  if (rc == CURLE_OK && !ex.status_line.empty() && !ex.head_complete) rc = CURLE_PARTIAL_FILE;

  // What the transfer reached, from curl's timers (0 = not reached) and our stamps.
  Progress progress;
  progress.tls = https && new_connection;
  // curl leaves CONNECT at 0 when the TLS handshake fails; our TCP stamp (DESIGN) then
  // ends connect. Only TLS setup, which needs a connected socket, proves it connected.
  progress.connected = !new_connection || connect > 0 || ex.tls_setup_us != 0 || ex.tls.handshake_start_us != 0;
  progress.handshaken = !progress.tls || appconnect > 0;
  progress.request_sent = ex.last_out_us != 0;
  progress.first_byte = starttransfer > 0 && (rc == CURLE_OK || !ex.status_line.empty());
  progress.head_complete = ex.head_complete;

  std::optional<Failure> failure;
  Phase failed_phase = Phase::kReceive;
  if (rc != CURLE_OK) {
    long os_errno = ex.open_errno;
    if (!os_errno) curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
    Classified c = ex.too_large ? Classified{Phase::kReceive, Code::kTooLarge}
                                : classify_failure(rc, os_errno, progress, ex.tls.info.verify_result,
                                                   ex.tls.hostname_ok);
    failed_phase = c.phase;
    std::string message = ex.error_buffer[0] ? std::string(ex.error_buffer) : curl_easy_strerror(rc);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
    if (!ex.cancelled.empty())
      message = ex.cancelled;
    else if (rc == CURLE_OUT_OF_MEMORY && c.code == Code::kProtocolError)
      message = "response header too large (curl accepts at most 100 KB per header line)";
    else if (rc == CURLE_PARTIAL_FILE && !ex.head_complete && !ex.error_buffer[0])
      message = "connection closed inside the response headers";
    else if (c.code == Code::kLocalResource)
      message = resource_message("cannot open a socket", static_cast<int>(os_errno));
    else if (c.code == Code::kTooLarge)
      message = "response larger than --max-filesize " + std::to_string(ex.spec.max_filesize) + " bytes";
    else if (c.code == Code::kTlsCertHostname)
      message = "certificate does not match host name " + ex.spec.url.host;
    else if (!ex.tls.info.verify_message.empty() && failed_phase == Phase::kTls)
      message = "certificate verify failed: " + ex.tls.info.verify_message;
    failure = Failure{c.code, message};
    r.error_phase = failed_phase;
    r.failure = failure;
  }

  // Phase spans. A phase the hop never reached is absent.
  auto add = [&](Phase p, double start, double end) {
    PhaseRecord rec{p, {start, std::max(start, end)}, std::nullopt};
    if (failure && p == failed_phase) rec.failure = failure;
    r.phases.push_back(rec);
  };
  auto reached_or_failed = [&](Phase p, bool reached) { return reached || (failure && failed_phase == p); };

  double cursor = ms(ex.added_us);
  if (new_connection) {
    double start = ms(ex.first_socket_us);
    if (reached_or_failed(Phase::kConnect, progress.connected)) {
      const int64_t tcp_us = ex.tcp_connected_us ? ex.tcp_connected_us : ex.tls.handshake_start_us;
      double end = !progress.connected ? ms(now_us) : connect > 0 ? at(connect) : ms(tcp_us);
      add(Phase::kConnect, start, end);
      cursor = end;
    }
    if (progress.tls && progress.connected && reached_or_failed(Phase::kTls, progress.handshaken)) {
      double end = progress.handshaken ? at(appconnect) : ms(now_us);
      add(Phase::kTls, cursor, end);
      cursor = end;
    }
  }
  const bool through_handshake = progress.connected && progress.handshaken;
  if (through_handshake && (ex.prereq_us || (failure && failed_phase == Phase::kSend))) {
    double start = ex.prereq_us ? std::max(cursor, ms(ex.prereq_us)) : cursor;
    double end = ex.last_out_us ? ms(ex.last_out_us) : (pretransfer > 0 ? at(pretransfer) : ms(now_us));
    add(Phase::kSend, start, end);
    cursor = std::max(start, end);
  }
  if (through_handshake && progress.request_sent && reached_or_failed(Phase::kWait, progress.first_byte)) {
    double end = progress.first_byte ? at(starttransfer) : ms(now_us);
    add(Phase::kWait, cursor, end);
    cursor = std::max(cursor, end);
  }
  if (progress.first_byte && (rc == CURLE_OK || failed_phase == Phase::kReceive)) {
    add(Phase::kReceive, cursor, end_ms);
  }
  if (failure && !r.phase(failed_phase)) add(failed_phase, cursor, ms(now_us));

  // The connection: who we talked to, from which local port.
  char* ip = nullptr;
  char* local_ip = nullptr;
  long port = 0, local_port = 0;
  curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip);
  curl_easy_getinfo(e, CURLINFO_PRIMARY_PORT, &port);
  curl_easy_getinfo(e, CURLINFO_LOCAL_IP, &local_ip);
  curl_easy_getinfo(e, CURLINFO_LOCAL_PORT, &local_port);
  if (ip && *ip && local_port > 0)
    result.connection_key = std::string(local_ip ? local_ip : "") + ":" + std::to_string(local_port) + ">" + ip +
                            ":" + std::to_string(port);
  r.reused = !new_connection && ex.prereq_us != 0;

  if (new_connection) {
    Connection c;
    c.scheme = r.scheme;
    c.host = r.host;
    c.port = r.port;
    if (progress.connected && ip && *ip) {
      c.remote_ip = ip;
      c.remote_port = static_cast<int>(port);
      c.local_ip = local_ip ? local_ip : "";
      c.local_port = static_cast<int>(local_port);
    } else if (progress.connected && !ex.attempts.empty()) {
      // curl reports no address when the handshake failed; TCP reached the last one tried.
      c.remote_ip = ex.attempts.back().address;
      c.remote_port = ex.attempts.back().port;
    }
    if (!c.remote_ip.empty()) c.family = c.remote_ip.find(':') != std::string::npos ? 6 : 4;
    c.attempts = std::move(ex.attempts);
    // The attempt that connected has no error; every earlier one failed.
    for (auto& a : c.attempts) {
      bool winner = progress.connected && a.address == c.remote_ip && a.port == c.remote_port;
      if (!winner && a.error.empty())
        a.error = failure && failed_phase == Phase::kConnect ? failure->message : "abandoned";
      if (winner) a.error.clear();
    }
    if (const PhaseRecord* p = r.phase(Phase::kConnect)) c.connect = p->span;
    const bool certificate_seen = ex.tls.saw_leaf || (ex.session_read && !ex.tls.info.subject.empty());
    if (https && (certificate_seen || !ex.tls.info.version.empty())) {
      TlsInfo tls = ex.tls.info;
      if (tls.verify_result == 0 && !ex.tls.saw_leaf) {
        // A resumed session runs no verify callback; OpenSSL keeps the earlier result.
        long verify = 0;
        if (curl_easy_getinfo(e, CURLINFO_SSL_VERIFYRESULT, &verify) == CURLE_OK && verify != 0) {
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
      c.tls = tls;
    }
    result.connection = std::move(c);
  }

  Driver::Callback done = std::move(ex.done);
  curl_multi_remove_handle(multi.get(), e);
  exchanges.remove_if([&](const Exchange& x) { return &x == &ex; });
  done(std::move(result));
}

Driver::Driver() : impl_(std::make_unique<Impl>()) {}
Driver::~Driver() {
  if (!impl_) return;
  for (auto& ex : impl_->exchanges) curl_multi_remove_handle(impl_->multi.get(), ex.easy.get());
  impl_->exchanges.clear();
  impl_->pools.clear();
}

StatusOr<std::unique_ptr<Driver>> Driver::create() {
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) return Status(Code::kInternal, "curl_global_init failed");
  std::unique_ptr<Driver> d(new Driver());
  d->impl_->multi.reset(curl_multi_init());
  if (!d->impl_->multi) return Status(Code::kInternal, "curl_multi_init failed");
  return d;
}

// From curl_version_info(), not curl_version(): curl_version() also asks libldap for its
// version, which initialises libldap and SASL (dlopen of its plugins), about 5 million
// instructions or 15% of a whole `pageload run`, to name libraries an HTTP load never uses.
std::string Driver::library_version() {
  static const std::string version = [] {
    const curl_version_info_data* d = curl_version_info(CURLVERSION_NOW);
    std::string v = std::string("libcurl/") + d->version;
    auto add = [&v](const char* prefix, const char* name) {
      if (name && *name) v += std::string(" ") + prefix + name;
    };
    add("", d->ssl_version);
    add("zlib/", d->libz_version);
    add("brotli/", d->brotli_version);
    add("zstd/", d->zstd_version);
    add("libidn2/", d->libidn);
    add("", d->libssh_version);
    add("nghttp2/", d->nghttp2_version);
    return v;
  }();
  return version;
}

int Driver::active() const { return static_cast<int>(impl_->exchanges.size()); }

void Driver::cancel_all(const std::string& message) {
  // finish() removes each exchange, and its callback may start new ones: take the
  // list of those in flight first.
  std::vector<Exchange*> in_flight;
  for (auto& ex : impl_->exchanges) in_flight.push_back(&ex);
  for (Exchange* ex : in_flight) {
    ex->cancelled = message;
    impl_->finish(*ex, CURLE_ABORTED_BY_CALLBACK);
  }
}

PoolId Driver::open_pool() {
  Share share(curl_share_init());
  // Connections and curl's DNS cache (where CURLOPT_RESOLVE entries live) per pool.
  curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  PoolId id = impl_->next_pool++;
  impl_->pools.emplace(id, std::move(share));
  return id;
}

void Driver::close_pool(PoolId pool) { impl_->pools.erase(pool); }

void Driver::start(const HopSpec& spec, const RunClock& clock, Callback done) {
  Exchange& ex = impl_->exchanges.emplace_back();
  ex.spec = spec;
  ex.clock = &clock;
  ex.done = std::move(done);
  ex.tls.host = spec.url.host;
  ex.easy.reset(curl_easy_init());
  CURL* e = ex.easy.get();
  if (spec.insecure && spec.url.scheme == "https") {
    // The trust store curl would verify with without -k: --cacert (else its default
    // bundle) and its default CA directory.
    ex.tls.insecure = true;
    char* ca_file = nullptr;
    char* ca_path = nullptr;
    curl_easy_getinfo(e, CURLINFO_CAINFO, &ca_file);
    curl_easy_getinfo(e, CURLINFO_CAPATH, &ca_path);
    ex.tls.ca_file = !spec.cacert.empty() ? spec.cacert : ca_file ? ca_file : "";
    ex.tls.ca_path = ca_path ? ca_path : "";
  }

  curl_easy_setopt(e, CURLOPT_URL, spec.url.full.c_str());
  if (auto pool = impl_->pools.find(spec.pool); pool != impl_->pools.end())
    curl_easy_setopt(e, CURLOPT_SHARE, pool->second.get());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // the loader follows redirects itself
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, spec.user_agent.c_str());
  if (spec.compressed) curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  if (!spec.addresses.empty()) {
    append(ex.resolve, resolve_line(spec.url, spec.addresses));
    curl_easy_setopt(e, CURLOPT_RESOLVE, ex.resolve.get());
  }
  if (spec.ip_version == 4) curl_easy_setopt(e, CURLOPT_IPRESOLVE, CURL_IPRESOLVE_V4);
  if (spec.ip_version == 6) curl_easy_setopt(e, CURLOPT_IPRESOLVE, CURL_IPRESOLVE_V6);
  if (spec.connect_timeout_ms > 0) curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, spec.connect_timeout_ms);
  if (spec.timeout_ms > 0) curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, spec.timeout_ms);
  if (spec.max_filesize > 0) curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(spec.max_filesize));
  if (!spec.keepalive) {
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  }
  if (spec.insecure) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!spec.cacert.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, spec.cacert.c_str());

  // Method and body with browser semantics; HEAD has no body to read.
  if (spec.body) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec.body->size()));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, spec.body->c_str());
  }
  if (spec.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (spec.method != "GET" || spec.body) {
    if (!(spec.method == "POST" && spec.body)) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
  }
  for (const auto& [name, value] : spec.headers)
    append(ex.headers, value.empty() ? name + ";" : name + ": " + value);
  if (ex.headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, ex.headers.get());

  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &ex);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, &ex);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(e, CURLOPT_DEBUGDATA, &ex);
  curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);  // feeds on_debug: request headers, send end
  curl_easy_setopt(e, CURLOPT_PRIVATE, &ex);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ex.error_buffer);
  if (spec.url.scheme == "https") {
    curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, &ex);
  }

  ex.added_us = mono_now_us();
  curl_multi_add_handle(impl_->multi.get(), e);
  // Let curl begin at once so its transfer start sits next to added_us; finished
  // transfers are only delivered by perform().
  int running = 0;
  curl_multi_perform(impl_->multi.get(), &running);
}

void Driver::wait(std::vector<WaitFd>& extra, long max_wait_ms) {
  std::vector<curl_waitfd> fds(extra.size());
  for (std::size_t i = 0; i < extra.size(); ++i) {
    fds[i].fd = extra[i].fd;
    fds[i].events = static_cast<short>((extra[i].events & POLLIN ? CURL_WAIT_POLLIN : 0) |
                                       (extra[i].events & POLLOUT ? CURL_WAIT_POLLOUT : 0));
    fds[i].revents = 0;
  }
  int numfds = 0;
  curl_multi_poll(impl_->multi.get(), fds.data(), static_cast<unsigned>(fds.size()),
                  static_cast<int>(std::max(0L, max_wait_ms)), &numfds);
  for (std::size_t i = 0; i < extra.size(); ++i) {
    extra[i].revents = static_cast<short>((fds[i].revents & CURL_WAIT_POLLIN ? POLLIN : 0) |
                                          (fds[i].revents & CURL_WAIT_POLLOUT ? POLLOUT : 0));
  }
}

void Driver::perform() {
  int running = 0;
  curl_multi_perform(impl_->multi.get(), &running);
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(impl_->multi.get(), &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    if (Exchange* ex = impl_->find(msg->easy_handle)) impl_->finish(*ex, msg->data.result);
  }
}

}  // namespace pageload::transfer
