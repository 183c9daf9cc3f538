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
  t.notes = {"Synthetic runs of " + std::to_string(requests) + " hops with every phase and headers: *mixed* alternates "
             "new connections (own DNS lookup, TLS) with reused ones (501 connections, 501 lookups); *one connection* "
             "is a 1,000-hop chain on one connection. Chromium: headless via playwright-core, a fresh context per "
             "navigation to a file:// URL; load = loadEventEnd, painted = two animation frames after load, both from "
             "navigation start. Goal: under 2 MB (MiB here) and under 1 s."};
  std::string modules = ctx.source_dir + "/tests/browser/node_modules";
  const bool browser = fs::exists(ctx.chromium) && fs::exists(ctx.node) && fs::exists(modules + "/playwright-core");
  for (bool one : {false, true}) {
    const std::string kind = one ? "one connection: " : "mixed: ";
    pageload::Run run = synthetic_run(1, requests, one);
    std::vector<double> render;
    std::string html;
    for (int i = 0; i < ctx.loads(5, 2); ++i) {
      int64_t t0 = pageload::mono_now_us();
      html = pageload::report::render_html(run);
      render.push_back(static_cast<double>(pageload::mono_now_us() - t0) / 1000);
    }
    const std::string file = ctx.tmp(one ? "report-1000-one.html" : "report-1000.html");
    std::ofstream(file, std::ios::binary) << html;
    double mb = static_cast<double>(html.size()) / (1024.0 * 1024.0);
    t.add({kind + "HTML size (MiB)", fmt(mb, 2), mb < 2 ? "met" : "missed"});
    t.add({kind + "render_html median ms", fmt(median(render), 1), ""});
    if (!browser) {
      t.add({kind + "Chromium load", "skipped: chromium, node or playwright-core missing", ""});
      continue;
    }
    ProcResult r = run_process({ctx.node, ctx.source_dir + "/bench/chromium_load.mjs", modules, ctx.chromium, file,
                                std::to_string(ctx.loads(5, 2))},
                               {true, true, ""});
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (r.exit_code != 0 || !j.is_array() || j.empty()) {
      std::string why = r.err.substr(0, 200);
      for (auto& c : why)
        if (c == '\n' || c == '|') c = ' ';
      t.add({kind + "Chromium load", "failed: " + why, "missed"});
      continue;
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
    t.add({kind + "Chromium DOMContentLoaded median ms", fmt(median(dcl), 1), ""});
    t.add({kind + "Chromium load event median ms (" + std::to_string(load.size()) + " navigations)",
           fmt(median(load), 1), median(load) < 1000 ? "met" : "missed"});
    t.add({kind + "Chromium load event max ms", fmt(max_of(load), 1), ""});
    t.add({kind + "Chromium first frame after load, median ms", fmt(median(painted), 1),
           median(painted) < 1000 ? "met" : "missed"});
    t.add({kind + "DOM elements", fmt(nodes, 0), ""});
    t.add({kind + "page errors", std::to_string(errors), errors == 0 ? "met" : "missed"});
    std::cerr << "  report: " << kind << fmt(mb, 2) << " MiB, load " << fmt(median(load), 1) << " ms\n";
  }
  return {t};
}

}  // namespace bench
