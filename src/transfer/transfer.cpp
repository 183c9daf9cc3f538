// The driver: one CURLM, a curl share (connections, DNS cache, TLS sessions) per pool,
// one Exchange per request (exchange.h), and finish(), which turns an exchange's stamps
// and curl's figures into an ExchangeResult.
#include "transfer/transfer.h"

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstdio>
#include <list>
#include <map>

#include "core/redact.h"
#include "transfer/callbacks.h"
#include "transfer/classify.h"
#include "transfer/exchange.h"
#include "transfer/phases.h"
#include "transfer/response_text.h"
#include "transfer/sockets.h"

namespace pageload::transfer {
namespace {

using detail::Boundary;
using detail::Exchange;
using detail::Slist;
using detail::Try;

struct ShareDeleter {
  void operator()(CURLSH* s) const { curl_share_cleanup(s); }
};
using Share = std::unique_ptr<CURLSH, ShareDeleter>;

struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
using Multi = std::unique_ptr<CURLM, MultiDeleter>;

bool append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (!grown) return false;
  list.release();
  list.reset(grown);
  return true;
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

// curl's DNS cache key for a host and port.
std::string host_port(const Url& url) { return url.host + ":" + std::to_string(url.port); }

// "HOST:PORT:ADDR[,ADDR]", an entry curl keeps until replaced or removed (the driver
// expires it, see Impl::dns_expiry). A host starting with '-' would read as curl's
// removal syntax ("-HOST:PORT"); the '+' prefix (curl 7.75) says "add".
std::string resolve_line(const Url& url, const std::vector<std::string>& addresses) {
  std::string line = !url.host.empty() && url.host[0] == '-' ? "+" : "";
  line += host_port(url) + ":";
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    if (i) line += ",";
    bool v6 = addresses[i].find(':') != std::string::npos;
    line += v6 ? "[" + addresses[i] + "]" : addresses[i];
  }
  return line;
}

}  // namespace

struct Driver::Impl {
  // Destroyed last: closing the pools' connections reports their sockets here.
  detail::SocketRegistry sockets;
  Multi multi;
  std::list<Exchange> exchanges;
  std::map<PoolId, Share> pools;
  PoolId next_pool = 1;
  // When the addresses last handed to curl for (pool, "host:port") stop being current
  // (our clock; nullopt: never). curl keeps them until replaced or removed.
  std::map<std::pair<PoolId, std::string>, std::optional<int64_t>> dns_expiry;

  ~Impl() {
    for (auto& ex : exchanges) curl_multi_remove_handle(multi.get(), ex.easy.get());
    exchanges.clear();
    pools.clear();
    multi.reset();
  }

  Exchange* find(CURL* easy) {
    for (auto& ex : exchanges)
      if (ex.easy.get() == easy) return &ex;
    return nullptr;
  }
  Status configure(Exchange& ex);
  void finish(Exchange& ex, CURLcode rc);
};

