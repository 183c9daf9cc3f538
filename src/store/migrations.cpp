#include "store/migrations.h"

#include <array>
#include <string>

namespace pageload::embedded {
extern const char schema_sql[];
extern const std::size_t schema_sql_size;
}  // namespace pageload::embedded

namespace pageload::store::detail {

std::span<const Migration> migrations() {
  // To change the schema: edit schema.sql (the whole current schema, for fresh files),
  // bump kSchemaVersion, and add {N, "ALTER TABLE ...; ..."} taking version N-1 to N.
  static const std::array<Migration, 1> kMigrations{{
      {1, pageload::embedded::schema_sql},
  }};
  static_assert(kSchemaVersion == 1, "add a migration for the new schema version");
  return kMigrations;
}

StatusOr<int> schema_version(SqliteDb& db) {
  auto v = db.query_int("PRAGMA user_version");
  if (!v.ok()) return v.status();
  return static_cast<int>(*v);
}

Status check_not_newer(int version) {
  if (version <= kSchemaVersion) return Status::Ok();
  return db_error("database schema version " + std::to_string(version) +
                  " is newer than this pageload (" + std::to_string(kSchemaVersion) + ")");
}

Status migrate(SqliteDb& db) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  auto version = schema_version(db);
  if (!version.ok()) return version.status();
  if (Status s = check_not_newer(*version); !s.ok()) return s;
  if (*version == kSchemaVersion) return Status::Ok();  // someone else got here first

  for (const Migration& m : migrations()) {
    if (m.version <= *version) continue;
    if (Status s = db.exec(m.sql); !s.ok()) {
      return db_error("migrating database '" + db.path() + "' to schema version " +
                      std::to_string(m.version) + ": " + s.message());
    }
  }
  // PRAGMA takes no bound parameters; the value is our own compile-time constant.
  const std::string set_version = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
  if (Status s = db.exec(set_version.c_str()); !s.ok()) return s;
  return tx.commit();
}

}  // namespace pageload::store::detail
