#include "loader/loader.h"

#include <ares.h>

#include <algorithm>
#include <list>
#include <map>
#include <set>

#include "core/clock.h"
#include "core/redact.h"
#include "core/url.h"
#include "dns/cache.h"
#include "dns/resolver.h"
#include "dns/trace.h"
#include "loader/redirect.h"
#include "transfer/transfer.h"

namespace pageload {
namespace {

// One load in progress: the hop being worked on and what the run has so far.
struct RunState {
  LoadOptions options;
  RunClock clock;
  Run run;
  Loader::DoneHook done;
  dns::LookupSource* resolver = nullptr;  // the recursive Resolver, or the Tracer (--dns-trace)
  dns::DnsCache cache;
  transfer::PoolId pool = 0;  // the run's own connections
  std::optional<double> deadline_ms;  // --max-time, on clock

  std::string first_origin;  // where the user's credentials may go
  Url url;  // the hop being loaded
  std::string method;
  std::optional<std::string> body;
  std::optional<int> redirect_from;
  std::set<std::string> visited;                // "METHOD URL" already requested
  std::map<transfer::ConnectionId, int> connection_by_id;  // -> Run::connections index
  std::set<std::string> open_origins;           // origins with a connection we expect alive

  bool waiting_dns = false;
  double dns_started_ms = 0;
  dns::LookupSource::LookupId dns_lookup = 0;  // the lookup waited for, to abandon at --max-time
  bool finished = false;
};

// How the current hop got its addresses.
struct HopDns {
  std::optional<DnsLookup> lookup;  // the lookup behind this hop, if any
  bool asked = false;               // a real query was sent: there is a dns phase
};

// How long a lookup's addresses may still be used: its smallest TTL (the cache hands out
// copies whose TTLs have counted down).
std::optional<double> ttl_of(const DnsLookup& lookup) {
  std::optional<double> ttl;
  for (const auto& a : lookup.answers) ttl = std::min(ttl.value_or(1e18), static_cast<double>(a.ttl));
  return ttl;
}

// RFC 6761 6.3: "localhost" and names under it are the loopback host and are never
// sent to a DNS server (c-ares 1.18 refuses to, too).
bool is_localhost(const std::string& host) {
  constexpr std::string_view kSuffix = ".localhost";
  return host == "localhost" ||
         (host.size() > kSuffix.size() && host.compare(host.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0);
}

std::vector<std::string> loopback_addresses(int ip_version) {
  if (ip_version == 4) return {"127.0.0.1"};
  if (ip_version == 6) return {"::1"};
  return {"127.0.0.1", "::1"};
}

std::string resolver_key(const LoadOptions& o) {
  std::string key = o.dns_trace ? "trace:" : "";
  for (const auto& s : o.dns_trace ? o.dns_roots : o.dns_servers) key += s + ",";
  return key + std::to_string(o.dns_timeout_ms);
}

// What resolves a load's hosts: the walk from the root under --dns-trace, else the
// resolver asking the --dns-server (or the system's) servers.
StatusOr<std::unique_ptr<dns::LookupSource>> lookup_source_for(const LoadOptions& o) {
  if (o.dns_trace) {
    dns::TraceOptions to;
    to.roots = o.dns_roots;
    to.timeout_ms = o.dns_timeout_ms;
    auto tracer = dns::Tracer::create(to);
    if (!tracer.ok()) return tracer.status();
    return std::unique_ptr<dns::LookupSource>(std::move(tracer).value());
  }
  dns::ResolverOptions ro;
  ro.servers = o.dns_servers;
  ro.timeout_ms = o.dns_timeout_ms;
  auto resolver = dns::Resolver::create(ro);
  if (!resolver.ok()) return resolver.status();
  return std::unique_ptr<dns::LookupSource>(std::move(resolver).value());
}

}  // namespace

struct Loader::Impl {
  std::unique_ptr<transfer::Driver> driver;
  transfer::PoolId shared_pool = 0;  // for --share-connections, opened on first use
  int watched_fd = -1;
  std::function<void()> on_watched;
  std::map<std::string, std::unique_ptr<dns::LookupSource>> resolvers;
  std::list<std::shared_ptr<RunState>> runs;

