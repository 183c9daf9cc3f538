// Page: the cost of loading a whole lab page (/page/many?n=35: a document naming 35
// stylesheets, scripts and images on four hosts, and its icon) with pageload, against
// curl -Z fetching the same URLs in parallel and against headless Chromium loading the
// page, all measured in the same run. Whole processes: pageload with its database and
// HTML report, curl with every URL on one command line, Chromium launched fresh.
#include <filesystem>
#include <iostream>
#include <set>
#include <stdexcept>

#include "loads.h"

namespace bench {

namespace {

namespace fs = std::filesystem;

struct ChromiumCost {
  double cpu_ms = 0, peak_mb = 0, load_ms = 0;
};

}  // namespace

std::vector<Table> bench_page(Context& ctx) {
  const int n = ctx.loads(15, 3);
  const int chromium_runs = ctx.loads(5, 0);  // --quick (the ctest smoke) leaves Chromium out
  const std::string modules = ctx.source_dir + "/tests/browser/node_modules";
  const bool browser = chromium_runs > 0 && fs::exists(ctx.chromium) && fs::exists(ctx.node) &&
                       fs::exists(modules + "/playwright-core");
  const int port = ctx.lab->https_port();
  const std::string url = "https://www.test:" + std::to_string(port) + "/page/many?n=35";

  Table t;
  t.section = "page";
  t.title = "Page: a 35-resource lab page, pageload run vs curl -Z and headless Chromium";
  t.notes = {
      std::to_string(n) + " alternating pairs of pageload and curl after one warm-up of each; " +
          std::to_string(browser ? chromium_runs : 0) +
          " Chromium loads. Page: " + url.substr(url.find("/page/")) +
          " (37 requests with its icon, hosts www/a/b/c.test). pageload: `pageload run URL --dns-server LAB` "
          "with its database and HTML report; curl: `curl -s -Z --resolve (each host) -o /dev/null URL...` "
          "with the URLs pageload requested, in its order; the HTTP/1.1 case gives both `--http1.1` (curl -Z "
          "then opens up to 50 connections, having no per-host limit). Wall = spawn to reaped; CPU = user + "
          "system from wait4; RSS = ru_maxrss.",
      "Chromium: bench/chromium_page.mjs launches /usr/bin/chromium headless, loads the page in a "
      "1280x720 viewport until the load event and 300 ms of network quiet, and reads /proc for its "
      "process tree (CPU with reaped children; peak memory = the sum of each process's VmHWM, an upper "
      "bound). The launch is included, as pageload's start is.",
      "Goals (issue 9): pageload wall ≤ 2× curl -Z (median of paired ratios); pageload CPU and peak "
      "memory ≤ 1/20 of Chromium's (ratio ≤ 0.05).",
  };
  t.columns = {"case", "pairs", "pageload ms", "curl -Z ms", "median ratio", "pageload CPU ms", "curl CPU ms",
               "pageload RSS MB", "Chromium CPU ms", "Chromium peak MB", "CPU ratio", "memory ratio",
               "Chromium load event ms", "goal"};

  struct Case {
    std::string name;
    bool http11;
  };
  for (const Case& c : {Case{"HTTP/2 (one connection per origin)", false},
                        Case{"HTTP/1.1 (--http1.1, six per host)", true}}) {
    const std::string db = ctx.tmp("page.db");
    const std::string html = ctx.tmp("page-report.html");
    std::vector<std::string> argv{ctx.pageload, "run", url,    "--db",   db,      "--dns-server",
                                  ctx.lab->dns_server(), "--cacert", ctx.lab->ca_file()};
    if (c.http11) argv.push_back("--http1.1");
    // Warm-up, and the URLs the page asks for.
    auto first = argv;
    first.insert(first.end(), {"--json", "--no-html"});
    ProcResult w = run_process(first);
    auto run = nlohmann::json::parse(w.out, nullptr, false);
    if (run.is_discarded() || !run.contains("requests"))
      throw std::runtime_error("pageload failed on " + url + " (exit " + std::to_string(w.exit_code) + ")");
    std::vector<std::string> cargv{ctx.curl, "-s", "-Z", "--cacert", ctx.lab->ca_file()};
    if (c.http11) cargv.push_back("--http1.1");
    std::set<std::string> hosts;
    std::vector<std::string> urls;
    for (const auto& r : run["requests"]) {
      std::string u = r["url"];
      urls.push_back(u);
      auto host_start = u.find("://") + 3;
      hosts.insert(u.substr(host_start, u.find(':', host_start) - host_start));
    }
    for (const auto& h : hosts) cargv.insert(cargv.end(), {"--resolve", ctx.resolve(h, port)});
    for (const auto& u : urls) cargv.insert(cargv.end(), {"-o", "/dev/null", u});

    argv.insert(argv.end(), {"-q", "--html", html});
    SpawnOptions quiet{false, false, ""};
    auto check = [&](const ProcResult& r, const char* who) {
      if (r.exit_code != 0) throw std::runtime_error(std::string(who) + " failed on " + url);
    };
    check(run_process(cargv, quiet), "curl");
    std::vector<double> pw, cw, ratio, pcpu, ccpu, prss;
    for (int i = 0; i < n; ++i) {
      ProcResult p, q;
      if (i % 2 == 0) p = run_process(argv, quiet), q = run_process(cargv, quiet);
      else q = run_process(cargv, quiet), p = run_process(argv, quiet);
      check(p, "pageload");
      check(q, "curl");
      pw.push_back(p.wall_ms);
      cw.push_back(q.wall_ms);
      ratio.push_back(p.wall_ms / q.wall_ms);
      pcpu.push_back(p.cpu_ms);
      ccpu.push_back(q.cpu_ms);
      prss.push_back(p.maxrss_kb / 1024.0);
    }
    std::vector<double> bcpu, bmem, bload;
    for (int i = 0; browser && i < chromium_runs; ++i) {
      ProcResult r = run_process({ctx.node, ctx.source_dir + "/bench/chromium_page.mjs", modules, ctx.chromium, url});
      auto j = nlohmann::json::parse(r.out, nullptr, false);
      if (r.exit_code != 0 || j.is_discarded()) throw std::runtime_error("chromium_page.mjs failed: " + r.out);
      bcpu.push_back(j["cpu_ms"].get<double>());
      bmem.push_back(j["peak_rss_mb"].get<double>());
      bload.push_back(j["load_ms"].get<double>());
    }
    const double r = median(ratio);
    std::string cpu_ratio = "-", mem_ratio = "-", goal;
    bool met = r <= 2;
    if (!bcpu.empty()) {
      const double cr = median(pcpu) / median(bcpu), mr = max_of(prss) / median(bmem);
      cpu_ratio = fmt(cr, 3);
      mem_ratio = fmt(mr, 3);
      met = met && cr <= 0.05 && mr <= 0.05;
      goal = met ? "met" : "missed";
    } else {
      goal = std::string(met ? "met" : "missed") + " (curl only: no Chromium in this run)";
    }
    t.add({c.name, std::to_string(n), fmt(median(pw)), fmt(median(cw)), fmt(r), fmt(median(pcpu)), fmt(median(ccpu)),
           fmt(max_of(prss), 1), bcpu.empty() ? "-" : fmt(median(bcpu)), bmem.empty() ? "-" : fmt(median(bmem), 1),
           cpu_ratio, mem_ratio, bload.empty() ? "-" : fmt(median(bload)), goal});
    std::cerr << "  page: " << c.name << " ratio " << fmt(r) << " cpu ratio " << cpu_ratio << " memory ratio "
              << mem_ratio << "\n";
  }
  return {t};
}

}  // namespace bench
