// `pageload lab` (serve the lab until stopped) and `pageload demo` (a guided tour of
// what the tool shows, loaded against an in-process lab).
#include <signal.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/demo_tour.h"
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
  const std::vector<TourStop> stops = tour(*lab.value());
  std::vector<std::string> reports(stops.size());
  int n = 0;
  for (const auto& stop : stops) {
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
    auto identity = db.value()->identity();
    if (!identity.ok()) return fail(identity.status());
    Status written = report::write_html_report(*result, path, report::database_mark(identity->id, db.value()->path(), identity->older_than_ids),
                                               "write the reports in another directory (--out DIR)");
    std::cout << n << ". " << stop.title << "\n" << format_summary(*result, false);
    std::cout << "   report: " << (written.ok() ? path : written.message()) << "\n";
    if (written.ok()) reports[static_cast<std::size_t>(n - 1)] = path;
    if (stop.look)
      std::cout << "   look: " << stop.look(*result, stop.beside ? reports[*stop.beside] : std::string()) << "\n";
    std::cout << "\n";
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
