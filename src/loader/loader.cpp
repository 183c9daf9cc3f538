#include "loader/loader.h"

#include <ares.h>

#include <algorithm>
#include <list>
#include <map>

#include "core/clock.h"
#include "core/redact.h"
#include "core/url.h"
#include "dns/resolver.h"
#include "dns/trace.h"
#include "loader/page_load.h"
#include "transfer/transfer.h"

namespace pageload {
namespace {

// The longest the loop sleeps without an event, so a watched fd or a deadline is never
// missed by much even if nothing else wakes it.
constexpr long kMaxLoopWaitMs = 1000;

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
  // For --share-connections, opened on first use: the batch's pool, and its pool for
  // requests without credentials (kept apart as in each page's own pools).
  transfer::PoolId shared_pool = 0;
  transfer::PoolId shared_anonymous_pool = 0;
  loader::SharedConnections shared_connections;  // what each connection of those pools is
  int watched_fd = -1;
  std::function<void()> on_watched;
  std::map<std::string, std::unique_ptr<dns::LookupSource>> resolvers;  // Resolvers and Tracers
  std::list<std::unique_ptr<loader::PageLoad>> pages;
};

Loader::Loader() : impl_(std::make_unique<Impl>()) {}
Loader::~Loader() = default;

StatusOr<std::unique_ptr<Loader>> Loader::create(int max_pool_connections) {
  transfer::DriverOptions options;
  options.max_pool_connections = max_pool_connections;
  auto driver = transfer::Driver::create(options);
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

  Run run;
  run.started_at = utc_now_iso8601();
  run.url = url->full;
  run.label = options.label;
  run.options_json = options_to_json(options);
  run.tool_version = std::string("pageload ") + PAGELOAD_VERSION;
  run.library_versions = library_versions();
  // Secrets are redacted before the run is first stored (and again when it ends).
  if (!options.keep_secrets) redact_run(run);

  if (options.share_connections && !impl_->shared_pool) {
    impl_->shared_pool = impl_->driver->open_pool();
    impl_->shared_anonymous_pool = impl_->driver->open_pool();
  }
  const bool own_pool = !options.share_connections;
  const transfer::PoolId pool = own_pool ? impl_->driver->open_pool() : impl_->shared_pool;
  const auto anonymous_pool = own_pool ? std::nullopt : std::optional<transfer::PoolId>(impl_->shared_anonymous_pool);
  auto page = std::make_unique<loader::PageLoad>(options, url.value(), *impl_->driver, *resolver, pool, own_pool,
                                                 std::move(run), std::move(done), anonymous_pool,
                                                 own_pool ? nullptr : &impl_->shared_connections);
  // The hooks see the one Run object that done() will get, where the page keeps it.
  Run& kept = page->run();
  if (begin) begin(kept);
  // The run's time origin and its wall-clock start are read together, after the begin
  // hook's bookkeeping (a database write), so that work is not drawn as part of the load.
  kept.started_at = utc_now_iso8601();
  const RunClock clock(mono_now_us());
  loader::PageLoad& started = *page;
  impl_->pages.push_back(std::move(page));
  started.begin(clock);
  return Status::Ok();
}

void Loader::watch(int fd, std::function<void()> on_ready) {
  impl_->watched_fd = fd;
  impl_->on_watched = std::move(on_ready);
}

void Loader::cancel_all(const std::string& message) {
  for (auto& page : impl_->pages) page->stop(message);
  impl_->driver->cancel_all(message);  // delivers the exchanges in flight, failed
  for (auto& page : impl_->pages) page->interrupt(message);
}

void Loader::run_until_idle() {
  auto& pages = impl_->pages;
  // Whether the last pass of curl finished an exchange. curl 7.88 can end an HTTP/2 stream
  // with frames of the connection's other streams already read from the socket and held in
  // its own buffer: no socket event will come for them, and its timers do not say so, so a
  // wait would sleep its whole kMaxLoopWaitMs (three 304s of a warm --cache load finished a
  // second late, one run in three). After a pass that finished something, curl runs once more
  // before the loop sleeps.
  bool finished_some = false;
  for (;;) {
    // Each page acts on what the last round brought (and a new page starts its document);
    // a page's done hook may start more pages, which step() reaches in the same pass.
    for (auto& page : pages) page->step();
    pages.remove_if([](const auto& page) { return page->finished(); });
    if (pages.empty()) break;
    if (impl_->driver->has_unbegun()) {
      // Begin what the pages just started, then let them act on what that brought (a
      // transfer may already have failed or finished) before waiting.
      finished_some = impl_->driver->perform() > 0;
      continue;
    }
    std::vector<WaitFd> fds;
    if (impl_->watched_fd >= 0) fds.push_back(WaitFd{impl_->watched_fd, POLLIN, 0});
    std::vector<std::pair<dns::LookupSource*, std::size_t>> slices;  // resolver, first fd index
    long timeout = kMaxLoopWaitMs;
    for (auto& [key, resolver] : impl_->resolvers) {
      slices.emplace_back(resolver.get(), fds.size());
      for (const auto& fd : resolver->wait_fds()) fds.push_back(fd);
      if (auto t = resolver->timeout_ms()) timeout = std::min(timeout, *t);
    }
    for (const auto& page : pages)
      if (auto t = page->timeout_ms()) timeout = std::min(timeout, *t);
    if (finished_some) timeout = 0;
    impl_->driver->wait(fds, timeout);
    if (impl_->watched_fd >= 0 && fds[0].revents && impl_->on_watched) impl_->on_watched();
    for (std::size_t i = 0; i < slices.size(); ++i) {
      std::size_t begin = slices[i].second;
      std::size_t end = i + 1 < slices.size() ? slices[i + 1].second : fds.size();
      std::vector<WaitFd> mine(fds.begin() + static_cast<long>(begin), fds.begin() + static_cast<long>(end));
      slices[i].first->process(mine);
    }
    finished_some = impl_->driver->perform() > 0;
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
