// Helpers for the store tests: a scratch directory, a synthetic run, and a direct SQL
// query on a database file (independent of the code under test).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pageload/result.h"

namespace pageload::store::testing {

// A fresh directory under the system temp dir, removed with everything in it on
// destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

using Row = std::vector<std::optional<std::string>>;  // NULL is nullopt

// Runs `sql` (no parameters) on `db_path` with a separate SQLite connection; every
// column as text. Throws std::runtime_error on failure.
std::vector<Row> query(const std::string& db_path, const std::string& sql);
// Runs a script on `db_path` (creating it), for preparing files in odd states.
void exec(const std::string& db_path, const std::string& sql);

// The whole file as bytes, to prove a refused file was not modified.
std::string read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes);

// A synthetic run of three hops at http://a.test/ -> https://b.test/ -> https://b.test/x
// -> http://c.test/: hop 0 opens a new TLS connection (dns, connect, tls, send, wait,
// receive), hop 1 reuses it (send, wait, receive), hop 2 fails at connect. a.test's
// lookup tried two servers per query (four dns_attempts, one still waiting at the end).
Run make_three_hop_run(const std::string& label = "baseline");

}  // namespace pageload::store::testing
