#include "cli/commands.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>

#include "cli/output.h"
#include "cli/parse.h"
#include "cli/run_sink.h"
#include "cli/url_feed.h"
#include "core/redact.h"
#include "core/resources.h"
#include "core/url.h"
#include "loader/loader.h"
#include "report/html.h"
#include "store/store.h"
#include "transfer/proxy.h"

namespace pageload::cli {

int fail(const Status& status) {
  // One line, whatever the message quotes (a -H value with a line break, a 20 KB URL),
  // and no password of a URL it quotes, even one that does not parse.
  std::cerr << "pageload: " << safe(redact_text(status.message()), 300) << "\n";
  return status.exit_status();
}

std::string database_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("PAGELOAD_DB"); env && *env) return env;
  return "pageload.db";
}

namespace {

// -d @FILE and --data-binary @FILE, as curl reads them ('@-': standard input): -d
// drops carriage returns and line feeds, --data-binary keeps every byte.
Status read_body(RunCommand& cmd) {
  const bool binary = cmd.data_binary.has_value();
  if (binary) cmd.options.data = cmd.data_binary;
  if (!cmd.options.data || cmd.options.data->empty() || cmd.options.data->front() != '@') return Status::Ok();
  const std::string flag = binary ? "--data-binary" : "-d";
  const std::string name = cmd.options.data->substr(1);
  if (name == "-" && cmd.input == "-")
    return Status(Code::kUsage, flag + " @- and --input - cannot both read standard input");
  std::ifstream file;
  if (name != "-") file.open(name, std::ios::binary);
  std::istream& in = name == "-" ? std::cin : file;
  if (name != "-" && !file)
    return Status(Code::kUsage, flag + " @" + name + ": cannot read " + name + ": " + std::strerror(errno));
  std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return Status(Code::kUsage, flag + " @" + name + ": cannot read " + name);
  if (!binary) std::erase_if(body, [](char c) { return c == '\r' || c == '\n'; });
  cmd.options.data = std::move(body);
  return Status::Ok();
}

// Validates and converts the raw flag strings; kUsage on the first bad one.
Status complete_options(RunCommand& cmd) {
  if (Status s = read_body(cmd); !s.ok()) return s;
  for (const auto& raw : cmd.raw_headers) {
    auto h = parse_header(raw);
    if (!h.ok()) return h.status();
    cmd.options.headers.push_back(h.value());
  }
  for (const auto& raw : cmd.raw_resolve) {
    auto r = parse_resolve(raw);
    if (!r.ok()) return r.status();
    cmd.options.resolve.push_back(r.value());
  }
  for (const auto& raw : cmd.raw_dns_servers) {
    auto s = parse_dns_server(raw);
    if (!s.ok()) return s.status();
    cmd.options.dns_servers.push_back(s.value());
  }
  for (const auto& raw : cmd.raw_dns_roots) {
    auto s = parse_dns_server(raw, "--dns-root");
    if (!s.ok()) return s.status();
    cmd.options.dns_roots.push_back(s.value());
  }
  // Every server of a walk is asked on the roots' port: one port for all of them.
  auto port_of = [](const std::string& server) -> std::string {
    if (!server.empty() && server.front() == '[') {
      auto close = server.find("]:");
      return close == std::string::npos ? "53" : server.substr(close + 2);
    }
    return std::count(server.begin(), server.end(), ':') == 1 ? server.substr(server.find(':') + 1) : "53";
  };
  for (const auto& root : cmd.options.dns_roots)
    if (std::stoi(port_of(root)) != std::stoi(port_of(cmd.options.dns_roots.front())))
      return Status(Code::kUsage, "--dns-root servers must share one port (every server of the walk is asked on it): " +
                                      cmd.options.dns_roots.front() + " and " + root);
  if (!cmd.options.dns_roots.empty() && !cmd.options.dns_trace)
    return Status(Code::kUsage, "--dns-root names the root servers of --dns-trace: add --dns-trace");
  if (cmd.options.dns_trace && !cmd.options.dns_servers.empty())
    return Status(Code::kUsage, "--dns-trace asks the root servers itself, not a resolver: leave out --dns-server "
                                "(--dns-root names the roots)");
  if (Status s = check_user_agent(cmd.options.user_agent); !s.ok()) return s;
  // libcurl would obey these on its own; pageload decides from them and says so.
  for (std::string_view name : kProxyVariables)
    if (const char* value = std::getenv(std::string(name).c_str())) cmd.options.proxy_env[std::string(name)] = value;
  if (cmd.options.proxy && !cmd.options.proxy->empty()) {
    if (std::string why = transfer::unsupported_proxy(*cmd.options.proxy); !why.empty())
      return Status(Code::kUsage, "-x/--proxy: " + why);
    const std::string& p = *cmd.options.proxy;
    const std::size_t host_at = p.find("://") == std::string::npos ? 0 : p.find("://") + 3;
    if (host_at >= p.size() || p[host_at] == '/' || p[host_at] == ':')
      return Status(Code::kUsage, "-x/--proxy: no proxy host in '" + redact_url(p) + "'");
  }
  if (!cmd.options.method.empty()) {
    for (char c : cmd.options.method)
      if (!std::isalpha(static_cast<unsigned char>(c)))
        return Status(Code::kUsage, "bad request method '" + cmd.options.method + "'");
  }
  return Status::Ok();
}

// SIGINT and SIGTERM during `run`: the handler only writes the signal's number to a
// pipe; the event loop reads it and ends the loads in flight as interrupted, so what
// they measured is stored. The handler then reverts to the default, so a second Ctrl-C
// stops the process at once. The --input reader wakes the loop through the same pipe
// with a zero byte.
int g_signal_pipe = -1;

extern "C" void on_stop_signal(int signo) {
  const unsigned char byte = static_cast<unsigned char>(signo);
  if (g_signal_pipe >= 0) (void)!::write(g_signal_pipe, &byte, 1);
  std::signal(signo, SIG_DFL);
}

class StopSignals {
 public:
  StopSignals() {
    if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) return;
    g_signal_pipe = fds_[1];
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    if (fds_[0] < 0) return;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_signal_pipe = -1;
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  // Empties the pipe: the signal received (0 if none, only input wake-ups).
  int drain() {
    unsigned char bytes[64];
    int signo = 0;
    for (ssize_t n; (n = ::read(fds_[0], bytes, sizeof bytes)) > 0;)
      for (ssize_t i = 0; i < n; ++i)
        if (bytes[i]) signo = bytes[i];
    return signo;
  }

