// Schema versions and the migrations between them.
//
// PRAGMA user_version holds the schema version of a file. Version 0 is a new (or empty)
// file: it gets schema.sql (embedded at build time), the whole current schema. Migration
// N brings an existing file from version N-1 to N, so that it ends up with the same
// tables and columns as a fresh one (tests/store/schema_test.cpp checks this from the
// version 1 schema kept in tests/store/schema_v1.sql).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "pageload/status.h"
#include "store/sqlite_handle.h"

namespace pageload::store::detail {

// The version this build writes and reads.
inline constexpr int kSchemaVersion = 8;
// The oldest version whose tables and columns are this version's (version 8 changed only the
// text of CHECK constraints): a file this old that cannot be migrated (read-only) is still
// read as it is.
inline constexpr int kOldestReadableAsIs = 7;

struct Migration {
  int version;                     // the user_version after this step
  const char* sql;                 // a script of statements without parameters, or null
  Status (*step)(SqliteDb&) = nullptr;  // a step SQL alone cannot take, run after `sql`
};

// The migrations from version 1 on, in ascending version order, the last being
// kSchemaVersion.
std::span<const Migration> migrations();

// `create_table` (a CREATE TABLE statement as sqlite_schema keeps it) with every
// CHECK (column IN ('a', 'b', 'c', ...)) of three or more quoted values written as
// CHECK (column = 'a' OR column = 'b' OR ...), which accepts the same values; the rest of
// the text unchanged. SQLite builds a temporary index for such an IN list each time it
// checks a row. Version 8's migration (tests/store/schema_test.cpp).
std::string checks_as_or_chains(std::string_view create_table);

// The file's PRAGMA user_version.
StatusOr<int> schema_version(SqliteDb& db);

// kDatabase "database schema version N is newer than this pageload (M)" if `version`
// is newer than kSchemaVersion; ok otherwise.
Status check_not_newer(int version);

// Brings the file to kSchemaVersion: in one IMMEDIATE transaction, re-reads
// user_version (another process may have migrated meanwhile), applies schema.sql to a
// version 0 file or every migration above its version to an older one, then sets
// user_version. A no-op when already current.
Status migrate(SqliteDb& db);

}  // namespace pageload::store::detail
