// -w/--write-out: curl's write-out format, filled in with pageload's own figures of a
// run, as curl's tool_writeout.c does it: one table of variable name -> getter. Pure.
//
// Times are seconds from the start of the load (curl's -w format, six decimals), to
// the boundaries of the final hop of the document's redirect chain, as curl -L reports
// them: time_namelookup (its DNS done), time_connect (TCP connected), time_appconnect
// (TLS done; 0 without TLS), time_pretransfer (the request about to go),
// time_starttransfer (the first response byte), time_total (the last byte of the
// document), time_redirect (when the final hop began; 0 without redirects). A phase the
// hop did not have (a reused connection) takes the boundary before it, as curl's do.
// `%{hop.N.VAR}` is VAR for hop N of the chain (0 the first; -1 the last), its times
// from the start of the load too; `%{time_page}` is the whole page, `%{num_requests}`
// the page's request count.
#pragma once

#include <string>

#include "pageload/result.h"
#include "pageload/status.h"

namespace pageload::cli {

// The format with curl's escapes (\n \r \t \\) and %% read; kUsage naming the first
// unknown variable or a %{ without its }, so a bad -w is refused before anything loads.
Status check_write_out(const std::string& format);
// The format filled in for `run` (as checked by check_write_out).
std::string write_out(const std::string& format, const Run& run);

// The hops of the page's document (request 0 and the redirects from it), in order.
std::vector<const Request*> document_chain(const Run& run);

}  // namespace pageload::cli