namespace {

// Connect and TLS of the last try, in run-clock ms (DESIGN in exchange.h): curl's
// anchored figures when it connected once, else our own stamps.
struct ConnectTimes {
  std::optional<double> tcp_connected, tls_done;
};

ConnectTimes connect_times(Exchange& ex, const Try& last, bool https) {
  ConnectTimes out;
  const RunClock& clock = *ex.clock;
  auto socket_opened = last.timeline.at(Boundary::kSocketOpened);
  if (!socket_opened) return out;
  auto info_us = [&](CURLINFO what) {
    curl_off_t v = 0;
    curl_easy_getinfo(ex.easy.get(), what, &v);
    return static_cast<int64_t>(v);
  };
  const bool single = ex.tries.size() == 1;
  const int64_t anchor = *socket_opened - info_us(CURLINFO_NAMELOOKUP_TIME_T);
  const int64_t connect = single ? info_us(CURLINFO_CONNECT_TIME_T) : 0;
  const int64_t appconnect = single ? info_us(CURLINFO_APPCONNECT_TIME_T) : 0;
  if (connect > 0) out.tcp_connected = clock.offset_ms(anchor + connect);
  else if (auto ours = last.timeline.at(Boundary::kTcpConnected)) out.tcp_connected = clock.offset_ms(*ours);
  if (https) {
    if (appconnect > 0) out.tls_done = clock.offset_ms(anchor + appconnect);
    else if (!single && ex.tls.handshake_done_us) out.tls_done = clock.offset_ms(ex.tls.handshake_done_us);
  }
  return out;
}

std::optional<double> ms_of(const RunClock& clock, std::optional<int64_t> us) {
  if (!us) return std::nullopt;
  return clock.offset_ms(*us);
}

// A connection an earlier try opened and curl then gave up on.
Retry retry_of(const RunClock& clock, const Try& t, const Try& next, const Request& r) {
  Retry retry;
  retry.reason = t.retry_reason.empty() ? "curl retried the request on a new connection" : t.retry_reason;
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

}  // namespace

void Driver::Impl::finish(Exchange& ex, CURLcode rc) {
  CURL* e = ex.easy.get();
  const int64_t now_us = mono_now_us();
  const RunClock& clock = *ex.clock;
  const double now = clock.offset_ms(now_us);
  const Try& last = ex.tries.back();
  const bool https = ex.spec.url.scheme == "https";
  const bool new_connection = last.timeline.reached(Boundary::kSocketOpened);

  ExchangeResult result;
  Request& r = result.request;
  r.method = ex.spec.method;
  r.url = ex.spec.url.full;
  r.scheme = ex.spec.url.scheme;
  r.host = ex.spec.url.host;
  r.port = ex.spec.url.port;
  r.request_headers = std::move(ex.request_headers);
  if (https && !ex.session_read && rc == CURLE_OK) detail::read_tls_session(ex);

  const ResponseHead& head = ex.head;
  if (head.final_status()) {
    if (head.status() > 0) r.status = head.status();
    r.reason = reason_phrase(head.status_line());
    r.response_headers = std::move(ex.head.fields());
  }
  r.response_trailers = std::move(ex.head.trailers());
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
  // curl 7.88 takes a connection closed inside the response head, or after an interim
  // response alone (103 Early Hints, then close), for a complete response.
  if (rc == CURLE_OK && head.any_status() && !head.final_head_complete()) rc = CURLE_PARTIAL_FILE;

  // The last try's boundaries.
  detail::Boundaries b;
  b.start = clock.offset_ms(last.start_us);
  b.new_connection = new_connection;
  b.tls = https && new_connection;
  b.socket_opened = ms_of(clock, last.timeline.at(Boundary::kSocketOpened));
  ConnectTimes ct = connect_times(ex, last, https);
  b.tcp_connected = ct.tcp_connected;
  b.tls_done = ct.tls_done;
  b.ready = ms_of(clock, last.timeline.at(Boundary::kConnectionReady));
  // curl's anchored figures can read a few microseconds late (NAMELOOKUP is stamped a
  // little before our socket callback runs): never after the next boundary we saw.
  if (b.ready && b.tls_done) b.tls_done = std::min(*b.tls_done, *b.ready);
  if (b.tcp_connected && (b.tls_done || b.ready)) b.tcp_connected = std::min(*b.tcp_connected, b.tls_done ? *b.tls_done : *b.ready);
  if (b.tcp_connected && b.socket_opened) b.tcp_connected = std::max(*b.tcp_connected, *b.socket_opened);
  b.last_out = ms_of(clock, last.last_out_us);
  b.sent = ms_of(clock, last.timeline.at(Boundary::kRequestSent));
  b.first_byte = ms_of(clock, ex.timeline.at(Boundary::kFirstByte));
  if (!b.first_byte) b.sent = b.last_out;  // no response: the request ends at its last byte
  curl_off_t total = 0;
  curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
  // TOTAL counts from where curl took the transfer (Curl_pretransfer, just after handed),
  // not from its queue exit or its last retry as its other times do.
  // curl takes it a few microseconds after `handed`, so the end is kept from reading
  // before the first byte.
  if (rc == CURLE_OK && total > 0)
    ex.stamp(Boundary::kDone, std::max(*ex.timeline.at(Boundary::kHanded) + total,
                                       ex.timeline.at(Boundary::kFirstByte).value_or(0)));
  else ex.stamp(Boundary::kDone, now_us);
  b.done = ms_of(clock, ex.timeline.at(Boundary::kDone));

  Progress progress = detail::progress_of(b);
  progress.head_complete = head.final_head_complete();

  std::optional<Failure> failure;
  Phase failed_phase = Phase::kReceive;
  if (rc != CURLE_OK) {
    long os_errno = 0;
    curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
    Classified c = ex.too_large              ? Classified{Phase::kReceive, Code::kTooLarge}
                   : !head.violation().empty() ? Classified{Phase::kReceive, Code::kProtocolError}
                   : ex.resolve_refused      ? Classified{Phase::kConnect, Code::kConnectError}
                                             : classify_failure(rc, os_errno, progress, ex.tls.info.verify_result,
                                                                ex.tls.hostname_ok);
    failed_phase = c.phase;
    std::string message = ex.error_buffer[0] ? std::string(ex.error_buffer) : curl_easy_strerror(rc);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
    if (!ex.cancelled.empty())
      message = ex.cancelled;
    else if (!head.violation().empty())
      message = head.violation();
    else if (ex.resolve_refused)
      message = "no current addresses for " + host_port(ex.spec.url) +
                ": the connection to reuse was closed and the DNS answer has expired "
                "(pageload lets curl resolve no name itself)";
    else if (rc == CURLE_OUT_OF_MEMORY && c.code == Code::kProtocolError)
      message = "response header too large (curl accepts at most 100 KB per header line)";
    else if (c.code == Code::kRecvError && !head.final_status() && !head.interim().empty())
      message = "connection closed after an interim " + std::to_string(head.interim().back()) +
                " response, before the final response";
    else if (rc == CURLE_PARTIAL_FILE && !head.final_head_complete() && !ex.error_buffer[0])
      message = "connection closed inside the response headers";
    else if (c.code == Code::kTooLarge)
      message = "response larger than --max-filesize " + std::to_string(ex.spec.max_filesize) + " bytes";
    else if (c.code == Code::kTlsCertHostname)
      message = "certificate does not match host name " + ex.spec.url.host;
    else if (!ex.tls.info.verify_message.empty() && failed_phase == Phase::kTls)
      message = "certificate verify failed: " + ex.tls.info.verify_message;
    if (!last.retry_reason.empty() && ex.cancelled.empty()) message += " (" + last.retry_reason + ")";
    if (ex.spec.proxy && ex.cancelled.empty())
      message += " (through proxy " + ex.spec.proxy->shown + " from " + ex.spec.proxy->variable + ")";
    failure = Failure{c.code, message};
    r.error_phase = failed_phase;
    r.failure = failure;
  }
  r.phases = detail::build_phases(b, failure, failed_phase, now);
  r.span = {clock.offset_ms(*ex.timeline.at(Boundary::kHanded)), failure ? now : *b.done};
  r.reused = !new_connection && b.ready.has_value();

  // Stamps: the boundaries as the phases used them.
  Stamps& s = result.stamps;
  s.handed = r.span.start_ms;
  s.socket_opened = b.socket_opened;
  s.tcp_connected = b.tcp_connected;
  s.tls_done = b.tls_done;
  s.connection_ready = b.ready;
  s.request_sent = b.sent;
  s.first_byte = b.first_byte;
  if (!failure) s.done = b.done;

  // The connection the request went on: from the pre-request callback, else what curl
  // reports (a failure before the request).
  char* ip = nullptr;
  char* local_ip = nullptr;
  long port = 0, local_port = 0;
  curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip);
  curl_easy_getinfo(e, CURLINFO_PRIMARY_PORT, &port);
  curl_easy_getinfo(e, CURLINFO_LOCAL_IP, &local_ip);
  curl_easy_getinfo(e, CURLINFO_LOCAL_PORT, &local_port);
  if (last.connection) {
    result.connection_id = last.connection;
  } else if (ip && *ip && local_port > 0) {
    result.connection_id = ConnectionId{local_ip ? local_ip : "", static_cast<int>(local_port), ip,
                                        static_cast<int>(port)};
  }

