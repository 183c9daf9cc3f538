#include "cli/commands.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>

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

// Validates and converts the raw flag strings; kUsage on the first bad one.
Status complete_options(RunCommand& cmd) {
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
  if (Status s = check_user_agent(cmd.options.user_agent); !s.ok()) return s;
  // libcurl would obey these on its own; pageload decides from them and says so.
  for (std::string_view name : kProxyVariables)
    if (const char* value = std::getenv(std::string(name).c_str())) cmd.options.proxy_env[std::string(name)] = value;
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

  // As many loads at once as the descriptor limit allows: more would fail as
  // local_resource (EMFILE) instead of loading.
  int parallel = cmd.parallel;
  if (parallel > 1) {
    const ParallelBudget budget = budget_parallel(parallel);
    const std::size_t wanted = std::min<std::size_t>(static_cast<std::size_t>(parallel), total.value_or(SIZE_MAX));
    if (budget.lowered && static_cast<std::size_t>(budget.parallel) < wanted)
      std::cerr << "pageload: warning: --parallel " << parallel << " lowered to " << budget.parallel << ": a load may hold "
                << kDescriptorsPerLoad << " file descriptors and this process may have " << budget.limit
                << " (ulimit -n)\n";
    parallel = budget.parallel;
  }

  auto db = store::Database::open(database_path(cmd.db));
  if (!db.ok()) return fail(db.status());
  auto loader = Loader::create();
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

int list_command(const std::string& db_flag, int limit, bool json) {
  if (limit < 1) return fail(Status(Code::kUsage, "-n must be 1 or more, got " + std::to_string(limit)));
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
    std::string path;
    if (out.empty()) path = "pageload-run-" + std::to_string(id.value()) + ".html";
    else if (which.size() == 1) path = out;
    else path = out + "/pageload-run-" + std::to_string(id.value()) + ".html";
    if (Status s = report::write_html_report(run.value(), path); !s.ok()) return fail(s);
    std::cout << path << "\n";
  }
  return kExitOk;
}

}  // namespace pageload::cli
