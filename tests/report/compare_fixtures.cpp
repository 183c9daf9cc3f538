// Writes compare views for the browser check (tests/browser/compare_check.mjs):
//   compare_fixtures DIR   -> DIR/*.html and DIR/manifest.json
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "report/compare_html.h"
#include "synthetic_runs.h"

using namespace pageload;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: compare_fixtures DIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  struct Page {
    std::string name;
    Run a, b;
    report::Align align;
    bool hostile;
  };
  // B of the first one is HTTP/2: its document's first byte comes at another moment than
  // A's, so aligning by it moves one side.
  Run h2 = synthetic::page(6, true);
  for (Request& r : h2.requests)
    for (PhaseRecord& p : r.phases) {
      p.span.start_ms += 40;
      p.span.end_ms += 40;
    }
  for (Request& r : h2.requests) {
    r.span.start_ms += 40;
    r.span.end_ms += 40;
    if (r.discovered_ms) *r.discovered_ms += 40;
  }
  if (h2.document_ms) *h2.document_ms += 40;
  if (h2.load_ms) *h2.load_ms += 40;
  std::vector<Page> pages{
      {"compare-h1-h2", synthetic::page(6, false), h2, report::Align::kStart, false},
      {"compare-hostile", synthetic::hostile_page(), synthetic::hostile(), report::Align::kFirstByte, true},
  };
  nlohmann::json manifest = nlohmann::json::array();
  for (const Page& p : pages) {
    const auto file = dir / (p.name + ".html");
    if (Status s = report::write_compare_html(p.a, p.b, {"run 1", "run 2"}, p.align, file.string()); !s.ok()) {
      std::cerr << s.message() << "\n";
      return 1;
    }
    manifest.push_back({{"name", p.name},
                        {"file", std::filesystem::absolute(file).string()},
                        {"align", std::string(report::align_name(p.align))},
                        {"hostile", p.hostile ? synthetic::hostile_strings() : std::vector<std::string>{}}});
  }
  std::ofstream(dir / "manifest.json") << manifest.dump(2);
  return 0;
}
