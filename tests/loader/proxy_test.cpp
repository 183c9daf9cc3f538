// Proxy environment variables (issue 8, item 2): libcurl would obey them silently; pageload
// decides, records the proxy on the run and its connections, warns, names it in a connect
// failure, and --noproxy turns it off. The lab's HTTP server answers absolute-form
// request targets, so it serves as a plain HTTP proxy.
#include <catch2/catch.hpp>

#include "fixtures/closed_port.h"
#include "fixtures/lab_fixture.h"

using namespace pageload;
using pageload::testing::closed_port;
using pageload::testing::lab_options;
using pageload::testing::load_and_store;
using pageload::testing::shared_lab;

namespace {

std::string lab_proxy() { return "http://127.0.0.1:" + std::to_string(shared_lab().http_port()); }

bool warns_about(const Request& r, const std::string& what) {
  for (const auto& w : r.warnings)
    if (w.find(what) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("an http_proxy from the environment is used, recorded on the run and its connection, and warned about") {
  // Nothing listens on port 1: only the proxy can answer this URL.
  auto o = lab_options("http://proxied.test:1/status/200");
  o.proxy_env = {{"http_proxy", lab_proxy()}};
  Run run = load_and_store(o);
  INFO((run.failure ? run.failure->message : std::string("ok")));
  REQUIRE(run.outcome == Outcome::kOk);
  CHECK(run.proxy == lab_proxy());
  const Request& r = run.requests.at(0);
  CHECK(r.status == 200);
  CHECK_FALSE(r.phase(Phase::kDns));  // the proxy resolves the host, not us
  CHECK_FALSE(r.dns_lookup);
  REQUIRE(r.connection);
  const Connection& c = run.connections.at(*r.connection);
  CHECK(c.proxy == lab_proxy());
  CHECK(c.remote_port == shared_lab().http_port());  // the proxy's end
  CHECK(warns_about(r, "through proxy " + lab_proxy() + " (from the environment: http_proxy)"));
}

// The user is kept, as a URL's is everywhere else, to tell which proxy account a run used
// (review of issue 11, #20).
TEST_CASE("a proxy's password is never stored, and its user is") {
  auto o = lab_options("http://proxied.test:1/status/200");
  o.proxy_env = {{"http_proxy", "http://alice:s3cret-pw@127.0.0.1:" + std::to_string(shared_lab().http_port())}};
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  CHECK(run.proxy == "http://alice:[redacted]@127.0.0.1:" + std::to_string(shared_lab().http_port()));
  CHECK(run.connections.at(0).proxy == run.proxy);
  for (const auto& w : run.requests[0].warnings) CHECK(w.find("s3cret") == std::string::npos);
  CHECK(run.options_json.find("s3cret") == std::string::npos);
  for (const auto& [name, value] : run.requests[0].request_headers) CHECK(value.find("s3cret") == std::string::npos);
}

TEST_CASE("a proxy that refuses the connection fails in connect, and the failure names the proxy") {
  const std::string proxy = "http://127.0.0.1:" + std::to_string(closed_port());
  auto o = lab_options(shared_lab().http_url("www.test", "/status/200"));
  o.proxy_env = {{"http_proxy", proxy}};
  Run run = load_and_store(o);
  CHECK(run.outcome == Outcome::kFailed);
  REQUIRE(run.failure);
  CHECK(run.failure->code == Code::kConnectRefused);
  CHECK(run.failure->message.find("through proxy " + proxy + " from http_proxy") != std::string::npos);
  CHECK(run.proxy == proxy);
  CHECK(run.connections.at(0).proxy == proxy);
}

TEST_CASE("the --noproxy '*' flag ignores the proxy variables and connects directly") {
  auto o = lab_options(shared_lab().http_url("www.test", "/status/200"));
  o.proxy_env = {{"http_proxy", "http://127.0.0.1:" + std::to_string(closed_port())}, {"ALL_PROXY", "http://x:1"}};
  o.noproxy = "*";
  Run run = load_and_store(o);
  CHECK(run.outcome == Outcome::kOk);
  CHECK(run.proxy.empty());
  CHECK(run.connections.at(0).proxy.empty());
  CHECK(run.requests[0].phase(Phase::kDns));
  CHECK(run.requests[0].warnings.empty());
}

TEST_CASE("a host listed in NO_PROXY connects directly, another goes through the proxy") {
  auto o = lab_options(shared_lab().http_url("direct.test", "/status/200"));
  o.proxy_env = {{"http_proxy", "http://127.0.0.1:" + std::to_string(closed_port())}, {"NO_PROXY", "direct.test"}};
  CHECK(load_and_store(o).outcome == Outcome::kOk);
  o.url = shared_lab().http_url("other.test", "/status/200");
  CHECK(load_and_store(o).failure->code == Code::kConnectRefused);
}

TEST_CASE("an https URL does not take http_proxy") {
  auto o = lab_options(shared_lab().https_url("secure.test", "/status/200"));
  o.proxy_env = {{"http_proxy", "http://127.0.0.1:" + std::to_string(closed_port())}};
  Run run = load_and_store(o);
  CHECK(run.outcome == Outcome::kOk);
  CHECK(run.proxy.empty());
}

// A proxy named by a host name was resolved by curl's own resolver (the system's, which
// knows nothing of --dns-server): "Could not resolve proxy: proxy.test", a connect error
// with the lookup hidden in connect. pageload looks the proxy's name up as any host.
TEST_CASE("a proxy named by a host name is looked up through pageload's resolver, with a dns phase") {
  const std::string proxy = "http://proxy.test:" + std::to_string(shared_lab().http_port());
  auto o = lab_options("http://proxied.test:1/status/200");
  o.proxy_env = {{"http_proxy", proxy}};
  Run run = load_and_store(o);
  INFO((run.failure ? run.failure->message : std::string("ok")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& r = run.requests.at(0);
  REQUIRE(r.phase(Phase::kDns));
  REQUIRE(r.dns_lookup);
  CHECK(run.dns_lookups.at(*r.dns_lookup).host == "proxy.test");  // the proxy's name, not the target's
  CHECK(run.connections.at(0).proxy == proxy);
}

TEST_CASE("a --resolve entry for a host the proxy resolves is named as not applied") {
  auto o = lab_options("http://proxied.test:1/status/200");
  o.proxy_env = {{"http_proxy", lab_proxy()}};
  o.resolve = {ResolveEntry{"proxied.test", 1, {"127.0.0.9"}}};
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kOk);
  CHECK(warns_about(run.requests.at(0), "--resolve proxied.test:1 not applied: the proxy"));
}

// -x/--proxy through the lab's forward proxy (issue 11): plain forwarding for http, a
// CONNECT tunnel for https, each with its phases recorded as what they were.
namespace {

std::vector<Phase> phase_names(const Request& r) {
  std::vector<Phase> out;
  for (const auto& p : r.phases) out.push_back(p.phase);
  return out;
}

}  // namespace

TEST_CASE("with -x an http request goes through the proxy: connect is to the proxy, no dns phase, no tunnel") {
  const uint64_t forwarded = shared_lab().proxy_forwarded();
  auto o = lab_options(shared_lab().http_url("www.test", "/status/200"));
  o.proxy = shared_lab().proxy_url();
  Run run = load_and_store(o);
  INFO((run.failure ? run.failure->message : std::string("ok")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& r = run.requests.at(0);
  CHECK(phase_names(r) == std::vector<Phase>{Phase::kConnect, Phase::kSend, Phase::kWait, Phase::kReceive});
  CHECK_FALSE(r.dns_lookup);
  const Connection& c = run.connections.at(0);
  CHECK(c.proxy == shared_lab().proxy_url());
  CHECK(c.remote_port == shared_lab().proxy_port());  // the proxy's end, not the origin's
  CHECK(run.proxy == shared_lab().proxy_url());
  CHECK(shared_lab().proxy_forwarded() > forwarded);
  CHECK(warns_about(r, "through proxy " + shared_lab().proxy_url() + " (-x)"));
}

TEST_CASE("with -x an https origin goes through a CONNECT tunnel: connect to the proxy, tunnel, then tls with the origin") {
  const uint64_t tunnels = shared_lab().proxy_tunnels();
  auto o = lab_options(shared_lab().https_url("www.test", "/status/200"));
  o.proxy = shared_lab().proxy_url();
  Run run = load_and_store(o);
  INFO((run.failure ? run.failure->message : std::string("ok")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& r = run.requests.at(0);
  REQUIRE(phase_names(r) == std::vector<Phase>{Phase::kConnect, Phase::kTunnel, Phase::kTls, Phase::kSend,
                                               Phase::kWait, Phase::kReceive});
  CHECK_FALSE(r.dns_lookup);  // the proxy resolved www.test
  CHECK(r.phase(Phase::kConnect)->span.end_ms <= r.phase(Phase::kTunnel)->span.start_ms);
  CHECK(r.phase(Phase::kTunnel)->span.end_ms <= r.phase(Phase::kTls)->span.start_ms);
  const Connection& c = run.connections.at(0);
  CHECK(c.remote_port == shared_lab().proxy_port());
  REQUIRE(c.tls);
  CHECK(c.tls->verified);  // the origin's certificate, end to end through the tunnel
  REQUIRE_FALSE(c.tls_steps.empty());
  CHECK(c.tls_steps.front().message == "ClientHello");
  CHECK(c.tls_steps.front().at_ms >= r.phase(Phase::kTunnel)->span.end_ms);  // TLS began once the tunnel stood
  CHECK(shared_lab().proxy_tunnels() > tunnels);
  CHECK(warns_about(r, "tunnel its CONNECT, tls with the origin inside it"));
}

TEST_CASE("the tunnel phase is the proxy's answer to CONNECT, not the TLS handshake") {
  // The lab's proxy answers a CONNECT to tunnel-delay-150.* 150 ms late.
  auto o = lab_options(shared_lab().https_url("tunnel-delay-150.test", "/status/200"));
  o.proxy = shared_lab().proxy_url();
  o.insecure = true;  // the lab's certificate names *.test one level deep only, maybe not this one
  Run run = load_and_store(o);
  INFO((run.failure ? run.failure->message : std::string("ok")));
  REQUIRE(run.outcome == Outcome::kOk);
  const Request& r = run.requests.at(0);
  REQUIRE(r.phase(Phase::kTunnel));
  REQUIRE(r.phase(Phase::kTls));
  CHECK(r.phase(Phase::kTunnel)->span.duration_ms() >= 140);
  CHECK(r.phase(Phase::kTls)->span.duration_ms() < r.phase(Phase::kTunnel)->span.duration_ms());
  CHECK(r.phase(Phase::kConnect)->span.duration_ms() < 140);
}

TEST_CASE("a -x proxy wins over the proxy variables, and -x '' goes direct despite them") {
  auto o = lab_options(shared_lab().http_url("www.test", "/status/200"));
  o.proxy_env = {{"http_proxy", "http://127.0.0.1:" + std::to_string(closed_port())}};
  o.proxy = shared_lab().proxy_url();
  Run through = load_and_store(o);
  CHECK(through.outcome == Outcome::kOk);
  CHECK(through.proxy == shared_lab().proxy_url());
  o.proxy = "";
  Run direct = load_and_store(o);
  CHECK(direct.outcome == Outcome::kOk);
  CHECK(direct.proxy.empty());
  CHECK(direct.requests.at(0).phase(Phase::kDns));
}

TEST_CASE("a proxy that refuses the tunnel fails the tunnel phase with its answer, and there is no tls phase") {
  auto o = lab_options(shared_lab().https_url("tunnel-refused.test", "/status/200"));
  o.proxy = shared_lab().proxy_url();
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kFailed);
  const Request& r = run.requests.at(0);
  CHECK(r.error_phase == Phase::kTunnel);
  REQUIRE(r.failure);
  CHECK(r.failure->code == Code::kConnectRefused);
  CHECK(r.failure->message.find("with 403: no tunnel, no TLS (through proxy " + shared_lab().proxy_url() +
                                " given with -x)") != std::string::npos);
  REQUIRE(r.phase(Phase::kTunnel));
  CHECK_FALSE(r.phase(Phase::kTunnel)->ok());
  CHECK_FALSE(r.phase(Phase::kTls));
  CHECK(r.phase(Phase::kConnect)->ok());  // the proxy itself was reached
}

TEST_CASE("a proxy that cannot resolve the origin fails the tunnel with its 502") {
  auto o = lab_options(shared_lab().https_url("nxdomain.test", "/"));
  o.proxy = shared_lab().proxy_url();
  Run run = load_and_store(o);
  REQUIRE(run.outcome == Outcome::kFailed);
  CHECK(run.requests.at(0).error_phase == Phase::kTunnel);
  CHECK(run.failure->message.find("with 502") != std::string::npos);
}