  for (auto it = ex.tries.begin(); std::next(it) != ex.tries.end(); ++it)
    result.retries.push_back(retry_of(clock, *it, *std::next(it), r));
  if (!result.retries.empty()) {
    char took[32];
    std::snprintf(took, sizeof took, "%.1f ms",
                  result.retries.back().span.end_ms - result.retries.front().span.start_ms);
    r.warnings.push_back("curl retried the request on " + std::to_string(result.retries.size()) +
                         (result.retries.size() == 1 ? " new connection" : " new connections") + " (" +
                         result.retries.front().reason + "), " + took + " before the last try");
  }
  if (ex.spec.proxy)
    r.warnings.push_back("through proxy " + ex.spec.proxy->shown + " (from the environment: " +
                         ex.spec.proxy->variable + "): connect and tls measure the proxy; --noproxy '*' goes direct");

  if (new_connection) {
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
    c.attempts = last.attempts;
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
    if (r.http_version == "HTTP/2")
      for (const auto& [fd, index] : last.sockets)
        if (result.connection_id && detail::socket_ends(fd) == result.connection_id) sockets.set_multiplexed(fd);
    result.connection = std::move(c);
  }

  Driver::Callback done = std::move(ex.done);
  curl_multi_remove_handle(multi.get(), e);
  exchanges.remove_if([&](const Exchange& x) { return &x == &ex; });
  done(std::move(result));
}

