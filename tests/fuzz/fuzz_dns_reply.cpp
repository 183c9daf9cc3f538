// The walk from the root's reading of replies (src/dns/reply.h, through c-ares's
// ares_expand_name, and src/dns/referral.h), fed whatever a hostile or broken server
// could send. It must stay within the bytes, stop on pointer loops, give the same reading
// every time, and never believe a record from outside the zone asked: a referral only
// leads down, into a zone holding the name, with glue only from inside the asked zone.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "dns/message.h"
#include "dns/referral.h"
#include "dns/reply.h"

using namespace pageload;
using namespace pageload::dns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reply = parse_reply(data, size);
  if (!reply) return 0;
  if (size < 12) std::abort();
  auto again = parse_reply(data, size);
  if (!again || again->answers.size() != reply->answers.size() || again->qname != reply->qname) std::abort();
  for (const auto* section : {&reply->answers, &reply->authority, &reply->additional})
    for (const auto& r : *section)
      for (char c : r.name)
        if (c >= 'A' && c <= 'Z') std::abort();  // names are compared as lower case

  // Read as the answer to its own question, from servers of the question's ancestors.
  const std::string qname = reply->qname;
  const auto labels = name_labels(qname);
  for (std::size_t drop = 0; drop <= labels.size() && drop < 4; ++drop) {
    std::string zone;
    for (std::size_t i = drop; i < labels.size(); ++i) zone += (zone.empty() ? "" : ".") + labels[i];
    for (uint16_t type : {kTypeA, kTypeAaaa}) {
      StepReading s = read_step(*reply, zone, qname, type);
      if (s.kind.empty()) std::abort();
      if (s.kind == kStepError && (s.code == Code::kOk || s.reason.empty())) std::abort();
      if (s.kind == kStepReferral) {
        if (s.referral_zone == zone || !is_at_or_below(s.referral_zone, zone) || !is_at_or_below(qname, s.referral_zone))
          std::abort();
        if (s.ns.empty()) std::abort();
        for (const auto& g : s.glue)
          if (!is_at_or_below(g.name, zone)) std::abort();
      }
      if (s.kind == kStepAnswer) {
        if (s.addresses.empty()) std::abort();
        for (const auto& a : s.addresses)
          if (!is_at_or_below(a.name, zone)) std::abort();
      }
      if (s.kind == kStepCname && s.next_name.empty()) std::abort();
      for (const auto& c : s.cnames)
        if (!is_at_or_below(c.name, zone)) std::abort();
    }
  }
  return 0;
}
