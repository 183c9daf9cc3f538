// The lab DNS server's packets apart from its sockets: the zone's rules (dns_server.h has
// the zone) over the wire format of dns_wire.h.
#include "lab/dns_query.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lab/dns_wire.h"

namespace pageload::lab {
namespace {

using namespace wire;  // NOLINT: the wire format is this file's vocabulary

constexpr uint32_t kDefaultTtl = 300;
constexpr uint32_t kCnameTtl = 60;
constexpr int kMaxChain = 32;  // CNAME links in one reply, stacked cname-N labels included
constexpr int kMaxDelayMs = 60000;
constexpr uint16_t kFlagTc = 0x0200;

struct Record {
  Name owner;
  uint16_t type = 0;
  uint32_t ttl = 0;
  Name target;  // CNAME
  Bytes rdata;  // A / AAAA
};

void write_record(Writer& w, const Record& r) {
  w.name(r.owner);
  w.u16(r.type);
  w.u16(kClassIn);
  w.u32(r.ttl);
  if (r.type == kTypeCname) {
    Writer target;
    target.name(r.target);
    Bytes t = target.take();
    w.u16(static_cast<uint16_t>(t.size()));
    w.bytes(t);
  } else {
    w.u16(static_cast<uint16_t>(r.rdata.size()));
    w.bytes(r.rdata);
  }
}

// Header and question of a reply to `q`, announcing `ancount` answers; `tc` sets TC.
void write_head(Writer& w, const Query& q, int rcode, uint16_t ancount, bool tc = false) {
  uint16_t rd = q.flags & 0x0100;
  w.u16(q.id);
  // QR AA (TC) RD RA
  w.u16(static_cast<uint16_t>(0x8000 | 0x0400 | (tc ? kFlagTc : 0) | rd | 0x0080 | rcode));
  w.u16(1);
  w.u16(ancount);
  w.u16(0);
  w.u16(0);
  w.name(q.qname);
  w.u16(q.qtype);
  w.u16(q.qclass);
}

// ---- Zone ------------------------------------------------------------------------

enum class Behaviour { kAnswer, kSilent, kMalformed, kTruncated };

struct Reply {
  int rcode = kNoError;
  std::vector<Record> answers;
  Behaviour behaviour = Behaviour::kAnswer;
  int delay_ms = 0;
};

// N of a label "PREFIX-N" (case-insensitive), or nullopt.
std::optional<long> numbered(const std::string& label, std::string_view prefix) {
  std::string l = lower(label);
  if (l.size() <= prefix.size() || l.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  long n = 0;
  const char* first = l.data() + prefix.size();
  const char* last = l.data() + l.size();
  auto [ptr, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || ptr != last || n < 0) return std::nullopt;
  return n;
}

Record address(const Name& owner, uint16_t type, uint32_t ttl, const char* text) {
  Record r{owner, type, ttl, {}, {}};
  r.rdata.resize(type == kTypeA ? 4 : 16);
  inet_pton(type == kTypeA ? AF_INET : AF_INET6, text, r.rdata.data());
  return r;
}

// The A/AAAA records of a terminal name `key` (lower case, delay/ttl labels dropped).
void add_addresses(Reply& reply, const std::string& key, const Name& owner, uint16_t qtype,
                   uint32_t ttl) {
  auto add = [&](uint16_t type, const char* text) {
    if (type == qtype) reply.answers.push_back(address(owner, type, ttl, text));
  };
  if (key == "empty.test") return;
  if (key == "v6.test") {
    add(kTypeAaaa, "::1");
  } else if (key == "dual.test") {
    add(kTypeA, "127.0.0.1");
    add(kTypeAaaa, "::1");
  } else if (key == "fallback.test") {
    add(kTypeA, "127.0.0.2");
    add(kTypeA, "127.0.0.1");
  } else if (key == "dual-fallback.test") {
    add(kTypeA, "127.0.0.2");
    add(kTypeAaaa, "::1");
  } else if (key == "multi.test") {
    add(kTypeA, "127.0.0.1");
    add(kTypeA, "127.0.0.3");
    add(kTypeA, "127.0.0.4");
  } else {
    add(kTypeA, "127.0.0.1");
  }
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Reply decide(const Query& q) {
  Reply reply;
  const Name& qname = q.qname;
  if (qname.size() < 2 || lower(qname.back()) != "test") {
    reply.rcode = kRefused;
    return reply;
  }
  uint32_t ttl = kDefaultTtl;
  for (const auto& label : qname) {
    if (auto n = numbered(label, "delay-")) reply.delay_ms = static_cast<int>(std::min<long>(*n, kMaxDelayMs));
    // Any 32-bit TTL, those with the top bit set included (RFC 2181 8 says to read them as 0).
    if (auto n = numbered(label, "ttl-")) ttl = static_cast<uint32_t>(std::min<long>(*n, 0xffffffff));
  }

  // Follow the CNAME chain down to its terminal name, or for kMaxChain links: stacked
  // labels (cname-32.cname-32...) would otherwise make a chain of hundreds, more than a
  // DNS message holds. Cut there, the reply ends with its last CNAME, as from a server
  // that stops following a chain.
  Name cur = qname;
  for (;;) {
    auto n = numbered(cur.front(), "cname-");
    if (!n || *n < 1 || *n > kMaxChain || cur.size() < 2) break;
    if (reply.answers.size() == static_cast<std::size_t>(kMaxChain)) return reply;
    Name next(cur.begin() + 1, cur.end());
    if (*n > 1) next.insert(next.begin(), "cname-" + std::to_string(*n - 1));
    reply.answers.push_back(Record{cur, kTypeCname, kCnameTtl, next, {}});
    cur = std::move(next);
  }

  std::string key;
  for (const auto& label : cur) {
    if (numbered(label, "delay-") || numbered(label, "ttl-")) continue;
    key += (key.empty() ? "" : ".") + lower(label);
  }
  if (cur.size() < 2 || lower(cur.back()) != "test") return reply;  // the chain left the zone

  if (key == "nxdomain.test" || key == "nx.test" || ends_with(key, ".nx.test")) {
    reply.rcode = kNxDomain;
  } else if (key == "servfail.test") {
    reply = Reply{kServFail, {}, Behaviour::kAnswer, reply.delay_ms};
  } else if (key == "refused.test") {
    reply = Reply{kRefused, {}, Behaviour::kAnswer, reply.delay_ms};
  } else if (key == "silent.test") {
    reply.behaviour = Behaviour::kSilent;
  } else if (key == "malformed.test") {
    reply.behaviour = Behaviour::kMalformed;
  } else if (key == "truncated.test") {
    reply.behaviour = Behaviour::kTruncated;
    uint16_t type = q.qtype == kTypeAaaa ? kTypeAaaa : kTypeA;
    reply.answers.push_back(address(cur, type, ttl, type == kTypeA ? "127.0.0.1" : "::1"));
  } else {
    add_addresses(reply, key, cur, q.qtype, ttl);
  }
  return reply;
}

// The reply message for a query, or nothing to send.
std::optional<Bytes> build_reply(const Query& q, const Reply& reply, DnsTransport transport) {
  Writer w;
  switch (reply.behaviour) {
    case Behaviour::kSilent:
      return std::nullopt;
    case Behaviour::kMalformed:
      write_head(w, q, kNoError, 1);
      for (uint8_t b : {0xff, 0xff, 0x00, 0x01, 0xde, 0xad}) w.u8(b);
      return w.take();
    case Behaviour::kTruncated: {
      write_head(w, q, kNoError, static_cast<uint16_t>(reply.answers.size()));
      for (const auto& r : reply.answers) write_record(w, r);
      Bytes out = w.take();
      out.resize(out.size() - 2);  // cut inside the last record's RDATA
      return out;
    }
    case Behaviour::kAnswer:
      break;
  }
  write_head(w, q, reply.rcode, static_cast<uint16_t>(reply.answers.size()));
  for (const auto& r : reply.answers) write_record(w, r);
  std::size_t limit = transport == DnsTransport::kUdp ? kMaxUdpReply : kMaxTcpReply;
  if (w.size() <= limit) return w.take();
  // Too long for this transport. Over UDP: header and question with TC, no records
  // (RFC 2181 9: a client discards a truncated answer and retries over TCP). Over TCP
  // the zone cannot get here (the chain is capped), but if it did: SERVFAIL, never an
  // oversized message.
  Writer cut;
  if (transport == DnsTransport::kUdp)
    write_head(cut, q, reply.rcode, 0, true);
  else
    write_head(cut, q, kServFail, 0);
  return cut.take();
}

}  // namespace

DnsOutgoing dns_reply_to(const uint8_t* data, std::size_t size, DnsTransport transport) {
  if (size < kHeaderSize) return {};
  Reader r(data, size);
  Query q;
  q.id = r.u16();
  q.flags = r.u16();
  if (q.flags & 0x8000) return {};  // a response: never answer those (no loops)
  uint16_t qdcount = r.u16();
  r.u16();
  r.u16();
  r.u16();
  if ((q.flags >> 11 & 0xf) != 0) return {header_only(q.id, q.flags, kNotImp), 0};
  if (qdcount != 1) return {header_only(q.id, q.flags, kFormErr), 0};
  q.qname = r.name();
  q.qtype = r.u16();
  q.qclass = r.u16();
  if (!r.ok()) return {header_only(q.id, q.flags, kFormErr), 0};
  Reply reply = decide(q);
  return {build_reply(q, reply, transport), reply.delay_ms};
}

}  // namespace pageload::lab
