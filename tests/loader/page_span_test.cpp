// A page's requests on one time axis: each request's span holds all of its phases, so a
// line of the summary, a bar of the report and the `timeline` view agree.
#include <catch2/catch.hpp>

#include "fixtures/lab_fixture.h"

using namespace pageload;
using pageload::testing::lab_options;
using pageload::testing::load_and_store;
using pageload::testing::shared_lab;

namespace {

void check_phases_inside_spans(const Run& run) {
  for (const Request& r : run.requests)
    for (const PhaseRecord& p : r.phases) {
      INFO("request #" << r.seq << " " << r.url << ", phase " << phase_name(p.phase));
      CHECK(p.span.start_ms >= r.span.start_ms);
      CHECK(p.span.end_ms <= r.span.end_ms);
    }
}

}  // namespace

// The page names an image and a script on nxdomain.test together: the script waits for
// the image's lookup (blocked) and fails with it. Its span started at its lookup's end,
// after its blocked phase had begun, so its total read shorter than its blocked phase.
TEST_CASE("a request that waited for a lookup that failed starts its span with its blocked phase") {
  Run run = load_and_store(lab_options(shared_lab().http_url("a.test", "/page/third-party")));
  check_phases_inside_spans(run);
  int waited = 0;
  for (const Request& r : run.requests) {
    const PhaseRecord* blocked = r.phase(Phase::kBlocked);
    if (r.host != "nxdomain.test" || !blocked) continue;
    ++waited;
    CHECK(r.span.start_ms == blocked->span.start_ms);
    // The lookup was the other request's: this one has no dns phase, fails in dns by it.
    CHECK_FALSE(r.phase(Phase::kDns));
    CHECK(r.error_phase == Phase::kDns);
    CHECK(r.dns_lookup);
  }
  WARN("requests to nxdomain.test that waited for the other's lookup: " << waited);
}

TEST_CASE("every phase of a page's requests lies inside its request's span, over HTTP/1.1 and HTTP/2") {
  auto& lab = shared_lab();
  check_phases_inside_spans(load_and_store(lab_options(lab.http_url("a.test", "/page/showcase"))));
  check_phases_inside_spans(load_and_store(lab_options(lab.https_url("a.test", "/page/showcase"))));
}
