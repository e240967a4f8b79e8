#pragma once
// Numbered SQL migrations, embedded in the binary from store/migrations/{sqlite,postgres}/NNNN_name.sql.
// Each migration runs in its own transaction together with its row in schema_migrations, so a
// failed migration leaves the database exactly as it was.

#include <string>
#include <vector>

#include "core/result.h"
#include "store/db.h"

namespace kehu::store {

struct Migration {
  int version{0};
  std::string name{};
  std::string sql{};
};

// The migrations for a dialect, in version order.
const std::vector<Migration>& Migrations(Dialect dialect);

struct MigrateReport {
  int from_version{0};
  int to_version{0};
  std::vector<std::string> applied{};  // "NNNN_name" of each migration this call applied
};

// Applies every migration newer than the database's current version, creating
// schema_migrations(version, name, applied_at UTC millis) first if needed. Processes starting
// together do not apply a migration twice (SQLite: the single writer; PostgreSQL: an advisory
// lock). A migration's SQL must not contain BEGIN/COMMIT or statements PostgreSQL refuses inside
// a transaction (CREATE INDEX CONCURRENTLY).
// Errors: whatever the failing migration's SQL raised, with "migration NNNN_name failed: " in
// front of the message (the database is left at the last good version); kInvalidArgument for
// duplicate or non-positive versions; kFailedPrecondition when the database is already at a
// version newer than the newest migration given (a downgrade of the program).
Result<MigrateReport> Migrate(Database& db);
Result<MigrateReport> Migrate(Database& db, const std::vector<Migration>& migrations);

}  // namespace kehu::store
