// pageload's entry point: CLI11 turns argv into a command; the command returns the exit
// status (README "Exit status"). `pageload URL` is short for `pageload run URL`.
#include <CLI/CLI.hpp>

#include <clocale>
#include <algorithm>
#include <csignal>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "cli/parse.h"
#include "core/redact.h"

namespace {

bool is_subcommand(const char* arg) {
  for (const char* name : {"run", "list", "show", "report", "compare", "har", "import", "lab", "demo", "help"})
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
  if (args.size() == 1 && args[0] == "-V") args[0] = "--version";  // curl -V
  if (!args.empty() && !is_subcommand(args[0].c_str()) && args[0] != "-h" && args[0] != "--help" &&
      args[0] != "--version")
    args.insert(args.begin(), "run");

  if (!args.empty() && args[0] == "run") {
    if (auto clash = pageload::cli::check_curl_clashes({args.begin() + 1, args.end()}); !clash.ok())
      return pageload::cli::fail(clash);
    args = pageload::cli::take_curl_url_flags(std::move(args));
  }

  CLI::App app{"pageload: load a URL the way a browser does and record every phase in SQLite", "pageload"};
  app.footer("pageload URL... is short for pageload run URL...; its flags (curl's -L, -s, -v, -w, -o, -d, -H, -x... "
             "among them): pageload run --help");
  app.set_version_flag("--version", std::string("pageload ") + PAGELOAD_VERSION);
  app.require_subcommand(1);
  // As in curl, a flag that takes one value and is given twice takes the last ("pageload
  // -m 30 \"$@\"" in a wrapper); set before the subcommands, which copy it. Options that
  // collect a list (-H, -b, -d, --resolve, URLs...) keep every value: TakeLast trims only
  // past an option's expected count, which a vector's is not.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  RunCommand run;
  auto& o = run.options;
  std::string max_time, connect_timeout, dns_timeout;
  auto* cmd_run = app.add_subcommand("run", "Load pages as a browser does and store every request's phases");
  cmd_run->add_option("url", run.urls, "http:// or https:// URL");
  // Kept as a list so that a second --input is refused by name, not silently dropped.
  std::vector<std::string> inputs;
  cmd_run->add_option("--input", inputs, "Read more URLs from FILE, one per line ('-' for stdin)")
      ->allow_extra_args(false);
  cmd_run->add_flag("--fail-early", run.fail_early,
                    "A line of --input that is not a URL ends the batch (default: it is skipped and counted)");
  cmd_run->add_option("--parallel", run.parallel, "Loads in flight at once (default 1)")->check(whole_number(1, 10000));
  cmd_run->add_option("-n,--runs", run.runs,
                      "Load the URL N times, one after another, as one group: prints the median run (by load time, "
                      "by document time with --document-only) and min/median/p95/max")
      ->check(whole_number(1, 1000));
  cmd_run->add_option("-X,--request", o.method, "Request method");
  cmd_run->add_option("-H,--header", run.raw_headers, "Extra header 'Name: value' (repeatable)")
      ->allow_extra_args(false);
  // -d and --data-raw parts are joined in the order given: each is taken as it is parsed.
  auto* data = cmd_run->add_option_function<std::string>(
                          "-d,--data,--data-ascii", [&run](const std::string& v) { run.raw_data.push_back({v, true}); },
                          "Request body (makes the request a POST); @FILE reads it, without line breaks; "
                          "repeated: joined with '&' (as curl; --data-ascii is the same)")
                   ->trigger_on_parse()
                   ->allow_extra_args(false);
  auto* data_raw = cmd_run->add_option_function<std::string>(
                              "--data-raw", [&run](const std::string& v) { run.raw_data.push_back({v, false}); },
                              "As -d, but a leading @ is sent as it is (no file is read), as curl")
                       ->trigger_on_parse()
                       ->allow_extra_args(false);
  cmd_run->add_option("--data-binary", run.data_binary, "Request body; @FILE reads it byte for byte; repeated: joined with '&'")
      ->allow_extra_args(false)
      ->excludes(data)
      ->excludes(data_raw);
  cmd_run->add_option("-A,--user-agent", o.user_agent, "User-Agent (default: browser-like)");
  cmd_run->add_flag("-k,--insecure", o.insecure, "Do not verify certificates (the result is still recorded)");
  cmd_run->add_option("--cacert", o.cacert, "CA bundle (PEM) to verify servers with")->check(CLI::ExistingFile);
  auto* v4 = cmd_run->add_flag_callback("-4,--ipv4", [&] { o.ip_version = 4; }, "Use IPv4 only");
  auto* v6 = cmd_run->add_flag_callback("-6,--ipv6", [&] { o.ip_version = 6; }, "Use IPv6 only");
  v4->excludes(v6);
  cmd_run->add_option("--resolve", run.raw_resolve, "HOST:PORT:ADDR[,ADDR] use these addresses, no DNS (repeatable)")
      ->allow_extra_args(false);
  cmd_run->add_option("--connect-to", run.raw_connect_to,
                      "HOST1:PORT1:HOST2:PORT2 connect to HOST2:PORT2 for requests to HOST1:PORT1 (as curl; empty "
                      "fields: any, or the same; repeatable)")
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
  cmd_run->add_option("--max-filesize", o.max_filesize, "Largest body (wire and decoded) in bytes (K, M, G: as curl)")
      ->transform(CLI::Validator([](std::string& s) { return pageload::cli::read_size(s); }, "SIZE"));
  cmd_run->add_flag_callback("--no-keepalive", [&] { o.keepalive = false; }, "A new connection for every hop");
  const CLI::Option* http11 =
      cmd_run->add_flag_callback("--http1.1", [] {}, "HTTP/1.1 only: no HTTP/2 even where the server offers it");
  std::string tls_max;
  // As in curl, the last of --tlsv1.2 and --tlsv1.3 given wins (read from the parse order
  // below: CLI11 runs flag callbacks in the order the flags were defined).
  const CLI::Option* tlsv12 = cmd_run->add_flag_callback("--tlsv1.2", [] {}, "TLS 1.2 or later (as curl)");
  const CLI::Option* tlsv13 = cmd_run->add_flag_callback("--tlsv1.3", [] {}, "TLS 1.3 only (as curl: 1.3 or later)");
  cmd_run->add_option("--tls-max", tls_max, "Highest TLS version: 1.2, 1.3 or default (as curl)");
  cmd_run->add_flag_callback("--no-sessionid", [&] { o.tls_sessions = false; },
                             "Never resume a TLS session from an earlier connection (as curl)");
  cmd_run->add_flag("--document-only", o.document_only,
                    "Load the document's redirect chain alone, not what the page names (as curl -L)");
  cmd_run->add_option("--max-requests", o.max_requests, "Requests per page at most (default 500)")
      ->check(whole_number(1, 100000));
  cmd_run->add_option("--max-frame-depth", o.max_frame_depth, "Iframes inside iframes loaded at most (default 3)")
      ->check(whole_number(0, 20));
  cmd_run->add_option("-x,--proxy", o.proxy,
                      "Use this http:// proxy instead of the proxy variables ('' for none; socks and https proxies "
                      "are not supported)")
      ->allow_extra_args(false);
  cmd_run->add_option("-U,--proxy-user", run.proxy_user,
                      "USER:PASSWORD for the proxy, sent as Basic Proxy-Authorization (a user and password in the "
                      "proxy URL win)");
  cmd_run->add_flag_callback("--proxy-basic", [] {}, "Accepted: Basic is the one proxy authentication pageload sends");
  cmd_run->add_option("--noproxy", o.noproxy,
                      "Hosts to reach directly despite a proxy (comma-separated; '*' for all)");
  cmd_run->add_flag("--repeat-view", run.repeat_view,
                    "Load each page again as a returning visitor: the first view's HTTP cache and cookies, new connections");
  cmd_run->add_option("--cache", run.cache_dir,
                      "Keep the browser's HTTP cache in DIR (DIR/http-cache.db) across invocations");
  cmd_run->add_flag("--share-connections", o.share_connections,
                    "Runs of one batch share one connection pool (a run may reuse an earlier run's connection)");
  cmd_run->add_flag("--keep-secrets", o.keep_secrets, "Store Authorization/Cookie values instead of redacting them");
  cmd_run->add_option("--label", o.label, "Free text stored with the run, for grouping");
  cmd_run->add_option("--db", run.db, "SQLite database (default $PAGELOAD_DB or ./pageload.db)");
  cmd_run->add_option("--html", run.html, "Write the HTML report here (default pageload-run-ID.html)");
  cmd_run->add_flag("--no-html", run.no_html, "Do not write an HTML report");
  cmd_run->add_option("--har", run.har, "Also write the runs as one HAR 1.2 file here");
  cmd_run->add_flag("--json", run.json, "Print one JSON object per run instead of the summary");
  cmd_run->add_flag("-q,--quiet", run.quiet, "Print nothing but errors");

  // curl's everyday flags, with curl's meaning (README "For curl users").
  const std::string curl_group = "curl's flags";
  cmd_run->add_option("-b,--cookie", run.raw_cookies,
                      "Cookies: 'NAME=VALUE; ...' sent to the URL's origin, or a cookie FILE (Netscape format) to start "
                      "the run's jar with (repeatable)")
      ->allow_extra_args(false)->group(curl_group);
  cmd_run->add_option("-c,--cookie-jar", run.cookie_jar,
                      "Write the run's cookies here when it ends (curl's Netscape format; '-': standard output)")
      ->group(curl_group);
  cmd_run->add_flag_callback("-L,--location", [] {}, "Accepted, and changes nothing: pageload always follows redirects (--max-redirs)")
      ->group(curl_group);
  cmd_run->add_flag("-s,--silent", run.quiet, "As -q: no summary, no progress bar (errors are still printed)")
      ->group(curl_group);
  cmd_run->add_flag_callback("-S,--show-error", [] {}, "Accepted: errors are always printed")->group(curl_group);
  cmd_run->add_flag_callback("--no-progress-meter", [] {}, "Accepted: pageload's progress bar shows only on a terminal, with -s/-q or --json")
      ->group(curl_group);
  cmd_run->add_flag_callback("--tcp-nodelay", [] {}, "Accepted: TCP_NODELAY is always on (curl's default)")->group(curl_group);
  cmd_run->add_flag("-f,--fail", run.options.document_body_fails_on_error,
                    "As curl: -o writes no error page (FILE is left as it was when the document is answered with 400 or "
                    "more); pageload always exits 1 then")
      ->group(curl_group);
  cmd_run->add_flag_callback("-g,--globoff", [] {}, "Accepted: pageload never expands [] or {} in URLs")->group(curl_group);
  cmd_run->add_flag("-I,--head", run.head, "Send HEAD and print the response headers of each hop (as curl -I; with -o: into FILE)")
      ->group(curl_group);
  cmd_run->add_flag("-i,--include", run.include,
                    "Print the response headers of each hop of the document on standard output, before the summary "
                    "(with -o: into FILE, before the body, as curl)")
      ->group(curl_group);
  cmd_run->add_flag("-v,--verbose", run.verbose,
                    "Print each hop's request ('> ') and response ('< ') headers on standard error (secrets redacted)")
      ->group(curl_group);
  cmd_run->add_option("-D,--dump-header", run.dump_header, "Write each hop's response headers to FILE ('-': standard output)")
      ->group(curl_group);
  cmd_run->add_option("-w,--write-out", run.write_out,
                      "Print FORMAT after each run, with curl's variables (%{http_code}, %{time_total}, %{json}...; "
                      "@FILE reads it)")
      ->group(curl_group);
  cmd_run->add_option("-o,--output", run.output,
                      "Write the document's final response body to FILE (redirect bodies are not kept, as curl -L)")
      ->group(curl_group);
  cmd_run->add_option("-u,--user", run.user, "USER:PASSWORD, sent as Basic authorization to the URL's origin only")
      ->group(curl_group);
  cmd_run->add_option("-e,--referer", o.referer, "Referer header for the document's requests (URL;auto: and the hop before's URL on each redirect, as curl)")->group(curl_group);
  cmd_run->add_flag_callback("--compressed", [] {}, "Accepted: pageload always asks for compressed responses, as a browser does")
      ->group(curl_group);
  const CLI::Option* http2 =
      cmd_run->add_flag_callback("--http2", [] {}, "HTTP/2 where TLS's ALPN agrees on it (the default; plain http stays HTTP/1.1, as "
                                   "in browsers)")->group(curl_group);
  // curl's flags pageload does not have: each is refused by name, not as an unknown flag.
  // Registered only when an argument may be one: CLI11 checks each new option against every
  // one before it, and these 196 were a third of the start of every command (2-5 ms of CPU,
  // measured with perf stat, against curl's whole 6 ms start).
  std::vector<std::pair<const CLI::Option*, std::string_view>> unsupported;
  std::vector<std::string> unsupported_values;
  if (pageload::cli::may_name_unsupported_curl_flag(args))
    for (const auto& [names, takes_value] : pageload::cli::kUnsupportedCurlFlags) {
    std::string spec(names);
    auto* opt = takes_value ? cmd_run->add_option(spec, unsupported_values)->allow_extra_args(false)
                            : cmd_run->add_flag(spec);
    unsupported.emplace_back(opt->group(""), pageload::cli::curl_flag_name(names));
  }

  std::string db;
  std::string limit = "20";  // checked by list_command, so a bad count is named as -n
  bool json = false;
  auto* cmd_list = app.add_subcommand("list", "Recent runs, newest first");
  cmd_list->add_option("--db", db, "SQLite database");
  cmd_list->add_option("-n,--limit", limit, "How many runs, 1 or more (default 20)");
  cmd_list->add_flag("--json", json, "One JSON object per line");
  std::string list_label;
  cmd_list->add_option("--label", list_label, "Only the runs stored with this --label");

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

  std::string import_file, import_label;
  bool import_keep_secrets = false;
  auto* cmd_import = app.add_subcommand("import", "Store each page of a HAR file as a run (source 'har')");
  cmd_import->add_option("file", import_file, "HAR file (Chrome, Firefox, WebPageTest, Playwright, pageload)")->required();
  cmd_import->add_option("--label", import_label, "Free text stored with each run, for grouping");
  cmd_import->add_flag("--keep-secrets", import_keep_secrets, "Store Cookie/Authorization values instead of redacting them");
  cmd_import->add_option("--db", db, "SQLite database");

  std::string compare_a, compare_b, compare_out, compare_align = "start";
  auto* cmd_compare = app.add_subcommand("compare", "Two stored runs side by side: what changed from A to B");
  cmd_compare->add_option("a", compare_a, "Run id, 'latest', or g:N for group N's median run (the before)")->required();
  cmd_compare->add_option("b", compare_b, "Run id, 'latest', or g:N for group N's median run (the after)")->required();
  cmd_compare->add_option("-o,--output", compare_out, "Also write the HTML compare view here");
  cmd_compare->add_option("--align", compare_align,
                          "How the HTML view first aligns the waterfalls: start or first-byte (default start)");
  cmd_compare->add_option("--db", db, "SQLite database");

  std::vector<std::string> har_runs;
  std::string har_out;
  auto* cmd_har = app.add_subcommand("har", "Write stored runs as one HAR 1.2 file (each run a page)");
  cmd_har->add_option("run", har_runs, "Run ids (default: latest)");
  cmd_har->add_option("-o,--output", har_out, "Output file (default: standard output)");
  cmd_har->add_option("--db", db, "SQLite database");

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
    // The flags of a load are run's: point there when the error is about one.
    const bool about_run = cmd_run->parsed() || (!args.empty() && args[0] == "run");
    std::cerr << "pageload: " << pageload::redact_text(e.what())
              << (about_run ? " (see pageload run --help)\n" : " (see pageload --help)\n");
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
      if (inputs.size() > 1) {
        pageload::cli::fail(pageload::Status(pageload::Code::kUsage,
                                             "--input given twice: it reads one FILE (cat A B | pageload --input -)"));
        return pageload::kExitUsage;
      }
      if (!inputs.empty()) run.input = inputs.front();
      if (!seconds(max_time, &o.max_time_ms, "--max-time") ||
          !seconds(connect_timeout, &o.connect_timeout_ms, "--connect-timeout") ||
          !seconds(dns_timeout, &o.dns_timeout_ms, "--dns-timeout"))
        return pageload::kExitUsage;
      for (const CLI::Option* given : cmd_run->parse_order()) {
        if (given == tlsv12) o.tls_min = pageload::TlsVersion::kTls12;
        if (given == tlsv13) o.tls_min = pageload::TlsVersion::kTls13;
        if (given == http11) o.http11 = true;  // as in curl, the last of --http1.1 and --http2 wins
        if (given == http2) o.http11 = false;
        for (const auto& [option, name] : unsupported)
          if (option == given) {
            pageload::cli::fail(pageload::Status(pageload::Code::kUsage,
                                                 "pageload does not support curl's " + std::string(name) +
                                                     " (see README \"For curl users\")"));
            return pageload::kExitUsage;
          }
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
    if (cmd_list->parsed()) return pageload::cli::list_command(
          db, limit, json, cmd_list->count("--label") ? std::optional<std::string>(list_label) : std::nullopt);
    if (cmd_show->parsed()) return pageload::cli::show_command(db, run_id, json);
    if (cmd_report->parsed()) return pageload::cli::report_command(db, report_runs, report_out);
    if (cmd_compare->parsed())
      return pageload::cli::compare_command(db, compare_a, compare_b, compare_out, compare_align);
    if (cmd_import->parsed())
      return pageload::cli::import_command(db, import_file, import_label, import_keep_secrets);
    if (cmd_har->parsed()) return pageload::cli::har_command(db, har_runs, har_out);
    if (cmd_lab->parsed()) return pageload::cli::lab_command(dns_port, http_port, https_port, dns_root_port);
    if (cmd_demo->parsed()) return pageload::cli::demo_command(db, out_dir);
  } catch (const std::exception& e) {
    std::cerr << "pageload: internal error: " << e.what() << "\n";
    return pageload::kExitLocal;
  }
  return pageload::kExitUsage;
}