  void begin_hop(const std::shared_ptr<RunState>& st);
  void start_transfer(const std::shared_ptr<RunState>& st, std::vector<std::string> addresses, HopDns dns,
                      std::optional<transfer::Proxy> proxy = std::nullopt);
  void on_hop_done(const std::shared_ptr<RunState>& st, transfer::ExchangeResult hop, HopDns dns);
  void fail_in_dns(const std::shared_ptr<RunState>& st, const DnsLookup* lookup, Failure failure, Span span);
  void finish(const std::shared_ptr<RunState>& st, std::optional<Failure> failure);
  void check_deadlines();
};

Loader::Loader() : impl_(std::make_unique<Impl>()) {}
Loader::~Loader() = default;

StatusOr<std::unique_ptr<Loader>> Loader::create() {
  auto driver = transfer::Driver::create();
  if (!driver.ok()) return driver.status();
  std::unique_ptr<Loader> loader(new Loader());
  loader->impl_->driver = std::move(driver).value();
  return loader;
}

std::string Loader::library_versions() {
  return transfer::Driver::library_version() + " c-ares/" + ares_version(nullptr);
}

Status Loader::start(const LoadOptions& options, const BeginHook& begin, DoneHook done) {
  auto url = parse_url(options.url);
  if (!url.ok()) return url.status();
  std::string key = resolver_key(options);
  auto& resolver = impl_->resolvers[key];
  if (!resolver) {
    auto created = lookup_source_for(options);
    if (!created.ok()) {
      impl_->resolvers.erase(key);
      return created.status();
    }
    resolver = std::move(created).value();
  }

  auto st = std::make_shared<RunState>();
  st->run.started_at = utc_now_iso8601();
  st->options = options;
  st->done = std::move(done);
  st->resolver = resolver.get();
  if (options.share_connections && !impl_->shared_pool) impl_->shared_pool = impl_->driver->open_pool();
  st->pool = options.share_connections ? impl_->shared_pool : impl_->driver->open_pool();
  if (options.max_time_ms > 0) st->deadline_ms = static_cast<double>(options.max_time_ms);
  st->url = url.value();
  st->first_origin = st->url.origin();
  st->method = options.method.empty() ? (options.data ? "POST" : "GET") : options.method;
  st->body = options.data;
  st->run.url = st->url.full;
  st->run.label = options.label;
  st->run.options_json = options_to_json(options);
  st->run.tool_version = std::string("pageload ") + PAGELOAD_VERSION;
  st->run.library_versions = library_versions();
  // Secrets are redacted before the run is first stored (and again when it ends).
  if (!options.keep_secrets) redact_run(st->run);
  if (begin) begin(st->run);
  // The run's time origin and its wall-clock start are read together, after the begin
  // hook's bookkeeping (a database write), so that work is not drawn as part of the load.
  st->clock = RunClock(mono_now_us());
  st->run.started_at = utc_now_iso8601();
  impl_->runs.push_back(st);
  impl_->begin_hop(st);
  return Status::Ok();
}

void Loader::Impl::begin_hop(const std::shared_ptr<RunState>& st) {
  st->visited.insert(st->method + " " + st->url.full);
  const Url& url = st->url;

  // Through a proxy, the proxy resolves the host (unless it is a SOCKS proxy that takes
  // addresses): no lookup of ours.
  auto proxy = transfer::proxy_for(url, st->options.proxy_env, st->options.noproxy);
  if (proxy && !proxy->resolves_locally) return start_transfer(st, {}, {}, proxy);
  if (url.host_is_ip) return start_transfer(st, {}, {}, proxy);
  for (const auto& r : st->options.resolve)
    if (iequals(r.host, url.host) && r.port == url.port) return start_transfer(st, r.addresses, {});
  if (is_localhost(url.host)) return start_transfer(st, loopback_addresses(st->options.ip_version), {});
  // A browser asks no DNS for an origin it holds an open connection to, as long as the
  // server has not closed it; a new connection looks again once the answer is stale.
  if (st->options.keepalive && st->open_origins.count(url.origin()) &&
      driver->has_live_connection(st->pool, url)) {
    HopDns dns;
    dns.lookup = st->cache.get(url.host, st->options.ip_version, st->clock.now_ms());
    return start_transfer(st, dns.lookup ? dns.lookup->addresses() : std::vector<std::string>{}, dns, proxy);
  }
  if (auto cached = st->cache.get(url.host, st->options.ip_version, st->clock.now_ms())) {
    HopDns dns;
    dns.lookup = *cached;
    return start_transfer(st, cached->addresses(), dns, proxy);
  }

  st->waiting_dns = true;
  st->dns_started_ms = st->clock.now_ms();
  std::weak_ptr<RunState> weak = st;
  st->dns_lookup = st->resolver->resolve(url.host, st->options.ip_version, st->clock, [this, weak](DnsLookup lookup) {
    auto st = weak.lock();
    if (!st || st->finished) return;  // the run ended meanwhile (e.g. --max-time)
    st->waiting_dns = false;
    st->cache.put(lookup, lookup.span.end_ms);
    if (lookup.failure) return fail_in_dns(st, &lookup, *lookup.failure, lookup.span);
    HopDns dns;
    dns.asked = true;
    auto addresses = lookup.addresses();
    dns.lookup = std::move(lookup);
    start_transfer(st, std::move(addresses), std::move(dns),
                   transfer::proxy_for(st->url, st->options.proxy_env, st->options.noproxy));
  });
}

void Loader::Impl::start_transfer(const std::shared_ptr<RunState>& st, std::vector<std::string> addresses,
                                  HopDns dns, std::optional<transfer::Proxy> proxy) {
  const LoadOptions& o = st->options;
  transfer::ExchangeSpec spec;
  spec.pool = st->pool;
  spec.url = st->url;
  spec.method = st->method;
  spec.body = st->body;
  spec.headers = headers_for_hop(o.headers, st->first_origin, st->url.origin(), st->body.has_value());
  spec.user_agent = o.user_agent;
  spec.addresses = std::move(addresses);
  if (dns.lookup && !spec.addresses.empty()) spec.addresses_ttl_s = ttl_of(*dns.lookup);
  spec.proxy = std::move(proxy);
  spec.insecure = o.insecure;
  spec.cacert = o.cacert;
  spec.ip_version = o.ip_version;
  spec.keepalive = o.keepalive;
  spec.connect_timeout_ms = o.connect_timeout_ms;
  spec.max_filesize = o.max_filesize;
  spec.compressed = o.compressed;
  spec.http_version = o.http11 ? transfer::HttpVersion::kHttp11 : transfer::HttpVersion::kNegotiate;
  if (st->deadline_ms) spec.timeout_ms = std::max(1L, static_cast<long>(*st->deadline_ms - st->clock.now_ms()));
  std::weak_ptr<RunState> weak = st;
  Status started = driver->start(spec, st->clock, [this, weak, dns](transfer::ExchangeResult hop) mutable {
    if (auto st = weak.lock(); st && !st->finished) on_hop_done(st, std::move(hop), std::move(dns));
  });
  if (started.ok()) return;
  // Nothing started: the hop fails where it stands, as a request without a response.
  transfer::ExchangeResult hop;
  Request& r = hop.request;
  r.method = st->method;
  r.url = st->url.full;
  r.scheme = st->url.scheme;
  r.host = st->url.host;
  r.port = st->url.port;
  const double now = st->clock.now_ms();
  r.span = {now, now};
  r.failure = Failure{started.code(), started.message()};
  r.error_phase = Phase::kConnect;
  r.phases.push_back(PhaseRecord{Phase::kConnect, r.span, r.failure});
  on_hop_done(st, std::move(hop), std::move(dns));
}

void Loader::Impl::on_hop_done(const std::shared_ptr<RunState>& st, transfer::ExchangeResult hop, HopDns dns) {
  Run& run = st->run;
  Request req = std::move(hop.request);
  req.seq = static_cast<int>(run.requests.size());
  req.id = req.seq;
  req.redirect_from = st->redirect_from;

  // DNS: a real query is this hop's dns phase; a cache answer is linked but has no
  // phase; a reused connection needed no addresses at all.
  if (dns.lookup && (dns.asked || !req.reused)) {
    dns.lookup->id = static_cast<int>(run.dns_lookups.size());
    req.dns_lookup = dns.lookup->id;
    if (dns.asked) {
      req.phases.insert(req.phases.begin(), PhaseRecord{Phase::kDns, dns.lookup->span, std::nullopt});
      req.span.start_ms = dns.lookup->span.start_ms;
    }
    run.dns_lookups.push_back(std::move(*dns.lookup));
  }

  // Connections curl gave up on before this one (it retried the request): each opened
  // one gets a row that says why; a reused one that had closed says so on its row.
  for (auto& retry : hop.retries) {
    if (retry.connection) {
      retry.connection->id = static_cast<int>(run.connections.size());
      retry.connection->retry_reason = retry.reason;
      if (retry.connection_id) st->connection_by_id[*retry.connection_id] = retry.connection->id;
      run.connections.push_back(std::move(*retry.connection));
    } else if (retry.connection_id) {
      if (auto it = st->connection_by_id.find(*retry.connection_id); it != st->connection_by_id.end())
        run.connections[it->second].retry_reason = retry.reason;
    }
  }
  // Connection: a new one gets a row; a reused one points at the row that opened it.
  if (hop.connection) {
    hop.connection->id = static_cast<int>(run.connections.size());
    req.connection = hop.connection->id;
    if (hop.connection_id) st->connection_by_id[*hop.connection_id] = hop.connection->id;
    if (!hop.connection->proxy.empty() && run.proxy.find(hop.connection->proxy) == std::string::npos)
      run.proxy += (run.proxy.empty() ? "" : " ") + hop.connection->proxy;
    run.connections.push_back(std::move(*hop.connection));
  } else if (req.reused && hop.connection_id) {
    auto it = st->connection_by_id.find(*hop.connection_id);
    if (it != st->connection_by_id.end()) {
      req.connection = it->second;
    } else {  // opened by an earlier run sharing this loader's pool (--share-connections)
      // Its connect and TLS belong to the run that opened it.
      Connection c;
      c.id = static_cast<int>(run.connections.size());
      c.scheme = req.scheme;
      c.host = req.host;
      c.port = req.port;
      c.local_ip = hop.connection_id->local_ip;
      c.local_port = hop.connection_id->local_port;
      c.remote_ip = hop.connection_id->remote_ip;
      c.remote_port = hop.connection_id->remote_port;
      if (!c.remote_ip.empty()) c.family = c.remote_ip.find(':') != std::string::npos ? 6 : 4;
      req.warnings.push_back("connection opened by an earlier run (--share-connections)");
      req.connection = c.id;
      st->connection_by_id[*hop.connection_id] = c.id;
      run.connections.push_back(std::move(c));
    }
  }
  if (req.connection) run.connections[*req.connection].requests++;

  // Will a later hop to this origin find the connection open?
  bool closes = req.failure.has_value() || !st->options.keepalive || req.http_version == "HTTP/1.0";
  for (const auto& [name, value] : req.response_headers)
    if (iequals(name, "connection") && iequals(value, "close")) closes = true;
  if (closes) st->open_origins.erase(st->url.origin());
  else st->open_origins.insert(st->url.origin());

  run.requests.push_back(std::move(req));
  Request& done = run.requests.back();
  if (done.failure) return finish(st, done.failure);

  if (!done.status || !is_redirect_status(*done.status)) return finish(st, std::nullopt);

  // A redirect: decide whether and where to follow.
  auto fail_redirect = [&](Code code, std::string message) {
    done.failure = Failure{code, std::move(message)};
    finish(st, done.failure);
  };
  bool has_location = false;
  for (const auto& [name, value] : done.response_headers) has_location |= iequals(name, "location");
  if (!has_location)
    return fail_redirect(Code::kBadRedirect, std::to_string(*done.status) + " response has no Location header");
  // Followed as sent: the run's copy is redacted only when it ends (finish).
  auto next = resolve_location(st->url, done.location);
  if (!next.ok()) return fail_redirect(next.status().code(), next.status().message());
  done.redirect_url = next->full;
  if (static_cast<int>(run.requests.size()) > st->options.max_redirs)
    return fail_redirect(Code::kTooManyRedirects,
                         "more than " + std::to_string(st->options.max_redirs) + " redirects (--max-redirs)");
  NextRequest nr = method_after_redirect(*done.status, st->method, st->body);
  if (st->visited.count(nr.method + " " + next->full))
    return fail_redirect(Code::kRedirectLoop, "redirect loop: " + done.redirect_url + " was already requested");
  if (st->url.scheme == "https" && next->scheme == "http")
    done.warnings.push_back("redirect downgrades https to http: " + done.redirect_url);

  st->redirect_from = done.seq;
  st->url = next.value();
  st->method = nr.method;
  st->body = nr.body;
  begin_hop(st);
}

void Loader::Impl::fail_in_dns(const std::shared_ptr<RunState>& st, const DnsLookup* lookup, Failure failure,
                               Span span) {
  Run& run = st->run;
  Request req;
  req.seq = static_cast<int>(run.requests.size());
  req.id = req.seq;
  req.redirect_from = st->redirect_from;
  req.method = st->method;
  req.url = st->url.full;
  req.scheme = st->url.scheme;
  req.host = st->url.host;
  req.port = st->url.port;
  req.span = span;
  if (lookup) {
    DnsLookup copy = *lookup;
    copy.id = static_cast<int>(run.dns_lookups.size());
    req.dns_lookup = copy.id;
    run.dns_lookups.push_back(std::move(copy));
  }
  req.phases.push_back(PhaseRecord{Phase::kDns, span, failure});
  req.error_phase = Phase::kDns;
  req.failure = failure;
  run.requests.push_back(std::move(req));
  finish(st, failure);
}

void Loader::Impl::finish(const std::shared_ptr<RunState>& st, std::optional<Failure> failure) {
  Run& run = st->run;
  st->finished = true;
  // No exchange of this run is in flight any more; the shared pool outlives it.
  if (st->pool != shared_pool) driver->close_pool(st->pool);
  run.final_url = st->url.full;
  if (!run.requests.empty()) {
    run.final_status = run.requests.back().status;
    run.total_ms = run.requests.back().span.end_ms;
  } else {
    run.total_ms = st->clock.now_ms();
  }
  run.failure = std::move(failure);
  if (run.failure) run.outcome = Outcome::kFailed;
  else if (run.final_status && *run.final_status >= 400) run.outcome = Outcome::kHttpError;
  else run.outcome = Outcome::kOk;
  // The one place a finished run's secrets are redacted: everything it is stored, printed
  // and drawn from comes after this.
  if (!st->options.keep_secrets) redact_run(run);
  if (st->done) st->done(run);
}

void Loader::Impl::check_deadlines() {
  for (const auto& st : runs) {
    if (st->finished || !st->waiting_dns || !st->deadline_ms) continue;
    double now = st->clock.now_ms();
    if (now < *st->deadline_ms) continue;
    st->waiting_dns = false;
    Failure failure{Code::kTimeout, "--max-time " + std::to_string(st->options.max_time_ms) +
                                        " ms reached during the DNS lookup of " + st->url.host};
    // The lookup is stored as far as it got (TIMEOUT, the servers tried) and linked.
    auto lookup = st->resolver->abandon(st->dns_lookup, failure);
    fail_in_dns(st, lookup ? &*lookup : nullptr, failure, lookup ? lookup->span : Span{st->dns_started_ms, now});
  }
}

void Loader::watch(int fd, std::function<void()> on_ready) {
  impl_->watched_fd = fd;
  impl_->on_watched = std::move(on_ready);
}

void Loader::cancel_all(const std::string& message) {
  impl_->driver->cancel_all(message);
  // What is left waits for DNS: it ends in its dns phase.
  for (const auto& st : impl_->runs) {
    if (st->finished || !st->waiting_dns) continue;
    st->waiting_dns = false;
    Failure failure{Code::kInterrupted, message};
    auto lookup = st->resolver->abandon(st->dns_lookup, failure);  // kept as far as it got
    impl_->fail_in_dns(st, lookup ? &*lookup : nullptr, failure,
                       lookup ? lookup->span : Span{st->dns_started_ms, st->clock.now_ms()});
  }
}

void Loader::run_until_idle() {
  auto& runs = impl_->runs;
  while (!runs.empty()) {
    std::vector<WaitFd> fds;
    if (impl_->watched_fd >= 0) fds.push_back(WaitFd{impl_->watched_fd, POLLIN, 0});
    std::vector<std::pair<dns::LookupSource*, std::size_t>> slices;  // resolver, first fd index
    long timeout = 1000;
    for (auto& [key, resolver] : impl_->resolvers) {
      slices.emplace_back(resolver.get(), fds.size());
      for (const auto& fd : resolver->wait_fds()) fds.push_back(fd);
      if (auto t = resolver->timeout_ms()) timeout = std::min(timeout, *t);
    }
    for (const auto& st : runs)
      if (st->waiting_dns && st->deadline_ms)
        timeout = std::min(timeout, std::max(0L, static_cast<long>(*st->deadline_ms - st->clock.now_ms()) + 1));
    impl_->driver->wait(fds, timeout);
    if (impl_->watched_fd >= 0 && fds[0].revents && impl_->on_watched) impl_->on_watched();
    for (std::size_t i = 0; i < slices.size(); ++i) {
      std::size_t begin = slices[i].second;
      std::size_t end = i + 1 < slices.size() ? slices[i + 1].second : fds.size();
      std::vector<WaitFd> mine(fds.begin() + static_cast<long>(begin), fds.begin() + static_cast<long>(end));
      slices[i].first->process(mine);
    }
    impl_->driver->perform();
    impl_->check_deadlines();
    runs.remove_if([](const std::shared_ptr<RunState>& st) { return st->finished; });
  }
}

StatusOr<Run> Loader::load(const LoadOptions& options, const BeginHook& begin) {
  std::optional<Run> result;
  Status s = start(options, begin, [&](Run& run) { result = run; });
  if (!s.ok()) return s;
  run_until_idle();
  if (!result) return Status(Code::kInternal, "load ended without a result");
  return std::move(*result);
}

}  // namespace pageload
