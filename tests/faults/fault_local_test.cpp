// What this machine, not the network, does to a run (issue 8): standard output that
// cannot be written for list and show, too few file descriptors, report paths that are
// symbolic links or FIFOs, and --input streams that never end, are endless lines or
// start with a byte order mark.
#include "faults/fault_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>

#include "fixtures/no_free_descriptors.h"

using namespace pageload;
using namespace pageload::testing;

namespace {

// pageload run as a child with its standard streams and limits chosen by the test:
// fork, then only async-signal-safe calls (open, dup2, setrlimit, chdir, execve).
struct Child {
  std::vector<std::string> args;
  std::string dir;
  int stdin_fd = -1;         // -1: /dev/null
  int stdout_fd = -1;        // -1: the file dir/stdout
  rlim_t nofile = 0;         // RLIMIT_NOFILE, soft and hard; 0: inherited
};

pid_t start(const Child& c) {
  std::vector<std::string> all{PAGELOAD_BIN};
  all.insert(all.end(), c.args.begin(), c.args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = c.dir + "/stdout", err = c.dir + "/stderr";
  const pid_t pid = fork();
  if (pid != 0) return pid;
  if (chdir(c.dir.c_str()) != 0) _exit(126);
  const int in = c.stdin_fd >= 0 ? c.stdin_fd : open("/dev/null", O_RDONLY);
  const int o = c.stdout_fd >= 0 ? c.stdout_fd : open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) _exit(126);
  if (c.nofile) {
    rlimit rl{c.nofile, c.nofile};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(126);
  }
  execve(PAGELOAD_BIN, argv.data(), environ);
  _exit(127);
}

// Waits up to limit_s for the child (then kills it: status 137); its status and output.
CliResult finish(pid_t pid, const std::string& dir, double limit_s = 30) {
  CliResult r;
  const auto t0 = std::chrono::steady_clock::now();
  int wstatus = 0;
  rusage usage{};
  for (;;) {
    if (wait4(pid, &wstatus, WNOHANG, &usage) == pid) break;
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > limit_s) {
      kill(pid, SIGKILL);
      wait4(pid, &wstatus, 0, &usage);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.max_rss_kb = usage.ru_maxrss;
  r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  r.out = slurp(dir + "/stdout");
  r.err = slurp(dir + "/stderr");
  return r;
}

CliResult run_child(const Child& c, double limit_s = 30) { return finish(start(c), c.dir, limit_s); }

// A loopback TCP port with nothing listening on it.
int closed_tcp_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), len);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A database with two stored runs, for list and show.
void two_runs(const TempDb& tmp) {
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-q", shared_lab().http_url("www.test", "/"),
                                  shared_lab().http_url("www.test", "/status/404")}),
                        tmp.dir());
  REQUIRE(r.status == 1);
}

int stored_runs(const std::string& db_path, const char* outcome = nullptr) {
  auto db = store::Database::open_existing(db_path);
  if (!db.ok()) return -1;
  auto runs = db.value()->list_runs(100000);
  if (!runs.ok()) return -1;
  int n = 0;
  for (const auto& r : runs.value()) n += !outcome || r.outcome == outcome;
  return n;
}

}  // namespace

// `list`, `show` and `show --json` exited 0 when nothing they printed could be written.
TEST_CASE("list and show exit 4 with one line when standard output is /dev/full") {
  TempDb tmp;
  two_runs(tmp);
  for (const auto& args : std::vector<std::vector<std::string>>{{"list"}, {"list", "--json"}, {"show"},
                                                                {"show", "1", "--json"}}) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--db", tmp.path()});
    Child c{full, tmp.dir()};
    c.stdout_fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    auto r = run_child(c);
    close(c.stdout_fd);
    INFO(args[0] << " " << r.err);
    CHECK(r.status == 4);
    CHECK(r.err == "pageload: cannot write to standard output\n");
  }
}

TEST_CASE("list and show exit 4 with one line when the pipe they write to is closed, as by head") {
  TempDb tmp;
  two_runs(tmp);
  for (const auto& args : std::vector<std::vector<std::string>>{{"list"}, {"list", "--json"}, {"show"},
                                                                {"show", "--json"}}) {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    close(fds[0]);  // the reader is gone before the first byte
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--db", tmp.path()});
    Child c{full, tmp.dir()};
    c.stdout_fd = fds[1];
    auto r = run_child(c);
    close(fds[1]);
    INFO(args[0] << " " << r.err);
    CHECK(r.status == 4);  // not killed by SIGPIPE (141), not 0
    CHECK(r.err == "pageload: cannot write to standard output\n");
  }
}

