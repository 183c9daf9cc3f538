// The real pageload binary as a separate process (posix_spawn, never a shell), and a
// read-only peek at its database with plain SQLite: what a user's `sqlite3` would see.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace pageload::testing {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A spawned `pageload ARGS...` with stdout/stderr going to files `<out_prefix>.out/.err`.
class Process {
 public:
  Process(std::vector<std::string> args, const std::string& out_prefix)
      : out_(out_prefix + ".out"), err_(out_prefix + ".err") {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> all{PAGELOAD_BIN};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, PAGELOAD_BIN, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("posix_spawn failed");
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Waits for the exit; the exit status, or 128 + signal.
  int wait() {
    int wstatus = 0;
    waitpid(pid_, &wstatus, 0);
    pid_ = 0;
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  }
  void kill_hard() { kill(pid_, SIGKILL); }
  void signal(int signo) { kill(pid_, signo); }
  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }

 private:
  std::string out_, err_;
  pid_t pid_ = 0;
};

// A read-only SQLite connection for assertions; every query's rows come back as text.
class Peek {
 public:
  explicit Peek(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close_v2(db_);  // SQLite hands out a handle even when opening fails
      throw std::runtime_error("cannot open " + path);
    }
    sqlite3_busy_timeout(db_, 30000);
  }
  ~Peek() { sqlite3_close_v2(db_); }
  Peek(const Peek&) = delete;
  Peek& operator=(const Peek&) = delete;

  // Every row of `sql`, columns joined by '|' and rows by '\n' (NULL as "∅").
  std::string rows(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db_) + " in " + sql);
    std::string out;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        if (i) out += '|';
        const unsigned char* t = sqlite3_column_text(stmt, i);
        out += t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(stmt, i)) : "∅";
      }
      out += '\n';
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("step: ") + sqlite3_errmsg(db_));
    return out;
  }
  std::string value(const std::string& sql) {
    std::string r = rows(sql);
    if (!r.empty() && r.back() == '\n') r.pop_back();
    return r;
  }

 private:
  sqlite3* db_ = nullptr;
};

// Everything stored for runs with id <= max_id, every table, in a stable order: equal
// dumps taken before and after an event mean those runs came through it untouched.
inline std::string dump_runs(Peek& db, int max_id) {
  const std::string n = std::to_string(max_id);
  const std::string req = "(SELECT id FROM requests WHERE run_id <= " + n + ")";
  const std::string lk = "(SELECT id FROM dns_lookups WHERE run_id <= " + n + ")";
  const std::string conn = "(SELECT id FROM connections WHERE run_id <= " + n + ")";
  return db.rows("SELECT * FROM runs WHERE id <= " + n + " ORDER BY id") +
         db.rows("SELECT * FROM requests WHERE run_id <= " + n + " ORDER BY id") +
         db.rows("SELECT * FROM phases WHERE request_id IN " + req + " ORDER BY request_id, name") +
         db.rows("SELECT * FROM headers WHERE request_id IN " + req + " ORDER BY request_id, direction, seq") +
         db.rows("SELECT * FROM connections WHERE run_id <= " + n + " ORDER BY id") +
         db.rows("SELECT * FROM connect_attempts WHERE connection_id IN " + conn + " ORDER BY 1, 2") +
         db.rows("SELECT * FROM dns_lookups WHERE run_id <= " + n + " ORDER BY id") +
         db.rows("SELECT * FROM dns_queries WHERE lookup_id IN " + lk + " ORDER BY 1, 2") +
         db.rows("SELECT * FROM dns_answers WHERE lookup_id IN " + lk + " ORDER BY 1, 2");
}

}  // namespace pageload::testing
