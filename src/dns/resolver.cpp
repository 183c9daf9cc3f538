#include "dns/resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <mutex>

#include "dns/ares_status.h"
#include "dns/assemble.h"
#include "dns/outcome.h"
#include "dns/server_list.h"

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

// The CNAME chain and the addresses of the query's own family out of a c-ares answer.
// Addresses are owned by the chain's last name (the host itself when there is none).
void collect_answers(const ares_addrinfo& ai, const std::string& host, QueryResult& r) {
  std::string final_name = host;
  for (const ares_addrinfo_cname* c = ai.cnames; c; c = c->next) {
    if (!c->alias || !c->name) continue;
    r.cnames.push_back(DnsAnswer{"CNAME", c->alias, c->name, c->ttl});
    final_name = c->name;
  }
  int af = af_for_type(r.query.type);
  for (const ares_addrinfo_node* n = ai.nodes; n; n = n->ai_next)
    if (n->ai_family == af && n->ai_addr)
      r.addresses.push_back(DnsAnswer{r.query.type, final_name, address_text(n->ai_addr), n->ai_ttl});
}

std::string format_server(const ares_addr_port_node& s) {
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(s.family, &s.addr, text, sizeof text);
  int port = s.udp_port ? s.udp_port : kDnsPort;
  return (s.family == AF_INET6 ? "[" + std::string(text) + "]" : std::string(text)) + ":" +
         std::to_string(port);
}

}  // namespace

// The c-ares channel; ares_destroy() reports every pending query as ARES_EDESTRUCTION.
struct Resolver::Channel {
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
  static void on_done(void* arg, int status, int timeouts, ares_addrinfo* result);
};

struct Resolver::Lookup {
  DnsLookup result;
  RunClock clock;
  Callback cb;
  std::vector<QueryResult> queries;       // one per type asked, in asking order
  std::array<QueryContext, 2> contexts;   // stable addresses for c-ares's void* arg
  std::size_t remaining = 0;              // queries c-ares has not called back yet
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
  ares_options o{};
  char lookups[] = "b";
  o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOCHECKRESP;
  o.timeout = static_cast<int>(std::clamp(options.timeout_ms, 1L, 3600L * 1000));
  o.tries = std::max(1, options.tries);
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

  std::unique_ptr<Resolver> resolver(new Resolver(std::move(channel), servers->empty()));
  if (!servers->empty()) {
    resolver->servers_ = std::move(servers).value();
  } else {
    ares_addr_port_node* list = nullptr;
    if (ares_get_servers_ports(resolver->channel_->channel, &list) == ARES_SUCCESS) {
      for (const ares_addr_port_node* s = list; s; s = s->next)
        resolver->servers_.push_back(format_server(*s));
      ares_free_data(list);
    }
  }
  return resolver;
}

Resolver::Resolver(std::unique_ptr<Channel> channel, bool use_hosts)
    : channel_(std::move(channel)), use_hosts_(use_hosts) {}

Resolver::~Resolver() {
  destroying_ = true;  // on_done ignores the ARES_EDESTRUCTION calls ares_destroy makes
  channel_.reset();
}

void Resolver::resolve(const std::string& host, int family, const RunClock& clock, Callback cb) {
  event_us_ = mono_now_us();
  auto lookup = std::make_unique<Lookup>();
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

  if (use_hosts_ && answer_from_hosts(*lookup)) {
    ready_.push_back(std::move(lookup));
    return;
  }

  Lookup& ref = *lookup;
  ref.remaining = ref.queries.size();  // before starting: c-ares may call back at once
  pending_.push_back(std::move(lookup));
  for (std::size_t i = 0; i < ref.queries.size(); ++i) start_query(ref, i);
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
  lookup.contexts[index] = QueryContext{this, &lookup, index};
  ares_addrinfo_hints hints{};
  hints.ai_family = af_for_type(lookup.queries[index].query.type);
  hints.ai_flags = ARES_AI_NOSORT;  // keep the server's order; sorting would connect() probes
  ares_getaddrinfo(channel_->channel, lookup.result.host.c_str(), nullptr, &hints,
                   &QueryContext::on_done, &lookup.contexts[index]);
}

void Resolver::QueryContext::on_done(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  std::unique_ptr<ares_addrinfo, AddrinfoFree> owned(result);
  auto* ctx = static_cast<QueryContext*>(arg);
  Resolver& self = *ctx->resolver;
  if (self.destroying_) return;
  Lookup& lookup = *ctx->lookup;
  QueryResult& q = lookup.queries[ctx->index];
  q.query.span.end_ms = lookup.clock.offset_ms(self.event_us_);
  q.query.ares_status = ares_status_name(status);
  if (status == ARES_SUCCESS && result) collect_answers(*result, lookup.result.host, q);
  q.query.outcome = std::string(status == ARES_SUCCESS && q.addresses.empty()
                                    ? kNoData
                                    : outcome_for_ares_status(status));
  if (--lookup.remaining == 0) self.finish(lookup);
}

void Resolver::finish(Lookup& lookup) {
  assemble_lookup(lookup.result, lookup.queries);
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const auto& p) { return p.get() == &lookup; });
  if (it == pending_.end()) return;
  ready_.push_back(std::move(*it));
  pending_.erase(it);
}

std::vector<WaitFd> Resolver::wait_fds() const {
  std::vector<WaitFd> out;
  ares_socket_t socks[ARES_GETSOCK_MAXNUM];
  int bits = ares_getsock(channel_->channel, socks, ARES_GETSOCK_MAXNUM);
  for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
    short events = 0;
    if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
    if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
    if (!events) break;
    out.push_back(WaitFd{socks[i], events, 0});
  }
  return out;
}

std::optional<long> Resolver::timeout_ms() const {
  if (!ready_.empty()) return 0;
  if (pending_.empty()) return std::nullopt;
  timeval tv{};
  if (!ares_timeout(channel_->channel, nullptr, &tv))
    return 1000;  // queries pending but no timer: should not happen; never sleep forever
  return static_cast<long>(tv.tv_sec) * 1000 + (tv.tv_usec + 999) / 1000;
}

void Resolver::process(const std::vector<WaitFd>& ready) {
  event_us_ = mono_now_us();
  std::vector<WaitFd> mine = wait_fds();
  for (const auto& w : ready) {
    if (!w.revents) continue;
    auto it = std::find_if(mine.begin(), mine.end(), [&](const WaitFd& m) { return m.fd == w.fd; });
    if (it == mine.end()) continue;  // not a c-ares socket (or no longer one)
    ares_socket_t rd = (w.revents & (POLLIN | POLLERR | POLLHUP)) ? w.fd : ARES_SOCKET_BAD;
    ares_socket_t wr = (w.revents & (POLLOUT | POLLERR | POLLHUP)) && (it->events & POLLOUT)
                           ? w.fd
                           : ARES_SOCKET_BAD;
    ares_process_fd(channel_->channel, rd, wr);
  }
  ares_process_fd(channel_->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts, retries

  std::vector<std::unique_ptr<Lookup>> done;
  done.swap(ready_);
  for (auto& lookup : done) lookup->cb(std::move(lookup->result));
}

bool Resolver::busy() const { return !pending_.empty() || !ready_.empty(); }

std::vector<std::string> Resolver::servers() const { return servers_; }

}  // namespace pageload::dns