// `list -n 0` printed a bare header and exited 0; a count below 1 is bad input. Review
// of issue 8: `-n abc` said "Could not convert: --limit = abc" (a name the README did not
// use) and `-n ''` "got 0".
TEST_CASE("list -n 0, -n abc and -n '' are usage errors with one line naming -n") {
  TempDb tmp;
  two_runs(tmp);
  for (const char* n : {"0", "-3", "abc", "", "2x", "99999999999999999999"}) {
    INFO("-n '" << n << "'");
    auto r = pageload_cli({"list", "-n", n, "--db", tmp.path()}, tmp.dir());
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "pageload: -n must be a whole number, 1 or more, got '" + std::string(n) + "'\n");
  }
  CHECK(count_lines(pageload_cli({"list", "-n", "1", "--db", tmp.path()}, tmp.dir()).out) == 2);
  CHECK(count_lines(pageload_cli({"list", "--limit", "1", "--db", tmp.path()}, tmp.dir()).out) == 2);
}

// Review of issue 8: `report 1 -o x.html > /dev/full` exited 0.
TEST_CASE("report exits 4 with one line when standard output is /dev/full") {
  TempDb tmp;
  two_runs(tmp);
  for (const auto& args : std::vector<std::vector<std::string>>{{"report", "1", "-o", tmp.dir() + "/x.html"},
                                                                {"report", "2", "-o", "-"}}) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--db", tmp.path()});
    Child c{full, tmp.dir()};
    c.stdout_fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    auto r = run_child(c);
    close(c.stdout_fd);
    INFO(args[3] << " " << r.err);
    CHECK(r.status == 4);
    CHECK(r.err == "pageload: cannot write to standard output\n");
  }
}

