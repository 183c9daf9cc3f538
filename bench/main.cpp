// pageload_bench fidelity|cost|scale|db|report|dns-trace|page|page-report|repeat-view|all|profile [--quick] [--out DIR] [--pageload PATH]
//                check [DIR]
// Starts the lab in-process, runs the chosen benchmarks and writes DIR/latest.md and
// DIR/latest.csv (`all`) or DIR/NAME.md and DIR/NAME.csv (one benchmark). Exit 0 when
// every benchmark ran (goals missed or not), 1 when one could not run, 2 on usage.
#include <sys/utsname.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>

#include "harness.h"

namespace {

using namespace bench;

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::string file_field(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      auto v = line.substr(colon + 1);
      return v.substr(v.find_first_not_of(" \t"));
    }
  return "?";
}

std::string loadavg() {
  double l[3] = {0, 0, 0};
  if (getloadavg(l, 3) != 3) return "?";
  return fmt(l[0]) + " " + fmt(l[1]) + " " + fmt(l[2]);
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return buf;
}

std::string version_of(const std::vector<std::string>& argv) {
  try {
    auto r = run_process(argv, {true, true, ""});
    return first_line(r.out.empty() ? r.err : r.out);
  } catch (...) {
    return "not found";
  }
}

// One row per table with a goal column: how many rows met their goal, and which missed.
Table summarize(const std::vector<Table>& tables) {
  Table s;
  s.section = "summary";
  s.title = "Summary: goals met and missed";
  s.notes = {"Counted from the goal column of each table below; the tables give the figures and the notes why."};
  s.columns = {"table", "met", "missed", "rows that missed"};
  for (const auto& t : tables) {
    size_t col = t.columns.size();
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i] == "goal") col = i;
    if (col == t.columns.size()) continue;
    int met = 0, missed = 0;
    std::string which;
    for (const auto& r : t.rows) {
      if (col >= r.size()) continue;
      if (r[col].rfind("met", 0) == 0) ++met;
      else if (r[col].rfind("missed", 0) == 0) {
        ++missed;
        std::string key = r[0];
        if (t.section == "agreement" || t.section == "scale") key += " " + r[1];
        which += (which.empty() ? "" : "; ") + key;
      }
    }
    s.add({t.title.substr(0, t.title.find(':')), std::to_string(met), std::to_string(missed), which.empty() ? "-" : which});
  }
  return s;
}

int usage() {
  std::cerr << "usage: pageload_bench fidelity|cost|scale|db|report|dns-trace|page|page-report|repeat-view|all|profile [--quick] [--out DIR] [--pageload PATH]\n"
               "       pageload_bench check [DIR]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage();
  Context ctx;
  ctx.source_dir = PAGELOAD_SOURCE_DIR;
  ctx.pageload = PAGELOAD_BINARY;
  std::string out = ctx.source_dir + "/bench/results";
  std::string what = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--quick") ctx.quick = true;
    else if (args[i] == "--out" && i + 1 < args.size()) out = args[++i];
    else if (args[i] == "--pageload" && i + 1 < args.size()) ctx.pageload = args[++i];
    else if (what == "check" && args[i][0] != '-') out = args[i];
    else return usage();
  }
  if (what == "check") return check_results(out) ? 0 : 1;

  using Bench = std::function<std::vector<Table>(Context&)>;
  const std::vector<std::pair<std::string, Bench>> all{
      {"fidelity", bench_fidelity}, {"cost", bench_cost}, {"scale", bench_scale},
      {"db", bench_db},             {"report", bench_report},     {"dns-trace", bench_dns_trace}, {"page", bench_page},
      {"page-report", bench_page_report}, {"repeat-view", bench_repeat_view},
  };
  std::vector<std::pair<std::string, Bench>> chosen;
  for (const auto& b : all)
    if (what == "all" || what == b.first) chosen.push_back(b);
  if (what == "profile" || (what == "all" && !ctx.quick)) chosen.push_back({"profile", [&out](Context& c) { return bench_profile(c, out); }});
  if (chosen.empty()) return usage();

  char work_template[] = "/tmp/pageload-bench-XXXXXX";
  if (!mkdtemp(work_template)) {
    std::perror("mkdtemp");
    return 1;
  }
  ctx.work = work_template;
  auto lab = pageload::lab::Lab::start();
  if (!lab.ok()) {
    std::cerr << "pageload_bench: cannot start the lab: " << lab.status().message() << "\n";
    return 1;
  }
  ctx.lab = lab.value().get();

  utsname u{};
  uname(&u);
  std::vector<std::pair<std::string, std::string>> machine{
      {"date (UTC)", utc_now()},
      {"mode", ctx.quick ? "quick (smoke: few loads, small sizes)" : "full"},
      {"cpu", file_field("/proc/cpuinfo", "model name")},
      {"nproc", std::to_string(sysconf(_SC_NPROCESSORS_ONLN))},
      {"memory", file_field("/proc/meminfo", "MemTotal")},
      {"kernel", std::string(u.sysname) + " " + u.release},
      {"os", [] {
         std::string v = file_field("/etc/os-release", "PRETTY_NAME");
         std::ifstream in("/etc/os-release");
         std::string line;
         while (std::getline(in, line))
           if (line.rfind("PRETTY_NAME=", 0) == 0) return line.substr(12);
         return v;
       }()},
      {"compiler", std::string("g++ ") + __VERSION__},
      {"pageload", version_of({ctx.pageload, "--version"}) + " (" + ctx.pageload + ")"},
      {"curl", version_of({ctx.curl, "--version"})},
      {"sqlite3", version_of({ctx.sqlite3, "--version"}).substr(0, 40)},
      {"chromium", version_of({ctx.chromium, "--version"})},
      {"git commit", version_of({"/usr/bin/git", "-C", ctx.source_dir, "rev-parse", "--short", "HEAD"})},
      {"load average at start", loadavg()},
  };

  std::vector<Table> tables;
  bool failed = false;
  for (const auto& [name, bench] : chosen) {
    std::cerr << "pageload_bench: " << name << (ctx.quick ? " (quick)" : "") << "\n";
    try {
      auto ts = bench(ctx);
      tables.insert(tables.end(), ts.begin(), ts.end());
    } catch (const std::exception& e) {
      std::cerr << "pageload_bench: " << name << " failed: " << e.what() << "\n";
      Table t;
      t.section = name;
      t.title = name + ": could not run";
      t.columns = {"error", "detail"};
      t.add({"failed", e.what()});
      tables.push_back(t);
      failed = true;
    }
  }
  machine.push_back({"load average at end", loadavg()});
  tables.insert(tables.begin(), summarize(tables));

  std::filesystem::create_directories(out);
  std::string base = what == "all" ? "latest" : what;
  std::ofstream(out + "/" + base + ".md") << to_markdown(machine, tables);
  std::ofstream(out + "/" + base + ".csv") << to_csv(machine, tables);
  std::cerr << "pageload_bench: wrote " << out << "/" << base << ".md and .csv\n";
  std::filesystem::remove_all(ctx.work);
  if (failed) return 1;
  if (what == "all" && !check_results(out)) return 1;
  return 0;
}
