// Database: opening (file checks, pragmas, migration) and delegation to writer/reader.
#include "store/store.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "store/file_check.h"
#include "store/migrations.h"
#include "store/reader.h"
#include "store/sqlite_handle.h"
#include "store/writer.h"

namespace pageload::store {
namespace {

using detail::db_error;
using detail::SqliteDb;

constexpr int kBusyTimeoutMs = 30000;

Status cannot_open(const std::string& path, const std::string& why) {
  return db_error("cannot open database '" + path + "': " + why);
}

// Reads user_version, turning "file is not a database" into the one-line message.
StatusOr<int> read_version(SqliteDb& db) {
  auto v = detail::schema_version(db);
  if (!v.ok() && sqlite3_errcode(db.raw()) == SQLITE_NOTADB)
    return cannot_open(db.path(), "not a SQLite database");
  return v;
}

// Each `pageload run` opens, writes one run and closes. Checkpointing on every close
// would cost two fsyncs per run (~20 ms here); SQLite's automatic checkpoint (every 1000
// WAL pages) does that work in bulk instead. The -wal file next to the database thus
// holds the latest runs until then: every SQLite reader sees them, but a plain copy of
// the .db file alone does not (copy with `sqlite3 DB ".backup COPY"`).
void disable_checkpoint_on_close(SqliteDb& db) {
  sqlite3_db_config(db.raw(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
}

// Sets journal_mode=WAL and reports the mode in effect. Switching a new file to WAL
// needs an exclusive lock, and SQLite answers SQLITE_BUSY at once, without its busy
// handler, while another connection holds a lock (two writers creating one file): so
// retry for up to the busy timeout.
Status switch_to_wal(SqliteDb& db, std::string& mode) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    auto stmt = db.prepare("PRAGMA journal_mode = WAL");
    if (!stmt.ok()) return stmt.status();
    auto row = (*stmt)->step();
    if (row.ok()) {
      mode = *row ? (*stmt)->text(0) : "";
      (*stmt)->reset();
      return Status::Ok();
    }
    const bool busy = (sqlite3_errcode(db.raw()) & 0xff) == SQLITE_BUSY ||
                      (sqlite3_errcode(db.raw()) & 0xff) == SQLITE_LOCKED;
    if (!busy || std::chrono::steady_clock::now() >= deadline) return row.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Pragmas of a writing connection. Only called once the file's version is known to be
// ours or older, because switching to WAL writes the file header.
Status configure_writer(SqliteDb& db) {
  if (Status s = db.exec("PRAGMA foreign_keys = ON"); !s.ok()) return s;
  // Statement and savepoint journals in memory: as temporary files they cost two
  // pwrite()s per page a statement touches, 40 per run, the most of a batch's writes.
  if (Status s = db.exec("PRAGMA temp_store = MEMORY"); !s.ok()) return s;
  std::string mode;
  if (Status s = switch_to_wal(db, mode); !s.ok()) return s;
  const bool in_memory = db.path() == ":memory:";  // SQLite keeps those in "memory" mode
  if (mode != "wal" && !(in_memory && mode == "memory"))
    return cannot_open(db.path(), "cannot switch to WAL mode (journal_mode " + mode + ")");
  // In WAL mode NORMAL is durable against crashes of the process, and spares an fsync
  // per commit: the benchmark writes 100,000 runs.
  return db.exec("PRAGMA synchronous = NORMAL");
}

}  // namespace

Database::Database(std::unique_ptr<detail::SqliteDb> db) : db_(std::move(db)) {}
Database::~Database() = default;

StatusOr<std::unique_ptr<Database>> Database::open(const std::string& path) {
  auto file = detail::inspect_database_file(path);
  if (!file.ok()) return file.status();
  if (Status s = detail::check_not_newer(file->header_version); !s.ok()) return s;

  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (file->state == detail::FileState::kMissing || file->state == detail::FileState::kMemory)
    flags |= SQLITE_OPEN_CREATE;
  auto db = SqliteDb::open(path, flags);
  if (!db.ok()) return db.status();
  SqliteDb& sdb = **db;
  // Before anything else, so that closing a refused file never checkpoints into it.
  disable_checkpoint_on_close(sdb);
  // SQLite silently falls back to read-only for a write-protected file.
  if (sdb.read_only()) {
    // The operating system's reason: permissions, a read-only mount, an immutable file.
    const int why = ::access(path.c_str(), W_OK) == 0 ? 0 : errno;
    return cannot_open(path, std::string("file is read-only") + (why ? std::string(" (") + std::strerror(why) + ")" : ""));
  }
  sqlite3_busy_timeout(sdb.raw(), kBusyTimeoutMs);

  // Nothing has been written yet: refuse a newer schema before anything is.
  auto version = read_version(sdb);
  if (!version.ok()) return version.status();
  if (Status s = detail::check_not_newer(*version); !s.ok()) return s;
  if (*version == 0) {
    // Another program's database (tables, none of them ours) is not ours to change: WAL
    // mode and our tables would stay in it. A file made with `sqlite3 F < schema.sql` has
    // our runs table and is taken.
    auto tables = sdb.query_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'");
    auto ours = sdb.query_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'runs'");
    if (!tables.ok()) return tables.status();
    if (!ours.ok()) return ours.status();
    if (*tables > 0 && *ours == 0)
      return cannot_open(path, "it is another program's SQLite database (it has tables, none of pageload's)");
  }

  if (Status s = configure_writer(sdb); !s.ok()) return s;
  if (*version < detail::kSchemaVersion) {
    if (Status s = detail::migrate(sdb); !s.ok()) return s;
  }
  return std::unique_ptr<Database>(new Database(std::move(*db)));
}

StatusOr<std::unique_ptr<Database>> Database::open_existing(const std::string& path) {
  auto file = detail::inspect_database_file(path);
  if (!file.ok()) return file.status();
  switch (file->state) {
    case detail::FileState::kMissing: return cannot_open(path, std::string("file does not exist (") + std::strerror(ENOENT) + ")");
    case detail::FileState::kEmpty: return cannot_open(path, "file is empty (no pageload schema)");
    case detail::FileState::kMemory: return cannot_open(path, "an in-memory database cannot exist yet");
    case detail::FileState::kSqlite: break;
  }
  if (Status s = detail::check_not_newer(file->header_version); !s.ok()) return s;

  auto db = SqliteDb::open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
  if (!db.ok()) return db.status();
  SqliteDb& sdb = **db;
  sqlite3_busy_timeout(sdb.raw(), kBusyTimeoutMs);

  auto version = read_version(sdb);
  if (!version.ok()) return version.status();
  if (Status s = detail::check_not_newer(*version); !s.ok()) return s;
  if (*version < detail::kSchemaVersion) {
    // An older pageload's file: migrate it now (as `run` would), then read it.
    db.value().reset();
    auto migrated = open(path);
    if (migrated.ok()) return migrated;
    if (*version >= detail::kOldestReadableAsIs) {
      // Read-only, but its columns are this version's: read it as it is, unchanged.
      auto as_is = SqliteDb::open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
      if (!as_is.ok()) return as_is.status();
      sqlite3_busy_timeout((*as_is)->raw(), kBusyTimeoutMs);
      return std::unique_ptr<Database>(new Database(std::move(*as_is)));
    }
    return cannot_open(path, "schema version " + std::to_string(*version) + " is older than this pageload (" +
                                 std::to_string(detail::kSchemaVersion) + ") and cannot be migrated: " +
                                 migrated.status().message());
  }
  return std::unique_ptr<Database>(new Database(std::move(*db)));
}

Status Database::begin_run(Run& run) { return detail::write_begin(*db_, run); }
Status Database::finish_run(Run& run) { return detail::write_finish(*db_, run); }
Status Database::begin_group() { return db_->exec("BEGIN IMMEDIATE"); }
Status Database::commit_group() {
  Status s = db_->exec("COMMIT");
  if (!s.ok() && sqlite3_get_autocommit(db_->raw()) == 0) db_->exec("ROLLBACK");
  return s;
}
Status Database::abandon_group() { return db_->exec("ROLLBACK"); }
StatusOr<Run> Database::load_run(int64_t id) { return detail::read_run(*db_, id); }
StatusOr<std::vector<RunSummary>> Database::list_runs(int limit, const std::optional<std::string>& label) {
  return detail::read_summaries(*db_, limit, label);
}
StatusOr<int64_t> Database::latest_run_id() { return detail::read_latest_id(*db_); }
StatusOr<DatabaseIdentity> Database::identity() { return detail::read_identity(*db_); }
Status Database::create_run_group(RunGroup& group) { return detail::write_run_group(*db_, group); }
StatusOr<GroupRuns> Database::load_run_group(int64_t id) { return detail::read_run_group(*db_, id); }
std::string Database::path() const { return db_->path(); }

}  // namespace pageload::store