// Review of issue 8: `report -o -` wrote a file named "-" instead of standard output.
TEST_CASE("report -o - writes the report to standard output and no file") {
  TempDb tmp;
  two_runs(tmp);
  auto r = pageload_cli({"report", "2", "-o", "-", "--db", tmp.path()}, tmp.dir());
  CHECK(r.status == 0);
  CHECK(r.out.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(r.out.find("/status/404") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/-"));
  auto several = pageload_cli({"report", "1", "2", "-o", "-", "--db", tmp.path()}, tmp.dir());
  CHECK(several.status == 2);
  CHECK(count_lines(several.err) == 1);
  CHECK_FALSE(std::filesystem::exists(tmp.dir() + "/-"));
}

// Under `ulimit -n 64`, --parallel 100 failed runs as connect_error "after 0 ms" and
// DNS tries as TIMEOUT after 5 s.
TEST_CASE("with few file descriptors --parallel is lowered with a warning and every run loads") {
  TempDb tmp;
  std::string list = tmp.dir() + "/urls.txt";
  {
    std::ofstream f(list);
    for (int i = 0; i < 100; ++i) f << shared_lab().http_url("fd" + std::to_string(i % 10) + ".test", "/delay/20?n=" + std::to_string(i)) << "\n";
  }
  Child c{lab_args({"--db", tmp.path(), "-q", "--parallel", "100", "--input", list}), tmp.dir()};
  c.nofile = 64;
  auto r = run_child(c, 60);
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("pageload: warning: --parallel 100 lowered to ") == 0);
  CHECK(r.err.find("(ulimit -n)") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
  CHECK(stored_runs(tmp.path(), "ok") == 100);
}

// Review of issue 8: 40 page loads of 60 subresources over three hosts under `ulimit -n
// 64`: "lowered to 8: a load may hold 4 file descriptors", then 25 of 40 failed as
// local_resource (a page load opens up to six connections per host).
TEST_CASE("page loads under a low descriptor limit are capped in connections and all load") {
  TempDb tmp;
  std::string list = tmp.dir() + "/pages.txt";
  {
    std::ofstream f(list);
    for (int i = 0; i < 12; ++i) f << shared_lab().http_url("a.test", "/page/many?n=40&each=10&i=" + std::to_string(i)) << "\n";
  }
  Child c{lab_args({"--db", tmp.path(), "-q", "--parallel", "100", "--input", list}), tmp.dir()};
  c.nofile = 64;
  auto r = run_child(c, 90);
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("pageload: warning: --parallel 100 lowered to ") == 0);
  CHECK(r.err.find("connections at once") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
  CHECK(stored_runs(tmp.path(), "ok") == 12);
  CHECK(stored_runs(tmp.path(), "failed") == 0);
}

// Review of issue 8: under `ulimit -n 12` --parallel was "lowered to 1", then every run
// was stored as a local_resource failure.
TEST_CASE("a descriptor limit too low for one load is one error up front, exit 4, nothing loaded") {
  TempDb tmp;
  std::string list = tmp.dir() + "/urls.txt";
  {
    std::ofstream f(list);
    for (int i = 0; i < 30; ++i) f << shared_lab().http_url("www.test", "/?n=" + std::to_string(i)) << "\n";
  }
  Child c{lab_args({"--db", tmp.path(), "-q", "--parallel", "100", "--input", list}), tmp.dir()};
  c.nofile = 12;
  auto r = run_child(c, 30);
  INFO(r.err);
  CHECK(r.status == 4);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("pageload: the file descriptor limit (ulimit -n) is 12, too low for even one load") == 0);
  CHECK(stored_runs(tmp.path()) <= 0);  // no database, or no run in it
}

TEST_CASE("a load that cannot open a socket fails in connect as local_resource, exit 4, naming EMFILE") {
  auto loader = Loader::create();
  REQUIRE(loader.ok());
  // A first load sets up what the loader keeps (the resolver for these options) and goes
  // down the same code path, so nothing new happens while no descriptor is free: a
  // sanitizer checking a type it has not seen yet needs a pipe. A refused port, so no
  // lab thread is started that could still be starting then.
  auto o = fault_options("http://127.0.0.1:" + std::to_string(closed_tcp_port()) + "/");
  REQUIRE(loader.value()->load(o)->failure->code == Code::kConnectRefused);
  StatusOr<Run> run = Status(Code::kInternal, "not run");
  {
    NoFreeDescriptors exhausted;
    run = loader.value()->load(o);  // no test assertion in here: it may need a descriptor
  }
  REQUIRE(run.ok());
  check_failed(run.value(), Phase::kConnect, Code::kLocalResource);
  CHECK(run->exit_status() == 4);
  CHECK(run->failure->message.find("cannot open a socket: Too many open files (EMFILE") == 0);
  // The connect phase is what failed; nothing was sent.
  CHECK_FALSE(run->requests.back().phase(Phase::kSend));
}

// A pageload-run-N.html symlink planted in the current directory made the report
// overwrite its target.
TEST_CASE("a planted report symlink is refused with exit 4 and its target is left alone") {
  TempDb tmp;
  const std::string target = tmp.dir() + "/victim", link = tmp.dir() + "/pageload-run-1.html";
  { std::ofstream(target) << "precious"; }
  REQUIRE(symlink(target.c_str(), link.c_str()) == 0);
  auto r = pageload_cli({"run", "--dns-server", shared_lab().dns_server(), "--db", tmp.path(),
                         shared_lab().http_url("www.test", "/")},
                        tmp.dir());
  CHECK(r.status == 4);
  CHECK(r.err == "pageload: report: cannot write pageload-run-1.html: it is a symbolic link; remove it or choose "
                 "another path\n");
  CHECK(slurp(target) == "precious");
  CHECK(stored_runs(tmp.path(), "ok") == 1);  // the run itself is stored
  auto again = pageload_cli({"report", "1", "--db", tmp.path()}, tmp.dir());
  CHECK(again.status == 4);
  CHECK(slurp(target) == "precious");
}

// `report -o FIFO` and `--html FIFO` blocked forever in open().
TEST_CASE("a FIFO as the report path is refused at once with exit 4") {
  TempDb tmp;
  const std::string fifo = tmp.dir() + "/fifo.html";
  REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
  auto run = pageload_cli({"run", "--dns-server", shared_lab().dns_server(), "--db", tmp.path(), "--html", fifo,
                           shared_lab().http_url("www.test", "/")},
                          tmp.dir(), 10);
  CHECK(run.status == 4);
  CHECK(run.seconds < 5);
  CHECK(run.err.find("cannot write " + fifo + ": it is a FIFO") != std::string::npos);
  auto report = pageload_cli({"report", "-o", fifo, "--db", tmp.path()}, tmp.dir(), 10);
  CHECK(report.status == 4);
  CHECK(report.seconds < 5);
  CHECK(count_lines(report.err) == 1);
}

// `--input /dev/zero` grew the process to 2 GB reading one endless line.
TEST_CASE("an endless --input line is an error naming the line, in bounded memory") {
  TempDb tmp;
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "--input", "/dev/zero"}), tmp.dir(), 20);
  CHECK(r.status == 2);
  CHECK(r.err == "pageload: /dev/zero:1: line is longer than 16384 bytes\n");
  CHECK(r.max_rss_kb < 100 * 1024 * kRssScale);
  CHECK(stored_runs(tmp.path()) <= 0);  // nothing stored
  std::string list = tmp.dir() + "/long.txt";
  std::ofstream(list) << shared_lab().http_url("www.test", "/") << "\n#ok\n" << std::string(20000, 'x') << "\n";
  auto file = pageload_cli(lab_args({"--db", tmp.path(), "--input", list}), tmp.dir());
  CHECK(file.status == 2);
  CHECK(file.err == "pageload: " + list + ":3: line is longer than 16384 bytes\n");
  CHECK(stored_runs(tmp.path()) <= 0);  // a file is checked whole first: nothing loaded
}

