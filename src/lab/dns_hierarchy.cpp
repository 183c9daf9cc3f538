// The DNS hierarchy's zones and replies (dns_hierarchy.h has the map).
#include "lab/dns_hierarchy.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

#include "lab/dns_wire.h"

namespace pageload::lab {
namespace {

using namespace wire;  // NOLINT: the wire format is this file's vocabulary

constexpr uint32_t kDelegationTtl = 172800;  // as the root and TLDs give NS and glue
constexpr uint32_t kAnswerTtl = 300;
constexpr uint32_t kNegativeTtl = 60;  // SOA minimum: how long NXDOMAIN/NODATA may be kept
constexpr int kMaxDelayMs = 60000;
constexpr std::size_t kMaxUdpReply = 512;

enum class Kind {
  kServe,    // authoritative for its zones: answers, referrals below them, NXDOMAIN
  kRefuse,   // REFUSED to everything
  kNotAuth,  // NOERROR, AA clear, nothing at all
  kSilent,   // never replies
  kUpward,   // refers every query back up to test.
  kAbsent,   // nothing listens
};

struct ServerDef {
  std::string_view address;
  Kind kind;
  std::vector<std::string_view> zones;  // kServe: the zones it is authoritative for
  HierarchyServer info;
};

const std::vector<ServerDef>& servers() {
  static const std::vector<ServerDef> kServers{
      {"127.0.0.53", Kind::kServe, {""}, {"127.0.0.53", "root", "the root zone: refers test. to the TLD"}},
      {"127.0.0.54", Kind::kServe, {"test"}, {"127.0.0.54", "ns1.nic.test", "the test. TLD: refers each zone below it"}},
      {"127.0.0.55", Kind::kServe, {"shop.test", "lame.test", "flaky.test"},
       {"127.0.0.55", "ns1.shop.test ns2.lame.test ns3.flaky.test", "authoritative for shop.test, lame.test, flaky.test"}},
      {"127.0.0.56", Kind::kServe, {"hosting.test", "noglue.test", "cname.test"},
       {"127.0.0.56", "ns1.hosting.test ns1.cname.test",
        "authoritative for hosting.test, noglue.test (no glue), cname.test (CNAMEs into shop.test)"}},
      {"127.0.0.57", Kind::kServe, {"slow.test"},
       {"127.0.0.57", "ns1.slow.test", "authoritative for slow.test, every reply 100 ms late (delay-N: N ms)"}},
      {"127.0.0.58", Kind::kRefuse, {}, {"127.0.0.58", "ns1.lame.test ns1.dead.test", "lame: REFUSED to every query"}},
      {"127.0.0.59", Kind::kNotAuth, {}, {"127.0.0.59", "ns2.dead.test", "lame: not authoritative, no referral"}},
      {"127.0.0.60", Kind::kSilent, {}, {"127.0.0.60", "ns1.flaky.test ns1.down.test", "silent: never replies"}},
      {"127.0.0.61", Kind::kAbsent, {},
       {"127.0.0.61", "ns2.flaky.test ns2.down.test", "nothing listens: unreachable", false}},
      {"127.0.0.62", Kind::kUpward, {}, {"127.0.0.62", "ns1.loop.test", "refers every query back up to test. (a loop)"}},
      {"127.0.0.63", Kind::kServe, {"chain.test"},
       {"127.0.0.63", "ns1.chain.test", "hop-N.chain.test CNAME hop-(N-1).chain2.test"}},
      {"127.0.0.64", Kind::kServe, {"chain2.test"},
       {"127.0.0.64", "ns1.chain2.test", "hop-N.chain2.test CNAME hop-(N-1).chain.test"}},
  };
  return kServers;
}

struct NsServer {
  std::string_view name;
  std::string_view address;  // empty: it has none anyone can find
};
struct Delegation {
  std::string_view parent;
  std::string_view zone;
  std::vector<NsServer> ns;
};

const std::vector<Delegation>& delegations() {
  static const std::vector<Delegation> kDelegations{
      {"", "test", {{"ns1.nic.test", "127.0.0.54"}}},
      {"test", "shop.test", {{"ns1.shop.test", "127.0.0.55"}}},
      {"test", "hosting.test", {{"ns1.hosting.test", "127.0.0.56"}}},
      {"test", "noglue.test", {{"ns1.hosting.test", "127.0.0.56"}}},
      {"test", "cname.test", {{"ns1.cname.test", "127.0.0.56"}}},
      {"test", "slow.test", {{"ns1.slow.test", "127.0.0.57"}}},
      {"test", "lame.test", {{"ns1.lame.test", "127.0.0.58"}, {"ns2.lame.test", "127.0.0.55"}}},
      {"test", "dead.test", {{"ns1.dead.test", "127.0.0.58"}, {"ns2.dead.test", "127.0.0.59"}}},
      {"test", "flaky.test",
       {{"ns1.flaky.test", "127.0.0.60"}, {"ns2.flaky.test", "127.0.0.61"}, {"ns3.flaky.test", "127.0.0.55"}}},
      {"test", "down.test", {{"ns1.down.test", "127.0.0.60"}, {"ns2.down.test", "127.0.0.61"}}},
      {"test", "loop.test", {{"ns1.loop.test", "127.0.0.62"}}},
      {"test", "cycle.test", {{"ns1.cycle.test", ""}}},
      {"test", "chain.test", {{"ns1.chain.test", "127.0.0.63"}}},
      {"test", "chain2.test", {{"ns1.chain2.test", "127.0.0.64"}}},
  };
  return kDelegations;
}

// ---- Names ------------------------------------------------------------------------------

std::string dotted(const Name& labels, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < labels.size(); ++i) out += (out.empty() ? "" : ".") + lower(labels[i]);
  return out;
}

Name labels_of(std::string_view name) {
  Name out;
  while (!name.empty()) {
    auto dot = name.find('.');
    out.emplace_back(name.substr(0, dot));
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  return out;
}

bool at_or_below(std::string_view name, std::string_view zone) {
  if (zone.empty()) return true;
  if (name.size() < zone.size() || name.compare(name.size() - zone.size(), zone.size(), zone) != 0) return false;
  return name.size() == zone.size() || name[name.size() - zone.size() - 1] == '.';
}

// N of a label "PREFIX-N", or nullopt.
std::optional<long> numbered(std::string_view label, std::string_view prefix) {
  if (label.size() <= prefix.size() || label.substr(0, prefix.size()) != prefix) return std::nullopt;
  long n = 0;
  auto [ptr, ec] = std::from_chars(label.data() + prefix.size(), label.data() + label.size(), n);
  if (ec != std::errc() || ptr != label.data() + label.size() || n < 0) return std::nullopt;
  return n;
}

// The address of a name server by its name; nullopt for a name that is not one.
std::optional<std::string_view> ns_address(std::string_view name) {
  for (const auto& d : delegations())
    for (const auto& ns : d.ns)
      if (ns.name == name && !ns.address.empty()) return ns.address;
  return std::nullopt;
}

// ---- Records ----------------------------------------------------------------------------

struct Rec {
  Name owner;
  uint16_t type = 0;
  uint32_t ttl = 0;
  Bytes rdata;
};

Bytes name_bytes(const Name& name) {
  Writer w;
  w.name(name);
  return w.take();
}

Rec address(const Name& owner, uint16_t type, std::string_view text, uint32_t ttl) {
  Rec r{owner, type, ttl, Bytes(type == kTypeA ? 4 : 16)};
  inet_pton(type == kTypeA ? AF_INET : AF_INET6, std::string(text).c_str(), r.rdata.data());
  return r;
}

Rec soa(std::string_view zone) {
  Writer w;
  w.name(labels_of(zone.empty() ? "a.root-servers.test" : "ns1." + std::string(zone)));
  w.name(labels_of("hostmaster." + std::string(zone.empty() ? "test" : zone)));
  for (uint32_t v : {2026120101u, 3600u, 600u, 86400u, kNegativeTtl}) w.u32(v);
  return Rec{labels_of(zone), kTypeSoa, kNegativeTtl, w.take()};
}

void write_rec(Writer& w, const Rec& r) {
  w.name(r.owner);
  w.u16(r.type);
  w.u16(kClassIn);
  w.u32(r.ttl);
  w.u16(static_cast<uint16_t>(r.rdata.size()));
  w.bytes(r.rdata);
}

struct Answer {
  int rcode = kNoError;
  bool authoritative = true;
  std::vector<Rec> answers, authority, additional;
  int delay_ms = 0;
  bool silent = false;
};

// The records a zone holds for `name` (lower case): A/AAAA/CNAME, or nullopt for a name
// that does not exist.
std::optional<std::vector<Rec>> records(std::string_view zone, const Name& owner, const std::string& name) {
  std::vector<Rec> out;
  if (auto a = ns_address(name); a && at_or_below(name, zone)) {
    out.push_back(address(owner, kTypeA, *a, kDelegationTtl));
    return out;
  }
  if (zone == "test" || zone.empty())  // only delegations, NS names and the apex
    return name == zone ? std::optional<std::vector<Rec>>(out) : std::nullopt;
  const std::string first = owner.empty() ? "" : lower(owner.front());
  if (zone == "shop.test") {
    if (name == "nx.shop.test" || at_or_below(name, "nx.shop.test")) return std::nullopt;
    if (name == "v6.shop.test" || name == "dual.shop.test") out.push_back(address(owner, kTypeAaaa, "::1", kAnswerTtl));
    if (name != "v6.shop.test") out.insert(out.begin(), address(owner, kTypeA, "127.0.0.1", kAnswerTtl));
    return out;
  }
  if (zone == "cname.test" && name != "cname.test") {
    std::string target = name.substr(0, name.size() - zone.size()) + "shop.test";
    out.push_back(Rec{owner, kTypeCname, kAnswerTtl, name_bytes(labels_of(target))});
    return out;
  }
  if (zone == "chain.test" || zone == "chain2.test") {
    if (auto n = numbered(first, "hop-"); n && *n > 0 && owner.size() == 3) {
      std::string target = "hop-" + std::to_string(*n - 1) + (zone == "chain.test" ? ".chain2.test" : ".chain.test");
      out.push_back(Rec{owner, kTypeCname, kAnswerTtl, name_bytes(labels_of(target))});
      return out;
    }
  }
  out.push_back(address(owner, kTypeA, "127.0.0.1", kAnswerTtl));
  return out;
}

// A referral to `d`: its NS records, and glue for the NS names inside the zone it hands
// out (a name server's address outside it is for the walk to find).
Answer referral(const Delegation& d) {
  Answer a;
  a.authoritative = false;
  for (const auto& ns : d.ns) {
    a.authority.push_back(Rec{labels_of(d.zone), kTypeNs, kDelegationTtl, name_bytes(labels_of(ns.name))});
    if (!ns.address.empty() && at_or_below(ns.name, d.zone))
      a.additional.push_back(address(labels_of(ns.name), kTypeA, ns.address, kDelegationTtl));
  }
  return a;
}

Answer serve(const ServerDef& server, const Query& q) {
  const std::string name = dotted(q.qname);
  // The most specific zone of this server that holds the name.
  std::optional<std::string_view> zone;
  for (auto z : server.zones)
    if (at_or_below(name, z) && (!zone || z.size() > zone->size())) zone = z;
  if (!zone || q.qclass != kClassIn) return Answer{kRefused, false, {}, {}, {}, 0, false};

  Answer a;
  if (*zone == "slow.test") {
    a.delay_ms = kHierarchySlowMs;
    for (const auto& label : q.qname)
      if (auto n = numbered(lower(label), "delay-")) a.delay_ms = static_cast<int>(std::min<long>(*n, kMaxDelayMs));
  }
  // A zone below this one, delegated: a referral (the deepest delegation holding the name).
  const Delegation* cut = nullptr;
  for (const auto& d : delegations())
    if (d.parent == *zone && at_or_below(name, d.zone) && (!cut || d.zone.size() > cut->zone.size())) cut = &d;
  if (cut) {
    Answer r = referral(*cut);
    r.delay_ms = a.delay_ms;
    return r;
  }

  auto recs = records(*zone, q.qname, name);
  if (!recs) {
    a.rcode = kNxDomain;
    a.authority.push_back(soa(*zone));
    return a;
  }
  for (const auto& r : *recs)
    if (r.type == q.qtype || r.type == kTypeCname) a.answers.push_back(r);
  if (a.answers.empty()) a.authority.push_back(soa(*zone));  // NODATA
  return a;
}

Answer decide(const ServerDef& server, const Query& q) {
  switch (server.kind) {
    case Kind::kServe:
      return serve(server, q);
    case Kind::kRefuse:
      return Answer{kRefused, false, {}, {}, {}, 0, false};
    case Kind::kNotAuth:
      return Answer{kNoError, false, {}, {}, {}, 0, false};
    case Kind::kUpward:
      return referral(delegations().front());  // the root's delegation of test.
    case Kind::kSilent:
    case Kind::kAbsent:
      break;
  }
  Answer silent;
  silent.silent = true;
  return silent;
}

Bytes build(const Query& q, const Answer& a) {
  Writer w;
  w.u16(q.id);
  const uint16_t rd = q.flags & 0x0100;  // copied; RA stays clear: no recursion here
  w.u16(static_cast<uint16_t>(0x8000 | (a.authoritative ? 0x0400 : 0) | rd | a.rcode));
  w.u16(1);
  w.u16(static_cast<uint16_t>(a.answers.size()));
  w.u16(static_cast<uint16_t>(a.authority.size()));
  w.u16(static_cast<uint16_t>(a.additional.size()));
  w.name(q.qname);
  w.u16(q.qtype);
  w.u16(q.qclass);
  for (const auto* section : {&a.answers, &a.authority, &a.additional})
    for (const auto& r : *section) write_rec(w, r);
  if (w.size() <= kMaxUdpReply) return w.take();
  Writer cut;  // too long for a datagram without EDNS: TC, as a real server does
  cut.u16(q.id);
  cut.u16(static_cast<uint16_t>(0x8000 | (a.authoritative ? 0x0400 : 0) | 0x0200 | rd | a.rcode));
  for (uint16_t v : {1, 0, 0, 0}) cut.u16(v);
  cut.name(q.qname);
  cut.u16(q.qtype);
  cut.u16(q.qclass);
  return cut.take();
}

}  // namespace

const std::vector<HierarchyServer>& hierarchy_servers() {
  static const std::vector<HierarchyServer> kList = [] {
    std::vector<HierarchyServer> out;
    for (const auto& s : servers()) out.push_back(s.info);
    return out;
  }();
  return kList;
}

const std::vector<HierarchyName>& hierarchy_names() {
  static const std::vector<HierarchyName> kNames{
      {"www.shop.test", "root -> test. -> shop.test., glue all the way: A 127.0.0.1"},
      {"www.noglue.test", "no glue: ns1.hosting.test is walked from the root first"},
      {"www.slow.test", "a slow authoritative server (100 ms; delay-N.slow.test: N ms)"},
      {"www.cname.test", "a CNAME into shop.test: the walk starts again at the root"},
      {"www.lame.test", "a lame server (REFUSED), then the next one answers"},
      {"www.flaky.test", "a silent and an unreachable server, then the third answers"},
      {"nx.shop.test", "NXDOMAIN from the authoritative server; v6.shop.test: NODATA for A"},
      {"www.dead.test", "every server lame: dns_lame_delegation"},
      {"www.down.test", "every server silent or unreachable: dns_unreachable"},
      {"www.loop.test", "a referral back up to test.: dns_referral_loop"},
      {"www.cycle.test", "an NS name only findable through its own zone: dns_referral_loop"},
      {"hop-3.chain.test", "a CNAME chain crossing zones 3 times; hop-9.chain.test: dns_too_deep"},
  };
  return kNames;
}

DnsOutgoing hierarchy_reply(std::string_view address, const uint8_t* data, std::size_t size) {
  auto server = std::find_if(servers().begin(), servers().end(), [&](const ServerDef& s) { return s.address == address; });
  if (server == servers().end() || size < kHeaderSize) return {};
  Reader r(data, size);
  Query q;
  q.id = r.u16();
  q.flags = r.u16();
  if (q.flags & 0x8000) return {};  // a response: never answer those
  const uint16_t qdcount = r.u16();
  r.u16();
  r.u16();
  r.u16();
  if (server->kind == Kind::kSilent || server->kind == Kind::kAbsent) return {};
  if ((q.flags >> 11 & 0xf) != 0) return {header_only(q.id, q.flags, kNotImp), 0};
  if (qdcount != 1) return {header_only(q.id, q.flags, kFormErr), 0};
  q.qname = r.name();
  q.qtype = r.u16();
  q.qclass = r.u16();
  if (!r.ok()) return {header_only(q.id, q.flags, kFormErr), 0};
  Answer a = decide(*server, q);
  if (a.silent) return {};
  return {build(q, a), a.delay_ms};
}

}  // namespace pageload::lab
