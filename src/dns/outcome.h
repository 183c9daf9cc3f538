// DNS outcomes: the words a DnsQuery/DnsLookup records for how a query ended, which of
// them wins when the queries of one lookup disagree, and the Code and message a failed
// lookup carries. Pure: no c-ares, no I/O.
#pragma once

#include <string>
#include <string_view>

#include "pageload/status.h"

namespace pageload::dns {

inline constexpr std::string_view kNoError = "NOERROR";   // addresses answered
inline constexpr std::string_view kNxDomain = "NXDOMAIN"; // the name does not exist
inline constexpr std::string_view kServFail = "SERVFAIL"; // the server failed
inline constexpr std::string_view kRefused = "REFUSED";   // the server refused the query
inline constexpr std::string_view kNoData = "NODATA";     // name exists, no record of the type
inline constexpr std::string_view kTimeout = "TIMEOUT";   // no reply within the tries
inline constexpr std::string_view kBadReply = "BADREPLY"; // a reply that does not parse
inline constexpr std::string_view kError = "ERROR";       // anything else (local, network)
// A walk from the root (--dns-trace) that could not reach an answer:
inline constexpr std::string_view kLame = "LAME";               // every server of a zone was lame
inline constexpr std::string_view kUnreachable = "UNREACHABLE"; // ... silent or unreachable
inline constexpr std::string_view kLoop = "LOOP";               // the referrals lead back
inline constexpr std::string_view kTooDeep = "TOODEEP";         // past a bound of the walk

// The code a lookup that ended with `outcome` fails with: kOk for NOERROR, kDnsNxdomain
// for NXDOMAIN and so on; kDnsError for ERROR and for any word not listed above.
Code code_for_outcome(std::string_view outcome);

// How much an outcome says about why a lookup found no address; when the A and AAAA
// queries of one lookup fail differently the higher rank is the lookup's outcome:
// NXDOMAIN > SERVFAIL > LAME > LOOP > TOODEEP > UNREACHABLE > REFUSED > TIMEOUT > BADREPLY >
// ERROR > NODATA. NOERROR ranks above all of them (any address makes the lookup a success).
int outcome_rank(std::string_view outcome);

// The failure message of a lookup, e.g. "nxdomain.test: no such name (NXDOMAIN)".
// `family` (0, 4 or 6) words NODATA ("no AAAA record"); ERROR and BADREPLY name the
// c-ares status since there it is the only detail there is.
std::string failure_message(std::string_view host, int family, std::string_view outcome,
                            std::string_view ares_status);

}  // namespace pageload::dns
