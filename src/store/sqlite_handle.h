// RAII over the SQLite C API for the store module: a connection (SqliteDb) that owns its
// prepared statements, a Statement that binds and reads values, and a Transaction guard.
//
// Private to src/store: this is the only header that includes <sqlite3.h>. Every value
// reaches SQL through a bound parameter; nothing here builds SQL from values.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "pageload/status.h"

namespace pageload::store::detail {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, SqliteCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Binds an empty string as NULL: for text columns where "" means "not known".
struct TextOrNull {
  std::string_view text;
};
inline TextOrNull or_null(std::string_view text) { return TextOrNull{text}; }

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

// A prepared statement owned by a SqliteDb's cache. Callers bind all parameters at once
// (bind_all), then step. The statement is reset before each use by SqliteDb::prepare.
class Statement {
 public:
  Statement(sqlite3* db, StmtPtr stmt) : db_(db), stmt_(std::move(stmt)) {}

  // Binds args to ?1..?N in order: integers and bool as INTEGER, floating as REAL,
  // strings as TEXT, nullptr and empty optionals as NULL, or_null("") as NULL.
  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int i = 0;
    (bind_one(++i, args), ...);
    return *this;
  }

  // Steps once. Returns true when a row is available, false when done.
  StatusOr<bool> step();
  // Steps to completion of a statement that returns no rows (INSERT, UPDATE...).
  Status run();
  void reset();

  bool is_null(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
  int64_t int64(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  int integer(int col) const { return sqlite3_column_int(stmt_.get(), col); }
  double real(int col) const { return sqlite3_column_double(stmt_.get(), col); }
  // TEXT column; NULL reads as "".
  std::string text(int col) const;
  std::optional<int64_t> opt_int64(int col) const;
  std::optional<int> opt_int(int col) const;
  std::optional<double> opt_real(int col) const;

 private:
  template <typename T>
  void bind_one(int i, const T& v) {
    sqlite3_stmt* s = stmt_.get();
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      sqlite3_bind_null(s, i);
    } else if constexpr (IsOptional<T>::value) {
      if (v) bind_one(i, *v); else sqlite3_bind_null(s, i);
    } else if constexpr (std::is_same_v<T, bool>) {
      sqlite3_bind_int(s, i, v ? 1 : 0);
    } else if constexpr (std::is_integral_v<T>) {
      sqlite3_bind_int64(s, i, static_cast<sqlite3_int64>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      sqlite3_bind_double(s, i, static_cast<double>(v));
    } else if constexpr (std::is_same_v<T, TextOrNull>) {
      if (v.text.empty()) sqlite3_bind_null(s, i); else bind_text(i, v.text);
    } else {
      bind_text(i, std::string_view(v));
    }
  }
  void bind_text(int i, std::string_view text) {
    sqlite3_bind_text64(stmt_.get(), i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }

  sqlite3* db_;
  StmtPtr stmt_;
};

// One SQLite connection and its statement cache. Not thread-safe: one thread at a time.
class SqliteDb {
 public:
  SqliteDb(DbPtr db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

  // Opens `path` with sqlite3_open_v2 `flags`. Errors are kDatabase naming the path.
  static StatusOr<std::unique_ptr<SqliteDb>> open(const std::string& path, int flags);

  // The cached statement for `sql` (prepared on first use), reset and unbound.
  // `sql` must be a string with static storage: its address is the cache key.
  StatusOr<Statement*> prepare(const char* sql);
  // Runs a script of one or more statements with no parameters (schema, pragmas).
  Status exec(const char* sql);
  // Runs a one-row one-column integer query such as "PRAGMA user_version".
  StatusOr<int64_t> query_int(const char* sql);

  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  bool read_only() const { return sqlite3_db_readonly(db_.get(), "main") == 1; }
  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_.get(); }

  // kDatabase "<what>: <sqlite message>", for a failed call on this connection.
  Status error(std::string_view what) const;

 private:
  DbPtr db_;  // declared first: destroyed last, after the statements that use it
  std::string path_;
  std::unordered_map<const char*, std::unique_ptr<Statement>> statements_;
};

// BEGIN IMMEDIATE on construction (so a writer waits on busy_timeout for the lock up
// front instead of failing to upgrade later), ROLLBACK on destruction unless committed.
// Inside a transaction already open on the connection (a group of runs, see
// Database::begin_group) it is a SAVEPOINT instead: commit() releases it into the outer
// transaction, and destruction without commit() undoes only what it covered.
class Transaction {
 public:
  explicit Transaction(SqliteDb& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const Status& status() const { return begin_; }
  Status commit();

 private:
  SqliteDb& db_;
  bool nested_;
  Status begin_;
  bool done_ = false;
};

// kDatabase status with message `message`.
inline Status db_error(std::string message) { return Status(Code::kDatabase, std::move(message)); }

}  // namespace pageload::store::detail