TEST_CASE("an --input file may start with a UTF-8 byte order mark") {
  TempDb tmp;
  std::string list = tmp.dir() + "/bom.txt";
  std::ofstream(list) << "\xEF\xBB\xBF" << shared_lab().http_url("www.test", "/") << "\r\n";
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-q", "--input", list}), tmp.dir());
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(stored_runs(tmp.path(), "ok") == 1);
}

// Review of issue 8: a byte order mark on line 2 gave "no scheme in '<U+FEFF raw>http://…'
// (did you mean 'https://<U+FEFF>http://…'?)", the invisible character unescaped.
TEST_CASE("a byte order mark inside an --input file is shown escaped and named, with no https:// guess") {
  TempDb tmp;
  std::string list = tmp.dir() + "/bom2.txt";
  const std::string url = shared_lab().http_url("www.test", "/");
  std::ofstream(list) << url << "\n\xEF\xBB\xBF" << url << "\n";
  auto r = pageload_cli(lab_args({"--db", tmp.path(), "-q", "--input", list}), tmp.dir());
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("bom2.txt:2: no scheme in '\\u{feff}" + url + "' (it starts with the invisible character U+FEFF)") !=
        std::string::npos);
  CHECK(r.err.find("\xEF\xBB\xBF") == std::string::npos);
  CHECK(r.err.find("did you mean") == std::string::npos);
}

// `yes URL | pageload --input -` never started: all of stdin was read first.
TEST_CASE("a never-ending --input stream is loaded as it is read, in bounded memory") {
  TempDb tmp;
  struct sigaction ignore {}, before {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &before);  // the writer sees EPIPE when pageload is gone
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  Child c{lab_args({"--db", tmp.path(), "-q", "--parallel", "4", "--input", "-"}), tmp.dir()};
  c.stdin_fd = fds[0];
  const pid_t pid = start(c);
  close(fds[0]);
  // `yes URL`: the same line as fast as the pipe takes it, until the reader goes.
  std::atomic<bool> stop{false};
  std::thread yes([&] {
    const std::string line = shared_lab().http_url("www.test", "/") + "\n";
    std::string block;
    while (block.size() < 64 * 1024) block += line;
    while (!stop && write(fds[1], block.data(), block.size()) > 0) {
    }
  });
  int loaded = 0;
  for (int i = 0; i < 400 && loaded < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    loaded = stored_runs(tmp.path(), "ok");
  }
  CHECK(loaded >= 20);  // loading while the input goes on
  kill(pid, SIGTERM);
  auto r = finish(pid, tmp.dir(), 20);
  stop = true;
  close(fds[1]);
  yes.join();
  sigaction(SIGPIPE, &before, nullptr);
  INFO(r.err);
  CHECK(r.status == 143);
  CHECK(r.max_rss_kb < 100 * 1024 * kRssScale);
}

// With --fail-early (the behaviour before issue 11: by default a bad line is skipped).
TEST_CASE("with --fail-early a bad line in an --input stream ends the batch there, keeping the runs before it") {
  TempDb tmp;
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  Child c{lab_args({"--db", tmp.path(), "-q", "--fail-early", "--input", "-"}), tmp.dir()};
  c.stdin_fd = fds[0];
  const pid_t pid = start(c);
  close(fds[0]);
  const std::string lines = shared_lab().http_url("www.test", "/") + "\n" + shared_lab().http_url("www.test", "/") +
                            "\nnot a url\n" + shared_lab().http_url("www.test", "/") + "\n";
  REQUIRE(write(fds[1], lines.data(), lines.size()) == static_cast<ssize_t>(lines.size()));
  close(fds[1]);
  auto r = finish(pid, tmp.dir());
  CHECK(r.status == 2);
  CHECK(r.err.find("pageload: stdin:3: no scheme in 'not a url'") == 0);
  CHECK(stored_runs(tmp.path(), "ok") == 2);
}
