// A page in a terminal: one aligned line per request, its columns fitted to the width, and
// the notes that belong under a line (the totals are cli/page_totals.h). `pageload run`
// prints it as the summary and `pageload show` above the per-request detail. Formatting
// only; every string from outside goes through safe().
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "cli/cells.h"
#include "pageload/result.h"

namespace pageload::cli {

// Requests the summary of `pageload run` lists before it leaves the rest to `show`.
inline constexpr std::size_t kSummaryRows = 40;

// A header line, then for each request in seq order its line and the notes under it
// (a failure's message, warnings, DNS tries, a certificate not verified under -k); a
// note several requests share is printed once, under the first, naming the others.
// With style.max_rows, a big page lists its first max_rows requests and the failed ones
// after them, each gap as "… N requests", the last naming `pageload show RUN`.
// The url column takes what the other columns leave; when it would get too little, the
// total, prio, start and http columns are left out, in that order, and when that is not enough
// each url goes on a line of its own under its request (an 80-column terminal).
std::string format_request_table(const Run& run, const TableStyle& style);

// --- Pieces, tested on their own. ---

// The seq of the request whose response is the page: the last hop of the redirect chain
// of the first request. Nullopt for a run without requests.
std::optional<int> page_document(const Run& run);

// `label` (a url_label) cut to `width` columns: its query first ("?…"), then the middle
// of its path, keeping the host whole where it can.
std::string fit_label(const std::string& label, std::size_t width);

// What the url column shows for `r`: host and path, with the scheme and the port only
// where they differ from the page document's (and the port from the scheme's default).
// Never the URL's user or password. Escaped (safe()).
std::string url_label(const Request& r, const Request* document);

}  // namespace pageload::cli
