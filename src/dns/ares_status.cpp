#include "dns/ares_status.h"

#include <ares.h>

#include <array>

#include "dns/outcome.h"

namespace pageload::dns {
namespace {

struct AresStatusInfo {
  int status;
  std::string_view name;
  std::string_view outcome;
};

// Every status of c-ares 1.18, in header order. Only statuses that report what a server
// answered (or did not) get a DNS outcome; the rest are ERROR.
constexpr std::array kStatuses{
    AresStatusInfo{ARES_SUCCESS, "ARES_SUCCESS", kNoError},
    AresStatusInfo{ARES_ENODATA, "ARES_ENODATA", kNoData},
    AresStatusInfo{ARES_EFORMERR, "ARES_EFORMERR", kError},  // server says our query was bad
    AresStatusInfo{ARES_ESERVFAIL, "ARES_ESERVFAIL", kServFail},
    AresStatusInfo{ARES_ENOTFOUND, "ARES_ENOTFOUND", kNxDomain},
    AresStatusInfo{ARES_ENOTIMP, "ARES_ENOTIMP", kError},
    AresStatusInfo{ARES_EREFUSED, "ARES_EREFUSED", kRefused},
    AresStatusInfo{ARES_EBADQUERY, "ARES_EBADQUERY", kError},
    AresStatusInfo{ARES_EBADNAME, "ARES_EBADNAME", kError},
    AresStatusInfo{ARES_EBADFAMILY, "ARES_EBADFAMILY", kError},
    AresStatusInfo{ARES_EBADRESP, "ARES_EBADRESP", kBadReply},
    AresStatusInfo{ARES_ECONNREFUSED, "ARES_ECONNREFUSED", kError},  // nothing listens
    AresStatusInfo{ARES_ETIMEOUT, "ARES_ETIMEOUT", kTimeout},
    AresStatusInfo{ARES_EOF, "ARES_EOF", kError},
    AresStatusInfo{ARES_EFILE, "ARES_EFILE", kError},
    AresStatusInfo{ARES_ENOMEM, "ARES_ENOMEM", kError},
    AresStatusInfo{ARES_EDESTRUCTION, "ARES_EDESTRUCTION", kError},
    AresStatusInfo{ARES_EBADSTR, "ARES_EBADSTR", kError},
    AresStatusInfo{ARES_EBADFLAGS, "ARES_EBADFLAGS", kError},
    AresStatusInfo{ARES_ENONAME, "ARES_ENONAME", kError},
    AresStatusInfo{ARES_EBADHINTS, "ARES_EBADHINTS", kError},
    AresStatusInfo{ARES_ENOTINITIALIZED, "ARES_ENOTINITIALIZED", kError},
    AresStatusInfo{ARES_ELOADIPHLPAPI, "ARES_ELOADIPHLPAPI", kError},
    AresStatusInfo{ARES_EADDRGETNETWORKPARAMS, "ARES_EADDRGETNETWORKPARAMS", kError},
    AresStatusInfo{ARES_ECANCELLED, "ARES_ECANCELLED", kError},
    AresStatusInfo{ARES_ESERVICE, "ARES_ESERVICE", kError},
};

constexpr bool table_is_dense() {
  for (std::size_t i = 0; i < kStatuses.size(); ++i)
    if (kStatuses[i].status != static_cast<int>(i)) return false;
  return true;
}
static_assert(table_is_dense(), "kStatuses must list the c-ares statuses in order, no gaps");

const AresStatusInfo* find(int status) {
  if (status < 0 || static_cast<std::size_t>(status) >= kStatuses.size()) return nullptr;
  return &kStatuses[static_cast<std::size_t>(status)];
}

}  // namespace

std::string ares_status_name(int status) {
  const AresStatusInfo* info = find(status);
  return info ? std::string(info->name) : "ARES_UNKNOWN_" + std::to_string(status);
}

std::string_view outcome_for_ares_status(int status) {
  const AresStatusInfo* info = find(status);
  return info ? info->outcome : kError;
}

}  // namespace pageload::dns
