// The run database: writes each load's runs, requests, phases, connections and DNS
// lookups into SQLite and reads them back. The schema (schema.sql, embedded) is a
// public interface for users' SQL; this API is for pageload's own modules.
//
// A Database is used by one thread at a time. Several Database objects, in one process
// or many, may write to the same file at once: writers wait up to 30 s for each other.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pageload/result.h"
#include "pageload/status.h"

namespace pageload::store {

namespace detail {
class SqliteDb;
}

// One line of `pageload list`.
struct RunSummary {
  int64_t id = 0;
  std::string started_at, url, final_url, label, outcome, error_class;
  std::optional<int> final_status;
  std::optional<double> total_ms;
  int requests = 0;  // 0 while the run is still running
  // The page's figures: requests that failed or got a status of 400 or more, and every
  // request done (fully loaded). Nullopt while running, or for a run stored before
  // schema version 3 (failed) or with no document (load).
  std::optional<int> failed;
  std::optional<double> load_ms;
  // Connections whose certificate did not verify and that still carried a response (-k),
  // and the first one's verify message ("certificate has expired").
  int unverified_connections = 0;
  std::string unverified_why;
  // "pageload" (measured) or "har" (imported by `pageload import`), and the HAR's producer.
  std::string source, producer;
  // Its place in a run group (v5): absent for a run made alone.
  std::optional<int64_t> group_id;
  std::optional<RunView> view;
  std::optional<int> run_number;
};

// A run group and its runs (Database::load_run_group).
struct GroupRuns {
  RunGroup group;
  std::vector<int64_t> run_ids;  // first views before repeat views, each by run_number
};

// What tells a database from another (Database::identity).
struct DatabaseIdentity {
  std::string id;               // 32 random hex digits, written with the file
  bool older_than_ids = false;  // migrated from a schema without ids (v6 and before)
};

class Database {
 public:
  // Opens `path` for writing, creating it if missing, and brings its schema to this
  // build's version (WAL mode, busy_timeout 30 s, foreign keys on). Errors are kDatabase
  // with one line naming the path: directory missing, not a SQLite file, read-only
  // file, schema newer than this build. A file that is refused is left unmodified and
  // no file is created when the directory is missing. Connections do not checkpoint on
  // close (that cost two fsyncs per run), so the newest runs may sit in the `-wal` file
  // beside the database until SQLite's automatic checkpoint: copy with `.backup`.
  static StatusOr<std::unique_ptr<Database>> open(const std::string& path);
  // Opens an existing database read-only (list, show, report). A file from an older
  // schema version is migrated first (opened for writing, as open() does). kDatabase if
  // the file is missing, not a SQLite file, newer, or older and cannot be migrated.
  static StatusOr<std::unique_ptr<Database>> open_existing(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Inserts the runs row with outcome 'running' (started_at, url, label, options,
  // versions) and sets run.id. Fills run.started_at with the current UTC time if empty.
  Status begin_run(Run& run);
  // In one transaction, writes the run's DNS lookups (+queries, answers), connections
  // (+attempts) and requests (+phases, headers), mapping Request::connection and
  // Request::dns_lookup (indexes into the run's vectors) to row ids, and completes the
  // runs row. Inserts the runs row first if begin_run was not called (run.id == 0).
  // Calling it again for the same run replaces what the first call wrote. On error
  // nothing of this call is kept.
  Status finish_run(Run& run);
  // Groups the writes that follow (begin_run, finish_run) into one transaction until
  // commit_group(), so a batch of runs costs one commit, not two per run. Each
  // finish_run stays all-or-nothing within the group. Waits up to the busy timeout for
  // the write lock, which the group then holds: keep groups short.
  Status begin_group();
  // Commits the group. On failure everything written since begin_group() is rolled
  // back (run ids handed out in it no longer exist) and the connection is usable again.
  Status commit_group();
  // Rolls the group back: nothing written since begin_group() is kept (an import that
  // failed half-way stores nothing).
  Status abandon_group();
  // Reads a whole run back: load_run(id) after finish_run(run) equals run in every field
  // the schema stores (ids are indexes again; phases come back in kPhases order).
  // Code::kUsage "no run N in PATH" (the database's path) if there is none.
  StatusOr<Run> load_run(int64_t id);
  // The newest `limit` runs (by started_at), newest first; limit <= 0: all. With `label`,
  // only the runs stored with that label (exactly).
  StatusOr<std::vector<RunSummary>> list_runs(int limit = 20, const std::optional<std::string>& label = std::nullopt);
  // The id of the run stored last (the highest id: an imported run is newer than the runs
  // stored before it, whenever its page started); Code::kUsage "no runs in PATH" if there is none.
  StatusOr<int64_t> latest_run_id();
  // What tells this database from another: the random id written with the file
  // (database_info, schema v7). It goes where the file goes (a database moved or renamed is
  // still itself) and a new database, even at the same path, has another. A copy shares it.
  StatusOr<DatabaseIdentity> identity();
  // Inserts a run_groups row (created_at: the current UTC time if empty) and sets
  // group.id. The group's runs then carry Run::group_id = group.id, with their view and
  // run_number, when begin_run/finish_run store them.
  Status create_run_group(RunGroup& group);
  // A group and its runs' ids, first views before repeat views, each by run_number.
  // Code::kUsage "no run group N in PATH" if there is none.
  StatusOr<GroupRuns> load_run_group(int64_t id);
  // The median run of group `group_id`'s runs of `view` ("first" or "repeat"), as the
  // group_medians view picks it (WebPageTest's rule: report/spread.h). Code::kUsage "no
  // run group N in PATH" when the group has no such runs, or a line saying it has no median when
  // none of them has the figure. (group_medians.cpp)
  StatusOr<int64_t> group_median_run(int64_t group_id, const std::string& view = "first");
  std::string path() const;

 private:
  explicit Database(std::unique_ptr<detail::SqliteDb> db);
  std::unique_ptr<detail::SqliteDb> db_;
};

}  // namespace pageload::store
