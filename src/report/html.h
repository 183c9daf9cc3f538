// The report: one self-contained HTML file drawing a run as a waterfall, in the manner
// of WebPageTest's and DevTools' waterfalls. Templates, CSS and JS come from web/,
// compiled into the binary; the page references no external URL and opens offline.
#pragma once

#include <string>

#include "pageload/result.h"
#include "pageload/status.h"

namespace pageload::report {

// The whole page for `run`. Pure: reads only `run`, no I/O; any thread may call it.
// Every string taken from the run is escaped for its HTML context; no network string
// ever becomes a URL-bearing attribute. Works for any Run, including one with no
// requests, absent phases or a failure.
std::string render_html(const Run& run);

// Renders `run` and writes it to `path`, replacing a regular file there through a
// temporary file and rename (core/file.h): a symbolic link, FIFO, directory or device at
// `path` is refused, never followed or opened. Fails with kFile, naming the path, when
// the file cannot be written.
Status write_html_report(const Run& run, const std::string& path);

}  // namespace pageload::report
