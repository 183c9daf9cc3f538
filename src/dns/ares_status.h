// c-ares status codes as words: the name of every status (stored as ares_status) and the
// DNS outcome each one means for a query made with ares_getaddrinfo. The codes are
// plain ints here so that this header, like every dns header, stays free of <ares.h>.
#pragma once

#include <string>
#include <string_view>

namespace pageload::dns {

// "ARES_ENOTFOUND" for ARES_ENOTFOUND; "ARES_UNKNOWN_<n>" for a code c-ares 1.18 lacks.
std::string ares_status_name(int status);

// The outcome of one ares_getaddrinfo query (one family) that ended with `status`, with
// the resolver's own flags (lookups "b", no search domains). c-ares folds the answer's
// rcode into its status: NXDOMAIN -> ARES_ENOTFOUND, NOERROR without records ->
// ARES_ENODATA, SERVFAIL -> ARES_ESERVFAIL, REFUSED -> ARES_EREFUSED. ARES_SUCCESS maps
// to NOERROR; the caller turns a success without an address of the family into NODATA.
std::string_view outcome_for_ares_status(int status);

}  // namespace pageload::dns
