// The driver: one CURLM, a curl share (connections, DNS cache, TLS sessions) per pool,
// one Exchange per request (exchange.h) configured for curl here, and finish(), which
// hands the result (exchange_result.h) to the exchange's callback.
#include "transfer/transfer.h"

#include <curl/curl.h>

#include <algorithm>
#include <list>
#include <map>

#include "core/header_removal.h"
#include "transfer/callbacks.h"
#include "transfer/exchange.h"
#include "transfer/exchange_result.h"
#include "transfer/sockets.h"

namespace pageload::transfer {
namespace {

using detail::Boundary;
using detail::Exchange;
using detail::Slist;

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

// CURLOPT_BUFFERSIZE of an exchange that may speak HTTP/2 (curl's default: 16 KiB).
// libcurl 7.88 copies the frames one read brings for a connection's other streams into
// each of those streams' receive buffers. When one is full, curl pauses its HTTP/2 parser
// with the rest of what it read left in the connection's buffer (lib/http2.c:
// NGHTTP2_ERR_PAUSE, ctx->inbuf); only a read for the paused stream resumes it. If that
// stream's transfer ends first, the bytes left there (another stream's last frame, say)
// wait with no transfer marked to read them and nothing more coming on the socket: the
// other transfers sleep until the server next sends, which from the lab is its GOAWAY
// after 30 s idle (`/page/many?n=8&size=1000000` over HTTP/2 took 30 s in half the runs).
// A stream's buffer never fills while its whole response fits in it: with every response
// on a connection under 1 MiB the stall cannot happen, and with larger ones it is rare.
// The buffer is one allocation per transfer whose pages are touched only as data arrives.
constexpr long kHttp2ReceiveBufferBytes = 1L << 20;

// CURLOPT_SSLVERSION: the lowest version, ORed with the highest.
long curl_tls_versions(TlsVersion min, TlsVersion max) {
  long v = min == TlsVersion::kTls12 ? CURL_SSLVERSION_TLSv1_2
           : min == TlsVersion::kTls13 ? CURL_SSLVERSION_TLSv1_3
                                       : CURL_SSLVERSION_DEFAULT;
  v |= max == TlsVersion::kTls12 ? CURL_SSLVERSION_MAX_TLSv1_2
       : max == TlsVersion::kTls13 ? CURL_SSLVERSION_MAX_TLSv1_3
                                   : CURL_SSLVERSION_MAX_DEFAULT;
  return v;
}

}  // namespace

struct Driver::Impl {
  // Destroyed last: closing the pools' connections reports their sockets here.
  detail::SocketRegistry sockets;
  Multi multi;
  std::list<Exchange> exchanges;
  // Added to the multi handle by start() and not yet run: the next perform() begins them
  // together (one curl_multi_perform for a step's worth of starts, not one each).
  std::vector<Exchange*> unbegun;
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
    char* ex = nullptr;  // CURLOPT_PRIVATE: set by configure()
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &ex);
    return reinterpret_cast<Exchange*>(ex);
  }
  // Stamps the exchanges added since the last perform as handed, now, just before curl
  // runs them: curl's per-transfer times count from that run.
  void begin_unbegun() {
    const int64_t now = mono_now_us();
    for (Exchange* ex : unbegun) {
      ex->stamp(Boundary::kHanded, now);
      ex->current().start_us = now;
    }
    unbegun.clear();
  }
  Status configure(Exchange& ex);
  void finish(Exchange& ex, CURLcode rc);
};

namespace {

// What the exchange's response set (or expired) goes back into the run's jar.
void keep_cookies(Exchange& ex) {
  if (!ex.spec.cookies) return;
  curl_slist* list = nullptr;
  if (curl_easy_getinfo(ex.easy.get(), CURLINFO_COOKIELIST, &list) != CURLE_OK) return;
  std::vector<std::string> after;
  for (curl_slist* l = list; l; l = l->next) after.emplace_back(l->data);
  curl_slist_free_all(list);
  ex.spec.cookies->apply(ex.cookies_before, after);
}

}  // namespace

