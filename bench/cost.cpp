// Cost: whole-process wall time and peak RSS of `pageload run` (database write and HTML
// report included) against curl on the same lab URL, as the median of paired ratios.
#include <iostream>
#include <stdexcept>

#include "loads.h"

namespace bench {

std::vector<Table> bench_cost(Context& ctx) {
  const int n = ctx.loads(21, 5);
  const int http = ctx.lab->http_port(), https = ctx.lab->https_port();
  struct Case {
    std::string name;
    LoadSpec spec;
    std::vector<std::string> extra;  // pageload flags beyond DB + HTML
  };
  auto spec = [&](bool tls, const std::string& path, bool dns = false) {
    int port = tls ? https : http;
    return LoadSpec{std::string(tls ? "https" : "http") + "://www.test:" + std::to_string(port) + path, "www.test",
                    port, tls, dns, true};
  };
  std::vector<Case> cases{
      {"http single hop", spec(false, "/"), {}},
      {"https single hop", spec(true, "/"), {}},
      {"http 5-hop chain (curl -L)", spec(false, "/chain/301,302,307,308"), {}},
      {"https 5-hop chain (curl -L)", spec(true, "/chain/301,302,307,308"), {}},
      {"http single hop, pageload --no-html", spec(false, "/"), {"--no-html"}},
      {"http single hop, pageload with lab DNS", spec(false, "/", true), {}},
  };

  Table t;
  t.section = "cost";
  t.title = "Cost: whole process, pageload run vs curl -s -o /dev/null";
  t.notes = {
      std::to_string(n) + " alternating pairs per case after one warm-up of each; wall = spawn to reaped on "
      "CLOCK_MONOTONIC, RSS = wait4() ru_maxrss. pageload writes its run to a database (created by the warm-up) "
      "and its HTML report; both tools get `--resolve` unless the case says lab DNS (curl still `--resolve`).",
      "Goal: median paired ratio ≤ 1.5 and pageload peak RSS < 30 MB.",
  };
  t.columns = {"case", "pairs", "pageload ms", "curl ms", "median ratio", "ratio p95", "pageload RSS MB",
               "curl RSS MB", "goal"};
  const std::string db = ctx.tmp("cost.db");
  const std::string html = ctx.tmp("cost-report.html");
  for (const auto& c : cases) {
    auto argv = pageload_argv(ctx, c.spec, db);
    argv.insert(argv.end(), {"-q"});
    if (c.extra.empty()) argv.insert(argv.end(), {"--html", html});
    argv.insert(argv.end(), c.extra.begin(), c.extra.end());
    auto cargv = curl_argv(ctx, c.spec, false);
    SpawnOptions quiet{false, false, ""};
    auto check = [&](const ProcResult& r, const char* who) {
      if (r.exit_code != 0) throw std::runtime_error(std::string(who) + " failed on " + c.spec.url);
    };
    check(run_process(argv, quiet), "pageload");  // warm-up: creates the database, warms caches
    check(run_process(cargv, quiet), "curl");
    std::vector<double> pw, cw, ratio, prss, crss;
    for (int i = 0; i < n; ++i) {
      ProcResult p, q;
      if (i % 2 == 0) p = run_process(argv, quiet), q = run_process(cargv, quiet);
      else q = run_process(cargv, quiet), p = run_process(argv, quiet);
      check(p, "pageload");
      check(q, "curl");
      pw.push_back(p.wall_ms);
      cw.push_back(q.wall_ms);
      ratio.push_back(p.wall_ms / q.wall_ms);
      prss.push_back(p.maxrss_kb / 1024.0);
      crss.push_back(q.maxrss_kb / 1024.0);
    }
    double r = median(ratio), rss = max_of(prss);
    t.add({c.name, std::to_string(n), fmt(median(pw)), fmt(median(cw)), fmt(r), fmt(percentile(ratio, 95)),
           fmt(rss, 1), fmt(max_of(crss), 1), r <= 1.5 && rss < 30 ? "met" : "missed"});
    std::cerr << "  cost: " << c.name << " ratio " << fmt(r) << " rss " << fmt(rss, 1) << "\n";
  }
  return {t};
}

}  // namespace bench
