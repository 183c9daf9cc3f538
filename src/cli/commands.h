// The subcommands. Each returns the process exit status; main maps nothing itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pageload/options.h"
#include "pageload/status.h"

namespace pageload::store {
class Database;
}

namespace pageload::cli {

struct RunCommand {
  std::vector<std::string> urls;
  LoadOptions options;
  std::vector<std::string> raw_headers, raw_resolve, raw_dns_servers, raw_dns_roots;
  std::vector<std::string> raw_connect_to;  // --connect-to, repeatable
  std::string db;
  std::string html;  // --html PATH
  std::string har;   // --har PATH: the runs as one HAR 1.2 file
  bool no_html = false;
  bool json = false;
  bool quiet = false;
  int parallel = 1;        // --parallel N: loads in flight at once
  std::string input;       // --input FILE: more URLs, one per line ('#' comments)
  bool fail_early = false; // --fail-early: a bad --input line ends the batch (else it is skipped)
  // -d (--data-ascii), --data-raw (as -d, but '@' is just a character) and --data-binary
  // (as -d, but '@FILE' is sent as it is), each repeatable: the parts are joined with
  // '&', as curl joins them, in the order given.
  struct DataPart {
    std::string text;
    bool reads_file = true;  // '@FILE' reads FILE (not for --data-raw)
  };
  std::vector<DataPart> raw_data;
  std::vector<std::string> data_binary;
  // -n/--runs N: the one URL loaded N times, one after another, as the runs of one group
  // (runs.group_id, run_number 1..N); the median run and the spread are printed after them.
  std::optional<int> runs;
  // curl's everyday flags (README "For curl users").
  std::vector<std::string> raw_cookies;  // -b: 'NAME=VALUE; ...' strings or cookie files
  std::string cookie_jar;                // -c FILE ('-': standard output)
  bool head = false;                     // -I: HEAD, and print the response headers
  bool include = false;                  // -i: response headers on standard output
  bool verbose = false;                  // -v: both sides' headers on standard error
  std::string dump_header;               // -D FILE ('-': standard output)
  std::optional<std::string> write_out;  // -w FORMAT or @FILE
  std::optional<std::string> user;       // -u USER:PASSWORD
  std::optional<std::string> proxy_user; // -U USER:PASSWORD
  std::string output;                    // -o FILE: the document's final body
  // The HTTP cache (issue 12). --repeat-view: each URL loaded twice, the second time as a
  // returning visitor (the first view's HTTP cache and cookies, new connections);
  // --cache DIR: the cache kept in DIR/http-cache.db across invocations.
  bool repeat_view = false;
  std::string cache_dir;
};

// Where the database lives: --db, else $PAGELOAD_DB, else ./pageload.db.
std::string database_path(const std::string& flag);
// kUsage when `path` (an output file of `flag`) is the database `db` or its -wal, -shm or
// -journal file, by name or by inode: writing it would destroy every stored run.
Status refuse_database(const std::string& flag, const std::string& path, const std::string& db);

int run_command(RunCommand& cmd);
int list_command(const std::string& db, const std::string& limit, bool json,
                 const std::optional<std::string>& label = std::nullopt);
int show_command(const std::string& db, const std::string& run, bool json);
int report_command(const std::string& db, const std::vector<std::string>& runs, const std::string& out);
// Stores each page of a HAR file as a run (source 'har'); all of them or, on any error, none.
int import_command(const std::string& db, const std::string& file, const std::string& label, bool keep_secrets);
// Writes stored runs as one HAR 1.2 document to `out` (empty or "-": standard output).
int har_command(const std::string& db, const std::vector<std::string>& runs, const std::string& out);
int lab_command(int dns_port, int http_port, int https_port, int dns_root_port);
int demo_command(const std::string& db, const std::string& out_dir);

// `pageload compare A B [-o FILE] [--align start|first-byte]` (compare_command.cpp): the
// terminal comparison and, with -o, the HTML compare view.
int compare_command(const std::string& db, const std::string& a, const std::string& b, const std::string& out,
                    const std::string& align);

// The run `which` names: a run id, or "latest" (or empty) for the newest; kUsage otherwise.
StatusOr<int64_t> pick_run(store::Database& db, const std::string& which);

// What a command printed reached standard output, or exit 4 with one line.
int finish_output();

// Prints "pageload: <message>" on stderr and returns the status's exit code.
int fail(const Status& status);

}  // namespace pageload::cli
