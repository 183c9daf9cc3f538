// Scale: many loads at once on one event loop (pageload run --parallel N --input FILE)
// against curl --parallel --parallel-max N on the same URL list.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "loads.h"

namespace bench {

std::vector<Table> bench_scale(Context& ctx) {
  namespace fs = std::filesystem;
  const int urls = ctx.loads(1000, 100);
  const int reps = ctx.loads(3, 1);
  const int port = ctx.lab->http_port();
  const std::string list = ctx.tmp("scale-urls.txt"), config = ctx.tmp("scale-curl.cfg");
  {
    std::ofstream l(list), c(config);
    for (int i = 0; i < urls; ++i) {
      std::string url = "http://www.test:" + std::to_string(port) + "/status/200?i=" + std::to_string(i);
      l << url << "\n";
      c << "url = \"" << url << "\"\noutput = \"/dev/null\"\n";
    }
  }
  Table t;
  t.section = "scale";
  t.title = "Scale: " + std::to_string(urls) + " lab URLs in one process";
  t.notes = {
      "`pageload run --input FILE --parallel N -q` (every load its own run in the database, own connection "
      "pool) against `curl -s --parallel --parallel-max N -K FILE` (one connection cache shared by all transfers). "
      "Both `--resolve` unless marked lab DNS. Median of " + std::to_string(reps) +
      " alternating repetitions; a fresh database each time.",
      "Goal: pageload's loads/s ≥ curl's (ratio ≥ 1).",
  };
  t.columns = {"N", "pageload variant", "pageload loads/s", "curl loads/s", "ratio", "pageload RSS MB",
               "pageload conns", "curl conns", "goal"};
  const std::string dir = ctx.tmp("scale");
  for (int parallel : {10, 100}) {
    struct Variant {
      std::string name;
      std::vector<std::string> flags;
    };
    std::vector<Variant> variants{
        {"--no-html", {"--no-html", "--resolve", ctx.resolve("www.test", port)}},
        {"with HTML reports", {"--resolve", ctx.resolve("www.test", port)}},
        {"--no-html, lab DNS", {"--no-html", "--dns-server", ctx.lab->dns_server()}},
    };
    std::vector<std::string> cargv{ctx.curl,  "-s", "--parallel", "--parallel-max", std::to_string(parallel),
                                   "--resolve", ctx.resolve("www.test", port), "-K", config};
    for (const auto& v : variants) {
      std::vector<double> pl, cu, rss, pconns, cconns;
      for (int r = 0; r < reps; ++r) {
        fs::remove_all(dir);
        fs::create_directories(dir);
        std::vector<std::string> argv{ctx.pageload, "run", "--input", list, "--parallel", std::to_string(parallel),
                                      "-q", "--db", dir + "/scale.db"};
        argv.insert(argv.end(), v.flags.begin(), v.flags.end());
        auto pageload_once = [&] {
          uint64_t c0 = ctx.lab->http_connections();
          ProcResult p = run_process(argv, {false, true, dir});
          if (p.exit_code != 0) throw std::runtime_error("pageload batch failed: " + p.err.substr(0, 300));
          pl.push_back(urls / (p.wall_ms / 1000));
          rss.push_back(p.maxrss_kb / 1024.0);
          pconns.push_back(static_cast<double>(ctx.lab->http_connections() - c0));
        };
        auto curl_once = [&] {
          uint64_t c0 = ctx.lab->http_connections();
          ProcResult q = run_process(cargv, {false, true, ""});
          if (q.exit_code != 0) throw std::runtime_error("curl --parallel failed: " + q.err.substr(0, 300));
          cu.push_back(urls / (q.wall_ms / 1000));
          cconns.push_back(static_cast<double>(ctx.lab->http_connections() - c0));
        };
        if (r % 2 == 0) pageload_once(), curl_once();
        else curl_once(), pageload_once();
      }
      double ratio = median(pl) / median(cu);
      t.add({std::to_string(parallel), v.name, fmt(median(pl), 0), fmt(median(cu), 0), fmt(ratio),
             fmt(max_of(rss), 1), fmt(median(pconns), 0), fmt(median(cconns), 0), ratio >= 1 ? "met" : "missed"});
      std::cerr << "  scale: N=" << parallel << " " << v.name << " " << fmt(median(pl), 0) << " vs curl "
                << fmt(median(cu), 0) << " loads/s\n";
    }
  }
  fs::remove_all(dir);
  return {t};
}

}  // namespace bench
