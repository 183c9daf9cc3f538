// The walk from the root (--dns-trace): resolves a host iteratively, as a recursive
// resolver with a cold cache does, and records every query it sends as a DnsStep.
//
// Each walk (one per type asked: A and AAAA in parallel, as the Resolver asks them)
// starts at the root servers and sends its question, without recursion desired, to one
// server at a time through c-ares (ares_send on a channel configured with that one
// server; replies read by reply.h and referral.h):
//  - a referral moves the walk one zone down, to the NS names it gives: first those with
//    glue (each address in turn, IPv4 first), then the others, whose addresses are
//    themselves walked from the root (A, then AAAA if there is no A);
//  - a CNAME that leaves the zone starts the walk again at the root for its target;
//  - an answer, NXDOMAIN or NODATA ends it;
//  - a server that does not answer in time, is unreachable, refuses the zone, answers
//    without authority and without a referral (lame), fails, or refers back up is a step
//    of its own, and the walk tries the zone's next server. When none is left the walk
//    fails with the most telling cause: LOOP > LAME > SERVFAIL > BADREPLY > UNREACHABLE.
// Nothing is cached between walks: every walk and every restart pays for the root and
// the TLD again, the cost of a cold cache.
//
// Bounds, each an error step and a failure of its own when reached: a CNAME chain that
// leaves its zone more than max_cname_restarts times (dns_too_deep), name-server lookups
// nested deeper than max_ns_depth (dns_too_deep), more than max_steps queries for one
// lookup (dns_too_deep), an NS name whose address can only be found through the zone it
// serves (dns_referral_loop). The whole lookup ends at timeout_ms (dns_timeout).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/lookup_source.h"
#include "pageload/status.h"

namespace pageload::dns {

struct TraceOptions {
  // The root servers, "ADDR[:PORT]" (numeric). Empty: IANA's root hints (root_hints.h)
  // on port 53. They must share one port, and every server the walk is referred to is
  // asked on that port too: a lab on loopback cannot give each server port 53.
  std::vector<std::string> roots;
  // The whole lookup, every walk and step included (--dns-timeout).
  long timeout_ms = 15000;
  // How long one server may take to reply before the walk tries the next: 0 picks a
  // fifth of timeout_ms, at most kMaxStepTimeoutMs (resolvers wait 0.4 to 0.8 s).
  long step_timeout_ms = 0;
  int max_cname_restarts = 8;
  int max_ns_depth = 4;
  int max_steps = 100;
};

inline constexpr long kMaxStepTimeoutMs = 1000;

// The step timeout `options` give (see TraceOptions::step_timeout_ms); at least 1 ms.
long step_timeout_ms(const TraceOptions& options);

class Tracer : public LookupSource {
 public:
  // A tracer over `options`. Fails with kUsage for a root that is not a numeric address
  // or roots on different ports, kDnsError if c-ares cannot be initialised.
  static StatusOr<std::unique_ptr<Tracer>> create(const TraceOptions& options);

  // Cancels what is in flight; no callback runs after this.
  ~Tracer() override;
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // LookupSource. The lookup's source is "trace", its servers the roots, its queries one
  // per walk (server: the one whose reply ended it), its steps every query sent. abandon()
  // ends the open steps as timeouts with `failure`.
  LookupId resolve(const std::string& host, int family, const RunClock& clock, Callback cb) override;
  std::optional<DnsLookup> abandon(LookupId id, const Failure& failure) override;
  std::vector<WaitFd> wait_fds() const override;
  std::optional<long> timeout_ms() const override;
  void process(const std::vector<WaitFd>& ready) override;
  bool busy() const override;

  // The roots, "ADDR:PORT", as a lookup records them.
  std::vector<std::string> roots() const;

 private:
  struct Channel;
  struct Lookup;
  struct Walk;
  struct Sent;
  struct Server;

  explicit Tracer(TraceOptions options);
  Channel* channel_for(const std::string& server, int qtype);
  void start_at_root(Walk& walk);
  void next_server(Walk& walk);
  void send_step(Walk& walk, const Server& server);
  void on_reply(Sent& sent, int status, const uint8_t* reply, int length);
  void read_reply(Walk& walk, std::size_t step, const uint8_t* reply, int length);
  void server_failed(Walk& walk, std::size_t step, Code code, std::string reason);
  void resolve_ns(Walk& walk, const std::string& ns_name);
  void check_only(Walk& walk, Code code, std::string reason, const std::string& ns_name = "");
  void finish_walk(Walk& walk, std::string outcome, std::string message);
  void finish_lookup(Lookup& lookup);
  void expire(Lookup& lookup, const Failure& failure);
  double now_ms(const Lookup& lookup) const;

  TraceOptions options_;
  std::vector<std::string> roots_;       // normalised
  std::vector<std::string> root_names_;  // NS name of each root ("" for --dns-root)
  int port_ = 53;
  long step_timeout_ms_ = kMaxStepTimeoutMs;
  std::map<std::string, std::unique_ptr<Channel>> channels_;  // one per server and question type asked
  std::map<LookupId, std::unique_ptr<Lookup>> live_;
  std::vector<std::unique_ptr<Lookup>> ready_;  // finished, callback not yet run
  LookupId next_id_ = 1;
  int64_t event_us_ = 0;  // the clock reading of the current event
  bool destroying_ = false;
};

}  // namespace pageload::dns
