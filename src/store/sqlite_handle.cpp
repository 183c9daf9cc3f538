#include "store/sqlite_handle.h"

#include <cstring>

namespace pageload::store::detail {
namespace {

// The operating system's reason behind an error SQLite had from it (opening, reading or
// writing the file): " (Permission denied)"; empty for other errors, whose errno would be
// stale.
std::string os_reason(sqlite3* db, int rc) {
  const int primary = rc & 0xff;
  if (!db || (primary != SQLITE_CANTOPEN && primary != SQLITE_IOERR && primary != SQLITE_READONLY &&
              primary != SQLITE_PERM))
    return "";
  const int sys = sqlite3_system_errno(db);
  return sys ? std::string(" (") + std::strerror(sys) + ")" : "";
}

// SQLite says "database or disk is full" for both a full filesystem and a page limit;
// either way the user's fix is to free space, so say so first, naming the file.
std::optional<Status> disk_full(sqlite3* db, int rc) {
  if ((rc & 0xff) != SQLITE_FULL) return std::nullopt;
  const char* file = sqlite3_db_filename(db, "main");
  return db_error("disk full: cannot write database '" + std::string(file ? file : "") +
                  "' (" + sqlite3_errstr(rc) + "); earlier runs are kept");
}

}  // namespace

StatusOr<bool> Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if (auto full = disk_full(db_, rc)) {
    reset();
    return *full;
  }
  Status s = db_error(std::string(sqlite3_errmsg(db_)) + os_reason(db_, rc) + " (in: " +
                      std::string(sqlite3_sql(stmt_.get())).substr(0, 60) + ")");
  reset();
  return s;
}

Status Statement::run() {
  auto r = step();
  if (!r.ok()) return r.status();
  reset();
  return Status::Ok();
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string Statement::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_.get(), col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

std::optional<int64_t> Statement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

std::optional<int> Statement::opt_int(int col) const {
  if (is_null(col)) return std::nullopt;
  return integer(col);
}

std::optional<double> Statement::opt_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return real(col);
}

StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_EXRESCODE, nullptr);
  DbPtr db(raw);  // sqlite3_open_v2 may hand back a handle even on failure
  if (rc != SQLITE_OK) {
    return db_error("cannot open database '" + path + "': " +
                    (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)) + os_reason(raw, rc));
  }
  return std::make_unique<SqliteDb>(std::move(db), path);
}

StatusOr<Statement*> SqliteDb::prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    it->second->reset();
    return it->second.get();
  }
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return error("cannot prepare statement");
  auto owned = std::make_unique<Statement>(db_.get(), std::move(stmt));
  Statement* out = owned.get();
  statements_.emplace(sql, std::move(owned));
  return out;
}

Status SqliteDb::exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  if (auto full = disk_full(db_.get(), rc)) {
    sqlite3_free(message);
    return *full;
  }
  std::string text = (message ? message : sqlite3_errstr(rc)) + os_reason(db_.get(), rc);
  sqlite3_free(message);
  return db_error("database '" + path_ + "': " + text);
}

StatusOr<int64_t> SqliteDb::query_int(const char* sql) {
  auto stmt = prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = (*stmt)->step();
  if (!row.ok()) return row.status();
  if (!*row) return error("no result");
  int64_t v = (*stmt)->int64(0);
  (*stmt)->reset();
  return v;
}

Status SqliteDb::error(std::string_view what) const {
  return db_error("database '" + path_ + "': " + std::string(what) + ": " + sqlite3_errmsg(db_.get()) +
                  os_reason(db_.get(), sqlite3_extended_errcode(db_.get())));
}

Transaction::Transaction(SqliteDb& db)
    : db_(db),
      nested_(sqlite3_get_autocommit(db.raw()) == 0),
      begin_(db.exec(nested_ ? "SAVEPOINT pageload_tx" : "BEGIN IMMEDIATE")) {
  done_ = !begin_.ok();
}

Transaction::~Transaction() {
  if (done_) return;
  if (nested_) db_.exec("ROLLBACK TO pageload_tx; RELEASE pageload_tx");
  else db_.exec("ROLLBACK");
}

Status Transaction::commit() {
  if (done_) return begin_.ok() ? db_error("transaction already finished") : begin_;
  Status s = db_.exec(nested_ ? "RELEASE pageload_tx" : "COMMIT");
  if (s.ok()) done_ = true;  // on failure the destructor rolls back
  return s;
}

}  // namespace pageload::store::detail
