// The compare view: two runs in one self-contained HTML page (web/compare.html.mustache):
// what changed, the figures side by side, and both waterfalls on one time axis, aligned by
// start or by the document's first byte (a switch in the page, no script). As the single
// report: no external URL, every string from the runs escaped, opens offline.
#pragma once

#include <string>

#include "pageload/result.h"
#include "pageload/status.h"
#include "report/compare_layout.h"

namespace pageload::report {

// What each side is called: "run 12", "group 3 (median run 14)".
struct CompareSides {
  std::string a, b;
};

// The page comparing `a` (before) with `b` (after), opening aligned as `align`. Pure.
std::string render_compare_html(const Run& a, const Run& b, const CompareSides& names, Align align,
                                const std::string& database = "");

// Renders and writes it to `path` through a temporary file and rename (core/file.h: a
// symbolic link, FIFO or directory at `path` is refused). kFile naming the path on failure.
Status write_compare_html(const Run& a, const Run& b, const CompareSides& names, Align align,
                          const std::string& path, const std::string& database = "");

}  // namespace pageload::report
