// Reading runs back: the SELECT side of Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pageload/result.h"
#include "store/sqlite_handle.h"
#include "store/store.h"

namespace pageload::store::detail {

// See Database::load_run.
StatusOr<Run> read_run(SqliteDb& db, int64_t id);
// See Database::list_runs.
StatusOr<std::vector<RunSummary>> read_summaries(SqliteDb& db, int limit, const std::optional<std::string>& label);
// See Database::latest_run_id.
StatusOr<int64_t> read_latest_id(SqliteDb& db);
// See Database::identity.
StatusOr<DatabaseIdentity> read_identity(SqliteDb& db);
// See Database::load_run_group.
StatusOr<GroupRuns> read_run_group(SqliteDb& db, int64_t id);

}  // namespace pageload::store::detail
