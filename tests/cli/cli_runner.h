// The pageload binary as a user runs it, for the CLI tests: spawned directly (no shell)
// in a directory of its own, stdout and stderr captured, against the lab on loopback.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures/lab_fixture.h"

extern char** environ;

namespace pageload::testing {

struct Result {
  int status = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs pageload with args in dir; stdout and stderr captured through files.
// Runs pageload in `dir` (no shell); stdout goes to `stdout_path` if given, standard input
// comes from `stdin_path` if given.
inline Result pageload_cli(std::vector<std::string> args, const std::string& dir, const std::string& stdout_path = "",
                           const std::string& stdin_path = "") {
  std::string out = stdout_path.empty() ? dir + "/stdout" : stdout_path, err = dir + "/stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!stdin_path.empty()) posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  std::vector<std::string> all{PAGELOAD_BIN};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, PAGELOAD_BIN, &actions, nullptr, argv.data(), environ);
  std::filesystem::current_path(cwd);
  posix_spawn_file_actions_destroy(&actions);
  Result r;
  if (rc != 0) return r;
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  if (stdout_path.empty()) r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

inline std::vector<std::string> lab_args(std::vector<std::string> extra) {
  auto& lab = shared_lab();
  std::vector<std::string> a{"run", "--dns-server", lab.dns_server(), "--cacert", lab.ca_file(), "--no-html"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

inline int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }


}  // namespace pageload::testing
