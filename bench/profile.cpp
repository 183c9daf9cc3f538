// Profile: one whole `pageload run` under callgrind (instruction counts are repeatable
// where wall times are not), for an http and an https single hop, each writing its run
// into a copy of the same 10-run database and its HTML report. Writes the totals as a
// table and callgrind_annotate's top inclusive costs to DIR/profile-*.txt.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "loads.h"

namespace bench {

std::vector<Table> bench_profile(Context& ctx, const std::string& out_dir) {
  namespace fs = std::filesystem;
  const std::string valgrind = "/usr/bin/valgrind", annotate = "/usr/bin/callgrind_annotate";
  Table t;
  t.section = "profile";
  t.title = "Profile: instructions of one whole pageload run (callgrind)";
  t.columns = {"case", "pageload instructions", "curl instructions", "ratio"};
  if (!fs::exists(valgrind) || !fs::exists(annotate)) {
    t.add({"skipped: valgrind not installed", "-", "-", "-"});
    return {t};
  }
  const int http = ctx.lab->http_port(), https = ctx.lab->https_port();
  const std::string snapshot = ctx.tmp("profile-snapshot.db"), db = ctx.tmp("profile.db");
  auto instructions = [](const std::string& err) -> double {
    auto at = err.find("refs:");
    if (at == std::string::npos) return -1;
    std::string digits;
    for (char c : err.substr(at + 5, 40)) {
      if (c >= '0' && c <= '9') digits += c;
      else if (c == '\n') break;
    }
    return digits.empty() ? -1 : std::stod(digits);
  };
  for (bool tls : {false, true}) {
    LoadSpec spec{std::string(tls ? "https" : "http") + "://www.test:" + std::to_string(tls ? https : http) + "/",
                  "www.test", tls ? https : http, tls, false, false};
    // The same starting database each time: its WAL's size changes what opening it costs.
    for (const char* s : {"", "-wal", "-shm"}) fs::remove(snapshot + s);
    for (int i = 0; i < 10; ++i) {
      auto argv = pageload_argv(ctx, spec, snapshot);
      argv.insert(argv.end(), {"-q", "--no-html"});
      run_process(argv, {false, false, ""});
    }
    run_process({ctx.sqlite3, snapshot, "PRAGMA wal_checkpoint(TRUNCATE)"}, {false, false, ""});
    for (const char* s : {"", "-wal", "-shm"}) fs::remove(db + s);
    fs::copy_file(snapshot, db);
    const std::string name = tls ? "https" : "http";
    const std::string cg = ctx.tmp("callgrind-" + name + ".out");
    auto argv = pageload_argv(ctx, spec, db);
    argv.insert(argv.end(), {"-q", "--html", ctx.tmp("profile.html")});
    argv.insert(argv.begin(), {valgrind, "--tool=callgrind", "--callgrind-out-file=" + cg});
    ProcResult p = run_process(argv, {false, true, ""});
    if (p.exit_code != 0) throw std::runtime_error("callgrind of pageload failed: " + p.err.substr(0, 300));
    auto cargv = curl_argv(ctx, spec, false);
    cargv.insert(cargv.begin(), {valgrind, "--tool=callgrind", "--callgrind-out-file=" + ctx.tmp("callgrind-curl.out")});
    ProcResult q = run_process(cargv, {false, true, ""});
    double pi = instructions(p.err), ci = instructions(q.err);
    ProcResult a = run_process({annotate, "--inclusive=yes", cg}, {true, false, ""});
    std::ofstream(out_dir + "/profile-" + name + ".txt") << a.out.substr(0, 60000);
    t.add({name + " single hop, database + report", fmt(pi, 0), fmt(ci, 0), fmt(pi / ci)});
    std::cerr << "  profile: " << name << " " << fmt(pi, 0) << " vs curl " << fmt(ci, 0) << "\n";
  }
  t.notes = {"`valgrind --tool=callgrind` on one `pageload run` (a copy of the same 10-run database, HTML report "
             "written, `--resolve`) and on `curl -s -o /dev/null` for the same URL. Top inclusive costs: "
             "`bench/results/profile-http.txt` and `profile-https.txt` (callgrind_annotate --inclusive=yes)."};
  return {t};
}

}  // namespace bench
