// The report: one self-contained HTML file drawing a run as a waterfall, in the manner
// of WebPageTest's and DevTools' waterfalls. Templates, CSS and JS come from web/,
// compiled into the binary; the page references no external URL and opens offline.
#pragma once

#include <string>
#include <vector>

#include "pageload/result.h"
#include "pageload/status.h"

namespace pageload::report {

// The whole page for `run`. Pure: reads only `run`, no I/O; any thread may call it.
// Every string taken from the run is escaped for its HTML context; no network string
// ever becomes a URL-bearing attribute. Works for any Run, including one with no
// requests, absent phases or a failure.
// `database`: database_marker() of the database the run came from, written into the page
// (a <meta name="pageload-database">) so a later write can tell whose report a file is;
// empty: none.
std::string render_html(const Run& run, const std::string& database = "");

// The mark a report carries of its database: "sha256:" and the first 16 hex digits of the
// SHA-256 of the database file's absolute path, symbolic links resolved (its location, not its
// contents, and not the path itself, which a shared report would give away).
std::string database_marker(const std::string& database_path);
// The marker a report file carries; empty when `path` is no regular file, cannot be read,
// or is a report without one (written before reports carried it). Never opens a FIFO,
// a device or through a symbolic link.
std::string read_database_marker(const std::string& path);

// Renders `run` and writes it to `path`, replacing a regular file there through a
// temporary file and rename (core/file.h): a symbolic link, FIFO, directory or device at
// `path` is refused, never followed or opened. Fails with kFile, naming the path, when
// the file cannot be written.
//
// `database` is written into the page (see render_html). With `keep_other_database` (the
// default name, pageload-run-ID.html, rather than a name the user gave), a report at
// `path` whose marker names another database is not replaced: kFile, saying so, so that
// the run of another database with the same id keeps its report.
Status write_html_report(const Run& run, const std::string& path, const std::string& database = "",
                         bool keep_other_database = false);

// `pageload report RUN... -o FILE.html`: one page listing runs, each linking to its own
// report at `href` (relative to the page). Pure, as render_html.
struct IndexEntry {
  const Run* run = nullptr;
  std::string href;
};
std::string render_index(const std::vector<IndexEntry>& entries, const std::string& database = "");

}  // namespace pageload::report
