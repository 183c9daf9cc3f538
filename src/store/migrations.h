// Schema versions and the migrations between them.
//
// PRAGMA user_version holds the schema version of a file. Version 0 is a new (or empty)
// file; migration N brings a file from version N-1 to N. Migration 1 is schema.sql
// itself (embedded at build time), so a fresh file and a migrated one end up alike.
#pragma once

#include <span>

#include "pageload/status.h"
#include "store/sqlite_handle.h"

namespace pageload::store::detail {

// The version this build writes and reads.
inline constexpr int kSchemaVersion = 1;

struct Migration {
  int version;      // the user_version after this step
  const char* sql;  // a script of statements without parameters
};

// All migrations, in ascending version order, the last being kSchemaVersion.
std::span<const Migration> migrations();

// The file's PRAGMA user_version.
StatusOr<int> schema_version(SqliteDb& db);

// kDatabase "database schema version N is newer than this pageload (M)" if `version`
// is newer than kSchemaVersion; ok otherwise.
Status check_not_newer(int version);

// Brings the file to kSchemaVersion: in one IMMEDIATE transaction, re-reads
// user_version (another process may have migrated meanwhile) and applies every
// migration above it, then sets user_version. A no-op when already current.
Status migrate(SqliteDb& db);

}  // namespace pageload::store::detail
