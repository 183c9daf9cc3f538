#include "dns/resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <mutex>

#include "core/resources.h"
#include "dns/ares_poll.h"
#include "dns/ares_status.h"
#include "dns/assemble.h"
#include "dns/attempts.h"
#include "dns/message.h"
#include "dns/outcome.h"
#include "dns/server_list.h"
#include "dns/wiretap.h"

namespace pageload::dns {
namespace {

struct AddrinfoFree {
  void operator()(ares_addrinfo* ai) const { ares_freeaddrinfo(ai); }
};
struct HostentFree {
  void operator()(hostent* he) const { ares_free_hostent(he); }
};

int af_for_type(const std::string& type) { return type == "A" ? AF_INET : AF_INET6; }

std::vector<std::string> types_for_family(int family) {
  if (family == 4) return {"A"};
  if (family == 6) return {"AAAA"};
  return {"A", "AAAA"};
}

std::string address_text(const sockaddr* sa) {
  char text[INET6_ADDRSTRLEN] = "";
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
  return text;
}

// c-ares 1.18 hands a record's TTL over as an int, the wire's 32 bits cast: TTLs of 2^31
// and above arrive negative. The same bits, unsigned, are what the server sent.
uint32_t wire_ttl(int ttl) { return static_cast<uint32_t>(ttl); }

// The CNAME chain and the addresses of the query's own family out of a c-ares answer.
// Addresses are owned by the chain's last name (the host itself when there is none).
void collect_answers(const ares_addrinfo& ai, const std::string& host, QueryResult& r) {
  std::string final_name = host;
  for (const ares_addrinfo_cname* c = ai.cnames; c; c = c->next) {
    if (!c->alias || !c->name) continue;
    r.cnames.push_back(DnsAnswer{"CNAME", c->alias, c->name, wire_ttl(c->ttl)});
    final_name = c->name;
  }
  int af = af_for_type(r.query.type);
  for (const ares_addrinfo_node* n = ai.nodes; n; n = n->ai_next)
    if (n->ai_family == af && n->ai_addr)
      r.addresses.push_back(DnsAnswer{r.query.type, final_name, address_text(n->ai_addr), wire_ttl(n->ai_ttl)});
}

std::string format_server(const ares_addr_port_node& s) {
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(s.family, &s.addr, text, sizeof text);
  int port = s.udp_port ? s.udp_port : kDnsPort;
  return (s.family == AF_INET6 ? "[" + std::string(text) + "]" : std::string(text)) + ":" +
         std::to_string(port);
}

// The statuses c-ares ends a query with when a server's reply decided it.
bool status_is_reply(int status) {
  switch (status) {
    case ARES_SUCCESS:
    case ARES_ENODATA:
    case ARES_ENOTFOUND:
    case ARES_ESERVFAIL:
    case ARES_EREFUSED:
    case ARES_EFORMERR:
    case ARES_ENOTIMP:
    case ARES_EBADRESP:
      return true;
    default:
      return false;
  }
}

std::string_view failure_outcome(int err) {
  return err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH ? kAttemptUnreachable
                                                                          : kAttemptError;
}

std::string lower_host(std::string host) {
  for (char& c : host)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  while (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

}  // namespace

long per_try_timeout_ms(long lookup_ms, std::size_t servers, int tries) {
  long rounds = 0;  // the rounds' lengths in units of the first: 1 + 2 + 4 ...
  for (int i = 0; i < std::clamp(tries, 1, 16); ++i) rounds += 1L << i;
  long share = lookup_ms / (rounds * static_cast<long>(std::max<std::size_t>(servers, 1)));
  return std::max(1L, share);
}

// Our side of the c-ares socket functions: every socket call goes to the Wiretap.
struct Resolver::Tap {
  static Wiretap& of(void* user) { return *static_cast<Wiretap*>(user); }
  static constexpr ares_socket_functions kFunctions{
      [](int domain, int type, int protocol, void* user) -> ares_socket_t {
        return of(user).open(domain, type, protocol);
      },
      [](ares_socket_t fd, void* user) { return of(user).close(fd); },
      [](ares_socket_t fd, const sockaddr* addr, ares_socklen_t len, void* user) {
        return of(user).connect(fd, addr, len);
      },
      [](ares_socket_t fd, void* buf, size_t len, int flags, sockaddr* from, ares_socklen_t* from_len,
         void* user) -> ares_ssize_t { return of(user).recvfrom(fd, buf, len, flags, from, from_len); },
      [](ares_socket_t fd, const iovec* iov, int iovcnt, void* user) -> ares_ssize_t {
        return of(user).sendv(fd, iov, iovcnt);
      },
  };
};

// The c-ares channel and the wiretap on its sockets. ares_destroy() closes the sockets
// through the tap and reports every pending query as ARES_EDESTRUCTION.
struct Resolver::Channel {
  std::unique_ptr<Wiretap> tap;
  ares_channel channel = nullptr;
  ~Channel() {
    if (channel) ares_destroy(channel);
  }
};

// What c-ares hands back to us for one query: which lookup, which of its queries.
struct Resolver::QueryContext {
  Resolver* resolver = nullptr;
  Lookup* lookup = nullptr;
  std::size_t index = 0;
  bool done = false;
  int open_errno = 0;  // a socket for this query could not be opened (EMFILE...)
  static void on_done(void* arg, int status, int timeouts, ares_addrinfo* result);
};

struct Resolver::Lookup {
  LookupId id = 0;
  DnsLookup result;
  RunClock clock;
  Callback cb;
  std::vector<QueryResult> queries;       // one per type asked, in asking order
  std::array<QueryContext, 2> contexts;   // stable addresses for c-ares's void* arg
  std::size_t remaining = 0;              // queries c-ares has not called back yet
  bool abandoned = false;                 // handed out by abandon(): record nothing more

  std::vector<DnsAttempt>& attempts(std::size_t index) { return queries[index].query.attempts; }
  double now_ms(int64_t event_us) const { return clock.offset_ms(event_us); }
};

StatusOr<std::unique_ptr<Resolver>> Resolver::create(const ResolverOptions& options) {
  static std::once_flag init_once;
  static int init_status = ARES_SUCCESS;
  std::call_once(init_once, [] { init_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (init_status != ARES_SUCCESS)
    return Status(Code::kDnsError, std::string("c-ares init: ") + ares_strerror(init_status));

  auto servers = normalize_servers(options.servers);
  if (!servers.ok()) return servers.status();

  // Ask for the name exactly as given, once per try: no search list, no ndots retries,
  // no rotation; DNS only ("b"): /etc/hosts is read by answer_from_hosts when we may.
  // NOCHECKRESP: c-ares 1.18 otherwise treats a SERVFAIL or REFUSED answer as a dead
  // server and, with no other server to try, reports ARES_ECONNREFUSED (its initial
  // status), losing the rcode. The price: such an answer is final, not retried on the
  // next server.
  const int tries = std::max(1, options.tries);
  auto make_channel = [&](std::size_t server_count) -> StatusOr<std::unique_ptr<Channel>> {
    ares_options o{};
    char lookups[] = "b";
    o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOCHECKRESP;
    o.timeout = static_cast<int>(std::min(per_try_timeout_ms(options.timeout_ms, server_count, tries), 3600L * 1000));
    o.tries = tries;
    o.ndots = 1;
    o.domains = nullptr;
    o.ndomains = 0;
    o.lookups = lookups;
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS |
               ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS | ARES_OPT_NOROTATE;
    auto channel = std::make_unique<Channel>();
    int status = ares_init_options(&channel->channel, &o, mask);
    if (status != ARES_SUCCESS) {
      channel->channel = nullptr;
      return Status(Code::kDnsError, std::string("c-ares init: ") + ares_strerror(status));
    }
    if (!servers->empty()) {
      // Replaces resolv.conf's servers before any query can be sent.
      status = ares_set_servers_ports_csv(channel->channel, servers_csv(*servers).c_str());
      if (status != ARES_SUCCESS)
        return Status(Code::kUsage, "DNS servers " + servers_csv(*servers) + ": " + ares_strerror(status));
    }
    return channel;
  };

  auto channel = make_channel(servers->size());
  if (!channel.ok()) return channel.status();
  std::vector<std::string> asked = *servers;
  if (asked.empty()) {
    // resolv.conf's servers are known only once a channel has read it; the per-try
    // timeout depends on how many there are, and c-ares 1.18 takes it only at init.
    ares_addr_port_node* list = nullptr;
    if (ares_get_servers_ports((*channel)->channel, &list) == ARES_SUCCESS) {
      for (const ares_addr_port_node* s = list; s; s = s->next) asked.push_back(format_server(*s));
      ares_free_data(list);
    }
    channel = make_channel(asked.size());
    if (!channel.ok()) return channel.status();
  }

  std::unique_ptr<Resolver> resolver(new Resolver(std::move(channel).value(), servers->empty()));
  resolver->servers_ = std::move(asked);
  // Every socket of the channel goes through the tap before any query can be sent.
  Resolver* self = resolver.get();
  Wiretap::Events events;
  events.sent = [self](const std::string& server, const MessageInfo& m) { self->on_sent(server, m, 0); };
  events.send_failed = [self](const std::string& server, const MessageInfo& m, int err) {
    self->on_sent(server, m, err);
  };
  events.received = [self](const std::string& server, const MessageInfo& m) { self->on_received(server, m); };
  events.failed = [self](const std::string& server, int err) { self->on_server_failed(server, err); };
  events.open_failed = [self](int err) { self->on_open_failed(err); };
  Channel& ch = *resolver->channel_;
  ch.tap = std::make_unique<Wiretap>(std::move(events));
  ares_set_socket_functions(ch.channel, &Tap::kFunctions, ch.tap.get());
  return resolver;
}

Resolver::Resolver(std::unique_ptr<Channel> channel, bool use_hosts)
    : channel_(std::move(channel)), use_hosts_(use_hosts) {}

Resolver::~Resolver() {
  destroying_ = true;  // on_done ignores the ARES_EDESTRUCTION calls ares_destroy makes
  channel_.reset();
}

Resolver::LookupId Resolver::resolve(const std::string& host, int family, const RunClock& clock, Callback cb) {
  event_us_ = mono_now_us();
  auto lookup = std::make_unique<Lookup>();
  lookup->id = next_id_++;
  lookup->clock = clock;
  lookup->cb = std::move(cb);
  DnsLookup& r = lookup->result;
  r.host = host;
  r.source = "dns";
  r.servers = servers_;
  r.family = family == 4 || family == 6 ? family : 0;
  r.span = Span{clock.offset_ms(event_us_), clock.offset_ms(event_us_)};
  for (const auto& type : types_for_family(r.family)) {
    QueryResult q;
    q.query.type = type;
    q.query.span = r.span;
    lookup->queries.push_back(std::move(q));
  }
  const LookupId id = lookup->id;

  if (use_hosts_ && answer_from_hosts(*lookup)) {
    ready_.push_back(std::move(lookup));
    return id;
  }

  Lookup& ref = *lookup;
  ref.remaining = ref.queries.size();  // before starting: c-ares may call back at once
  pending_.push_back(std::move(lookup));
  for (std::size_t i = 0; i < ref.queries.size(); ++i) start_query(ref, i);
  return id;
}

bool Resolver::answer_from_hosts(Lookup& lookup) {
  DnsLookup& r = lookup.result;
  std::vector<QueryResult> found = lookup.queries;
  bool any = false;
  for (auto& q : found) {
    hostent* raw = nullptr;
    int af = af_for_type(q.query.type);
    if (ares_gethostbyname_file(channel_->channel, r.host.c_str(), af, &raw) != ARES_SUCCESS)
      continue;
    std::unique_ptr<hostent, HostentFree> he(raw);
    if (he->h_addrtype != af) continue;
    for (char** a = he->h_addr_list; a && *a; ++a) {
      char text[INET6_ADDRSTRLEN] = "";
      inet_ntop(af, *a, text, sizeof text);
      q.addresses.push_back(DnsAnswer{q.query.type, r.host, text, 0});
      any = true;
    }
  }
  if (!any) return false;
  assemble_lookup(r, found);
  r.source = "hosts";
  r.queries.clear();  // nothing was asked of a server
  r.span.end_ms = lookup.clock.offset_ms(mono_now_us());  // the file read's end
  return true;
}

void Resolver::start_query(Lookup& lookup, std::size_t index) {
  lookup.contexts[index] = QueryContext{this, &lookup, index, false};
  ares_addrinfo_hints hints{};
  hints.ai_family = af_for_type(lookup.queries[index].query.type);
  hints.ai_flags = ARES_AI_NOSORT;  // keep the server's order; sorting would connect() probes
  // c-ares sends the first message from inside ares_getaddrinfo: that is how a message
  // id is first tied to its query.
  starting_ = &lookup.contexts[index];
  ares_getaddrinfo(channel_->channel, lookup.result.host.c_str(), nullptr, &hints,
                   &QueryContext::on_done, &lookup.contexts[index]);
  starting_ = nullptr;
}

void Resolver::QueryContext::on_done(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  std::unique_ptr<ares_addrinfo, AddrinfoFree> owned(result);
  auto* ctx = static_cast<QueryContext*>(arg);
  Resolver& self = *ctx->resolver;
  if (self.destroying_) return;
  ctx->done = true;
  self.forget_messages(ctx);
  Lookup& lookup = *ctx->lookup;
  if (!lookup.abandoned) {
    QueryResult& q = lookup.queries[ctx->index];
    const double now = lookup.now_ms(self.event_us_);
    q.query.span.end_ms = now;
    q.query.ares_status = ares_status_name(status);
    if (status == ARES_SUCCESS && result) collect_answers(*result, lookup.result.host, q);
    q.query.outcome = std::string(status == ARES_SUCCESS && q.addresses.empty()
                                      ? kNoData
                                      : outcome_for_ares_status(status));
    if (status_is_reply(status)) {
      q.query.server = answering_server(q.query.attempts);
    } else if (ctx->open_errno) {
      q.query.outcome = std::string(kError);  // c-ares says ECONNREFUSED: it sent nothing
      close_open_attempts(q.query.attempts, kAttemptError, now);
    } else {
      close_open_attempts(q.query.attempts, status == ARES_ETIMEOUT ? kAttemptTimeout : kAttemptError, now);
    }
  }
  if (--lookup.remaining == 0) self.finish(lookup);
}

void Resolver::finish(Lookup& lookup) {
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const auto& p) { return p.get() == &lookup; });
  if (it == pending_.end()) return;
  if (lookup.abandoned) {  // its result was handed out by abandon()
    pending_.erase(it);
    return;
  }
  assemble_lookup(lookup.result, lookup.queries);
  // A query that failed because no socket could be opened failed here, not out there:
  // the lookup's failure is this machine's (kLocalResource), whatever c-ares reported.
  if (lookup.result.failure) {
    for (std::size_t i = 0; i < lookup.queries.size(); ++i) {
      const int err = lookup.contexts[i].open_errno;
      if (!err || lookup.queries[i].query.outcome != kError) continue;
      lookup.result.failure =
          Failure{Code::kLocalResource, resource_message(lookup.result.host + ": cannot open a DNS socket", err)};
      break;
    }
  }
  ready_.push_back(std::move(*it));
  pending_.erase(it);
}

std::optional<DnsLookup> Resolver::abandon(LookupId id, const Failure& failure) {
  event_us_ = mono_now_us();
  for (auto it = ready_.begin(); it != ready_.end(); ++it) {
    if ((*it)->id != id) continue;
    DnsLookup done = std::move((*it)->result);
    ready_.erase(it);
    return done;
  }
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const auto& p) { return p->id == id && !p->abandoned; });
  if (it == pending_.end()) return std::nullopt;
  Lookup& lookup = **it;
  lookup.abandoned = true;
  const double now = lookup.now_ms(event_us_);
  for (std::size_t i = 0; i < lookup.queries.size(); ++i) {
    if (lookup.contexts[i].done) continue;
    DnsQuery& q = lookup.queries[i].query;
    q.span.end_ms = now;
    q.outcome = std::string(kTimeout);
    q.ares_status.clear();  // c-ares has not ended it
    close_open_attempts(q.attempts, kAttemptTimeout, now);
  }
  DnsLookup r = lookup.result;
  assemble_lookup(r, lookup.queries);
  r.span.end_ms = now;
  r.outcome = std::string(kTimeout);
  r.ares_status.clear();
  r.failure = failure;
  return r;
}

// ---- What the wiretap saw, matched to queries by message id ----------------------------

Resolver::QueryContext* Resolver::query_for(const MessageInfo& m) {
  auto matches = [&](const QueryContext& ctx) {
    return lower_host(ctx.lookup->result.host) == m.qname &&
           ctx.lookup->queries[ctx.index].query.type == type_name(m.qtype);
  };
  if (auto it = by_message_id_.find(m.id); it != by_message_id_.end())
    return matches(*it->second) ? it->second : nullptr;
  if (m.response) return nullptr;  // a reply to no message of ours in flight
  QueryContext* ctx = starting_ && matches(*starting_) ? starting_ : nullptr;
  // A later message of a query c-ares started elsewhere (say, a search-list name): the
  // first query of ours asking that question and not tied to an id yet.
  for (auto& p : pending_) {
    if (ctx) break;
    if (p->abandoned) continue;
    for (std::size_t i = 0; i < p->queries.size() && !ctx; ++i) {
      QueryContext& c = p->contexts[i];
      bool tied = std::any_of(by_message_id_.begin(), by_message_id_.end(),
                              [&](const auto& e) { return e.second == &c; });
      if (!c.done && !tied && matches(c)) ctx = &c;
    }
  }
  if (ctx) by_message_id_[m.id] = ctx;
  return ctx;
}

void Resolver::on_sent(const std::string& server, const MessageInfo& m, int err) {
  if (destroying_ || m.response) return;
  QueryContext* ctx = query_for(m);
  if (!ctx || ctx->done || ctx->lookup->abandoned) return;
  Lookup& lookup = *ctx->lookup;
  const double now = lookup.now_ms(event_us_);
  auto& attempts = lookup.attempts(ctx->index);
  attempt_sent(attempts, server, now);
  if (err) server_failed(attempts, server, failure_outcome(err), now);
}

void Resolver::on_received(const std::string& server, const MessageInfo& m) {
  if (destroying_ || !m.response) return;
  QueryContext* ctx = query_for(m);
  if (!ctx || ctx->done || ctx->lookup->abandoned) return;
  Lookup& lookup = *ctx->lookup;
  attempt_replied(lookup.attempts(ctx->index), server, reply_outcome(m), lookup.now_ms(event_us_));
}

void Resolver::on_server_failed(const std::string& server, int err) {
  if (destroying_) return;
  for (auto& p : pending_) {
    if (p->abandoned) continue;
    for (std::size_t i = 0; i < p->queries.size(); ++i)
      if (!p->contexts[i].done)
        server_failed(p->attempts(i), server, err ? failure_outcome(err) : kAttemptError, p->now_ms(event_us_));
  }
}

void Resolver::on_open_failed(int err) {
  if (destroying_ || !is_resource_exhaustion(err)) return;
  // c-ares opens a server's socket for the query it is about to send, which the tap
  // cannot name: the one being started, else every query still waiting.
  if (starting_) {
    starting_->open_errno = err;
    return;
  }
  for (auto& p : pending_)
    for (std::size_t i = 0; i < p->queries.size(); ++i)
      if (!p->contexts[i].done && !p->abandoned) p->contexts[i].open_errno = err;
}

void Resolver::forget_messages(const QueryContext* ctx) {
  for (auto it = by_message_id_.begin(); it != by_message_id_.end();)
    it = it->second == ctx ? by_message_id_.erase(it) : std::next(it);
}

// ---- The event loop's side ---------------------------------------------------------------

std::vector<WaitFd> Resolver::wait_fds() const {
  std::vector<WaitFd> out;
  append_wait_fds(channel_->channel, out);
  return out;
}

std::optional<long> Resolver::timeout_ms() const {
  if (!ready_.empty()) return 0;
  if (pending_.empty()) return std::nullopt;
  // Queries pending but no timer should not happen; never sleep forever.
  return next_timeout_ms(channel_->channel).value_or(1000);
}

void Resolver::process(const std::vector<WaitFd>& ready) {
  event_us_ = mono_now_us();
  process_ready_fds(channel_->channel, ready);
  process_timeouts(channel_->channel);

  std::vector<std::unique_ptr<Lookup>> done;
  done.swap(ready_);
  for (auto& lookup : done) lookup->cb(std::move(lookup->result));
}

bool Resolver::busy() const {
  return !ready_.empty() ||
         std::any_of(pending_.begin(), pending_.end(), [](const auto& p) { return !p->abandoned; });
}

std::vector<std::string> Resolver::servers() const { return servers_; }

}  // namespace pageload::dns