void Driver::Impl::finish(Exchange& ex, CURLcode rc) {
  keep_cookies(ex);
  ExchangeResult result = detail::build_result(ex, rc, mono_now_us());
  // Keep each connected socket's ends now, while they can still be read (closed()).
  for (const auto& t : ex.tries)
    for (const auto& [fd, index] : t.sockets) sockets.note_connected(fd);
  // An HTTP/2 connection with bytes waiting is not closing (has_live_connection).
  if (result.connection && result.connection_id && result.request.http_version == "HTTP/2")
    for (const auto& [fd, index] : ex.tries.back().sockets)
      if (detail::socket_ends(fd) == result.connection_id) sockets.set_multiplexed(fd);
  Driver::Callback done = std::move(ex.done);
  curl_multi_remove_handle(multi.get(), ex.easy.get());
  // The page's time ran out (each exchange has its share of --max-time) or it was
  // interrupted: curl closed, or closes, the connection mid-response because pageload
  // ended the page.
  // A socket curl closed without telling pageload (curl 7.88, SocketRegistry::sweep).
  const int64_t removed = mono_now_us();
  for (const auto& t : ex.tries)
    for (const auto& [fd, index] : t.sockets) sockets.sweep(fd, removed);
  if ((rc == CURLE_OPERATION_TIMEDOUT || !ex.cancelled.empty()) && result.connection_id)
    sockets.cut_short(ex.spec.pool, *result.connection_id);
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
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(std::max(0, options.max_pool_connections)));
  // curl's cache of idle connections holds, unless told, 4 per easy handle in the multi:
  // as a page's requests finish that falls, and curl closes idle kept-alive connections
  // mid-page (a later request to the host then pays a new connect). A browser keeps them
  // for the page: the pool's own bound is the cache's, and the run closes the pool.
  curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, static_cast<long>(kMaxStreamsPerConnection));
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(idle_connections_kept(options)));
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
  impl_->begin_unbegun();  // one not yet run ends at once: handed now
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
  // curl_share_cleanup closes the pool's connections, each through close_socket.
  impl_->sockets.begin_closing_pool(pool);
  impl_->pools.erase(pool);
  impl_->sockets.end_closing_pool(pool);
  std::erase_if(impl_->dns_expiry, [pool](const auto& entry) { return entry.first.first == pool; });
}

std::vector<ConnectionEnd> Driver::take_connection_ends(PoolId pool,
                                                        const std::function<bool(const ConnectionId&)>& wanted) {
  return impl_->sockets.take_ends(pool, wanted);
}

