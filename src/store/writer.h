// Writing runs: the INSERT/UPDATE side of Database.
#pragma once

#include "pageload/result.h"
#include "store/sqlite_handle.h"

namespace pageload::store::detail {

// See Database::begin_run.
Status write_begin(SqliteDb& db, Run& run);
// See Database::finish_run.
Status write_finish(SqliteDb& db, Run& run);

}  // namespace pageload::store::detail
