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
      "pool, so a new connection per URL) against `curl -s --parallel --parallel-max N -K FILE` (one connection cache "
      "shared by all transfers), and against the same curl with `-H 'Connection: close'` (a new connection per "
      "URL, like pageload by default). `--share-connections` gives the runs one pool too, like curl's cache. "
      "Both `--resolve` unless marked lab DNS. Median of " + std::to_string(reps) +
      " alternating repetitions; a fresh database each time.",
      "Goal: pageload's loads/s ≥ curl's (ratio ≥ 1).",
  };
  t.columns = {"N", "pageload variant", "pageload loads/s", "curl loads/s", "ratio", "curl loads/s, new connection per URL",
               "ratio to that", "pageload RSS MB", "pageload conns", "curl conns", "goal"};
  const std::string dir = ctx.tmp("scale");
  for (int parallel : {10, 100}) {
    struct Variant {
      std::string name;
      std::vector<std::string> argv;
      bool curl = false;
      std::vector<double> rate, rss, conns;
    };
    std::vector<Variant> variants{
        {"--no-html", {"--no-html", "--resolve", ctx.resolve("www.test", port)}},
        {"with HTML reports", {"--resolve", ctx.resolve("www.test", port)}},
        {"--no-html, lab DNS", {"--no-html", "--dns-server", ctx.lab->dns_server()}},
        {"--no-html --share-connections", {"--no-html", "--share-connections", "--resolve", ctx.resolve("www.test", port)}},
        {"curl", {ctx.curl, "-s", "--parallel", "--parallel-max", std::to_string(parallel), "--resolve",
                  ctx.resolve("www.test", port), "-K", config}, true},
        {"curl, Connection: close", {ctx.curl, "-s", "--parallel", "--parallel-max", std::to_string(parallel),
                  "--resolve", ctx.resolve("www.test", port), "-H", "Connection: close", "-K", config}, true},
    };
    for (auto& v : variants) {
      if (v.curl) continue;
      std::vector<std::string> argv{ctx.pageload, "run", "--input", list, "--parallel", std::to_string(parallel),
                                    "-q", "--db", dir + "/scale.db"};
      argv.insert(argv.end(), v.argv.begin(), v.argv.end());
      v.argv = argv;
    }
    for (int r = 0; r < reps; ++r) {
      // Every variant once per repetition, the order rotated so no tool always goes first.
      for (size_t k = 0; k < variants.size(); ++k) {
        Variant& v = variants[(k + static_cast<size_t>(r)) % variants.size()];
        fs::remove_all(dir);
        fs::create_directories(dir);
        uint64_t c0 = ctx.lab->http_connections();
        ProcResult p = run_process(v.argv, {false, true, dir});
        if (p.exit_code != 0) throw std::runtime_error(v.name + " batch failed: " + p.err.substr(0, 300));
        v.rate.push_back(urls / (p.wall_ms / 1000));
        v.rss.push_back(p.maxrss_kb / 1024.0);
        v.conns.push_back(static_cast<double>(ctx.lab->http_connections() - c0));
      }
    }
    const Variant& keep = variants[4];
    const Variant& close = variants[5];
    for (const auto& v : variants) {
      if (v.curl) continue;
      double ratio = median(v.rate) / median(keep.rate);
      t.add({std::to_string(parallel), v.name, fmt(median(v.rate), 0), fmt(median(keep.rate), 0), fmt(ratio),
             fmt(median(close.rate), 0), fmt(median(v.rate) / median(close.rate)), fmt(max_of(v.rss), 1),
             fmt(median(v.conns), 0), fmt(median(keep.conns), 0) + " / " + fmt(median(close.conns), 0),
             ratio >= 1 ? "met" : "missed"});
      std::cerr << "  scale: N=" << parallel << " " << v.name << " " << fmt(median(v.rate), 0) << " vs curl "
                << fmt(median(keep.rate), 0) << " / " << fmt(median(close.rate), 0) << " loads/s\n";
    }
  }
  fs::remove_all(dir);
  return {t};
}

}  // namespace bench
