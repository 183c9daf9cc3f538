// What one reply means to a walk from the root (--dns-trace), by the rules a recursive
// resolver follows (RFC 1034 5.3.3, RFC 2181 5.4.1): an answer, a CNAME to follow from the
// root again, a referral one zone down, NXDOMAIN, NODATA, or a reply the walk cannot use
// (a lame server, a referral that does not lead down). Pure: no c-ares, no I/O, so each
// rule is tested on crafted replies.
//
// Only records inside the zone the server was asked as ("in bailiwick") are believed: a
// server for shop.test may give the addresses of www.shop.test, not of www.bank.test, and
// glue only for name servers inside its own zone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dns/reply.h"
#include "pageload/result.h"

namespace pageload::dns {

inline constexpr std::string_view kStepReferral = "referral";
inline constexpr std::string_view kStepAnswer = "answer";
inline constexpr std::string_view kStepCname = "cname";
inline constexpr std::string_view kStepNxDomain = "nxdomain";
inline constexpr std::string_view kStepNoData = "nodata";
inline constexpr std::string_view kStepError = "error";
inline constexpr std::string_view kStepTimeout = "timeout";

struct StepReading {
  std::string_view kind;  // one of the kStep* words above but timeout
  // error: why the walk cannot use this reply (kDnsLameDelegation, kDnsReferralLoop,
  // kDnsServfail, kDnsError) and a short reason; kOk otherwise.
  Code code = Code::kOk;
  std::string reason;
  // referral: the zone handed to, its NS names (in the reply's order) and the glue
  // believed for them (A, AAAA in the reply's order).
  std::string referral_zone;
  std::vector<std::string> ns;
  std::vector<DnsAnswer> glue;
  // answer, cname, nxdomain, nodata: the CNAME links followed inside the zone, in order.
  std::vector<DnsAnswer> cnames;
  // answer: the records of the asked type for the chain's last name.
  std::vector<DnsAnswer> addresses;
  // cname: the name the chain leaves the zone at, to be asked from the root.
  std::string next_name;
};

// The reply of the server asked as `zone` ("" the root) for `qname` (as name_key writes
// it) and `qtype` (kTypeA or kTypeAaaa), read by these rules in order:
//  - REFUSED: error, lame (the server does not serve the zone); SERVFAIL: error; any
//    other RCODE but NOERROR and NXDOMAIN: error.
//  - the answer section, from qname: records of qtype end an answer; a CNAME is followed
//    while its target stays in the zone (a target seen before is a CNAME loop: error),
//    and leaving the zone, or a chain with no record of qtype at its end, is a cname
//    step to ask the root again for the last name.
//  - NXDOMAIN (after any CNAMEs): nxdomain.
//  - NS records in the authority section for a zone strictly below `zone` that holds
//    qname, and no SOA: a referral. NS records for `zone` itself or a zone above it: a
//    referral loop (error); for a zone that does not hold qname: lame (error).
//  - AA set, or an SOA in the authority section: nodata.
//  - anything else (not authoritative, no referral): lame (error).
StepReading read_step(const Reply& reply, std::string_view zone, std::string_view qname, uint16_t qtype);

}  // namespace pageload::dns