Driver::Driver() : impl_(std::make_unique<Impl>()) {}
Driver::~Driver() = default;

StatusOr<std::unique_ptr<Driver>> Driver::create(const DriverOptions& options) {
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) return Status(Code::kInternal, "curl_global_init failed");
  std::unique_ptr<Driver> d(new Driver());
  CURLM* multi = curl_multi_init();
  if (!multi) return Status(Code::kInternal, "curl_multi_init failed");
  d->impl_->multi.reset(multi);
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(std::max(0, options.max_host_connections)));
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

void Driver::close_pool(PoolId pool) {
  impl_->pools.erase(pool);
  std::erase_if(impl_->dns_expiry, [pool](const auto& entry) { return entry.first.first == pool; });
}

bool Driver::has_live_connection(PoolId pool, const Url& url) const {
  return impl_->sockets.has_live(pool, url.origin());
}

Status Driver::Impl::configure(Exchange& ex) {
  const ExchangeSpec& spec = ex.spec;
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
  const bool https = spec.url.scheme == "https";

  CURLcode rc = curl_easy_setopt(e, CURLOPT_URL, spec.url.full.c_str());
  if (rc != CURLE_OK) return Status(Code::kBadUrl, std::string("curl refuses the URL: ") + curl_easy_strerror(rc));
  if (spec.pool != 0) {
    auto pool = pools.find(spec.pool);
    if (pool == pools.end()) return Status(Code::kInternal, "no connection pool " + std::to_string(spec.pool));
    curl_easy_setopt(e, CURLOPT_SHARE, pool->second.get());
  }
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // the loader follows redirects itself
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, spec.user_agent.c_str());
  if (spec.compressed) curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");

  // HTTP/2 by ALPN, multiplexed: a request waits for an origin's one connection to say
  // whether it multiplexes rather than opening another. Plain http stays HTTP/1.1, as
  // browsers never speak h2c.
  const bool negotiate = https && spec.http_version == HttpVersion::kNegotiate;
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, negotiate ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
  if (negotiate) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_STREAM_WEIGHT, static_cast<long>(std::clamp(spec.stream_weight, 1, 256)));

  // The proxy is ours to decide (proxy.h): curl reads no environment variable.
  curl_easy_setopt(e, CURLOPT_PROXY, spec.proxy ? spec.proxy->url.c_str() : "");
  curl_easy_setopt(e, CURLOPT_NOPROXY, "");
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);  // a tunnel's 200 is no response

  // Addresses: curl does no lookup of its own (on_resolver_start refuses one), and its
  // copy expires when the loader's does.
  curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
  const auto key = std::make_pair(spec.pool, host_port(spec.url));
  const int64_t now = mono_now_us();
  if (!spec.addresses.empty()) {
    if (!append(ex.resolve, resolve_line(spec.url, spec.addresses)))
      return Status(Code::kInternal, "out of memory for CURLOPT_RESOLVE");
    dns_expiry[key] = spec.addresses_ttl_s
                          ? std::optional<int64_t>(now + static_cast<int64_t>(std::max(0.0, *spec.addresses_ttl_s) * 1e6))
                          : std::nullopt;
  } else if (!spec.url.host_is_ip && !spec.proxy) {
    auto it = dns_expiry.find(key);
    if (it != dns_expiry.end() && it->second && *it->second <= now) {
      if (!append(ex.resolve, "-" + host_port(spec.url))) return Status(Code::kInternal, "out of memory");
      dns_expiry.erase(it);
    }
  }
  if (ex.resolve) curl_easy_setopt(e, CURLOPT_RESOLVE, ex.resolve.get());
  curl_easy_setopt(e, CURLOPT_RESOLVER_START_FUNCTION, detail::on_resolver_start);
  curl_easy_setopt(e, CURLOPT_RESOLVER_START_DATA, &ex);

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
    if (curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, spec.body->c_str()) != CURLE_OK)
      return Status(Code::kInternal, "out of memory for the request body");
  }
  if (spec.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (spec.method != "GET" || spec.body) {
    if (!(spec.method == "POST" && spec.body)) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
  }
  for (const auto& [name, value] : spec.headers)
    if (!append(ex.headers, value.empty() ? name + ";" : name + ": " + value))
      return Status(Code::kInternal, "out of memory for the request headers");
  if (ex.headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, ex.headers.get());

  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, detail::on_open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &ex);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, detail::close_socket);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, &sockets);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, detail::on_prereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, &ex);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, detail::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, detail::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, detail::on_debug);
  curl_easy_setopt(e, CURLOPT_DEBUGDATA, &ex);
  curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);  // feeds on_debug: request headers, send end
  curl_easy_setopt(e, CURLOPT_PRIVATE, &ex);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ex.error_buffer);
  if (https) {
    curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, detail::on_ssl_ctx);
    curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, &ex);
  }
  return Status::Ok();
}

