#include "synthetic.h"

#include <string>

namespace bench {

using namespace pageload;

pageload::Run synthetic_run(int i, int hops, bool one_connection) {
  Run run;
  const std::string host = "host" + std::to_string(i % 50) + ".example";
  run.url = "https://" + host + "/page/" + std::to_string(i);
  run.label = i % 3 == 0 ? "before" : (i % 3 == 1 ? "after" : "");
  run.options_json = R"({"method":"GET","max_redirs":20})";
  run.tool_version = "pageload 0.1.0";
  run.library_versions = "libcurl/7.88.1 OpenSSL/3.0 c-ares/1.18.1";
  double t = 0;
  auto jitter = [&](int k) { return 0.05 * ((i * 7 + k * 13) % 40); };
  for (int h = 0; h < hops; ++h) {
    Request r;
    r.id = r.seq = h;
    if (h) r.redirect_from = h - 1;
    r.method = "GET";
    r.scheme = "https";
    r.host = h % 2 == 0 || one_connection ? host : "cdn" + std::to_string(h) + ".example";
    r.port = 443;
    r.url = "https://" + r.host + "/p/" + std::to_string(i) + "/" + std::to_string(h);
    r.span.start_ms = t;
    bool fresh = h == 0 || (!one_connection && h % 2 == 1);  // a new connection (else reuses the run's first)
    if (fresh) {
      DnsLookup d;
      d.id = static_cast<int>(run.dns_lookups.size());
      d.host = r.host;
      d.servers = {"127.0.0.53:53"};
      d.span = {t, t + 2 + jitter(1)};
      d.outcome = "NOERROR";
      d.ares_status = "ARES_SUCCESS";
      d.queries = {{"A", "NOERROR", "ARES_SUCCESS", d.span}, {"AAAA", "NOERROR", "ARES_SUCCESS", d.span}};
      d.answers = {{"A", r.host, "192.0.2." + std::to_string(1 + h), 300}};
      r.dns_lookup = d.id;
      r.phases.push_back({Phase::kDns, d.span, std::nullopt});
      t = d.span.end_ms;
      run.dns_lookups.push_back(d);

      Connection c;
      c.id = static_cast<int>(run.connections.size());
      c.scheme = "https";
      c.host = r.host;
      c.port = 443;
      c.remote_ip = d.answers[0].value;
      c.remote_port = 443;
      c.local_ip = "10.0.0.2";
      c.local_port = 40000 + (i + h) % 20000;
      c.family = 4;
      c.attempts = {{c.remote_ip, 443, 4, ""}};
      c.connect = Span{t, t + 10 + jitter(2)};
      TlsInfo tls;
      tls.version = "TLSv1.3";
      tls.cipher = "TLS_AES_256_GCM_SHA384";
      tls.alpn = "http/1.1";
      tls.subject = "CN=" + r.host;
      tls.issuer = "CN=Example CA";
      tls.sans = {r.host, "*.example"};
      tls.not_before = "2026-01-01T00:00:00Z";
      tls.not_after = "2027-01-01T00:00:00Z";
      tls.verified = true;
      c.tls = tls;
      r.connection = c.id;
      r.phases.push_back({Phase::kConnect, *c.connect, std::nullopt});
      t = c.connect->end_ms;
      r.phases.push_back({Phase::kTls, {t, t + 20 + jitter(3)}, std::nullopt});
      t += 20 + jitter(3);
      c.requests = 1;
      run.connections.push_back(c);
    } else {
      r.reused = true;
      r.connection = 0;
      run.connections[0].requests++;
    }
    r.phases.push_back({Phase::kSend, {t, t + 0.1}, std::nullopt});
    t += 0.1;
    double wait = 30 + jitter(4) * 4;
    r.phases.push_back({Phase::kWait, {t, t + wait}, std::nullopt});
    t += wait;
    r.phases.push_back({Phase::kReceive, {t, t + 5 + jitter(5)}, std::nullopt});
    t += 5 + jitter(5);
    r.span.end_ms = t;
    r.http_version = "HTTP/1.1";
    bool last = h + 1 == hops;
    r.status = last ? 200 : 301;
    r.reason = last ? "OK" : "Moved Permanently";
    if (!last) {
      r.location = "/p/" + std::to_string(i) + "/" + std::to_string(h + 1);
      r.redirect_url = "https://next.example" + r.location;
    }
    r.header_bytes = 220;
    r.body_bytes = last ? 15000 : 0;
    r.body_decoded = r.body_bytes;
    r.content_type = last ? "text/html; charset=utf-8" : "text/plain";
    r.request_headers = {{"Host", r.host}, {"User-Agent", "pageload/0.1"}, {"Accept", "*/*"},
                         {"Accept-Encoding", "gzip, deflate"}};
    r.response_headers = {{"Content-Type", r.content_type}, {"Content-Length", std::to_string(*r.body_bytes)},
                          {"Date", "Wed, 25 Nov 2026 05:00:00 GMT"}, {"Server", "lab"}};
    if (!last) r.response_headers.push_back({"Location", r.location});
    run.requests.push_back(r);
  }
  run.final_url = run.requests.back().url;
  run.final_status = 200;
  run.outcome = Outcome::kOk;
  run.total_ms = t;
  return run;
}

}  // namespace bench
