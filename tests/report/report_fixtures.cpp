// Writes the synthetic runs as report files into a directory, for the browser checks
// (tests/browser/check.mjs), with a manifest of what each page must show.
//   report_fixtures OUT_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/html.h"
#include "synthetic_runs.h"

using namespace pageload;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // max_render_ms: the browser check fails if the page's load event comes later.
  struct Fixture { std::string name; Run run; bool hostile; int max_render_ms = 0; };
  const std::vector<Fixture> fixtures{
      {"one_hop", synthetic::redirect_chain(1), false},
      {"redirect_chain", synthetic::redirect_chain(5), false},
      {"failed_at_tls", synthetic::failed_at_tls(), false},
      {"failed_at_dns", synthetic::failed_at_dns(), false},
      {"hostile", synthetic::hostile(), true},
      {"fifty_hops", synthetic::redirect_chain(50, 404), false},
      {"no_hops", synthetic::no_hops(), false},
      // A lookup walked from the root: the DNS pane's own waterfall of steps.
      {"dns_trace", synthetic::traced_walk(), false},
      // Every hop with its own DNS lookup, connection, TLS and certificate: the heaviest
      // per-hop page, as a cross-host chain or --no-keepalive makes.
      // The bound is loose (a test on a shared machine: 1.3 s seen under load against a 1 s
      // bound); the page_report benchmark prints the measured figure.
      {"two_hundred_hops", synthetic::fresh_chain(200), false, 3000},
      // The same page over HTTP/1.1 (six connections, blocked requests) and HTTP/2.
      {"page_http1", synthetic::page(29, false), false},
      {"page_http2", synthetic::page(29, true), false},
      {"hostile_page", synthetic::hostile_page(), true},
  };
  nlohmann::json manifest = nlohmann::json::array();
  for (const auto& f : fixtures) {
    const std::string file = dir + "/" + f.name + ".html";
    const Status s = report::write_html_report(f.run, file);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.to_string().c_str());
      return 1;
    }
    nlohmann::json entry{{"name", f.name}, {"file", file}, {"rows", f.run.requests.size()},
                         {"hostile", f.hostile}};
    if (f.max_render_ms) entry["max_render_ms"] = f.max_render_ms;
    // On a 200-hop axis every segment is below the minimum visible width, so there is
    // no proportional width to measure; the row count and render time still are.
    if (f.run.requests.size() > 100) entry["measure_segments"] = false;
    if (f.hostile) entry["hostile_strings"] = synthetic::hostile_strings();
    // What the page's own parts must show: its markers, its connections, and the rows the
    // "failed only" filter keeps.
    int failed = 0;
    for (const auto& r : f.run.requests) failed += r.failure || (r.status && *r.status >= 400);
    entry["failed"] = failed;
    entry["markers"] = (f.run.document_ms ? 1 : 0) + (f.run.load_ms ? 1 : 0);
    entry["connections"] = f.run.connections.size();
    // The filters' expected rows, counted from the run: by type and by status class
    // (its hundreds, "failed" without a status, "none" with neither). And a text filter
    // for the page fixtures: the last request's URL, which names only its row.
    nlohmann::json types = nlohmann::json::object(), statuses = nlohmann::json::object();
    for (const auto& r : f.run.requests) {
      const std::string type(resource_type_name(r.resource_type));
      types[type] = types.value(type, 0) + 1;
      const std::string group = r.status && *r.status >= 100 && *r.status < 600 ? std::to_string(*r.status / 100) + "xx"
                                : r.failure                                     ? "failed"
                                                                                : "none";
      statuses[group] = statuses.value(group, 0) + 1;
    }
    entry["types"] = types;
    entry["statuses"] = statuses;
    if (f.name.rfind("page_", 0) == 0 && !f.run.requests.empty()) {
      const std::string& url = f.run.requests.back().url;
      int rows = 0;
      for (const auto& r : f.run.requests) rows += r.url.find(url) != std::string::npos;
      entry["text_filter"] = {{"text", url.substr(url.rfind('/') + 1)}, {"rows", rows}};
    }
    std::size_t steps = 0;
    for (const auto& l : f.run.dns_lookups) steps += l.steps.size();
    if (steps) entry["walk_steps"] = steps;
    manifest.push_back(entry);
  }
  std::ofstream(dir + "/manifest.json") << manifest.dump(2) << "\n";
  std::printf("wrote %zu reports to %s\n", fixtures.size(), dir.c_str());
  return 0;
}
