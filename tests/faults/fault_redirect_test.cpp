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

// WHATWG URL, as browsers follow a Location (issue 8 review, item 10): with an http:
// base, "http:\evil.test\ok" and "http:/evil.test/..." were followed to evil.test; a
// browser reads the base's own scheme without "//" as a path on the same host.
TEST_CASE("a Location with the hop's own scheme and no '//' stays on the hop's host, as in browsers") {
  auto& lab = shared_lab();
  for (const char* to : {"http:%5Cevil.test%5Cecho", "http:/evil.test/echo", "http:evil.test/echo"}) {
    INFO(to);
    auto o = fault_options(lab.http_url("www.test", "/redirect/302?to=" + std::string(to)));
    o.headers = {{"Authorization", "Bearer secret"}};
    Run run = load_and_store(o);
    INFO((run.failure ? run.failure->message : "ok"));
    REQUIRE(run.requests.size() == 2);
    const Request& next = run.requests[1];
    CHECK(next.host == "www.test");
    CHECK(next.port == lab.http_port());
    CHECK(next.url.find("/evil.test/echo") != std::string::npos);
    CHECK(next.reused);  // the same origin, the same connection
    bool authorized = false;  // the first origin: the user's Authorization goes with it
    for (const auto& [name, value] : next.request_headers) authorized |= iequals(name, "Authorization");
    CHECK(authorized);
  }
}

// /secret-location/1 sends "http:/erin:SECRET-1@fault.test:PORT/ok": pageload went to
// fault.test with erin's password as Basic credentials; a browser requests the path
// /erin:SECRET-1@fault.test:PORT/ok on the same host, with no credentials.
TEST_CASE("a one-slash Location with a password is a path on the same host, sent without credentials") {
  Run run = load_and_store(fault_options(shared_lab().fault_url("fault.test", "/secret-location/1")));
  REQUIRE(run.requests.size() == 2);
  const Request& next = run.requests[1];
  CHECK(next.host == "fault.test");
  CHECK(next.url == shared_lab().fault_url("fault.test", "/erin:[redacted]@fault.test:" +
                                                         std::to_string(shared_lab().fault_port()) + "/ok"));
  for (const auto& [name, value] : next.request_headers) CHECK_FALSE(iequals(name, "Authorization"));
  CHECK(next.status == 404);  // the fault server has no such path
}

// Browsers follow these; pageload failed them as bad_redirect ("Bad hostname" for the
// last, whose message hid why).
TEST_CASE("another scheme without slashes, many slashes, and an '@' in a password are followed as in browsers") {
  auto& lab = shared_lab();
  const std::string http_port = std::to_string(lab.http_port()), https_port = std::to_string(lab.https_port());
  struct Case {
    std::string from, to, host, scheme;
  };
  for (const Case& c : std::vector<Case>{
           {lab.http_url("www.test", "/"), "https:u2:SEC2@secure.test:" + https_port + "/echo", "secure.test", "https"},
           {lab.https_url("www.test", "/"), "http:%2F%2F%2F%2Fu3:SEC3@www.test:" + http_port + "/echo", "www.test", "http"},
           {lab.https_url("www.test", "/"), "http:%5C%5Cu4:SEC4@www.test:" + http_port + "%5Cecho", "www.test", "http"},
           {lab.http_url("www.test", "/"), "http://u5:SEC%40RET@www.test:" + http_port + "/echo", "www.test", "http"}}) {
    INFO(c.to);
    Run run = load_and_store(fault_options(c.from + "redirect/302?to=" + c.to));
    INFO((run.failure ? run.failure->message : "ok"));
    CHECK(run.outcome == Outcome::kOk);
    REQUIRE(run.requests.size() == 2);
    CHECK(run.requests[1].host == c.host);
    CHECK(run.requests[1].scheme == c.scheme);
    CHECK(run.requests[1].status == 200);
    CHECK(run.requests[1].url.find(":[redacted]@" + c.host) != std::string::npos);
    CHECK(run.requests[1].url.find("SEC") == std::string::npos);
  }
}
