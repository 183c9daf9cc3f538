// pageload_bench: the benchmark harness (not a test). It starts the lab in-process for
// ground truth, runs build/pageload and /usr/bin/curl as child processes and writes
// what it measured as markdown and CSV tables. Timing goals are reported, never
// asserted: they depend on the machine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lab/lab.h"

namespace bench {

// ---- child processes (process.cpp) ----

struct SpawnOptions {
  bool capture_stdout = true;
  bool capture_stderr = false;  // else /dev/null
  std::string cwd;              // empty: ours
};

struct ProcResult {
  int exit_code = -1;  // or 128 + signal
  double wall_ms = 0;  // spawn to reaped, on the monotonic clock
  long maxrss_kb = 0;  // peak RSS of the child (wait4's rusage)
  double cpu_ms = 0;   // user + system CPU of the child and the children it waited for
  std::string out, err;
};

// Runs argv[0] (a path: no PATH search, no shell) with our environment and waits.
// Throws std::runtime_error if it cannot be started.
ProcResult run_process(const std::vector<std::string>& argv, const SpawnOptions& options = {});

// ---- statistics (stats.cpp) ----

double median(std::vector<double> v);
double percentile(std::vector<double> v, double p);  // nearest rank, p in [0,100]
double max_of(const std::vector<double>& v);
std::string fmt(double v, int decimals = 2);

// ---- results (results.cpp) ----

struct Table {
  std::string section;  // key for CSV, e.g. "fidelity"
  std::string title;
  std::vector<std::string> notes;  // lines under the title
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  void add(std::vector<std::string> row) { rows.push_back(std::move(row)); }
};

// Markdown of the machine description and every table.
std::string to_markdown(const std::vector<std::pair<std::string, std::string>>& machine,
                        const std::vector<Table>& tables);
// Long CSV: section,row,column,value (first column of a table is its row key).
std::string to_csv(const std::vector<std::pair<std::string, std::string>>& machine, const std::vector<Table>& tables);
// Checks that the files in `dir` are well formed; prints problems; false if any.
bool check_results(const std::string& dir);

// ---- shared context ----

struct Context {
  bool quick = false;
  std::string pageload;  // path of build/pageload
  std::string curl = "/usr/bin/curl";
  std::string sqlite3 = "/usr/bin/sqlite3";
  std::string node = "/usr/bin/node";
  std::string chromium = "/usr/bin/chromium";
  std::string source_dir;
  std::string work;  // a temp dir for databases and reports
  pageload::lab::Lab* lab = nullptr;
  int loads(int full, int quick_n) const { return quick ? quick_n : full; }
  std::string tmp(const std::string& name) const { return work + "/" + name; }
  // --resolve HOST:PORT:127.0.0.1 for the lab's ports.
  std::string resolve(const std::string& host, int port) const {
    return host + ":" + std::to_string(port) + ":127.0.0.1";
  }
};

std::vector<Table> bench_fidelity(Context& ctx);
std::vector<Table> bench_cost(Context& ctx);
std::vector<Table> bench_scale(Context& ctx);
std::vector<Table> bench_db(Context& ctx);
std::vector<Table> bench_report(Context& ctx);
std::vector<Table> bench_page(Context& ctx);
std::vector<Table> bench_page_report(Context& ctx);
std::vector<Table> bench_repeat_view(Context& ctx);
std::vector<Table> bench_dns_trace(Context& ctx);
// Not part of `all` (valgrind is slow): `pageload_bench profile` writes DIR/profile-*.txt.
std::vector<Table> bench_profile(Context& ctx, const std::string& out_dir);

// curl -w fields pageload is compared on, in seconds as curl prints them.
struct CurlTimes {
  double namelookup = 0, connect = 0, appconnect = 0, pretransfer = 0, starttransfer = 0, total = 0;
  int status = 0;
};
inline constexpr const char* kCurlWriteOut =
    "%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} "
    "%{time_total} %{http_code}\\n";
std::optional<CurlTimes> parse_curl_times(const std::string& out);

}  // namespace bench
