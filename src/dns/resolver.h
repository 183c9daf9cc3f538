// The resolver: asks DNS servers for a host's addresses through c-ares and records the
// lookup as the run stores it (every query, its c-ares status, the CNAME chain and TTLs,
// and when each part started and ended on the run clock).
//
// It runs inside the caller's event loop, next to libcurl: no thread, no blocking call.
// The loop asks wait_fds() and timeout_ms(), polls, and hands the result to process(),
// which is where callbacks run. All methods must be called from the loop's one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/poll.h"
#include "dns/lookup_source.h"
#include "pageload/result.h"
#include "pageload/status.h"

namespace pageload::dns {

struct MessageInfo;

struct ResolverOptions {
  // "ADDR", "ADDR:PORT", "[V6]:PORT" (numeric only). Empty: the system's resolv.conf
  // servers, and /etc/hosts is consulted first (source "hosts").
  std::vector<std::string> servers;
  // How long one query may take, its tries included (--dns-timeout). c-ares asks every
  // server `tries` times in rounds, doubling its per-try timeout each round; the first
  // round's timeout is set so that all rounds add up to this. A server that fails at once
  // (ICMP unreachable) leaves its share unused.
  long timeout_ms = 15000;
  int tries = 2;  // tries per server
};

// The first round's per-try timeout that makes `tries` rounds over `servers` servers
// (each round twice as long as the one before) add up to `lookup_ms`; at least 1 ms.
long per_try_timeout_ms(long lookup_ms, std::size_t servers, int tries);

class Resolver : public LookupSource {
 public:

  // A resolver over `options`. The name is always queried exactly as given: no search
  // domains, no ndots games, no c-ares cache (1.18 has none). Fails with kUsage on a
  // server that is not a numeric address, kDnsError if c-ares cannot be initialised.
  static StatusOr<std::unique_ptr<Resolver>> create(const ResolverOptions& options);

  // Cancels the lookups still pending. Their callbacks are never called: c-ares reports
  // ARES_EDESTRUCTION to the resolver, which drops those lookups silently.
  ~Resolver() override;
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Starts resolving `host` for family 0 (A and AAAA, asked in parallel), 4 (A only) or
  // 6 (AAAA only); any other family is treated as 0. Span offsets are on `clock`, which
  // is copied. `cb` runs exactly once, from a later process() call, never from inside
  // resolve(), unless the lookup is abandoned first; it may call resolve() again but
  // must not destroy the Resolver. Every message sent for it is recorded as a
  // DnsAttempt of its query, with the server it went to and what came back.
  LookupId resolve(const std::string& host, int family, const RunClock& clock, Callback cb) override;

  // Gives up lookup `id` now (the caller's own deadline, --max-time, has passed): its
  // callback will never run, and what it has so far is returned: finished queries as they
  // ended, unfinished ones TIMEOUT (no c-ares status) with their open attempts TIMEOUT
  // now, and the lookup TIMEOUT with `failure`. A lookup that finished but was not yet
  // delivered is returned as it finished. nullopt for an unknown or delivered id. c-ares
  // cannot cancel one query, so its messages may still go out; they are not recorded.
  std::optional<DnsLookup> abandon(LookupId id, const Failure& failure) override;

  // The sockets c-ares wants watched now (POLLIN and/or POLLOUT). Ask again after every
  // process(): c-ares opens and closes sockets as queries come and go.
  std::vector<WaitFd> wait_fds() const override;

  // How long the loop may wait before calling process() even if no socket is ready:
  // the next c-ares retry/timeout, 0 when finished lookups wait to be delivered, and
  // nullopt when nothing is pending.
  std::optional<long> timeout_ms() const override;

  // Handles the sockets of `ready` that belong to c-ares (by fd and revents; others are
  // ignored), expired timers, then runs the callbacks of every lookup that finished.
  // Safe to call with an empty list, at any time.
  void process(const std::vector<WaitFd>& ready) override;

  // True while any lookup (not abandoned) has not had its callback run yet.
  bool busy() const override;

  // The servers asked, "ADDR:PORT" ("[V6]:PORT"), as configured or read from resolv.conf.
  std::vector<std::string> servers() const;

 private:
  struct Channel;
  struct Lookup;
  struct QueryContext;
  struct Tap;

  explicit Resolver(std::unique_ptr<Channel> channel, bool use_hosts);
  bool answer_from_hosts(Lookup& lookup);
  void start_query(Lookup& lookup, std::size_t index);
  void finish(Lookup& lookup);
  // The wiretap's reports (wiretap.h), recorded as attempts of the query they belong to.
  QueryContext* query_for(const MessageInfo& message);
  void on_sent(const std::string& server, const MessageInfo& message, int err);
  void on_received(const std::string& server, const MessageInfo& message);
  void on_server_failed(const std::string& server, int err);
  void on_open_failed(int err);
  void forget_messages(const QueryContext* ctx);

  std::unique_ptr<Channel> channel_;
  bool use_hosts_;
  std::vector<std::string> servers_;
  std::list<std::unique_ptr<Lookup>> pending_;  // queries in flight (abandoned ones too)
  std::vector<std::unique_ptr<Lookup>> ready_;  // finished, callback not yet run
  // DNS message id -> the query whose messages carry it, while c-ares works on it.
  std::map<uint16_t, QueryContext*> by_message_id_;
  QueryContext* starting_ = nullptr;  // the query inside ares_getaddrinfo right now
  LookupId next_id_ = 1;
  int64_t event_us_ = 0;                        // the clock reading of the current event
  bool destroying_ = false;
};

}  // namespace pageload::dns
