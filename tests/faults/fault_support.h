// Helpers shared by the fault tests: a failed run's checks, and the pageload binary run
// as a user runs it, with a wall-clock limit so a hang fails the test instead of the suite.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fixtures/lab_fixture.h"

extern char** environ;

// Peak RSS limits in the memory tests are for a plain build; AddressSanitizer's shadow memory
// and quarantine add tens of megabytes whatever pageload itself holds (.ci/run bounds the
// quarantine at 32 MB: at its default 256 MB a long batch's freed memory alone passed 200 MB).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr long kRssScale = 2;
#else
inline constexpr long kRssScale = 1;
#endif

namespace pageload::testing {

// The run failed in `phase` with `code`, stored on the run, its last hop and that phase.
inline void check_failed(const Run& run, Phase phase, Code code) {
  INFO("run error: " << (run.failure ? std::string(code_name(run.failure->code)) + ": " + run.failure->message
                                     : std::string("none")));
  CHECK(run.outcome == Outcome::kFailed);
  REQUIRE(run.failure);
  CHECK(run.failure->code == code);
  CHECK(run.exit_status() == code_info(code).exit_status);
  CHECK(run.failure->message.find('\n') == std::string::npos);
  REQUIRE_FALSE(run.requests.empty());
  const Request& last = run.requests.back();
  REQUIRE(last.error_phase);
  CHECK(phase_name(*last.error_phase) == phase_name(phase));
  REQUIRE(last.failure);
  CHECK(last.failure->code == code);
  const PhaseRecord* p = last.phase(phase);
  REQUIRE(p);
  REQUIRE(p->failure);
  CHECK(p->failure->code == code);
  CHECK_FALSE(p->failure->message.empty());
}

// Lab options with tight limits: a fault that hangs ends within a few seconds.
inline LoadOptions fault_options(const std::string& url) {
  LoadOptions o = lab_options(url);
  o.connect_timeout_ms = 1000;
  o.max_time_ms = 5000;
  return o;
}

struct Timed {
  Run run;
  double seconds = 0;
};

inline Timed timed_load(const LoadOptions& o) {
  auto t0 = std::chrono::steady_clock::now();
  Run run = load_and_store(o);
  return {std::move(run), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

struct CliResult {
  int status = -1;
  std::string out, err;
  double seconds = 0;
  long max_rss_kb = 0;  // the child's peak resident set
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// Runs pageload with `args` in `dir`, stdout/stderr captured through files, with this
// process's environment plus `extra_env` ("NAME=value"). Killed (and reported as status
// 137) after `limit_s` seconds.
inline CliResult pageload_cli(const std::vector<std::string>& args, const std::string& dir, double limit_s = 20,
                              const std::vector<std::string>& extra_env = {}) {
  std::string out = dir + "/stdout", err = dir + "/stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  std::vector<std::string> all{PAGELOAD_BIN};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  std::vector<std::string> env_storage(extra_env);
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  int rc = posix_spawn(&pid, PAGELOAD_BIN, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  CliResult r;
  if (rc != 0) return r;
  int wstatus = 0;
  rusage usage{};
  for (;;) {
    pid_t w = wait4(pid, &wstatus, WNOHANG, &usage);
    if (w == pid) break;
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
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// `pageload run` against the lab, no report file.
inline std::vector<std::string> lab_args(std::vector<std::string> extra) {
  auto& lab = shared_lab();
  std::vector<std::string> a{"run", "--dns-server", lab.dns_server(), "--cacert", lab.ca_file(), "--no-html"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace pageload::testing
