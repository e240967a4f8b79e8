#include "store/migrate.h"

#include <algorithm>
#include <cstdio>

#include "core/time.h"

namespace kehu::store {
namespace internal {
// Defined in the source that cmake/EmbedMigrations.cmake generates from store/migrations.
std::vector<Migration> EmbeddedMigrations(Dialect dialect);
}  // namespace internal

namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
constexpr const char* kCurrentVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
constexpr const char* kRecord =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";
// One fixed key for every Kehu process migrating the same PostgreSQL database ("kehu" in ASCII).
constexpr const char* kPgLock = "SELECT pg_advisory_xact_lock(1801807989)";

// In PostgreSQL, concurrent migrators queue on a transaction-level advisory lock (released by
// COMMIT/ROLLBACK). SQLite needs nothing: Write's BEGIN IMMEDIATE already admits one writer.
Status LockIfPostgres(Connection& c) {
  if (c.dialect() != Dialect::kPostgres) return Status::Ok();
  KEHU_RETURN_IF_ERROR(c.Query(kPgLock, {}));
  return Status::Ok();
}

Result<int> CurrentVersion(Connection& c) {
  KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(kCurrentVersion, {}));
  return static_cast<int>(rows.at(0).Int(0));
}

std::string Label(const Migration& m) {
  char num[16];
  std::snprintf(num, sizeof(num), "%04d", m.version);
  return std::string(num) + "_" + m.name;
}

}  // namespace

const std::vector<Migration>& Migrations(Dialect dialect) {
  static const std::vector<Migration> sqlite = internal::EmbeddedMigrations(Dialect::kSqlite);
  static const std::vector<Migration> postgres = internal::EmbeddedMigrations(Dialect::kPostgres);
  return dialect == Dialect::kSqlite ? sqlite : postgres;
}

Result<MigrateReport> Migrate(Database& db) { return Migrate(db, Migrations(db.dialect())); }

Result<MigrateReport> Migrate(Database& db, const std::vector<Migration>& migrations) {
  std::vector<Migration> sorted = migrations;
  std::sort(sorted.begin(), sorted.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i].version <= 0 || (i > 0 && sorted[i].version == sorted[i - 1].version)) {
      return InvalidArgument("migration versions must be positive and unique (" + Label(sorted[i]) +
                             ")");
    }
  }
  const int latest = sorted.empty() ? 0 : sorted.back().version;

  MigrateReport report;
  KEHU_RETURN_IF_ERROR(db.Write([&](Connection& c) -> Status {
    KEHU_RETURN_IF_ERROR(LockIfPostgres(c));
    KEHU_RETURN_IF_ERROR(c.ExecScript(kCreateTable));
    KEHU_ASSIGN_OR_RETURN(report.from_version, CurrentVersion(c));
    return Status::Ok();
  }));
  if (report.from_version > latest) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "database schema version " + std::to_string(report.from_version) +
                         " is newer than this program knows (" + std::to_string(latest) + ")");
  }
  report.to_version = report.from_version;

  for (const Migration& m : sorted) {
    if (m.version <= report.to_version) continue;
    bool applied = false;
    Status st = db.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(LockIfPostgres(c));
      // Another process may have applied it while we waited for the lock.
      KEHU_ASSIGN_OR_RETURN(int current, CurrentVersion(c));
      if (current >= m.version) return Status::Ok();
      if (Status s = c.ExecScript(m.sql); !s.ok()) {
        Error e = std::move(s).error();
        e.message = "migration " + Label(m) + " failed: " + e.message;
        return e;
      }
      KEHU_RETURN_IF_ERROR(c.Exec(kRecord, {static_cast<int64_t>(m.version), m.name,
                                            static_cast<int64_t>(DefaultClock().Now())}));
      applied = true;
      return Status::Ok();
    });
    KEHU_RETURN_IF_ERROR(st);
    if (applied) report.applied.push_back(Label(m));
    report.to_version = m.version;
  }
  return report;
}

}  // namespace kehu::store
