#include "dns/trace.h"

#include <ares.h>

#include <algorithm>
#include <mutex>

#include "dns/ares_poll.h"
#include "dns/ares_status.h"
#include "dns/assemble.h"
#include "dns/message.h"
#include "dns/outcome.h"
#include "dns/referral.h"
#include "dns/reply.h"
#include "dns/root_hints.h"
#include "dns/server_list.h"

namespace pageload::dns {
namespace {

constexpr int kClassIn = 1;
constexpr int kEdnsPayload = 1232;  // the DNS flag day 2020 size: no IP fragmentation
constexpr std::size_t kServersInMessage = 3;  // failed servers a failure message names

struct QueryFree {
  void operator()(unsigned char* q) const { ares_free_string(q); }
};

std::string with_port(const std::string& address, int port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::vector<uint16_t> types_for_family(int family) {
  if (family == 4) return {kTypeA};
  if (family == 6) return {kTypeAaaa};
  return {kTypeA, kTypeAaaa};
}

// How telling a cause is when every server of a zone failed: the walk fails with the
// highest, worded as an outcome.
struct CauseInfo {
  Code code;
  int rank;
  std::string_view outcome;
  std::string_view headline;  // "... ZONE"
};
constexpr CauseInfo kCauses[] = {
    {Code::kDnsReferralLoop, 7, kLoop, "referral loop at"},
    {Code::kDnsTooDeep, 6, kTooDeep, "too deep at"},
    {Code::kDnsLameDelegation, 5, kLame, "lame delegation: no server answers for"},
    {Code::kDnsServfail, 4, kServFail, "every server failed for"},
    {Code::kDnsBadReply, 3, kBadReply, "malformed replies for"},
    {Code::kDnsUnreachable, 2, kUnreachable, "no server answered for"},
    {Code::kDnsError, 1, kError, "no server could answer for"},
};

const CauseInfo& cause(Code code) {
  for (const auto& c : kCauses)
    if (c.code == code) return c;
  return kCauses[std::size(kCauses) - 1];
}

// The cause a parent walk records when the walk finding one of its NS names' addresses
// failed with `outcome`: a name server without an address is a lame delegation, unless
// the reason was a loop, a bound, or servers that did not answer.
Code cause_of_ns_failure(std::string_view outcome) {
  if (outcome == kLoop) return Code::kDnsReferralLoop;
  if (outcome == kTooDeep) return Code::kDnsTooDeep;
  if (outcome == kUnreachable || outcome == kTimeout) return Code::kDnsUnreachable;
  if (outcome == kServFail) return Code::kDnsServfail;
  return Code::kDnsLameDelegation;
}

}  // namespace

long step_timeout_ms(const TraceOptions& options) {
  if (options.step_timeout_ms > 0) return options.step_timeout_ms;
  return std::clamp(options.timeout_ms / 5, 1L, kMaxStepTimeoutMs);
}

struct Tracer::Server {
  std::string address;  // "ADDR:PORT"
  std::string name;     // its NS name; "" for a --dns-root
};

struct Tracer::Channel {
  ares_channel channel = nullptr;
  ~Channel() {
    if (channel) ares_destroy(channel);
  }
};

// A query in flight, as c-ares hands it back: which lookup, walk and step.
struct Tracer::Sent {
  Tracer* tracer = nullptr;
  LookupId lookup = 0;
  Walk* walk = nullptr;
  std::size_t step = 0;
  static void on_done(void* arg, int status, int timeouts, unsigned char* reply, int length);
};

namespace {

// A name server of the zone a walk is in, and its addresses not yet tried.
struct Candidate {
  std::string ns_name;
  std::vector<std::string> addresses;  // "ADDR:PORT"
  bool looked_up = false;              // false: its addresses are still to be found
};

// A server of the current zone that could not answer, and why.
struct Failed {
  Code code = Code::kDnsError;
  std::string who;  // "ns1.x.test 127.0.0.5:53", or an NS name
  std::string reason;
};

}  // namespace

// Resolving one name for one type from the root.
struct Tracer::Walk {
  Lookup* lookup = nullptr;
  Walk* parent = nullptr;  // the walk waiting for this one's addresses (an NS name's)
  int query = 0;           // DnsLookup::queries index it serves
  int depth = 0;
  std::string target;      // the name it was started for
  std::string name;        // the name asked now (a CNAME's target after a restart)
  uint16_t qtype = kTypeA;
  std::string zone;        // the zone of the servers asked now; "" the root
  std::vector<Candidate> candidates;
  std::size_t next = 0;
  std::vector<Failed> failed;
  std::vector<std::string> names;  // every name asked, for CNAME loops
  int restarts = 0;

