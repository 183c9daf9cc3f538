// A page in a terminal: one aligned line per request, its columns fitted to the width, the
// notes that belong under a line, totals by host and by type, and the page's figures.
// `pageload run` prints it as the summary and `pageload show` above the per-request
// detail. Formatting only; every string from outside goes through safe().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pageload/result.h"

namespace pageload::cli {

// Columns of a summary when standard output is not a terminal.
inline constexpr int kDefaultWidth = 120;

// Requests the summary of `pageload run` lists before it leaves the rest to `show`.
inline constexpr std::size_t kSummaryRows = 40;

struct TableStyle {
  int width = kDefaultWidth;  // columns the lines should fit in
  bool color = false;         // ANSI colours
  std::size_t max_rows = 0;   // 0: every request
};

// A header line, then for each request in seq order its line and the notes under it
// (a failure's message, warnings, DNS tries, a certificate not verified under -k); a
// note several requests share is printed once, under the first, naming the others.
// With style.max_rows, a big page lists its first max_rows requests and the failed ones
// after them, each gap as "… N requests", the last naming `pageload show RUN`.
// The url column takes what the other columns leave; when it would get too little, the
// total, start and http columns are left out, in that order, and when that is not enough
// each url goes on a line of its own under its request (an 80-column terminal).
std::string format_request_table(const Run& run, const TableStyle& style);

// Totals by host (requests, failed, bytes, connections opened, DNS time; the figures of
// the run_hosts view) and by type (requests, failed, bytes), side by side when they fit.
std::string format_totals(const Run& run, const TableStyle& style);

// "document complete at 13.8 ms · fully loaded at 424.3 ms · 16 requests, 1 failed ·
// 170.3 KB" (bytes as received on the wire).
std::string format_page_figures(const Run& run);

// --- Pieces, shared with output.cpp and tested on their own. ---

// The seq of the request whose response is the page: the last hop of the redirect chain
// of the first request. Nullopt for a run without requests.
std::optional<int> page_document(const Run& run);

// A duration as every pageload output prints it: 0.20, 12.7, 251.3, 1042 (ms).
std::string ms_figure(double ms);
// A size for a table cell: 845B, 9.9K, 512K, 1.2M (K = 1024 bytes).
std::string bytes_cell(int64_t bytes);
// A size in text: 845 B, 9.9 KB, 512 KB, 1.2 MB.
std::string bytes_text(int64_t bytes);

// Columns `s` takes on a terminal: one per code point (safe() output is valid UTF-8).
std::size_t display_width(std::string_view s);
// `s` cut to `width` columns with "…" in the middle: its first `keep_head` columns (as
// long as 10 columns of its end still fit) and as much of its end as fits. Never cuts
// inside a character.
std::string cut_middle(std::string_view s, std::size_t width, std::size_t keep_head);

// `label` (a url_label) cut to `width` columns: its query first ("?…"), then the middle
// of its path, keeping the host whole where it can.
std::string fit_label(const std::string& label, std::size_t width);

// What the url column shows for `r`: host and path, with the scheme and the port only
// where they differ from the page document's (and the port from the scheme's default).
// Never the URL's user or password. Escaped (safe()).
std::string url_label(const Request& r, const Request* document);

}  // namespace pageload::cli
