#include "pageload/status.h"

#include <array>

namespace pageload {
namespace {

constexpr std::array kCodes{
    CodeInfo{Code::kOk, "ok", Origin::kNone, kExitOk},
    CodeInfo{Code::kDnsNxdomain, "dns_nxdomain", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kDnsServfail, "dns_servfail", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kDnsNoData, "dns_nodata", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kDnsRefused, "dns_refused", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kDnsTimeout, "dns_timeout", Origin::kNetwork, kExitNetwork},
    CodeInfo{Code::kDnsBadReply, "dns_bad_reply", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kDnsError, "dns_error", Origin::kNetwork, kExitNetwork},
    CodeInfo{Code::kDnsLameDelegation, "dns_lame_delegation", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kDnsUnreachable, "dns_unreachable", Origin::kNetwork, kExitNetwork},
    CodeInfo{Code::kDnsReferralLoop, "dns_referral_loop", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kDnsTooDeep, "dns_too_deep", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kConnectRefused, "connect_refused", Origin::kNetwork, kExitNetwork},
    CodeInfo{Code::kConnectTimeout, "connect_timeout", Origin::kNetwork, kExitNetwork},
    CodeInfo{Code::kConnectUnreachable, "connect_unreachable", Origin::kNetwork, kExitNetwork},
    CodeInfo{Code::kConnectError, "connect_error", Origin::kNetwork, kExitNetwork},
    CodeInfo{Code::kTlsCertExpired, "tls_cert_expired", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kTlsCertUntrusted, "tls_cert_untrusted", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kTlsCertHostname, "tls_cert_hostname", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kTlsHandshake, "tls_handshake", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kTlsAlert, "tls_alert", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kSendError, "send_error", Origin::kNetwork, kExitNetwork},
    CodeInfo{Code::kRecvError, "recv_error", Origin::kNetwork, kExitNetwork},
    CodeInfo{Code::kProtocolError, "protocol_error", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kTimeout, "timeout", Origin::kNetwork, kExitNetwork},
    CodeInfo{Code::kTooLarge, "too_large", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kRedirectLoop, "redirect_loop", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kTooManyRedirects, "too_many_redirects", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kBadRedirect, "bad_redirect", Origin::kServer, kExitNetwork},
    CodeInfo{Code::kInterrupted, "interrupted", Origin::kLocal, kExitInterrupted},
    CodeInfo{Code::kBadUrl, "bad_url", Origin::kUsage, kExitUsage},
    CodeInfo{Code::kUsage, "usage", Origin::kUsage, kExitUsage},
    CodeInfo{Code::kDatabase, "database", Origin::kLocal, kExitLocal},
    CodeInfo{Code::kFile, "file", Origin::kLocal, kExitLocal},
    CodeInfo{Code::kLocalResource, "local_resource", Origin::kLocal, kExitLocal},
    CodeInfo{Code::kInternal, "internal", Origin::kLocal, kExitLocal},
};

// The table is indexed by the enum; this fails to compile if they drift apart.
constexpr bool table_matches_enum() {
  for (std::size_t i = 0; i < kCodes.size(); ++i)
    if (static_cast<std::size_t>(kCodes[i].code) != i) return false;
  return kCodes.size() == static_cast<std::size_t>(Code::kInternal) + 1;
}
static_assert(table_matches_enum(), "kCodes must list every Code in enum order");

}  // namespace

const CodeInfo& code_info(Code code) { return kCodes[static_cast<std::size_t>(code)]; }

std::string_view code_name(Code code) { return code_info(code).name; }

Code code_from_name(std::string_view name) {
  for (const auto& info : kCodes)
    if (info.name == name) return info.code;
  return Code::kInternal;
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  return std::string(name()) + ": " + message_;
}

}  // namespace pageload
