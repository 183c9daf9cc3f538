#include "synthetic_runs.h"

#include <algorithm>
#include <map>

namespace pageload::synthetic {

namespace {

const char* kReasons[] = {"Moved Permanently", "Found", "Temporary Redirect",
                          "Permanent Redirect"};
const int kRedirectCodes[] = {301, 302, 307, 308};

Run base_run(const std::string& url) {
  Run run;
  run.id = 1;
  run.started_at = "2026-11-25T05:00:00.000000Z";
  run.url = url;
  run.tool_version = "pageload 0.1.0";
  run.library_versions = "libcurl/7.88.1 c-ares/1.18.1 OpenSSL/3.0.11";
  run.label = "synthetic";
  return run;
}

TlsInfo good_tls(const std::string& host) {
  TlsInfo t;
  t.version = "TLSv1.3";
  t.cipher = "TLS_AES_128_GCM_SHA256";
  t.alpn = "http/1.1";
  t.subject = "CN=" + host;
  t.issuer = "CN=pageload lab CA";
  t.sans = {host};
  t.not_before = "2026-01-01T00:00:00Z";
  t.not_after = "2027-01-01T00:00:00Z";
  t.verify_message = "ok";
  t.verified = true;
  return t;
}

int add_lookup(Run& run, const std::string& host, Span span) {
  DnsLookup l;
  l.id = static_cast<int>(run.dns_lookups.size());
  l.host = host;
  l.servers = {"127.0.0.1:5353"};
  l.span = span;
  l.outcome = "NOERROR";
  l.ares_status = "ARES_SUCCESS";
  l.queries = {{"A", "NOERROR", "ARES_SUCCESS", span}, {"AAAA", "NODATA", "ARES_ENODATA", span}};
  // A hyphenated CNAME target, as CDNs hand out: a line may not break at its hyphen.
  l.answers = {{"CNAME", host, "edge-1." + host, 300}, {"A", "edge-1." + host, "127.0.0.1", 60}};
  run.dns_lookups.push_back(l);
  return l.id;
}

int add_connection(Run& run, const std::string& scheme, const std::string& host,
                   Span connect) {
  Connection c;
  c.id = static_cast<int>(run.connections.size());
  c.scheme = scheme;
  c.host = host;
  c.port = scheme == "https" ? 443 : 80;
  c.remote_ip = "127.0.0.1";
  c.remote_port = c.port;
  c.local_ip = "127.0.0.1";
  c.local_port = 40000 + c.id;
  c.family = 4;
  c.attempts = {{"127.0.0.1", c.port, 4, ""}};
  if (scheme == "https") c.tls = good_tls(host);
  c.connect = connect;
  run.connections.push_back(c);
  return c.id;
}

// Appends a request at `start` whose phases last `ms` (kPhases order; a negative
// duration leaves that phase out). Returns it for the caller to finish.
Request& add_request(Run& run, const std::string& scheme, const std::string& host,
                     const std::string& path, double start,
                     const std::array<double, kPhaseCount>& ms, bool fresh) {
  Request r;
  r.id = r.seq = static_cast<int>(run.requests.size());
  if (r.seq > 0) r.redirect_from = r.seq - 1;
  r.method = "GET";
  r.scheme = scheme;
  r.host = host;
  r.port = scheme == "https" ? 443 : 80;
  r.url = scheme + "://" + host + path;
  double t = start;
  for (const auto& info : kPhases) {
    const double d = ms[static_cast<int>(info.phase)];
    const bool setup = info.phase == Phase::kDns || info.phase == Phase::kConnect ||
                       info.phase == Phase::kTunnel || info.phase == Phase::kTls;
    const bool tls_only = info.phase == Phase::kTls || info.phase == Phase::kTunnel;
    if (d < 0 || (setup && !fresh) || (tls_only && scheme != "https"))
      continue;
    r.phases.push_back({info.phase, {t, t + d}, std::nullopt});
    t += d;
  }
  r.span = {start, t};
  r.http_version = "HTTP/1.1";
  r.request_headers = {{"Host", host},
                       {"User-Agent", "Mozilla/5.0 pageload/0.1"},
                       {"Accept", "text/html,application/xhtml+xml"},
                       {"Accept-Encoding", "gzip, deflate"},
                       {"Cookie", "session=[redacted]"}};
  r.header_bytes = 212;
  r.body_bytes = 0;
  run.requests.push_back(r);
  return run.requests.back();
}

void finish(Run& run) {
  const Request& last = run.requests.back();
  run.final_url = last.url;
  run.final_status = last.status;
  run.total_ms = last.span.end_ms + 0.5;
  if (last.failure) {
    run.outcome = Outcome::kFailed;
    run.failure = last.failure;
    run.final_status = std::nullopt;
  } else {
    run.outcome = last.status && *last.status >= 400 ? Outcome::kHttpError : Outcome::kOk;
  }
  for (auto& c : run.connections) c.requests = 0;
  for (const auto& r : run.requests)
    if (r.connection) ++run.connections[*r.connection].requests;
}

void answer(Request& r, int status, const std::string& reason) {
  r.status = status;
  r.reason = reason;
  r.response_headers = {{"Content-Type", "text/html; charset=utf-8"},
                        {"Content-Length", "5120"},
                        {"Set-Cookie", "id=[redacted]; Path=/; HttpOnly"},
                        {"Cache-Control", "no-store"}};
  r.content_type = "text/html; charset=utf-8";
  r.body_bytes = 5120;
  r.body_decoded = 5120;
}

// A full TLS 1.3 handshake across the tls phase `tls`, as the lab's: the client's hello,
// the server's flight, the client's Finished, and two session tickets after it.
void add_handshake(Connection& c, Span tls) {
  using D = TlsStep::Direction;
  auto at = [&](double share) { return tls.start_ms + share * tls.duration_ms(); };
  c.tls_steps = {{D::kSent, "ClientHello", 512, at(0.05), "", false, false},
                 {D::kReceived, "ServerHello", 122, at(0.6), "", false, false},
                 {D::kReceived, "ChangeCipherSpec", 1, at(0.6), "", false, false},
                 {D::kReceived, "EncryptedExtensions", 15, at(0.62), "", false, false},
                 {D::kReceived, "Certificate", 1830, at(0.62), "", false, false},
                 {D::kReceived, "CertificateVerify", 264, at(0.8), "", false, false},
                 {D::kReceived, "Finished", 52, at(0.85), "", false, false},
                 {D::kSent, "ChangeCipherSpec", 1, at(0.95), "", false, false},
                 {D::kSent, "Finished", 52, at(0.96), "", false, false},
                 {D::kReceived, "NewSessionTicket", 249, tls.end_ms + 0.5, "", false, true},
                 {D::kReceived, "NewSessionTicket", 249, tls.end_ms + 0.5, "", false, true}};
  c.tls_round_trips = 1;
  c.tls_session_offered = false;
  c.tls_resumed = false;
}

// A fresh https request with connection and DNS lookup to `host`.
Request& fresh_request(Run& run, const std::string& host, const std::string& path,
                       double start, const std::array<double, kPhaseCount>& ms) {
  Request& r = add_request(run, "https", host, path, start, ms, true);
  if (const auto* dns = r.phase(Phase::kDns)) r.dns_lookup = add_lookup(run, host, dns->span);
  const auto* c = r.phase(Phase::kConnect);
  r.connection = add_connection(run, "https", host,
                                c ? c->span : Span{r.span.start_ms, r.span.start_ms});
  if (const auto* tls = r.phase(Phase::kTls)) add_handshake(run.connections.back(), tls->span);
  return r;
}

}  // namespace

const std::vector<std::string>& hostile_strings() {
  static const std::vector<std::string> strings{
      "</script><script>document.title='pwned';window.__pwned=1</script>",
      "\"><img src=x onerror=\"window.__pwned=2\">",
      "'><svg onload=window.__pwned=3>",
      "<img src=\"http://127.0.0.1:9/leak.png\">",
      "{{#rows}}mustache{{/rows}} & &amp; \u2028 \u2029 `backtick`",
      "<style>body{display:none}</style>",
  };
  return strings;
}

Run no_hops() {
  Run run = base_run("htps://example.test/");
  run.outcome = Outcome::kFailed;
  run.failure = Failure{Code::kBadUrl, "unsupported scheme \"htps\""};
  run.total_ms = 0.1;
  return run;
}

Run redirect_chain(int hops, int final_status) {
  Run run = base_run("https://example.test/");
  std::map<std::string, int> conn_of_host;
  double t = 0;
  std::string host = "example.test";
  for (int i = 0; i < hops; ++i) {
    const std::string path = i == 0 ? "/" : "/hop/" + std::to_string(i);
    const bool fresh = !conn_of_host.count(host);
    Request* r;
    if (fresh) {
      r = &fresh_request(run, host, path, t, kFreshMs);
      conn_of_host[host] = *r->connection;
    } else {
      r = &add_request(run, "https", host, path, t, kReusedMs, false);
      r->connection = conn_of_host[host];
      r->reused = true;
    }
    const bool last = i == hops - 1;
    if (last) {
      answer(*r, final_status, final_status == 200 ? "OK" : final_status == 404 ? "Not Found"
                                                                                  : "Error");
    } else {
      const std::string next_host = (i + 1) % 4 == 0 ? "cdn" + std::to_string(i + 1) + ".example.test" : host;
      const std::string next_path = "/hop/" + std::to_string(i + 1);
      answer(*r, kRedirectCodes[i % 4], kReasons[i % 4]);
      r->location = next_host == host ? next_path : "https://" + next_host + next_path;
      r->redirect_url = "https://" + next_host + next_path;
      r->response_headers.push_back({"Location", r->location});
      r->body_bytes = 0;
      host = next_host;
    }
    t = r->span.end_ms + 0.3;
  }
  finish(run);
  return run;
}

Run fresh_chain(int hops) {
  Run run = base_run("https://www.example.test/");
  double t = 0;
  for (int i = 0; i < hops; ++i) {
    // Four hosts in turn, as when a site bounces between www, login and a CDN.
    const std::string host = i % 4 == 0 ? "www.example.test"
                             : i % 4 == 1 ? "login.example.test"
                             : i % 4 == 2 ? "cdn-" + std::to_string(i) + ".static.example.test"
                                          : "example.test";
    const std::string path = i == 0 ? "/" : "/account/session/" + std::to_string(i) + "?next=%2Fhome";
    Request& r = fresh_request(run, host, path, t, kFreshMs);
    r.port = 443;
    r.request_headers[1].second = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
                                  "(KHTML, like Gecko) Chrome/120.0 Safari/537.36 pageload/0.1";
    auto& tls = *run.connections.back().tls;
    tls.subject = "CN=" + host + ",O=Example Ltd";
    tls.issuer = "CN=Example Issuing CA R3,O=Example Trust,C=US";
    tls.sans = {host, "*.example.test", "example.test", "*.static.example.test"};
    run.connections.back().local_port = 40000 + i;
    const bool last = i == hops - 1;
    if (last) {
      answer(r, 200, "OK");
    } else {
      answer(r, kRedirectCodes[i % 4], kReasons[i % 4]);
      const std::string next_host = i % 4 == 0 ? "login.example.test"
                                    : i % 4 == 1 ? "cdn-" + std::to_string(i + 1) + ".static.example.test"
                                    : i % 4 == 2 ? "example.test"
                                                 : "www.example.test";
      r.location = "https://" + next_host + "/account/session/" + std::to_string(i + 1) + "?next=%2Fhome";
      r.redirect_url = r.location;
      r.response_headers.push_back({"Location", r.location});
      r.body_bytes = 0;
    }
    r.response_headers.insert(r.response_headers.begin(),
                              {{"Server", "nginx/1.24.0"}, {"Date", "Wed, 25 Nov 2026 05:00:00 GMT"}});
    r.response_headers.push_back({"Strict-Transport-Security", "max-age=63072000"});
    t = r.span.end_ms + 0.3;
  }
  finish(run);
  return run;
}

Run failed_at_dns() {
  Run run = base_run("https://no-such-host.example.test/");
  auto ms = kFreshMs;
  Request& r = add_request(run, "https", "no-such-host.example.test", "/", 0,
                           {-1, ms[1], -1, -1, -1, -1, -1, -1}, true);
  // Nothing was sent: no protocol, no headers, no sizes.
  r.http_version.clear();
  r.request_headers.clear();
  r.header_bytes.reset();
  r.body_bytes.reset();
  r.phases[0].failure = Failure{Code::kDnsNxdomain, "no-such-host.example.test: NXDOMAIN"};
  r.error_phase = Phase::kDns;
  r.failure = r.phases[0].failure;
  r.dns_lookup = add_lookup(run, r.host, r.phases[0].span);
  auto& l = run.dns_lookups.back();
  l.outcome = "NXDOMAIN";
  l.ares_status = "ARES_ENOTFOUND";
  l.answers.clear();
  l.queries = {{"A", "NXDOMAIN", "ARES_ENOTFOUND", l.span}};
  l.failure = r.failure;
  finish(run);
  return run;
}

Run failed_at_tls() {
  Run run = base_run("https://expired.example.test/");
  auto ms = kFreshMs;
  Request& r = fresh_request(run, "expired.example.test", "/", 0,
                             {-1, ms[1], ms[2], -1, ms[4], -1, -1, -1});
  r.phases.back().failure = Failure{Code::kTlsCertExpired, "certificate has expired"};
  r.error_phase = Phase::kTls;
  r.failure = r.phases.back().failure;
  auto& tls = *run.connections.back().tls;
  tls.not_after = "2025-01-01T00:00:00Z";
  tls.verify_result = 10;
  tls.verify_message = "certificate has expired";
  tls.verified = false;
  tls.version.clear();
  tls.cipher.clear();
  tls.alpn.clear();
  // The client refused the certificate: its alert ends the handshake.
  auto& steps = run.connections.back().tls_steps;
  steps.resize(5);
  steps.push_back({TlsStep::Direction::kSent, "Alert", 2, steps.back().at_ms + 0.2, "certificate_expired", true, false});
  finish(run);
  return run;
}

Run missing_phase(Phase missing) {
  Run run = base_run("https://example.test/");
  auto ms = kFreshMs;
  ms[static_cast<int>(Phase::kBlocked)] = 4;  // every phase but the missing one
  ms[static_cast<int>(Phase::kTunnel)] = 3;
  ms[static_cast<int>(missing)] = -1;
  Request& r = fresh_request(run, "example.test", "/", 0, ms);
  answer(r, 200, "OK");
  finish(run);
  return run;
}

Run traced_walk() {
  Run run = base_run("https://www.shop.test/");
  auto ms = kFreshMs;
  ms[1] = 60;  // the walk's time
  Request& r = fresh_request(run, "www.shop.test", "/", 0, ms);
  r.status = 200;
  r.reason = "OK";
  DnsLookup& l = run.dns_lookups[static_cast<std::size_t>(*r.dns_lookup)];
  l.source = "trace";
  l.servers = {"127.0.0.53:5300"};
  l.ares_status.clear();
  l.answers = {{"A", "www.shop.test", "127.0.0.1", 300}};
  const double t0 = l.span.start_ms;
  auto step = [&](int query, int depth, std::string server, std::string name, std::string zone, std::string qname,
                  double start, double duration, std::string kind) {
    DnsStep s;
    s.query = query;
    s.depth = depth;
    s.server = std::move(server);
    s.server_name = std::move(name);
    s.zone = std::move(zone);
    s.qname = std::move(qname);
    s.qtype = query == 0 ? "A" : "AAAA";
    s.span = {t0 + start, t0 + start + duration};
    s.rcode = kind == "timeout" ? "" : "NOERROR";
    s.kind = std::move(kind);
    l.steps.push_back(s);
    return &l.steps.back();
  };
  auto referral = [](DnsStep* s, std::string zone, std::vector<std::string> ns, std::vector<DnsAnswer> glue) {
    s->referral_zone = std::move(zone);
    s->ns = std::move(ns);
    s->glue = std::move(glue);
  };
  referral(step(0, 0, "127.0.0.53:5300", "", ".", "www.shop.test", 0.1, 1.5, "referral"), "test", {"ns1.nic.test"},
           {{"A", "ns1.nic.test", "127.0.0.54", 172800}});
  referral(step(1, 0, "127.0.0.53:5300", "", ".", "www.shop.test", 0.2, 1.6, "referral"), "test", {"ns1.nic.test"},
           {{"A", "ns1.nic.test", "127.0.0.54", 172800}});
  referral(step(0, 0, "127.0.0.54:5300", "ns1.nic.test", "test", "www.shop.test", 1.7, 2.5, "referral"), "shop.test",
           {"ns1.shop.test", "ns2.shop.test", "ns3.hosting.test"},
           {{"A", "ns1.shop.test", "127.0.0.58", 172800}, {"A", "ns2.shop.test", "127.0.0.60", 172800}});
  referral(step(1, 0, "127.0.0.54:5300", "ns1.nic.test", "test", "www.shop.test", 1.9, 2.4, "referral"), "shop.test",
           {"ns1.shop.test"}, {{"A", "ns1.shop.test", "127.0.0.55", 172800}});
  DnsStep* lame = step(0, 0, "127.0.0.58:5300", "ns1.shop.test", "shop.test", "www.shop.test", 4.3, 1.2, "error");
  lame->rcode = "REFUSED";
  lame->failure = Failure{Code::kDnsLameDelegation, "REFUSED: not a server of shop.test"};
  step(1, 0, "127.0.0.55:5300", "ns1.shop.test", "shop.test", "www.shop.test", 4.4, 2.0, "nodata")->authoritative = true;
  DnsStep* silent = step(0, 0, "127.0.0.60:5300", "ns2.shop.test", "shop.test", "www.shop.test", 5.6, 40, "timeout");
  silent->failure = Failure{Code::kDnsTimeout, "no reply in 40 ms"};
  referral(step(0, 1, "127.0.0.53:5300", "", ".", "ns3.hosting.test", 45.7, 1.4, "referral"), "test", {"ns1.nic.test"},
           {{"A", "ns1.nic.test", "127.0.0.54", 172800}});
  referral(step(0, 1, "127.0.0.54:5300", "ns1.nic.test", "test", "ns3.hosting.test", 47.2, 2.1, "referral"),
           "hosting.test", {"ns3.hosting.test"}, {{"A", "ns3.hosting.test", "127.0.0.56", 172800}});
  DnsStep* ns = step(0, 1, "127.0.0.56:5300", "ns3.hosting.test", "hosting.test", "ns3.hosting.test", 49.4, 2.6, "answer");
  ns->records = {{"A", "ns3.hosting.test", "127.0.0.56", 300}};
  ns->authoritative = true;
  DnsStep* answer = step(0, 0, "127.0.0.56:5300", "ns3.hosting.test", "shop.test", "www.shop.test", 52.1, 7.6, "answer");
  answer->records = l.answers;
  answer->authoritative = true;
  l.queries = {{"A", "NOERROR", "", Span{t0, t0 + 59.7}, "127.0.0.56:5300"},
               {"AAAA", "NODATA", "", Span{t0, t0 + 6.4}, "127.0.0.55:5300"}};
  finish(run);
  return run;
}

Run hostile() {
  const auto& h = hostile_strings();
  Run run = redirect_chain(2);
  run.url = "https://example.test/?q=" + h[0];
  run.label = h[1];
  run.final_url = "https://example.test/" + h[3];
  run.tool_version = "pageload " + h[5];
  Request& first = run.requests[0];
  first.url = run.url;
  first.method = "GET" + h[2];
  first.reason = h[0];
  first.location = h[1];
  first.redirect_url = "https://evil.example/" + h[3];
  first.request_headers.push_back({h[0], h[1]});
  first.response_headers.push_back({h[2], h[3]});
  first.response_headers.push_back({"X-Hostile", h[4]});
  first.warnings.push_back(h[5]);
  first.content_type = h[2];
  Request& second = run.requests[1];
  second.url = "https://example.test/" + h[4];
  second.reason = h[3];
  second.status = 502;
  second.response_headers.push_back({h[5], h[0]});
  second.phases.back().failure = Failure{Code::kRecvError, h[0] + " " + h[2]};
  second.error_phase = Phase::kReceive;
  second.failure = second.phases.back().failure;
  auto& tls = *run.connections[0].tls;
  tls.subject = "CN=" + h[0];
  tls.issuer = "O=" + h[1];
  tls.sans = {h[2]};
  tls.alpn = h[3];
  tls.verify_message = h[4];
  auto& dns = run.dns_lookups[0];
  dns.host = h[0];
  dns.answers[0].value = h[1];
  dns.answers[1].name = h[2];
  // A walk from the root whose servers named hostile zones and name servers.
  DnsStep walked;
  walked.server = "127.0.0.53:5300";
  walked.server_name = h[3];
  walked.zone = h[4];
  walked.qname = h[5];
  walked.qtype = "A";
  walked.span = dns.span;
  walked.rcode = "NOERROR";
  walked.kind = "referral";
  walked.referral_zone = h[0];
  walked.ns = {h[1]};
  walked.glue = {{"A", h[1], h[2], 1}};
  DnsStep failed = walked;
  failed.kind = "error";
  failed.failure = Failure{Code::kDnsLameDelegation, h[3]};
  dns.source = "trace";
  dns.steps = {walked, failed};
  run.connections[0].host = h[3];
  run.failure = Failure{Code::kRecvError, h[1]};
  run.outcome = Outcome::kFailed;
  return run;
}

namespace {

// Appends one request of a page: discovered at `found`, its network work from `start`
// (blocked in between when later), with phases of `ms` (dns, connect, tls, send, wait,
// receive; negative leaves one out) on connection `conn`.
Request& page_request(Run& run, const std::string& host, const std::string& path, ResourceType type,
                      Priority priority, std::optional<int> initiator, double found, double start,
                      const std::array<double, 6>& ms, std::optional<int> conn, bool http2) {
  Request r;
  r.id = r.seq = static_cast<int>(run.requests.size());
  r.method = "GET";
  r.scheme = "https";
  r.host = host;
  r.port = 443;
  r.url = "https://" + host + path;
  r.resource_type = type;
  r.priority = priority;
  r.initiator = initiator;
  if (initiator) r.discovered_ms = found;
  r.found_by = type == ResourceType::kDocument ? "" : type == ResourceType::kFont ? "css @font-face" : "html";
  r.connection = conn;
  if (start > found + 0.001) r.phases.push_back({Phase::kBlocked, {found, start}, std::nullopt});
  double t = start;
  constexpr std::array<Phase, 6> kOrder{Phase::kDns, Phase::kConnect, Phase::kTls,
                                         Phase::kSend, Phase::kWait, Phase::kReceive};
  for (int k = 0; k < 6; ++k) {
    if (ms[static_cast<std::size_t>(k)] < 0) continue;
    const Phase phase = kOrder[static_cast<std::size_t>(k)];
    r.phases.push_back({phase, {t, t + ms[static_cast<std::size_t>(k)]}, std::nullopt});
    t += ms[static_cast<std::size_t>(k)];
  }
  r.span = {r.phases.empty() ? start : r.phases.front().span.start_ms, t};
  r.reused = conn && ms[1] < 0;
  r.http_version = http2 ? "HTTP/2" : "HTTP/1.1";
  r.request_headers = {{"Host", host}, {"User-Agent", "Mozilla/5.0 pageload/0.1"}};
  run.requests.push_back(r);
  return run.requests.back();
}

void answer_as(Request& r, int status, const std::string& reason, const std::string& type, int64_t bytes) {
  r.status = status;
  r.reason = reason;
  r.content_type = type;
  r.response_headers = {{"Content-Type", type}, {"Content-Length", std::to_string(bytes)}};
  r.header_bytes = 180;
  r.body_bytes = r.body_decoded = bytes;
}

}  // namespace

Run page(int images, bool http2) {
  Run run = base_run("https://example.test/");
  run.label = http2 ? "page over HTTP/2" : "page over HTTP/1.1";
  const std::string host = "example.test";
  const std::array<double, 6> fresh{12, 8, 20, 0.5, 30, 40};
  // The document, on connection #0.
  add_lookup(run, host, {0, 12});
  const int doc_conn = add_connection(run, "https", host, {12, 20});
  run.connections[0].tls->alpn = http2 ? "h2" : "http/1.1";
  Request& doc = page_request(run, host, "/", ResourceType::kDocument, Priority::kHighest, std::nullopt, 0, 0, fresh,
                              doc_conn, http2);
  doc.dns_lookup = 0;
  answer_as(doc, 200, "OK", "text/html; charset=utf-8", 24000);
  const double first_byte = 0 + 12 + 8 + 20 + 0.5 + 30;  // the end of its wait
  const double doc_end = doc.span.end_ms;

  // Connections of the first origin: when each is next free. HTTP/2: one, never busy.
  struct Lane { int conn; double free_at; };
  std::vector<Lane> lanes{{doc_conn, doc_end}};
  auto take = [&](double found, double receive_ms, double& start, bool& fresh_conn) -> int {
    if (http2) {
      start = std::max(found, first_byte);
      fresh_conn = false;
      return doc_conn;
    }
    Lane* best = nullptr;
    for (auto& l : lanes)
      if (!best || l.free_at < best->free_at) best = &l;
    if (best->free_at > found && lanes.size() < 6) {
      const double at = found;
      const int id = add_connection(run, "https", host, {at, at + 8});
      lanes.push_back({id, at});
      best = &lanes.back();
      fresh_conn = true;
    } else {
      fresh_conn = false;
    }
    start = std::max(found, best->free_at);
    best->free_at = start + (fresh_conn ? 28 : 0) + 0.5 + 20 + receive_ms;
    return best->conn;
  };
  auto subresource = [&](const std::string& path, ResourceType type, Priority prio, int initiator, double found,
                         double receive_ms, const std::string& content_type, int64_t bytes) -> Request& {
    double start = 0;
    bool fresh_conn = false;
    const int conn = take(found, receive_ms, start, fresh_conn);
    const std::array<double, 6> ms{-1, fresh_conn ? 8.0 : -1, fresh_conn ? 20.0 : -1, 0.5, 20, receive_ms};
    Request& r = page_request(run, host, path, type, prio, initiator, found, start, ms, conn, http2);
    answer_as(r, 200, "OK", content_type, bytes);
    return r;
  };

  const Request& css = subresource("/style.css", ResourceType::kStylesheet, Priority::kHighest, 0, first_byte + 2, 15,
                                   "text/css", 6000);
  const int css_seq = css.seq;
  const double css_end = css.span.end_ms;
  subresource("/app.js", ResourceType::kScript, Priority::kHigh, 0, first_byte + 3, 25, "application/javascript",
              40000);
  for (int i = 0; i < images; ++i)
    subresource("/img/photo-" + std::to_string(i) + ".jpg?w=640", ResourceType::kImage, Priority::kLow, 0,
                first_byte + 4 + i * 0.5, 18 + (i % 5) * 6, "image/jpeg", 30000 + i * 1000);

  // A third-party image answered 404, on its own origin's connection.
  add_lookup(run, "cdn.example.test", {first_byte + 5, first_byte + 25});
  const int cdn_conn = add_connection(run, "https", "cdn.example.test", {first_byte + 25, first_byte + 35});
  Request& missing = page_request(run, "cdn.example.test", "/missing.png", ResourceType::kImage, Priority::kLow, 0,
                                  first_byte + 5, first_byte + 5, {20, 10, 22, 0.5, 25, 1}, cdn_conn, http2);
  missing.dns_lookup = static_cast<int>(run.dns_lookups.size()) - 1;
  answer_as(missing, 404, "Not Found", "text/html", 120);
  // A third-party script whose host does not resolve: the page goes on without it.
  const int dead_lookup = add_lookup(run, "ads.nowhere.test", {first_byte + 6, first_byte + 40});
  run.dns_lookups[static_cast<std::size_t>(dead_lookup)].answers.clear();
  run.dns_lookups[static_cast<std::size_t>(dead_lookup)].outcome = "NXDOMAIN";
  Request& dead = page_request(run, "ads.nowhere.test", "/ads.js", ResourceType::kScript, Priority::kLow, 0,
                               first_byte + 6, first_byte + 6, {34, -1, -1, -1, -1, -1}, std::nullopt, http2);
  dead.dns_lookup = dead_lookup;
  dead.phases.back().failure = Failure{Code::kDnsNxdomain, "ads.nowhere.test: NXDOMAIN"};
  dead.error_phase = Phase::kDns;
  dead.failure = dead.phases.back().failure;
  run.dns_lookups[static_cast<std::size_t>(dead_lookup)].failure = dead.failure;

  // The font the stylesheet names: found when the stylesheet arrived, the last to finish.
  subresource("/fonts/body.woff2", ResourceType::kFont, Priority::kHighest, css_seq, css_end + 1, 60, "font/woff2",
              52000);

  run.document_ms = doc_end + 4;
  double last = 0;
  for (const auto& r : run.requests) last = std::max(last, r.span.end_ms);
  run.load_ms = last + 0.5;
  run.total_ms = last + 1;
  run.final_url = run.requests.front().url;  // doc: a reference the requests added since have moved
  run.final_status = 200;
  run.outcome = Outcome::kOk;
  for (auto& c : run.connections) {
    c.requests = 0;
    c.closed = ConnectionClose{*run.load_ms + 0.3, ClosedBy::kPageload, CloseReason::kEndOfPage};
  }
  for (auto& r : run.requests)
    if (r.connection) {
      ++run.connections[static_cast<std::size_t>(*r.connection)].requests;
      if (auto& tls = run.connections[static_cast<std::size_t>(*r.connection)].tls) tls->alpn = http2 ? "h2" : "http/1.1";
    }
  if (!http2 && run.connections.size() > 2) {
    // The server closed connection #1 once idle, after its last request.
    double end = 0;
    for (const auto& r : run.requests)
      if (r.connection == 1) end = std::max(end, r.span.end_ms);
    run.connections[1].closed = ConnectionClose{end + 5, ClosedBy::kServer, CloseReason::kServerClosed};
  }
  return run;
}

Run hostile_page() {
  const auto& h = hostile_strings();
  Run run = page(3, false);
  for (std::size_t i = 1; i < run.requests.size(); ++i) {
    Request& r = run.requests[i];
    const std::string& s = h[i % h.size()];
    r.url = "https://example.test/img/" + s + "?q=" + h[(i + 1) % h.size()];
    r.content_type = s;
    r.found_by = h[(i + 2) % h.size()];
    r.note = h[(i + 3) % h.size()];
    r.reason = h[(i + 4) % h.size()];
    // Header names and values and warnings of subresources, as the waterfall's details
    // show them, and the file name of a path the row and the connection blocks name.
    r.request_headers.push_back({h[(i + 5) % h.size()], s});
    r.response_headers.push_back({"X-Hostile", h[(i + 1) % h.size()]});
    r.response_headers.push_back({s, h[(i + 2) % h.size()]});
    r.warnings.push_back(h[(i + 3) % h.size()]);
    if (r.failure) r.failure->message = s;
  }
  run.requests.back().host = h[0];
  run.connections.back().host = h[1];
  run.connections.back().retry_reason = h[2];
  run.warnings.push_back(h[3]);
  return run;
}

}  // namespace pageload::synthetic
