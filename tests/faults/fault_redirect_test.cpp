// Hostile redirects. The loop, the --max-redirs limit, a missing Location, ftp:, file: and
// javascript: targets and the https-to-http downgrade are covered by
// tests/loader/loader_failure_test.cpp; these are the remaining cases.
#include "faults/fault_support.h"

#include "core/redact.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

// Redirect failures happen after a hop completed: every phase of it succeeded, so the
// failure is on the hop and the run, with no failed phase.
void check_bad_redirect(const Run& run, Code code, std::size_t hops) {
  INFO("run error: " << (run.failure ? run.failure->message : std::string("none")));
  CHECK(run.outcome == Outcome::kFailed);
  REQUIRE(run.failure);
  CHECK(run.failure->code == code);
  CHECK(run.exit_status() == 3);
  CHECK(run.failure->message.find('\n') == std::string::npos);
  REQUIRE(run.requests.size() == hops);
  REQUIRE(run.requests.back().failure);
  CHECK(run.requests.back().failure->code == code);
  for (const auto& p : run.requests.back().phases) CHECK(p.ok());
}

Run redirect_to(const std::string& to_encoded) {
  return load_and_store(fault_options(shared_lab().http_url("www.test", "/redirect/302?to=" + to_encoded)));
}

}  // namespace

TEST_CASE("an empty Location is a bad redirect") {
  check_bad_redirect(redirect_to(""), Code::kBadRedirect, 1);
}

TEST_CASE("an unparsable Location is a bad redirect") {
  for (const char* to : {"http://%5B::1", "http://a%20b/", "http://a.test:99999/"}) {
    INFO(to);
    check_bad_redirect(redirect_to(to), Code::kBadRedirect, 1);
  }
}

TEST_CASE("a data: Location is refused") {
  Run run = redirect_to("data:text/html,hello");
  check_bad_redirect(run, Code::kBadRedirect, 1);
  CHECK(run.failure->message.find("'data'") != std::string::npos);
}

TEST_CASE("a 100 KB Location is a bad redirect with a short message") {
  Run run = load_and_store(fault_options(shared_lab().fault_url("fault.test", "/huge-location")));
  check_bad_redirect(run, Code::kBadRedirect, 1);
  CHECK(run.failure->message.size() < 200);
  CHECK(run.requests[0].location.size() == 100'000);  // stored as data
}

TEST_CASE("a redirect chain longer than --max-redirs ends the run") {
  auto o = fault_options(shared_lab().http_url("www.test", "/chain/301,302,303,307,308,301,302"));
  o.max_redirs = 5;
  check_bad_redirect(load_and_store(o), Code::kTooManyRedirects, 6);
}

TEST_CASE("a self redirect is a loop") {
  check_bad_redirect(load_and_store(fault_options(shared_lab().http_url("www.test", "/loop"))), Code::kRedirectLoop, 1);
}

TEST_CASE("a hop to another host, scheme or port does not forward the user's Authorization and Cookie") {
  auto& lab = shared_lab();
  // To another host; then https -> http on the same host (in clear text on the wire).
  for (const std::string& url : {lab.http_url("one.test", "/redirect/302?to=" + lab.http_url("two.test", "/echo")),
                                 lab.https_url("one.test", "/redirect/302?to=" + lab.http_url("one.test", "/echo"))}) {
    INFO(url);
    auto o = fault_options(url);
    o.headers = {{"Authorization", "Bearer secret"}, {"Cookie", "a=b"}, {"X-Kept", "yes"}};
    Run run = load_and_store(o);
    REQUIRE(run.outcome == Outcome::kOk);
    REQUIRE(run.requests.size() == 2);
    auto has = [](const Request& r, const char* name) {
      for (const auto& h : r.request_headers)
        if (iequals(h.first, name)) return true;
      return false;
    };
    CHECK(has(run.requests[0], "Authorization"));
    CHECK(has(run.requests[0], "Cookie"));
    CHECK_FALSE(has(run.requests[1], "Authorization"));
    CHECK_FALSE(has(run.requests[1], "Cookie"));
    CHECK(has(run.requests[1], "X-Kept"));
  }
}
