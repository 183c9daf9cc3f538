#include "dns/outcome.h"

#include <array>
#include <utility>

namespace pageload::dns {
namespace {

struct OutcomeInfo {
  std::string_view outcome;
  Code code;
  int rank;
  std::string_view text;  // what the failure message says
};

constexpr std::array kOutcomes{
    OutcomeInfo{kNoError, Code::kOk, 100, "answered"},
    OutcomeInfo{kNxDomain, Code::kDnsNxdomain, 12, "no such name"},
    OutcomeInfo{kServFail, Code::kDnsServfail, 11, "the server failed to answer"},
    OutcomeInfo{kLame, Code::kDnsLameDelegation, 10, "lame delegation"},
    OutcomeInfo{kLoop, Code::kDnsReferralLoop, 9, "referral loop"},
    OutcomeInfo{kTooDeep, Code::kDnsTooDeep, 8, "too deep"},
    OutcomeInfo{kUnreachable, Code::kDnsUnreachable, 7, "no server answered"},
    OutcomeInfo{kRefused, Code::kDnsRefused, 5, "the server refused the query"},
    OutcomeInfo{kTimeout, Code::kDnsTimeout, 4, "no reply in time"},
    OutcomeInfo{kBadReply, Code::kDnsBadReply, 3, "malformed reply"},
    OutcomeInfo{kError, Code::kDnsError, 2, "resolver error"},
    OutcomeInfo{kNoData, Code::kDnsNoData, 1, "no address record"},
};

const OutcomeInfo& info(std::string_view outcome) {
  for (const auto& i : kOutcomes)
    if (i.outcome == outcome) return i;
  static constexpr OutcomeInfo kUnknown{kError, Code::kDnsError, 0, "resolver error"};
  return kUnknown;
}

}  // namespace

Code code_for_outcome(std::string_view outcome) { return info(outcome).code; }

int outcome_rank(std::string_view outcome) { return info(outcome).rank; }

std::string failure_message(std::string_view host, int family, std::string_view outcome,
                            std::string_view ares_status) {
  std::string text(info(outcome).text);
  if (outcome == kNoData)
    text = family == 4 ? "no A record" : family == 6 ? "no AAAA record" : "no A or AAAA record";
  if ((outcome == kError || outcome == kBadReply) && !ares_status.empty())
    text += std::string(" ") + std::string(ares_status);
  return std::string(host) + ": " + text + " (" + std::string(info(outcome).outcome) + ")";
}

}  // namespace pageload::dns
