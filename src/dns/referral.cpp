#include "dns/referral.h"

#include <algorithm>

#include "dns/message.h"

namespace pageload::dns {
namespace {

constexpr uint16_t kClassIn = 1;
constexpr int kRcodeServFail = 2;
constexpr int kRcodeNxDomain = 3;
constexpr int kRcodeRefused = 5;
// More links than any real chain inside one zone; a longer one is read as a loop.
constexpr std::size_t kMaxLinksInReply = 32;

DnsAnswer answer_of(const ReplyRecord& r) {
  return DnsAnswer{r.type == kTypeCname ? "CNAME" : type_name(r.type), r.name, r.value, r.ttl};  // TTL as sent
}

StepReading error(Code code, std::string reason) {
  StepReading s;
  s.kind = kStepError;
  s.code = code;
  s.reason = std::move(reason);
  return s;
}

bool is_in(const ReplyRecord& r, uint16_t type) { return r.type == type && r.klass == kClassIn && !r.value.empty(); }

// The answer section followed from qname through CNAMEs inside the zone: fills
// cnames/addresses and returns the name the chain ends at.
struct Chain {
  std::vector<DnsAnswer> cnames;
  std::vector<DnsAnswer> addresses;
  std::string end;       // the chain's last name
  bool left_zone = false;
  bool looped = false;
};

Chain follow_answers(const Reply& reply, std::string_view zone, std::string_view qname, uint16_t qtype) {
  Chain c;
  c.end = std::string(qname);
  std::vector<std::string> seen{c.end};
  for (std::size_t links = 0;; ++links) {
    for (const auto& r : reply.answers)
      if (is_in(r, qtype) && r.name == c.end) c.addresses.push_back(answer_of(r));
    if (!c.addresses.empty()) return c;
    auto cname = std::find_if(reply.answers.begin(), reply.answers.end(),
                              [&](const ReplyRecord& r) { return is_in(r, kTypeCname) && r.name == c.end; });
    if (cname == reply.answers.end()) return c;
    c.cnames.push_back(answer_of(*cname));
    c.end = cname->value;
    if (std::find(seen.begin(), seen.end(), c.end) != seen.end() || links + 1 >= kMaxLinksInReply) {
      c.looped = true;
      return c;
    }
    seen.push_back(c.end);
    if (!is_at_or_below(c.end, zone)) {
      c.left_zone = true;
      return c;
    }
  }
}

}  // namespace

StepReading read_step(const Reply& reply, std::string_view zone, std::string_view qname, uint16_t qtype) {
  const std::string zone_name = zone_text(zone);
  if (reply.rcode == kRcodeRefused)
    return error(Code::kDnsLameDelegation, "REFUSED: not a server of " + zone_name);
  if (reply.rcode == kRcodeServFail) return error(Code::kDnsServfail, "SERVFAIL: the server failed");
  if (reply.rcode != 0 && reply.rcode != kRcodeNxDomain)
    return error(Code::kDnsError, "answered " + rcode_name(reply.rcode));

  Chain chain = follow_answers(reply, zone, qname, qtype);
  StepReading s;
  s.cnames = chain.cnames;
  if (chain.looped)
    return error(Code::kDnsReferralLoop, "CNAME loop: " + std::string(qname) + " leads back to " + chain.end);
  if (!chain.addresses.empty()) {
    s.kind = kStepAnswer;
    s.addresses = std::move(chain.addresses);
    return s;
  }
  if (chain.left_zone) {
    s.kind = kStepCname;
    s.next_name = chain.end;
    return s;
  }
  if (reply.rcode == kRcodeNxDomain) {
    s.kind = kStepNxDomain;
    return s;
  }
  if (!chain.cnames.empty()) {  // the chain stops inside the zone: ask for its end afresh
    s.kind = kStepCname;
    s.next_name = chain.end;
    return s;
  }

  const bool soa = std::any_of(reply.authority.begin(), reply.authority.end(),
                               [](const ReplyRecord& r) { return r.type == kTypeSoa && r.klass == kClassIn; });
  auto ns = std::find_if(reply.authority.begin(), reply.authority.end(),
                         [](const ReplyRecord& r) { return is_in(r, kTypeNs); });
  if (ns != reply.authority.end() && !soa) {
    const std::string child = ns->name;
    const bool below = is_at_or_below(child, zone) && child != zone;
    if (below && is_at_or_below(qname, child)) {
      s.kind = kStepReferral;
      s.referral_zone = child;
      for (const auto& r : reply.authority)
        if (is_in(r, kTypeNs) && r.name == child &&
            std::find(s.ns.begin(), s.ns.end(), r.value) == s.ns.end())
          s.ns.push_back(r.value);
      // Glue is believed only for name servers inside the referring server's own zone.
      for (const auto& r : reply.additional)
        if ((is_in(r, kTypeA) || is_in(r, kTypeAaaa)) && is_at_or_below(r.name, zone) &&
            std::find(s.ns.begin(), s.ns.end(), r.name) != s.ns.end())
          s.glue.push_back(answer_of(r));
      return s;
    }
    if (!reply.authoritative) {
      if (is_at_or_below(zone, child))
        return error(Code::kDnsReferralLoop, child == zone ? "referral to " + zone_name + " again, the zone it was asked as"
                                                           : "referral back up to " + zone_text(child));
      return error(Code::kDnsLameDelegation, "referral to " + zone_text(child) + ", which does not hold " +
                                                 std::string(qname));
    }
  }
  if (reply.authoritative || soa) {
    s.kind = kStepNoData;
    return s;
  }
  return error(Code::kDnsLameDelegation, "not authoritative for " + zone_name + ", and no referral");
}

}  // namespace pageload::dns
