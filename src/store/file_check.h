// Checks on a database path made before SQLite touches it, so that a file we refuse is
// never modified and a file is never created in a directory that does not exist.
#pragma once

#include <string>

#include "pageload/status.h"

namespace pageload::store::detail {

enum class FileState { kMissing, kEmpty, kSqlite, kMemory };

struct FileInfo {
  FileState state = FileState::kMissing;
  // user_version as the file header has it (kSqlite only). It can be older than the
  // real one while a newer version sits in the -wal file, so it serves to refuse early;
  // PRAGMA user_version stays the authority.
  int header_version = 0;
};

// Looks at `path` without writing: kDatabase with one clear line when its directory
// does not exist, it is not a regular file, cannot be read, or does not start with the
// SQLite header. Otherwise whether it is missing, empty (0 bytes), a SQLite file, or
// SQLite's ":memory:" (for tests).
StatusOr<FileInfo> inspect_database_file(const std::string& path);

}  // namespace pageload::store::detail