 private:
  int fds_[2] = {-1, -1};
  struct sigaction old_int_ {}, old_term_ {};
};

int worst(int a, int b) {
  // Failures outrank HTTP errors, which outrank success; local beats network.
  auto rank = [](int s) {
    return s == kExitOk ? 0 : s == kExitHttpError ? 1 : s == kExitUsage ? 2 : s == kExitNetwork ? 3 : s == kExitLocal ? 4 : 5;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace

int run_command(RunCommand& cmd) {
  if (Status s = complete_options(cmd); !s.ok()) return fail(s);
  // Every URL of the command line is checked before anything is stored or loaded; so is
  // every line of an --input file (a stream is checked as it is read: url_feed.h).
  for (const auto& u : cmd.urls)
    if (auto parsed = parse_url(u); !parsed.ok()) return fail(parsed.status());
  if (cmd.urls.empty() && cmd.input.empty())
    return fail(Status(Code::kUsage, "no URL given (pageload run URL..., or --input FILE)"));
  StopSignals signals;
  auto feed = UrlFeed::open(cmd.urls, cmd.input, signals.write_fd());
  if (!feed.ok()) return fail(feed.status());
  const std::optional<std::size_t> total = feed.value()->total();
  if (total == std::size_t{0}) return fail(Status(Code::kUsage, "no URL given: --input " + cmd.input + " has none"));
  if (!cmd.html.empty() && total != std::size_t{1})
    return fail(Status(Code::kUsage, "--html names one file but there is more than one URL; leave it out to get "
                                     "one report per run"));

  // As many loads at once, and as many connections for each, as the descriptor limit
  // allows: more would fail as local_resource (EMFILE) instead of loading.
  const bool pages = !cmd.options.document_only;
  const ParallelBudget budget = budget_parallel(cmd.parallel, pages);
  if (budget.too_low)
    return fail(Status(Code::kLocalResource,
                       "the file descriptor limit (ulimit -n) is " + std::to_string(budget.limit) +
                           ", too low for even one load: it needs at least " + std::to_string(budget.minimum) +
                           " here; raise it (ulimit -n 1024)"));
  const int parallel = budget.parallel;
  const std::size_t wanted = std::min<std::size_t>(static_cast<std::size_t>(cmd.parallel), total.value_or(SIZE_MAX));
  const bool lowered = budget.lowered && static_cast<std::size_t>(parallel) < wanted;
  const bool starved = pages && budget.connections_per_load < kConnectionsPerLoadWanted;
  if (lowered || starved) {
    std::cerr << "pageload: warning: ";
    if (lowered) std::cerr << "--parallel " << cmd.parallel << " lowered to " << parallel;
    if (lowered && pages) std::cerr << ", ";
    if (pages) std::cerr << "each load at most " << budget.connections_per_load << " connections at once";
    std::cerr << ": a " << (pages ? "connection" : "load") << " may hold "
              << (pages ? kDescriptorsPerConnection : kDescriptorsPerLoad)
              << " file descriptors and this process may have " << budget.limit << " (ulimit -n)\n";
  }

  auto db = store::Database::open(database_path(cmd.db));
  if (!db.ok()) return fail(db.status());
  // The cap is per pool: with --share-connections the batch's loads share one.
  int pool_connections = 0;
  if (pages && budget.connections_per_load < kMaxConnectionsPerLoad)
    pool_connections = budget.connections_per_load * (cmd.options.share_connections ? parallel : 1);
  auto loader = Loader::create(pool_connections);
  if (!loader.ok()) return fail(loader.status());

  const bool batch = total != std::size_t{1};
  SinkOptions sink_options;
  sink_options.threaded = batch;
  sink_options.html = !cmd.no_html;
  sink_options.html_path = cmd.html;
  sink_options.json = cmd.json;
  sink_options.quiet = cmd.quiet;
  sink_options.color = !cmd.json && isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
  sink_options.width = output_width();
  sink_options.blank_line_between = batch;
  sink_options.total = total.value_or(0);
  // The bar only where it does not mix with the summaries on the same terminal.
  sink_options.progress = isatty(STDERR_FILENO) && (cmd.quiet || cmd.json || !isatty(STDOUT_FILENO));
  RunSink sink(*db.value(), sink_options);

  std::size_t in_flight = 0, started = 0;
  int exit_status = kExitOk;
  Status error;      // a load that could not start, or a bad --input line: stops the batch
  bool waiting = false;  // the input has nothing new yet (a stream)
  bool input_done = false;

  auto begin = [&](Run& run) { sink.begin(run); };
  std::function<void()> launch;
  auto done = [&](Run& run) {
    --in_flight;
    exit_status = worst(exit_status, run.exit_status());
    sink.end(run);
    launch();
  };
  int stopped_by = 0;
  // Keeps up to `parallel` loads in flight on the one event loop.
  launch = [&] {
    waiting = false;
    while (error.ok() && !sink.failed() && !stopped_by && !input_done && in_flight < static_cast<std::size_t>(parallel)) {
      std::string url;
      const UrlFeed::Next next = feed.value()->next(url, error);
      if (next == UrlFeed::Next::kWaiting) {
        waiting = true;
        return;
      }
      if (next != UrlFeed::Next::kUrl) {
        input_done = true;
        return;
      }
      LoadOptions options = cmd.options;
      options.url = std::move(url);
      ++in_flight;
      ++started;
      if (Status s = loader.value()->start(options, begin, done); !s.ok()) {
        --in_flight;
        error = s;
      }
    }
  };
  // A signal, or a line from the --input reader.
  auto on_wake = [&] {
    const int signo = signals.drain();
    if (signo && !stopped_by) {
      stopped_by = signo;  // start nothing more
      loader.value()->cancel_all(std::string("interrupted by ") + (signo == SIGINT ? "SIGINT (Ctrl-C)" : "SIGTERM"));
    }
    launch();
  };
  loader.value()->watch(signals.fd(), on_wake);
  for (;;) {
    launch();
    if (in_flight > 0) {
      loader.value()->run_until_idle();
      continue;
    }
    if (!waiting || !error.ok() || sink.failed() || stopped_by) break;
    // Nothing in flight and the input has sent nothing new: wait for it, or a signal.
    pollfd p{signals.fd(), POLLIN, 0};
    if (::poll(&p, 1, -1) > 0) on_wake();
  }
  loader.value()->watch(-1, {});
  Status stored = sink.close();
  if (!stored.ok()) return fail(stored);
  if (!error.ok()) return fail(error);
  if (stopped_by) return 128 + stopped_by;
  if (started == 0) return fail(Status(Code::kUsage, "no URL given: --input " + cmd.input + " has none"));
  return exit_status;
}

namespace {

StatusOr<int64_t> pick_run(store::Database& db, const std::string& which) {
  if (which.empty() || which == "latest") return db.latest_run_id();
  try {
    std::size_t used = 0;
    long long id = std::stoll(which, &used);
    if (used == which.size() && id > 0) return static_cast<int64_t>(id);
  } catch (...) {
  }
  return Status(Code::kUsage, "run must be a run id or 'latest', got '" + which + "'");
}

}  // namespace

// What `list` and `show` printed reached standard output, or exit 4 with one line (as
// `run` does): a full disk, /dev/full, or a pipe whose reader has gone (`| head`).
int finish_output() {
  std::cout.flush();
  if (!std::cout) return fail(Status(Code::kFile, "cannot write to standard output"));
  return kExitOk;
}

int list_command(const std::string& db_flag, const std::string& limit_text, bool json) {
  int limit = 0;
  const char* end = limit_text.data() + limit_text.size();
  const auto [ptr, ec] = std::from_chars(limit_text.data(), end, limit);
  if (limit_text.empty() || ec != std::errc() || ptr != end || limit < 1)
    return fail(Status(Code::kUsage, "-n must be a whole number, 1 or more, got '" + limit_text + "'"));
  auto db = store::Database::open_existing(database_path(db_flag));
  if (!db.ok()) return fail(db.status());
  auto runs = db.value()->list_runs(limit);
  if (!runs.ok()) return fail(runs.status());
  if (!json) {
    std::cout << format_list(runs.value());
    return finish_output();
  }
  for (const auto& r : runs.value()) {
    auto run = db.value()->load_run(r.id);
    if (run.ok()) std::cout << format_json(run.value()) << "\n";
    if (!std::cout) break;  // the reader has gone: load no more runs
  }
  return finish_output();
}

int show_command(const std::string& db_flag, const std::string& which, bool json) {
  auto db = store::Database::open_existing(database_path(db_flag));
  if (!db.ok()) return fail(db.status());
  auto id = pick_run(*db.value(), which);
  if (!id.ok()) return fail(id.status());
  auto run = db.value()->load_run(id.value());
  if (!run.ok()) return fail(run.status());
  std::cout << (json ? format_json(run.value()) + "\n" : format_show(run.value(), output_width()));
  return finish_output();
}

int report_command(const std::string& db_flag, const std::vector<std::string>& runs, const std::string& out) {
  auto db = store::Database::open_existing(database_path(db_flag));
  if (!db.ok()) return fail(db.status());
  std::vector<std::string> which = runs.empty() ? std::vector<std::string>{"latest"} : runs;
  const bool to_stdout = out == "-";  // as curl -o -
  if (to_stdout && which.size() > 1)
    return fail(Status(Code::kUsage, "-o - writes one report to standard output; for " + std::to_string(which.size()) +
                                         " runs name a directory"));
  if (which.size() > 1 && !out.empty()) {  // -o names a directory for several reports
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) return fail(Status(Code::kFile, "cannot create directory " + out + ": " + ec.message()));
  }
  for (const auto& w : which) {
    auto id = pick_run(*db.value(), w);
    if (!id.ok()) return fail(id.status());
    auto run = db.value()->load_run(id.value());
    if (!run.ok()) return fail(run.status());
    if (to_stdout) {
      std::cout << report::render_html(run.value());
      break;
    }
    std::string path;
    if (out.empty()) path = "pageload-run-" + std::to_string(id.value()) + ".html";
    else if (which.size() == 1) path = out;
    else path = out + "/pageload-run-" + std::to_string(id.value()) + ".html";
    if (Status s = report::write_html_report(run.value(), path); !s.ok()) return fail(s);
    std::cout << path << "\n";
  }
  return finish_output();  // the paths, or the report itself, reached standard output
}

}  // namespace pageload::cli
