// `pageload lab` (serve the lab until stopped) and `pageload demo` (a guided tour of
// what the tool shows, loaded against an in-process lab).
#include <signal.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "lab/lab.h"
#include "loader/loader.h"
#include "report/html.h"
#include "store/store.h"

namespace pageload::cli {

int lab_command(int dns_port, int http_port, int https_port, int dns_root_port) {
  // Block the stop signals before the lab's threads start, so they inherit the mask
  // and sigwait() below is the only place they arrive.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  lab::LabOptions options;
  options.dns_port = dns_port;
  options.http_port = http_port;
  options.https_port = https_port;
  options.dns_root_port = dns_root_port;
  auto lab = lab::Lab::start(options);
  if (!lab.ok()) return fail(lab.status());
  const auto& l = *lab.value();
  std::cout << l.describe() << "\n"
            << "Try:\n  pageload run --dns-server " << l.dns_server() << " --cacert " << l.ca_file() << " "
            << l.http_url("www.test", "/redirect/301?to=" + l.https_url("secure.test", "/chain/302,303,307,308"))
            << "\n  pageload run --dns-server " << l.dns_server() << " --cacert " << l.ca_file() << " "
            << l.https_url("www.test", "/page/showcase") << "   (a page over HTTP/2; "
            << l.https11_url("www.test", "/page/showcase") << " over HTTP/1.1)"
            << "\n  pageload run --dns-trace --dns-root " << l.dns_root() << " " << l.http_url("www.cname.test", "/")
            << "   (the walk from the lab's root: a CNAME into shop.test, walked again from the root)"
            << "\n\nServing until Ctrl-C.\n";
  std::cout.flush();
  int sig = 0;
  sigwait(&stop, &sig);
  std::cout << "stopping\n";
  return kExitOk;
}

namespace {

struct TourStop {
  std::string title;  // what this load shows
  LoadOptions options;
};

std::vector<TourStop> tour(const lab::Lab& l) {
  LoadOptions base;
  base.dns_servers = {l.dns_server()};
  base.cacert = l.ca_file();
  auto stop = [&](std::string title, std::string url, std::string label) {
    TourStop s{std::move(title), base};
    s.options.url = std::move(url);
    s.options.label = "demo: " + std::move(label);
    return s;
  };
  std::vector<TourStop> t;
  t.push_back(stop("A redirect chain: 301 across hosts and from http to https, then 302, 303, 307 and 308 "
                   "on one reused https connection",
                   l.http_url("www.test", "/redirect/301?to=" + l.https_url("secure.test", "/chain/302,303,307,308")),
                   "redirect chain"));
  t.push_back(stop("A slow DNS server: the lab answers delay-150.test after 150 ms",
                   l.http_url("delay-150.test", "/"), "slow dns"));
  t.push_back(stop("A slow first byte: the server thinks for 300 ms (wait phase)",
                   l.https_url("secure.test", "/delay/300"), "slow first byte"));
  auto fresh = stop("The same chain with --no-keepalive: a new connection for every hop, each resuming the first's "
                    "TLS session (no certificate, shorter handshake)",
                    l.https_url("secure.test", "/chain/301,302,307"), "no keepalive");
  fresh.options.keepalive = false;
  t.push_back(fresh);
  t.push_back(stop("TLS 1.3: the handshake in one round trip (ClientHello, then the server's whole flight)",
                   l.https_url("secure.test", "/status/200"), "tls 1.3"));
  t.push_back(stop("The same URL on the lab's TLS 1.2 port: two round trips before the request can go",
                   l.https12_url("secure.test", "/status/200"), "tls 1.2"));
  auto refused = stop("--tlsv1.3 against the TLS 1.2 port: the server refuses with an alert after the ClientHello",
                      l.https12_url("secure.test", "/status/200"), "tls alert");
  refused.options.tls_min = TlsVersion::kTls13;
  t.push_back(refused);
  t.push_back(stop("A CNAME chain, then a first address that refuses (each address tried is recorded)",
                   l.http_url("cname-2.fallback.test", "/"), "cname and fallback"));
  t.push_back(stop("A 404 Not Found: a client error ends the run as http_error", l.http_url("www.test", "/status/404"),
                   "404"));
  t.push_back(stop("A 503 Service Unavailable", l.http_url("www.test", "/status/503"), "503"));
  t.push_back(stop("A name that does not exist: the run fails in its dns phase", l.http_url("nxdomain.test", "/"),
                   "nxdomain"));
  // The walk from the root: pageload asks the lab's root, TLD and authoritative servers
  // itself, as a recursive resolver with a cold cache would.
  auto traced = [&](std::string title, std::string host, std::string label) {
    TourStop s = stop(std::move(title), l.http_url(host, "/"), std::move(label));
    s.options.dns_servers.clear();
    s.options.dns_trace = true;
    s.options.dns_roots = {l.dns_root()};
    s.options.ip_version = 4;
    return s;
  };
  t.push_back(traced("--dns-trace: the lookup walked from the root, root -> test. -> cname.test, whose CNAME into "
                     "shop.test starts the walk again at the root",
                     "www.cname.test", "dns trace"));
  t.push_back(traced("--dns-trace past a lame server: ns1.lame.test refuses (a step of its own), ns2.lame.test answers",
                     "www.lame.test", "dns trace lame"));
  t.push_back(traced("--dns-trace to a slow authoritative server: its step takes its 100 ms, the root's and the TLD's "
                     "a fraction of one",
                     "www.slow.test", "dns trace slow"));
  t.push_back(traced("--dns-trace into a zone whose every server is silent or unreachable: dns_unreachable",
                     "www.down.test", "dns trace down"));
  return t;
}

}  // namespace

int demo_command(const std::string& db_flag, const std::string& out_dir) {
  auto db = store::Database::open(database_path(db_flag));
  if (!db.ok()) return fail(db.status());
  auto lab = lab::Lab::start();
  if (!lab.ok()) return fail(lab.status());
  auto loader = Loader::create();
  if (!loader.ok()) return fail(loader.status());

  std::cout << "pageload demo: a lab on loopback (" << lab.value()->dns_server() << " DNS, ports "
            << lab.value()->http_port() << " http / " << lab.value()->https_port() << " https), database "
            << db.value()->path() << "\n\n";
  int n = 0;
  for (auto& stop : tour(*lab.value())) {
    ++n;
    std::optional<Run> result;
    Status s = loader.value()->start(
        stop.options, [&](Run& run) { db.value()->begin_run(run); },
        [&](Run& run) {
          db.value()->finish_run(run);
          result = run;
        });
    if (!s.ok()) return fail(s);
    loader.value()->run_until_idle();
    if (!result) continue;
    std::string path = out_dir + "/pageload-run-" + std::to_string(result->id) + ".html";
    Status written = report::write_html_report(*result, path);
    std::cout << n << ". " << stop.title << "\n" << format_summary(*result, false);
    std::cout << "report: " << (written.ok() ? path : written.message()) << "\n\n";
  }
  std::cout << "Query the runs with SQL, e.g.:\n  sqlite3 " << db.value()->path()
            << " \"SELECT run_id, seq, status, dns_ms, connect_ms, tls_ms, wait_ms, total_ms FROM timeline "
               "ORDER BY run_id DESC, seq LIMIT 12\"\n"
            << "  sqlite3 " << db.value()->path()
            << " \"SELECT lookup_id, seq, zone, server, kind, ROUND(duration_ms, 2) AS ms, error_class FROM dns_steps "
               "ORDER BY lookup_id, seq\"   (the walks from the root)\n";
  return kExitOk;
}

}  // namespace pageload::cli
