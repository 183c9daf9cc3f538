// pageload's entry point: CLI11 turns argv into a command; the command returns the exit
// status (README "Exit status"). `pageload URL` is short for `pageload run URL`.
#include <CLI/CLI.hpp>

#include <clocale>
#include <csignal>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "cli/parse.h"
#include "core/redact.h"

namespace {

bool is_subcommand(const char* arg) {
  for (const char* name : {"run", "list", "show", "report", "lab", "demo", "help"})
    if (std::strcmp(arg, name) == 0) return true;
  return false;
}

// A count flag's check: a whole number from lo to hi, or a one-line reason.
CLI::Validator whole_number(long lo, long hi) {
  return CLI::Validator([lo, hi](std::string& s) { return pageload::cli::check_whole_number(s, lo, hi); },
                        "INT " + std::to_string(lo) + " to " + std::to_string(hi));
}

}  // namespace

int main(int argc, char** argv) {
  // IDN hosts convert to punycode through libidn2, which reads the character locale.
  std::setlocale(LC_CTYPE, "C.UTF-8");
  std::signal(SIGPIPE, SIG_IGN);
  using pageload::cli::RunCommand;

  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && !is_subcommand(args[0].c_str()) && args[0] != "-h" && args[0] != "--help" &&
      args[0] != "--version")
    args.insert(args.begin(), "run");

  CLI::App app{"pageload: load a URL the way a browser does and record every phase in SQLite"};
  app.set_version_flag("--version", std::string("pageload ") + PAGELOAD_VERSION);
  app.require_subcommand(1);

  RunCommand run;
  auto& o = run.options;
  std::string max_time, connect_timeout, dns_timeout;
  auto* cmd_run = app.add_subcommand("run", "Load pages as a browser does and store every request's phases");
  cmd_run->add_option("url", run.urls, "http:// or https:// URL");
  cmd_run->add_option("--input", run.input, "Read more URLs from FILE, one per line ('-' for stdin)");
  cmd_run->add_option("--parallel", run.parallel, "Loads in flight at once (default 1)")->check(whole_number(1, 10000));
  cmd_run->add_option("-X,--request", o.method, "Request method");
  cmd_run->add_option("-H,--header", run.raw_headers, "Extra header 'Name: value' (repeatable)")
      ->allow_extra_args(false);
  auto* data = cmd_run->add_option("-d,--data", o.data, "Request body (makes the request a POST); @FILE reads it, without line breaks");
  cmd_run->add_option("--data-binary", run.data_binary, "Request body; @FILE reads it byte for byte")->excludes(data);
  cmd_run->add_option("-A,--user-agent", o.user_agent, "User-Agent (default: browser-like)");
  cmd_run->add_flag("-k,--insecure", o.insecure, "Do not verify certificates (the result is still recorded)");
  cmd_run->add_option("--cacert", o.cacert, "CA bundle (PEM) to verify servers with")->check(CLI::ExistingFile);
  auto* v4 = cmd_run->add_flag_callback("-4,--ipv4", [&] { o.ip_version = 4; }, "Use IPv4 only");
  auto* v6 = cmd_run->add_flag_callback("-6,--ipv6", [&] { o.ip_version = 6; }, "Use IPv6 only");
  v4->excludes(v6);
  cmd_run->add_option("--resolve", run.raw_resolve, "HOST:PORT:ADDR[,ADDR] use these addresses, no DNS (repeatable)")
      ->allow_extra_args(false);
  cmd_run->add_option("--dns-server", run.raw_dns_servers, "Resolver ADDR[:PORT] (repeatable; default: system)")
      ->allow_extra_args(false);
  cmd_run->add_flag("--dns-trace", o.dns_trace,
                    "Resolve each host from the root servers, iteratively, recording every step (like dig +trace)");
  cmd_run->add_option("--dns-root", run.raw_dns_roots,
                      "Root server ADDR[:PORT] for --dns-trace (repeatable; default: IANA's; a port is used for every server)")
      ->allow_extra_args(false);
  cmd_run->add_option("--dns-timeout", dns_timeout, "Seconds allowed for each DNS lookup, retries included (default 15)");
  cmd_run->add_option("--max-redirs", o.max_redirs, "Redirects to follow at most (default 20)")->check(whole_number(0, 1000));
  cmd_run->add_option("--connect-timeout", connect_timeout, "Seconds allowed for each TCP connect (default 10)");
  cmd_run->add_option("-m,--max-time", max_time, "Seconds allowed for the whole load, DNS included (default 300)");
  cmd_run->add_option("--max-filesize", o.max_filesize, "Largest body (wire and decoded) in bytes")->check(CLI::NonNegativeNumber);
  cmd_run->add_flag_callback("--no-keepalive", [&] { o.keepalive = false; }, "A new connection for every hop");
  cmd_run->add_flag("--http1.1", o.http11, "HTTP/1.1 only: no HTTP/2 even where the server offers it");
  std::string tls_max;
  // As in curl, the last of --tlsv1.2 and --tlsv1.3 given wins (read from the parse order
  // below: CLI11 runs flag callbacks in the order the flags were defined).
  const CLI::Option* tlsv12 = cmd_run->add_flag_callback("--tlsv1.2", [] {}, "TLS 1.2 or later (as curl)");
  const CLI::Option* tlsv13 = cmd_run->add_flag_callback("--tlsv1.3", [] {}, "TLS 1.3 only (as curl: 1.3 or later)");
  cmd_run->add_option("--tls-max", tls_max, "Highest TLS version: 1.2, 1.3 or default (as curl)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd_run->add_flag_callback("--no-sessionid", [&] { o.tls_sessions = false; },
                             "Never resume a TLS session from an earlier connection (as curl)");
  cmd_run->add_flag("--document-only", o.document_only,
                    "Load the document's redirect chain alone, not what the page names (as curl -L)");
  cmd_run->add_option("--max-requests", o.max_requests, "Requests per page at most (default 500)")
      ->check(whole_number(1, 100000));
  cmd_run->add_option("--max-frame-depth", o.max_frame_depth, "Iframes inside iframes loaded at most (default 3)")
      ->check(whole_number(0, 20));
  cmd_run->add_option("--noproxy", o.noproxy,
                      "Hosts to reach directly despite proxy variables (comma-separated; '*' for all)");
  cmd_run->add_flag("--share-connections", o.share_connections,
                    "Runs of one batch share one connection pool (a run may reuse an earlier run's connection)");
  cmd_run->add_flag("--keep-secrets", o.keep_secrets, "Store Authorization/Cookie values instead of redacting them");
  cmd_run->add_option("--label", o.label, "Free text stored with the run, for grouping");
  cmd_run->add_option("--db", run.db, "SQLite database (default $PAGELOAD_DB or ./pageload.db)");
  cmd_run->add_option("--html", run.html, "Write the HTML report here (default pageload-run-ID.html)");
  cmd_run->add_flag("--no-html", run.no_html, "Do not write an HTML report");
  cmd_run->add_flag("--json", run.json, "Print one JSON object per run instead of the summary");
  cmd_run->add_flag("-q,--quiet", run.quiet, "Print nothing but errors");

  std::string db;
  std::string limit = "20";  // checked by list_command, so a bad count is named as -n
  bool json = false;
  auto* cmd_list = app.add_subcommand("list", "Recent runs, newest first");
  cmd_list->add_option("--db", db, "SQLite database");
  cmd_list->add_option("-n,--limit", limit, "How many runs, 1 or more (default 20)");
  cmd_list->add_flag("--json", json, "One JSON object per line");

  std::string run_id = "latest";
  auto* cmd_show = app.add_subcommand("show", "One run's hops and phases as text");
  cmd_show->add_option("run", run_id, "Run id (default: latest)");
  cmd_show->add_option("--db", db, "SQLite database");
  cmd_show->add_flag("--json", json, "The run as JSON");

  std::vector<std::string> report_runs;
  std::string report_out;
  auto* cmd_report = app.add_subcommand("report", "Write the HTML waterfall of stored runs");
  cmd_report->add_option("run", report_runs, "Run ids (default: latest)");
  cmd_report->add_option("-o,--output", report_out,
                         "Output file (one run; '-' for standard output) or directory (several)");
  cmd_report->add_option("--db", db, "SQLite database");

  int dns_port = 0, http_port = 0, https_port = 0, dns_root_port = 0;
  auto* cmd_lab = app.add_subcommand("lab", "Serve the loopback lab (DNS, HTTP, HTTPS) until stopped");
  cmd_lab->add_option("--dns-port", dns_port, "UDP port for the lab DNS (default: any free)");
  cmd_lab->add_option("--http-port", http_port, "HTTP port (default: any free)");
  cmd_lab->add_option("--https-port", https_port, "HTTPS port (default: any free)");
  cmd_lab->add_option("--dns-root-port", dns_root_port,
                      "UDP port of the DNS hierarchy on 127.0.0.53-64 (default: one free on all)");

  std::string out_dir = ".";
  auto* cmd_demo = app.add_subcommand("demo", "Start the lab and load a guided tour, writing reports");
  cmd_demo->add_option("--db", db, "SQLite database");
  cmd_demo->add_option("--out", out_dir, "Directory for the reports (default: .)");

  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11's vector overload order
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "pageload: " << pageload::redact_text(e.what()) << " (see pageload --help)\n";
    return pageload::kExitUsage;
  }

  // --max-time, --connect-timeout and --dns-timeout as whole milliseconds (README: exit 2 on bad input).
  auto seconds = [](const std::string& text, long* out_ms, const char* flag) -> bool {
    if (text.empty()) return true;
    auto ms = pageload::cli::parse_seconds(text, flag);
    if (!ms.ok()) {
      pageload::cli::fail(ms.status());
      return false;
    }
    *out_ms = ms.value();
    return true;
  };

  try {
    if (cmd_run->parsed()) {
      if (!seconds(max_time, &o.max_time_ms, "--max-time") ||
          !seconds(connect_timeout, &o.connect_timeout_ms, "--connect-timeout") ||
          !seconds(dns_timeout, &o.dns_timeout_ms, "--dns-timeout"))
        return pageload::kExitUsage;
      for (const CLI::Option* given : cmd_run->parse_order()) {
        if (given == tlsv12) o.tls_min = pageload::TlsVersion::kTls12;
        if (given == tlsv13) o.tls_min = pageload::TlsVersion::kTls13;
      }
      if (cmd_run->count("--tls-max")) {  // given, even as '': an empty value is no version
        auto max = pageload::cli::parse_tls_max(tls_max);
        if (!max.ok()) {
          pageload::cli::fail(max.status());
          return pageload::kExitUsage;
        }
        o.tls_max = max.value();
      }
      if (auto s = pageload::cli::check_tls_versions(o.tls_min, o.tls_max); !s.ok()) {
        pageload::cli::fail(s);
        return pageload::kExitUsage;
      }
      return pageload::cli::run_command(run);
    }
    if (cmd_list->parsed()) return pageload::cli::list_command(db, limit, json);
    if (cmd_show->parsed()) return pageload::cli::show_command(db, run_id, json);
    if (cmd_report->parsed()) return pageload::cli::report_command(db, report_runs, report_out);
    if (cmd_lab->parsed()) return pageload::cli::lab_command(dns_port, http_port, https_port, dns_root_port);
    if (cmd_demo->parsed()) return pageload::cli::demo_command(db, out_dir);
  } catch (const std::exception& e) {
    std::cerr << "pageload: internal error: " << e.what() << "\n";
    return pageload::kExitLocal;
  }
  return pageload::kExitUsage;
}