bool Driver::has_live_connection(PoolId pool, const Url& url, bool multiplexed_only) const {
  return impl_->sockets.has_live(pool, url.origin(), multiplexed_only);
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
  if (negotiate) {
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, kHttp2ReceiveBufferBytes);
  }
  curl_easy_setopt(e, CURLOPT_STREAM_WEIGHT, static_cast<long>(std::clamp(spec.stream_weight, 1, 256)));

  // The proxy is ours to decide (proxy.h): curl reads no environment variable.
  curl_easy_setopt(e, CURLOPT_PROXY, spec.proxy ? spec.proxy->url.c_str() : "");
  curl_easy_setopt(e, CURLOPT_NOPROXY, "");
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);  // a tunnel's 200 is no response

  // Addresses: curl does no lookup of its own (on_resolver_start refuses one), and its
  // copy expires when the loader's does.
  curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
  // With --connect-to, curl connects to (and looks up) the other host and port: the
  // addresses are that host's, in curl's DNS cache under its name and port.
  Url dial = spec.url;
  if (spec.connect_to) {
    dial.host = spec.connect_to->host;
    dial.port = spec.connect_to->port;
    dial.host_is_ip = spec.connect_to->host_is_ip;
    auto bracketed = [](const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; };
    if (!append(ex.connect_to, bracketed(spec.url.host) + ":" + std::to_string(spec.url.port) + ":" +
                                   bracketed(dial.host) + ":" + std::to_string(dial.port)))
      return Status(Code::kInternal, "out of memory for CURLOPT_CONNECT_TO");
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, ex.connect_to.get());
  }
  if (!spec.proxy_user.empty()) curl_easy_setopt(e, CURLOPT_PROXYUSERPWD, spec.proxy_user.c_str());
  const auto key = std::make_pair(spec.pool, host_port(dial));
  const int64_t now = mono_now_us();
  if (!spec.addresses.empty()) {
    if (!append(ex.resolve, resolve_line(dial, spec.addresses)))
      return Status(Code::kInternal, "out of memory for CURLOPT_RESOLVE");
    dns_expiry[key] = spec.addresses_ttl_s
                          ? std::optional<int64_t>(now + static_cast<int64_t>(std::max(0.0, *spec.addresses_ttl_s) * 1e6))
                          : std::nullopt;
  } else if (!dial.host_is_ip && !spec.proxy) {
    auto it = dns_expiry.find(key);
    if (it != dns_expiry.end() && it->second && *it->second <= now) {
      if (!append(ex.resolve, "-" + host_port(dial))) return Status(Code::kInternal, "out of memory");
      dns_expiry.erase(it);
    }
  }
  if (spec.proxy && !spec.proxy->host_is_ip && !spec.proxy_addresses.empty()) {
    Url proxy_host;
    proxy_host.host = spec.proxy->host;
    proxy_host.port = spec.proxy->port;
    if (!append(ex.resolve, resolve_line(proxy_host, spec.proxy_addresses)))
      return Status(Code::kInternal, "out of memory for CURLOPT_RESOLVE");
  }
  if (ex.resolve) curl_easy_setopt(e, CURLOPT_RESOLVE, ex.resolve.get());
  curl_easy_setopt(e, CURLOPT_RESOLVER_START_FUNCTION, detail::on_resolver_start);
  curl_easy_setopt(e, CURLOPT_RESOLVER_START_DATA, &ex);

  // Named, so a wait of this length before an address of the other family is explained.
  curl_easy_setopt(e, CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS, static_cast<long>(kHappyEyeballsMs));
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
  if (https) {
    curl_easy_setopt(e, CURLOPT_SSLVERSION, curl_tls_versions(spec.tls_min, spec.tls_max));
    curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, spec.tls_sessions ? 1L : 0L);
  }

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
  if (spec.cookies) {
    curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");  // the cookie engine, with no file of its own
    for (const std::string& line : spec.cookies->lines())
      if (curl_easy_setopt(e, CURLOPT_COOKIELIST, line.c_str()) != CURLE_OK)
        return Status(Code::kInternal, "out of memory for the cookies");
    ex.cookies_before = spec.cookies->lines();
  }
  if (!spec.cookie.empty()) curl_easy_setopt(e, CURLOPT_COOKIE, spec.cookie.c_str());
  // "Name:" is libcurl's way to leave out a header (its own Accept, User-Agent, Host...
  // included); "Name;" sends one with an empty value.
  for (const auto& header : spec.headers) {
    const auto& [name, value] = header;
    const std::string line = is_removed_header(header) ? name + ":" : value.empty() ? name + ";" : name + ": " + value;
    if (!append(ex.headers, line)) return Status(Code::kInternal, "out of memory for the request headers");
  }
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
  if (CURLMcode mc = curl_multi_add_handle(impl_->multi.get(), ex.easy.get()); mc != CURLM_OK) {
    drop();
    return Status(Code::kInternal, std::string("curl refused the transfer: ") + curl_multi_strerror(mc));
  }
  // curl begins it at the next perform(), which stamps it handed. Running curl here, once
  // per start, cost a pass over every transfer in flight each time: quadratic in a
  // page's requests, and it read the document's body (and ran its discovery) in the
  // middle of scheduling what that body had named.
  impl_->unbegun.push_back(&ex);
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

bool Driver::has_unbegun() const { return !impl_->unbegun.empty(); }

int Driver::perform() {
  // curl 7.88 can drop the wake-up of an HTTP/2 transfer whose whole response another
  // transfer read. In one curl_multi_perform, transfer A (earlier in curl's list) runs with
  // nothing to read; transfer B, later, reads the socket and nghttp2 parses A's frames
  // (HEADERS, DATA, END_STREAM) into A's buffer, marking A to drain with an expire-now
  // timer. If a transfer after B then enters curl's INIT or CONNECT state, curl stamps the
  // pass's `now` afresh (lib/multi.c: TIMER_STARTOP, TIMER_STARTSINGLE), and the sweep at
  // the end of the pass removes A's timer as already handled. With nothing more on the
  // socket, curl_multi_poll sleeps until the server next sends (a sibling stream's late
  // response), and A is recorded as arriving then: a 0 ms script waited 150 ms on
  // /page/scripts in 19 runs of 50. Any later pass runs A and delivers it, so a pass in
  // which a transfer can enter INIT or CONNECT (one begun now, or one not yet on a
  // connection: waiting for one, or connecting) is followed at once by another.
  bool may_connect = !impl_->unbegun.empty();
  for (auto it = impl_->exchanges.begin(); !may_connect && it != impl_->exchanges.end(); ++it)
    may_connect = !it->current().timeline.reached(Boundary::kConnectionReady);
  impl_->begin_unbegun();
  int running = 0;
  curl_multi_perform(impl_->multi.get(), &running);
  if (may_connect) curl_multi_perform(impl_->multi.get(), &running);
  int queued = 0, delivered = 0;
  while (CURLMsg* msg = curl_multi_info_read(impl_->multi.get(), &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    if (Exchange* ex = impl_->find(msg->easy_handle)) {
      impl_->finish(*ex, msg->data.result);
      ++delivered;
    }
  }
  return delivered;
}

}  // namespace pageload::transfer
