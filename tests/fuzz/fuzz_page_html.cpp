// HTML discovery (src/page/discovery.h) over a stranger's document: fed in chunks of a
// size the input chooses, finished, then given the tail of the input as a stylesheet.
// Whatever the bytes, every reference is an absolute http(s) URL without a fragment that
// parses again, each is returned once, and the limits hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

#include "core/url.h"
#include "page/discovery.h"

using namespace pageload;
using namespace pageload::page;

namespace {

void check(const std::vector<Reference>& refs, std::set<std::string>& seen, const Limits& limits) {
  for (const auto& r : refs) {
    if (!(r.url.starts_with("http://") || r.url.starts_with("https://"))) std::abort();
    if (r.url.find('#') != std::string::npos) std::abort();
    if (!parse_url(r.url).ok()) std::abort();
    // Once per document, URL and CORS mode (a font and an image of one URL are two requests).
    if (!seen.insert(r.cors_anonymous ? r.url + "\n cors" : r.url).second) std::abort();
    if (r.found_by.empty()) std::abort();
    if (r.import_depth < 0 || r.import_depth > limits.max_import_depth) std::abort();
  }
  if (seen.size() > limits.max_references) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t chunk = 1 + data[0] % 64;
  Limits limits;
  limits.max_references = 200;
  limits.max_elements = 20000;
  limits.max_nesting_depth = 64;
  limits.max_document_bytes = 64 * 1024;
  limits.max_match_steps = 200000;
  DocumentDiscovery d("https://fuzz.test/dir/page.html?q=1", limits);
  std::set<std::string> seen;
  for (std::size_t at = 0; at < input.size(); at += chunk) check(d.feed(input.substr(at, chunk)), seen, limits);
  check(d.finish(), seen, limits);
  // The second half of the input as a stylesheet linked from it.
  check(d.stylesheet("https://fuzz.test/css/site.css", input.substr(input.size() / 2), 0), seen, limits);
  check(d.finish(), seen, limits);  // a second finish() adds nothing new
  for (const auto& n : d.notes())
    if (n.empty()) std::abort();
  return 0;
}
