// The report at scale: a 1,000-request run rendered by report::render_html, its size, and
// how long headless Chromium takes to load it.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "harness.h"
#include "report/html.h"
#include "synthetic.h"

namespace bench {

std::vector<Table> bench_report(Context& ctx) {
  namespace fs = std::filesystem;
  Table t;
  t.section = "report";
  t.title = "Report of a 1,000-request run";
  t.columns = {"measure", "value", "goal"};
  const int requests = 1000;
  pageload::Run run = synthetic_run(1, requests);
  std::vector<double> render;
  std::string html;
  for (int i = 0; i < ctx.loads(5, 2); ++i) {
    int64_t t0 = pageload::mono_now_us();
    html = pageload::report::render_html(run);
    render.push_back(static_cast<double>(pageload::mono_now_us() - t0) / 1000);
  }
  const std::string file = ctx.tmp("report-1000.html");
  std::ofstream(file, std::ios::binary) << html;
  double mb = static_cast<double>(html.size()) / (1024.0 * 1024.0);
  t.notes = {"A synthetic run of " + std::to_string(requests) + " hops (" + std::to_string(run.connections.size()) +
                 " connections, " + std::to_string(run.dns_lookups.size()) +
                 " DNS lookups, every phase, headers). Chromium: headless via playwright-core, a fresh context "
                 "per navigation to a file:// URL; load = loadEventEnd, painted = two animation frames after load, "
                 "both from navigation start. Goal: under 2 MB (MiB here) and under 1 s."};
  t.add({"HTML size (MiB)", fmt(mb, 2), mb < 2 ? "met" : "missed"});
  t.add({"render_html median ms", fmt(median(render), 1), ""});

  std::string modules = ctx.source_dir + "/tests/browser/node_modules";
  if (!fs::exists(ctx.chromium) || !fs::exists(ctx.node) || !fs::exists(modules + "/playwright-core")) {
    t.add({"Chromium load", "skipped: chromium, node or playwright-core missing", ""});
    return {t};
  }
  ProcResult r = run_process({ctx.node, ctx.source_dir + "/bench/chromium_load.mjs", modules, ctx.chromium, file,
                              std::to_string(ctx.loads(5, 2))},
                             {true, true, ""});
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (r.exit_code != 0 || !j.is_array() || j.empty()) {
    std::string why = r.err.substr(0, 200);
    for (auto& c : why)
      if (c == '\n' || c == '|') c = ' ';
    t.add({"Chromium load", "failed: " + why, "missed"});
    return {t};
  }
  std::vector<double> load, painted, dcl;
  size_t errors = 0;
  double nodes = 0;
  for (const auto& n : j) {
    load.push_back(n["load_ms"].get<double>());
    painted.push_back(n["painted_ms"].get<double>());
    dcl.push_back(n["dcl_ms"].get<double>());
    errors += n["errors"].size();
    nodes = n["nodes"].get<double>();
  }
  t.add({"Chromium DOMContentLoaded median ms", fmt(median(dcl), 1), ""});
  t.add({"Chromium load event median ms (" + std::to_string(load.size()) + " navigations)", fmt(median(load), 1),
         median(load) < 1000 ? "met" : "missed"});
  t.add({"Chromium load event max ms", fmt(max_of(load), 1), ""});
  t.add({"Chromium first frame after load, median ms", fmt(median(painted), 1), median(painted) < 1000 ? "met" : "missed"});
  t.add({"DOM elements", fmt(nodes, 0), ""});
  t.add({"page errors", std::to_string(errors), errors == 0 ? "met" : "missed"});
  std::cerr << "  report: " << fmt(mb, 2) << " MiB, load " << fmt(median(load), 1) << " ms\n";
  return {t};
}

}  // namespace bench
