// Issue 10's size budget on a real page, not a synthetic one: /page/many?n=33 from the
// lab (a document on www.test, 33 subresources over a.test, b.test and c.test, its icon:
// four origins, each with its connections, certificates and TLS handshakes), loaded by
// the loader, stored and read back, then rendered.
#include <catch2/catch.hpp>

#include "lab_fixture.h"
#include "report/html.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

std::size_t report_size(bool http11) {
  LoadOptions o = lab_options(shared_lab().https_url("www.test", "/page/many?n=33"));
  o.http11 = http11;
  const Run run = load_and_store(o);
  REQUIRE(run.requests.size() == 35);  // the document, 33 subresources, its icon: as bench/ loads it
  const std::size_t size = report::render_html(run).size();
  WARN((http11 ? "HTTP/1.1: " : "HTTP/2: ") << run.requests.size() << " requests, " << run.connections.size()
                                            << " connections, " << size << " B");
  return size;
}

}  // namespace

TEST_CASE("the report of a real 35-request page over four origins is under 150 KB over HTTP/2") {
  CHECK(report_size(false) < 150'000);
}

// Over HTTP/1.1 the same page opens 19 TLS connections, each a row of the connection
// view: 37 requests took 183 KB at first, 170 KB with what an origin's connections share
// said once, 147-150 KB with tooltips written on hover, the stylesheet's rules for absent
// classes left out, and what a row's columns or the Connections card say not said again
// in its panes; the 35 requests take about 8 KB less.
TEST_CASE("the report of a real 35-request page over four origins is under 150 KB over HTTP/1.1") {
  CHECK(report_size(true) < 150'000);
}
