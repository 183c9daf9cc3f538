// The report: one self-contained HTML file drawing a run as a waterfall, in the manner
// of WebPageTest's and DevTools' waterfalls. Templates, CSS and JS come from web/,
// compiled into the binary; the page references no external URL and opens offline.
#pragma once

#include <string>
#include <string_view>
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

// The mark a report carries of its database: "db:" and the first 16 hex digits of the
// SHA-256 of the database's identity (store::Database::identity(): the random id it was
// made with), so that a database moved or renamed keeps its reports and a new database at
// the same path (rm pageload.db, run again) is another one. Empty for an empty identity.
std::string database_marker(std::string_view identity);
// The mark pageload 0.1.0 reports carried before the identity: "sha256:" and the first 16
// hex digits of the SHA-256 of the database file's absolute path, symbolic links resolved.
std::string legacy_database_marker(const std::string& database_path);
// What a report is written with, and what an existing report may carry to be taken as one
// of the same database: its marker, or, for a database older than ids (migrated to them),
// the legacy mark of its path, which its reports written before carry. A database made
// with an id has no legacy mark: an old report at its path is another database's.
struct DatabaseMark {
  std::string marker;
  std::string legacy;
};
DatabaseMark database_mark(std::string_view identity, const std::string& database_path, bool older_than_ids);
// The marker a report file carries; empty when `path` is no regular file, cannot be read,
// or is a report without one (written before reports carried it). Never opens a FIFO,
// a device or through a symbolic link.
std::string read_database_marker(const std::string& path);

// Renders `run` and writes it to `path`, replacing a regular file there through a
// temporary file and rename (core/file.h): a symbolic link, FIFO, directory or device at
// `path` is refused, never followed or opened. Fails with kFile, naming the path, when
// the file cannot be written.
//
// `database.marker` is written into the page (see render_html). With a non-empty
// `if_other_database` (a default name, pageload-run-ID.html, rather than a name the user
// gave), a report at `path` that carries a mark other than `database`'s is not replaced:
// kFile "report: PATH is the report of a run of another database (...); not replaced:
// remove it, or IF_OTHER_DATABASE", so that another database's run with the same id keeps
// its report. `if_other_database` says what else the user can do (e.g. "name the report
// (--html FILE)").
Status write_html_report(const Run& run, const std::string& path, const DatabaseMark& database = {},
                         std::string_view if_other_database = {});
// As write_html_report, for a page already rendered: `html` is render_html(run,
// database.marker), drawn while something else went on (the run's rows being stored).
Status write_rendered_report(const std::string& html, const std::string& path, const DatabaseMark& database = {},
                             std::string_view if_other_database = {});
// The check write_html_report makes before it writes: Ok, or the kFile refusal it would
// give. For a caller writing several reports, to refuse before writing any.
Status check_not_other_database(const std::string& path, const DatabaseMark& database,
                                std::string_view if_other_database);

// `pageload report RUN... -o FILE.html`: one page listing runs, each linking to its own
// report at `href` (relative to the page). Pure, as render_html.
struct IndexEntry {
  const Run* run = nullptr;
  std::string href;
};
std::string render_index(const std::vector<IndexEntry>& entries, const std::string& database = "");

}  // namespace pageload::report
