// Child processes without a shell: posix_spawn, pipes for output, wait4 for peak RSS.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/clock.h"
#include "harness.h"

extern char** environ;

namespace bench {
namespace {

struct Pipe {
  int r = -1, w = -1;
  void open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    r = fds[0];
    w = fds[1];
  }
  void close_r() { if (r >= 0) ::close(r), r = -1; }
  void close_w() { if (w >= 0) ::close(w), w = -1; }
  ~Pipe() { close_r(); close_w(); }
};

}  // namespace

ProcResult run_process(const std::vector<std::string>& argv, const SpawnOptions& options) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  Pipe out, err;
  if (options.capture_stdout) out.open();
  if (options.capture_stderr) err.open();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (options.capture_stdout) posix_spawn_file_actions_adddup2(&actions, out.w, 1);
  else posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  if (options.capture_stderr) posix_spawn_file_actions_adddup2(&actions, err.w, 2);
  else posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());

  ProcResult result;
  pid_t pid = 0;
  const int64_t t0 = pageload::mono_now_us();
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  out.close_w();
  err.close_w();

  // Drain both pipes until EOF so a chatty child never blocks on a full pipe.
  char buf[65536];
  while (out.r >= 0 || err.r >= 0) {
    pollfd fds[2];
    int n = 0;
    if (out.r >= 0) fds[n++] = {out.r, POLLIN, 0};
    if (err.r >= 0) fds[n++] = {err.r, POLLIN, 0};
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      bool is_out = fds[i].fd == out.r;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) (is_out ? result.out : result.err).append(buf, static_cast<size_t>(got));
      else if (got == 0 || errno != EINTR) (is_out ? out : err).close_r();
    }
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  result.wall_ms = static_cast<double>(pageload::mono_now_us() - t0) / 1000.0;
  result.maxrss_kb = usage.ru_maxrss;
  result.cpu_ms = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
                  static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace bench