  bool done = false;
  double start_ms = 0, end_ms = 0;
  std::string outcome;   // NOERROR, NXDOMAIN, NODATA, LAME, ...
  std::string message;   // why it failed, for the lookup's failure
  std::string server;    // whose reply ended it
  std::vector<DnsAnswer> cnames, addresses;
};

struct Tracer::Lookup {
  LookupId id = 0;
  DnsLookup result;
  RunClock clock;
  Callback cb;
  int64_t deadline_us = 0;
  std::vector<std::unique_ptr<Walk>> walks;  // the top walks first, one per query
  std::size_t top = 0;
  std::size_t remaining = 0;  // top walks not done
  int sent = 0;               // queries sent
  bool over_budget = false;   // max_steps reached (and said so in a step)
};

StatusOr<std::unique_ptr<Tracer>> Tracer::create(const TraceOptions& options) {
  static std::once_flag init_once;
  static int init_status = ARES_SUCCESS;
  std::call_once(init_once, [] { init_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (init_status != ARES_SUCCESS)
    return Status(Code::kDnsError, std::string("c-ares init: ") + ares_strerror(init_status));

  std::unique_ptr<Tracer> tracer(new Tracer(options));
  if (options.roots.empty()) {
    for (const auto& hint : kRootHints) {
      tracer->roots_.push_back(with_port(std::string(hint.ipv4), kDnsPort));
      tracer->root_names_.emplace_back(hint.name);
      tracer->roots_.push_back(with_port(std::string(hint.ipv6), kDnsPort));
      tracer->root_names_.emplace_back(hint.name);
    }
    return tracer;
  }
  auto roots = normalize_servers(options.roots);
  if (!roots.ok()) return Status(Code::kUsage, "--dns-root: " + roots.status().message());
  auto port_of = [](const std::string& s) { return std::stoi(s.substr(s.rfind(':') + 1)); };
  tracer->port_ = port_of(roots->front());
  for (const auto& r : *roots)
    if (port_of(r) != tracer->port_)
      return Status(Code::kUsage, "--dns-root servers must share one port (every server of the walk is asked on it): " +
                                      roots->front() + " and " + r);
  tracer->roots_ = std::move(roots).value();
  tracer->root_names_.assign(tracer->roots_.size(), "");
  return tracer;
}

Tracer::Tracer(TraceOptions options) : options_(std::move(options)), step_timeout_ms_(step_timeout_ms(options_)) {}

Tracer::~Tracer() {
  destroying_ = true;  // ares_destroy reports every query in flight as ARES_EDESTRUCTION
  channels_.clear();
}

std::vector<std::string> Tracer::roots() const { return roots_; }

double Tracer::now_ms(const Lookup& lookup) const { return lookup.clock.offset_ms(event_us_); }

Tracer::Channel* Tracer::channel_for(const std::string& server, int qtype) {
  // One per server and question type: the A and AAAA walks ask the same servers at the same
  // moment, and on one socket an unreachable server's ICMP error failed only one of them,
  // the other waiting out its timeout (it read as a silent server).
  auto& slot = channels_[server + "/" + std::to_string(qtype)];
  if (slot) return slot.get();
  // One server, asked once per step, without recursion; its reply is ours to judge
  // (NOCHECKRESP keeps c-ares from treating REFUSED as a dead server and losing it).
  ares_options o{};
  char lookups[] = "b";
  o.flags = ARES_FLAG_NORECURSE | ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
  o.timeout = static_cast<int>(step_timeout_ms_);
  o.tries = 1;
  o.ndots = 1;
  o.lookups = lookups;
  o.ednspsz = kEdnsPayload;
  const int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS | ARES_OPT_DOMAINS |
                   ARES_OPT_LOOKUPS | ARES_OPT_NOROTATE | ARES_OPT_EDNSPSZ;
  auto channel = std::make_unique<Channel>();
  if (ares_init_options(&channel->channel, &o, mask) != ARES_SUCCESS) {
    channel->channel = nullptr;
    channels_.erase(server + "/" + std::to_string(qtype));
    return nullptr;
  }
  if (ares_set_servers_ports_csv(channel->channel, server.c_str()) != ARES_SUCCESS) {
    channels_.erase(server + "/" + std::to_string(qtype));
    return nullptr;
  }
  slot = std::move(channel);
  return slot.get();
}

// ---- Lookups ------------------------------------------------------------------------------

Tracer::LookupId Tracer::resolve(const std::string& host, int family, const RunClock& clock, Callback cb) {
  event_us_ = mono_now_us();
  auto lookup = std::make_unique<Lookup>();
  Lookup& l = *lookup;
  l.id = next_id_++;
  l.clock = clock;
  l.cb = std::move(cb);
  l.deadline_us = event_us_ + options_.timeout_ms * 1000;
  l.result.host = host;
  l.result.source = "trace";
  l.result.servers = roots_;
  l.result.family = family == 4 || family == 6 ? family : 0;
  l.result.span = Span{now_ms(l), now_ms(l)};
  const auto types = types_for_family(l.result.family);
  for (std::size_t i = 0; i < types.size(); ++i) {
    auto walk = std::make_unique<Walk>();
    walk->lookup = &l;
    walk->query = static_cast<int>(i);
    walk->target = walk->name = name_key(host);
    walk->names = {walk->name};
    walk->qtype = types[i];
    walk->start_ms = now_ms(l);
    l.walks.push_back(std::move(walk));
  }
  l.top = l.remaining = l.walks.size();
  const LookupId id = l.id;
  live_[id] = std::move(lookup);
  // Both walks start now; a walk that fails at once (no channel) finishes into ready_,
  // delivered by process() as always.
  for (std::size_t i = 0; i < l.top && live_.count(id); ++i) start_at_root(*l.walks[i]);
  return id;
}

void Tracer::start_at_root(Walk& walk) {
  walk.zone.clear();
  walk.failed.clear();
  walk.candidates.clear();
  walk.next = 0;
  for (std::size_t i = 0; i < roots_.size(); ++i) {
    if (!walk.candidates.empty() && walk.candidates.back().ns_name == root_names_[i] && !root_names_[i].empty()) {
      walk.candidates.back().addresses.push_back(roots_[i]);  // a hint's IPv6 after its IPv4
      continue;
    }
    walk.candidates.push_back(Candidate{root_names_[i], {roots_[i]}, true});
  }
  next_server(walk);
}

// Asks the zone's next server: an address not yet tried, else the next NS name's
// addresses found by a walk of their own; when none is left the walk fails.
void Tracer::next_server(Walk& walk) {
  while (!walk.done && walk.next < walk.candidates.size()) {
    Candidate& c = walk.candidates[walk.next];
    if (!c.addresses.empty()) {
      Server server{c.addresses.front(), c.ns_name};
      c.addresses.erase(c.addresses.begin());
      return send_step(walk, server);
    }
    if (!c.looked_up) {
      c.looked_up = true;
      const std::size_t before = walk.lookup->walks.size();
      resolve_ns(walk, c.ns_name);
      if (walk.lookup->walks.size() > before) return;  // a walk finds its address
      continue;  // a bound or a loop stopped it before it started
    }
    ++walk.next;
  }
  if (walk.done) return;

  // Every server of the zone failed: the most telling cause, with who failed how.
  const std::string zone = zone_text(walk.zone);
  if (walk.failed.empty()) return finish_walk(walk, std::string(kError), "no server to ask for " + zone);
  const Failed* worst = &walk.failed.front();
  for (const auto& f : walk.failed)
    if (cause(f.code).rank > cause(worst->code).rank) worst = &f;
  const CauseInfo& info = cause(worst->code);
  std::string message = std::string(info.headline) + " " + zone + " (";
  for (std::size_t i = 0; i < walk.failed.size() && i < kServersInMessage; ++i)
    message += (i ? "; " : "") + walk.failed[i].who + ": " + walk.failed[i].reason;
  if (walk.failed.size() > kServersInMessage)
    message += "; " + std::to_string(walk.failed.size() - kServersInMessage) + " more";
  finish_walk(walk, std::string(info.outcome), message + ")");
}

void Tracer::send_step(Walk& walk, const Server& server) {
  Lookup& l = *walk.lookup;
  if (l.sent >= options_.max_steps) {
    if (!l.over_budget) {
      l.over_budget = true;
      check_only(walk, Code::kDnsTooDeep, "more than " + std::to_string(options_.max_steps) + " queries for one lookup");
    }
    return finish_walk(walk, std::string(kTooDeep),
                       "more than " + std::to_string(options_.max_steps) + " queries for one lookup");
  }
  ++l.sent;
  // The message and the channel first: setting a channel up (c-ares reads resolv.conf)
  // is our own work, not the server's time.
  unsigned char* raw = nullptr;
  int length = 0;
  const int built = ares_create_query(walk.name.c_str(), kClassIn, walk.qtype, 0, 0, &raw, &length, kEdnsPayload);
  std::unique_ptr<unsigned char, QueryFree> query(raw);
  Channel* channel = built == ARES_SUCCESS ? channel_for(server.address, walk.qtype) : nullptr;

  event_us_ = mono_now_us();
  DnsStep step;
  step.query = walk.query;
  step.depth = walk.depth;
  step.server = server.address;
  step.server_name = server.name;
  step.zone = zone_text(walk.zone);
  step.qname = walk.name;
  step.qtype = type_name(walk.qtype);
  step.span = Span{now_ms(l), now_ms(l)};
  const std::size_t index = l.result.steps.size();
  l.result.steps.push_back(std::move(step));
  if (built != ARES_SUCCESS) return server_failed(walk, index, Code::kDnsError, "cannot ask for this name");
  if (!channel) return server_failed(walk, index, Code::kDnsError, "c-ares cannot set up a channel to it");
  // c-ares sends from inside ares_send, and may call back from there when the socket
  // cannot even be opened: on_reply then runs before ares_send returns.
  ares_send(channel->channel, query.get(), length, &Sent::on_done, new Sent{this, l.id, &walk, index});
}

void Tracer::Sent::on_done(void* arg, int status, int /*timeouts*/, unsigned char* reply, int length) {
  std::unique_ptr<Sent> sent(static_cast<Sent*>(arg));
  if (sent->tracer->destroying_) return;
  sent->tracer->on_reply(*sent, status, reply, length);
}

void Tracer::on_reply(Sent& sent, int status, const uint8_t* reply, int length) {
  auto it = live_.find(sent.lookup);
  if (it == live_.end()) return;  // abandoned, or ended by --dns-timeout meanwhile
  Walk& walk = *sent.walk;
  if (walk.done) return;
  Lookup& l = *it->second;
  // A reply is an event of its own: c-ares reads on after a callback, so this one may
  // come in the same pass as a query that callback sent (whose send stamped the clock).
  event_us_ = mono_now_us();
  l.result.steps[sent.step].span.end_ms = now_ms(l);
  switch (status) {
    case ARES_SUCCESS:
      return read_reply(walk, sent.step, reply, length);
    case ARES_ETIMEOUT: {
      DnsStep& step = l.result.steps[sent.step];
      step.kind = std::string(kStepTimeout);
      const std::string reason = "no reply in " + std::to_string(step_timeout_ms_) + " ms";
      step.failure = Failure{Code::kDnsTimeout, reason};
      walk.failed.push_back(Failed{Code::kDnsUnreachable, step.server_name.empty() ? step.server : step.server_name, reason});
      return next_server(walk);
    }
    case ARES_ECONNREFUSED:
      return server_failed(walk, sent.step, Code::kDnsUnreachable, "unreachable: nothing listens there (ICMP)");
    case ARES_EBADRESP:
      return server_failed(walk, sent.step, Code::kDnsBadReply, "malformed reply");
    default:
      return server_failed(walk, sent.step, Code::kDnsError, ares_status_name(status));
  }
}

// A reply the walk cannot use, or no reply at all: the step says why, the walk moves on.
void Tracer::server_failed(Walk& walk, std::size_t index, Code code, std::string reason) {
  DnsStep& step = walk.lookup->result.steps[index];
  step.kind = std::string(kStepError);
  step.failure = Failure{code, reason};
  walk.failed.push_back(Failed{code, step.server_name.empty() ? step.server : step.server_name, std::move(reason)});
  next_server(walk);
}

void Tracer::read_reply(Walk& walk, std::size_t index, const uint8_t* bytes, int length) {
  Lookup& l = *walk.lookup;
  auto reply = bytes && length > 0 ? parse_reply(bytes, static_cast<std::size_t>(length)) : std::nullopt;
  if (!reply) return server_failed(walk, index, Code::kDnsBadReply, "malformed reply");
  {
    DnsStep& step = l.result.steps[index];
    step.rcode = rcode_name(reply->rcode);
    step.authoritative = reply->authoritative;
  }
  StepReading r = read_step(*reply, walk.zone, walk.name, walk.qtype);
  DnsStep& step = l.result.steps[index];
  step.records = r.cnames;
  step.records.insert(step.records.end(), r.addresses.begin(), r.addresses.end());
  step.kind = std::string(r.kind);

  if (r.kind == kStepError) return server_failed(walk, index, r.code, r.reason);
  walk.cnames.insert(walk.cnames.end(), r.cnames.begin(), r.cnames.end());
  if (r.kind == kStepReferral) {
    step.referral_zone = r.referral_zone;
    step.ns = r.ns;
    step.glue = r.glue;
    // The zone's servers: those with glue first (each address, IPv4 first), then those
    // whose addresses a walk of their own must find.
    walk.zone = r.referral_zone;
    walk.failed.clear();
    walk.candidates.clear();
    walk.next = 0;
    std::vector<Candidate> unglued;
    for (const auto& ns : r.ns) {
      Candidate c{ns, {}, true};
      for (const char* type : {"A", "AAAA"})
        for (const auto& g : r.glue)
          if (g.name == ns && g.type == type) c.addresses.push_back(with_port(g.value, port_));
      if (c.addresses.empty()) {
        c.looked_up = false;
        unglued.push_back(std::move(c));
      } else {
        walk.candidates.push_back(std::move(c));
      }
    }
    walk.candidates.insert(walk.candidates.end(), unglued.begin(), unglued.end());
    return next_server(walk);
  }
  if (r.kind == kStepCname) {
    if (std::find(walk.names.begin(), walk.names.end(), r.next_name) != walk.names.end()) {
      step.kind = std::string(kStepError);
      step.failure = Failure{Code::kDnsReferralLoop, "CNAME loop: " + r.next_name + " was asked before"};
      return finish_walk(walk, std::string(kLoop), "CNAME loop: " + walk.target + " leads back to " + r.next_name);
    }
    if (walk.restarts >= options_.max_cname_restarts) {
      const std::string reason = "a CNAME chain leaving its zone more than " +
                                 std::to_string(options_.max_cname_restarts) + " times";
      step.kind = std::string(kStepError);
      step.failure = Failure{Code::kDnsTooDeep, reason};
      return finish_walk(walk, std::string(kTooDeep), reason);
    }
    ++walk.restarts;
    walk.name = r.next_name;
    walk.names.push_back(r.next_name);
    return start_at_root(walk);
  }
  walk.server = step.server;
  if (r.kind == kStepAnswer) {
    walk.addresses = r.addresses;
    return finish_walk(walk, std::string(kNoError), "");
  }
  finish_walk(walk, std::string(r.kind == kStepNxDomain ? kNxDomain : kNoData), "");
}

// Starts a walk for the address of `ns_name`, a server of walk's zone given without glue.
// Records a check step instead when that would nest too deep or go round in a circle.
void Tracer::resolve_ns(Walk& walk, const std::string& ns_name) {
  const std::string zone = zone_text(walk.zone);
  if (walk.depth + 1 > options_.max_ns_depth) {
    const std::string reason = "finding the address of " + ns_name + " nests name-server lookups more than " +
                               std::to_string(options_.max_ns_depth) + " deep";
    check_only(walk, Code::kDnsTooDeep, reason, ns_name);
    walk.failed.push_back(Failed{Code::kDnsTooDeep, ns_name, reason});
    return;
  }
  for (const Walk* w = &walk; w; w = w->parent) {
    if (std::find(w->names.begin(), w->names.end(), ns_name) == w->names.end()) continue;
    const std::string reason = ns_name + " serves " + zone + " without glue, and finding its address leads back to " + zone;
    check_only(walk, Code::kDnsReferralLoop, reason, ns_name);
    walk.failed.push_back(Failed{Code::kDnsReferralLoop, ns_name, reason});
    return;
  }
  Lookup& l = *walk.lookup;
  auto child = std::make_unique<Walk>();
  child->lookup = &l;
  child->parent = &walk;
  child->query = walk.query;
  child->depth = walk.depth + 1;
  child->target = child->name = ns_name;
  child->names = {ns_name};
  child->qtype = kTypeA;
  child->start_ms = now_ms(l);
  Walk& ref = *child;
  l.walks.push_back(std::move(child));
  start_at_root(ref);
}

// A step that sends nothing: the walk found it cannot go on this way (for `ns_name`: it
// cannot look up that name server's address).
void Tracer::check_only(Walk& walk, Code code, std::string reason, const std::string& ns_name) {
  Lookup& l = *walk.lookup;
  DnsStep step;
  step.query = walk.query;
  step.depth = ns_name.empty() ? walk.depth : walk.depth + 1;
  step.zone = zone_text(walk.zone);
  step.qname = ns_name.empty() ? walk.name : ns_name;
  step.qtype = ns_name.empty() ? type_name(walk.qtype) : "A";
  step.span = Span{now_ms(l), now_ms(l)};
  step.kind = std::string(kStepError);
  step.failure = Failure{code, std::move(reason)};
  l.result.steps.push_back(std::move(step));
}

void Tracer::finish_walk(Walk& walk, std::string outcome, std::string message) {
  if (walk.done) return;
  Lookup& l = *walk.lookup;
  walk.done = true;
  walk.end_ms = now_ms(l);
  walk.outcome = std::move(outcome);
  walk.message = std::move(message);

  if (Walk* parent = walk.parent) {
    auto it = std::find_if(parent->candidates.begin(), parent->candidates.end(),
                           [&](const Candidate& c) { return c.ns_name == walk.target; });
    if (walk.outcome == kNoError && it != parent->candidates.end()) {
      for (const auto& a : walk.addresses) it->addresses.push_back(with_port(a.value, port_));
    } else if (walk.outcome == kNoData && walk.qtype == kTypeA) {
      // No IPv4 address for this name server: ask for its IPv6 one.
      auto child = std::make_unique<Walk>();
      child->lookup = &l;
      child->parent = parent;
      child->query = walk.query;
      child->depth = walk.depth;
      child->target = child->name = walk.target;
      child->names = {walk.target};
      child->qtype = kTypeAaaa;
      child->start_ms = now_ms(l);
      Walk& ref = *child;
      l.walks.push_back(std::move(child));
      return start_at_root(ref);
    } else {
      parent->failed.push_back(Failed{cause_of_ns_failure(walk.outcome), walk.target,
                                      "its address: " + (walk.message.empty() ? walk.outcome : walk.message)});
    }
    return next_server(*parent);
  }
  if (--l.remaining == 0) finish_lookup(l);
}

void Tracer::finish_lookup(Lookup& l) {
  std::vector<QueryResult> results;
  const Walk* telling = nullptr;  // the failed walk whose outcome the lookup takes
  for (std::size_t i = 0; i < l.top; ++i) {
    const Walk& w = *l.walks[i];
    QueryResult q;
    q.query.type = type_name(w.qtype);
    q.query.outcome = w.outcome;
    q.query.span = Span{w.start_ms, w.end_ms};
    q.query.server = w.server;
    q.cnames = w.cnames;
    q.addresses = w.addresses;
    results.push_back(std::move(q));
    if (!telling || outcome_rank(w.outcome) > outcome_rank(telling->outcome)) telling = &w;
  }
  assemble_lookup(l.result, results);
  // The walk's own account of a failure says more than the outcome's word.
  if (l.result.failure && telling && telling->outcome == l.result.outcome && !telling->message.empty())
    l.result.failure->message = l.result.host + ": " + telling->message + " (" + l.result.outcome + ")";
  auto it = live_.find(l.id);
  if (it == live_.end()) return;
  ready_.push_back(std::move(it->second));
  live_.erase(it);
}

// --dns-timeout: the steps still waiting end as timeouts, the walks still going as
// TIMEOUT; a walk that already has its answer keeps it.
void Tracer::expire(Lookup& l, const Failure& failure) {
  const double now = now_ms(l);
  for (auto& step : l.result.steps) {
    if (!step.kind.empty()) continue;
    step.kind = std::string(kStepTimeout);
    step.span.end_ms = now;
    step.failure = failure;
  }
  for (auto& w : l.walks) {
    if (w->done) continue;
    w->done = true;
    w->end_ms = now;
    w->outcome = std::string(kTimeout);
    w->message = failure.message;
  }
  finish_lookup(l);
}

std::optional<DnsLookup> Tracer::abandon(LookupId id, const Failure& failure) {
  event_us_ = mono_now_us();
  for (auto it = ready_.begin(); it != ready_.end(); ++it) {
    if ((*it)->id != id) continue;
    DnsLookup done = std::move((*it)->result);
    ready_.erase(it);
    return done;
  }
  auto it = live_.find(id);
  if (it == live_.end()) return std::nullopt;
  const double now = now_ms(*it->second);
  expire(*it->second, failure);  // moves it to ready_
  auto done = std::find_if(ready_.begin(), ready_.end(), [&](const auto& p) { return p->id == id; });
  DnsLookup r = std::move((*done)->result);
  ready_.erase(done);
  r.span.end_ms = now;
  r.outcome = std::string(kTimeout);
  r.ares_status.clear();
  r.failure = failure;
  return r;
}

// ---- The event loop's side ------------------------------------------------------------------

std::vector<WaitFd> Tracer::wait_fds() const {
  std::vector<WaitFd> out;
  for (const auto& [server, ch] : channels_) append_wait_fds(ch->channel, out);
  return out;
}

std::optional<long> Tracer::timeout_ms() const {
  if (!ready_.empty()) return 0;
  std::optional<long> out;
  auto take = [&out](long ms) { out = out ? std::min(*out, ms) : ms; };
  for (const auto& [server, ch] : channels_)
    if (auto ms = next_timeout_ms(ch->channel)) take(*ms);
  const int64_t now = mono_now_us();
  for (const auto& [id, l] : live_) take(std::max<int64_t>(0, (l->deadline_us - now + 999) / 1000));
  return out;
}

void Tracer::process(const std::vector<WaitFd>& ready) {
  event_us_ = mono_now_us();
  // Callbacks may add channels; the ones there now are the ones whose sockets were polled.
  std::vector<Channel*> channels;
  for (const auto& [server, ch] : channels_) channels.push_back(ch.get());
  for (Channel* ch : channels) process_ready_fds(ch->channel, ready);
  for (Channel* ch : channels) process_timeouts(ch->channel);

  event_us_ = mono_now_us();
  std::vector<LookupId> expired;
  for (const auto& [id, l] : live_)
    if (event_us_ >= l->deadline_us) expired.push_back(id);
  for (LookupId id : expired) {
    Failure failure{Code::kDnsTimeout, "--dns-timeout (" + std::to_string(options_.timeout_ms) + " ms) reached"};
    if (auto it = live_.find(id); it != live_.end()) expire(*it->second, failure);
  }

  std::vector<std::unique_ptr<Lookup>> done;
  done.swap(ready_);
  for (auto& lookup : done) lookup->cb(std::move(lookup->result));
}

bool Tracer::busy() const { return !ready_.empty() || !live_.empty(); }

}  // namespace pageload::dns