Status Driver::start(const ExchangeSpec& spec, const RunClock& clock, Callback done) {
  detail::Easy easy(curl_easy_init());
  if (!easy) return Status(Code::kInternal, "curl_easy_init failed");
  Exchange& ex = impl_->exchanges.emplace_back();
  ex.spec = spec;
  ex.clock = &clock;
  ex.registry = &impl_->sockets;
  ex.done = std::move(done);
  ex.tls.host = spec.url.host;
  ex.easy = std::move(easy);
  ex.tries.emplace_back();
  auto drop = [&] { impl_->exchanges.pop_back(); };
  if (Status s = impl_->configure(ex); !s.ok()) {
    drop();
    return s;
  }
  const int64_t handed = mono_now_us();
  ex.stamp(Boundary::kHanded, handed);
  ex.current().start_us = handed;
  if (CURLMcode mc = curl_multi_add_handle(impl_->multi.get(), ex.easy.get()); mc != CURLM_OK) {
    drop();
    return Status(Code::kInternal, std::string("curl refused the transfer: ") + curl_multi_strerror(mc));
  }
  // Let curl begin at once so its transfer start sits next to `handed`; finished
  // transfers are only delivered by perform().
  int running = 0;
  curl_multi_perform(impl_->multi.get(), &running);
  return Status::Ok();
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
