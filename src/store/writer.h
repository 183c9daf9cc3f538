// Writing runs: the INSERT/UPDATE side of Database.
#pragma once

#include "pageload/result.h"
#include "store/sqlite_handle.h"

namespace pageload::store::detail {

// See Database::begin_run.
Status write_begin(SqliteDb& db, Run& run);
// See Database::finish_run.
Status write_finish(SqliteDb& db, Run& run);
// See Database::create_run_group.
Status write_run_group(SqliteDb& db, RunGroup& group);

}  // namespace pageload::store::detail
