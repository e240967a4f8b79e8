#include "store/migrate.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "store_test_env.h"

namespace kehu::store::testing {
namespace {

using StoreMigrateTest = StoreTest;

// Three migrations where each builds on the one before, given out of order on purpose.
std::vector<Migration> ThreeMigrations() {
  return {
      {.version = 3, .name = "add_rows", .sql = "INSERT INTO two (a, b) VALUES (1, 'x');"},
      {.version = 1, .name = "create_one", .sql = "CREATE TABLE one (a BIGINT NOT NULL);"},
      {.version = 2,
       .name = "create_two",
       .sql = "CREATE TABLE two (a BIGINT NOT NULL, b TEXT);\n"
              "CREATE INDEX two_a ON two (a);\n"
              "INSERT INTO one (a) VALUES (2);"},
  };
}

struct Applied {
  int64_t version;
  std::string name;
  int64_t applied_at;
};

std::vector<Applied> Recorded(Database& db) {
  std::vector<Applied> out;
  Status st = db.Read([&](Connection& c) -> Status {
    KEHU_ASSIGN_OR_RETURN(
        auto rows,
        c.Query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version", {}));
    for (const auto& r : rows) out.push_back({r.Int(0), r.Text(1), r.Int(2)});
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.error().message;
  return out;
}

bool TableExists(Database& db, const std::string& table) {
  return db
      .Read([&](Connection& c) -> Status {
        KEHU_RETURN_IF_ERROR(c.Query("SELECT COUNT(*) FROM " + table, {}));
        return Status::Ok();
      })
      .ok();
}

TEST_P(StoreMigrateTest, AppliesMigrationsInVersionOrderAndRecordsEach) {
  auto report = Migrate(db(), ThreeMigrations());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->from_version, 0);
  EXPECT_EQ(report->to_version, 3);
  EXPECT_EQ(report->applied,
            (std::vector<std::string>{"0001_create_one", "0002_create_two", "0003_add_rows"}));

  const auto recorded = Recorded(db());
  ASSERT_EQ(recorded.size(), 3u);
  const char* names[] = {"create_one", "create_two", "add_rows"};
  for (size_t i = 0; i < recorded.size(); ++i) {
    EXPECT_EQ(recorded[i].version, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(recorded[i].name, names[i]);
    EXPECT_GT(recorded[i].applied_at, 0);
  }
  EXPECT_EQ(Count("one"), 1);
  EXPECT_EQ(Count("two"), 1);
}

TEST_P(StoreMigrateTest, RunningAgainChangesNothing) {
  ASSERT_TRUE(Migrate(db(), ThreeMigrations()).ok());
  auto again = Migrate(db(), ThreeMigrations());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->from_version, 3);
  EXPECT_EQ(again->to_version, 3);
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(Recorded(db()).size(), 3u);
  EXPECT_EQ(Count("two"), 1);
}

TEST_P(StoreMigrateTest, NewMigrationsApplyOnTopOfOldOnes) {
  auto first_two = ThreeMigrations();
  first_two.erase(first_two.begin());  // drop version 3
  ASSERT_TRUE(Migrate(db(), first_two).ok());
  auto report = Migrate(db(), ThreeMigrations());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->from_version, 2);
  EXPECT_EQ(report->to_version, 3);
  EXPECT_EQ(report->applied, std::vector<std::string>{"0003_add_rows"});
}

TEST_P(StoreMigrateTest, FailingMigrationLeavesThePreviousVersionAndNoPartialTables) {
  auto migrations = ThreeMigrations();
  // Migration 2 creates its table, then fails: the table must not survive.
  migrations[2].sql =
      "CREATE TABLE two (a BIGINT NOT NULL, b TEXT);\n"
      "INSERT INTO one (a) VALUES (2);\n"
      "INSERT INTO no_such_table (a) VALUES (1);";
  auto report = Migrate(db(), migrations);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("0002_create_two"), std::string::npos)
      << report.error().message;
  EXPECT_NE(report.error().message.find("no_such_table"), std::string::npos)
      << report.error().message;

  const auto recorded = Recorded(db());
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].version, 1);
  EXPECT_FALSE(TableExists(db(), "two"));
  EXPECT_EQ(Count("one"), 0);

  // Once fixed, the rest applies from version 1.
  auto fixed = Migrate(db(), ThreeMigrations());
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_EQ(fixed->from_version, 1);
  EXPECT_EQ(fixed->to_version, 3);
}

TEST_P(StoreMigrateTest, ConcurrentMigratorsApplyEachMigrationOnce) {
  constexpr int kMigrators = 4;
  // Separate Database objects (as separate processes would have) where the backend allows;
  // an in-memory database exists only inside its own Database.
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < kMigrators; ++i) {
    if (GetParam() == Backend::kSqliteMemory) break;
    auto other = Open(env_.url(), 1);
    ASSERT_TRUE(other.ok()) << other.error().message;
    dbs.push_back(std::move(*other));
  }
  std::vector<Result<MigrateReport>> reports(kMigrators, MigrateReport{});
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    Database& target = dbs.empty() ? db() : *dbs[static_cast<size_t>(i)];
    threads.emplace_back(
        [&, i] { reports[static_cast<size_t>(i)] = Migrate(target, ThreeMigrations()); });
  }
  for (auto& t : threads) t.join();
  size_t applied = 0;
  for (const auto& r : reports) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->to_version, 3);
    applied += r->applied.size();
  }
  EXPECT_EQ(applied, 3u);
  EXPECT_EQ(Recorded(db()).size(), 3u);
  EXPECT_EQ(Count("two"), 1);
}

TEST_P(StoreMigrateTest, DatabaseNewerThanTheProgramIsFailedPrecondition) {
  ASSERT_TRUE(Migrate(db(), ThreeMigrations()).ok());
  auto older = ThreeMigrations();
  older.erase(older.begin());
  auto report = Migrate(db(), older);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(StoreMigrateTest, DuplicateVersionsAreInvalidArgumentAndApplyNothing) {
  auto migrations = ThreeMigrations();
  migrations.push_back({.version = 2, .name = "again", .sql = "CREATE TABLE again (a BIGINT);"});
  auto report = Migrate(db(), migrations);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(TableExists(db(), "one"));
}

TEST_P(StoreMigrateTest, EmbeddedMigrationsAreOrderedAndApplyCleanly) {
  const auto& embedded = Migrations(dialect());
  for (size_t i = 1; i < embedded.size(); ++i) {
    EXPECT_LT(embedded[i - 1].version, embedded[i].version);
  }
  for (const auto& m : embedded) {
    EXPECT_FALSE(m.name.empty());
    EXPECT_FALSE(m.sql.empty()) << m.name;
  }
  auto report = Migrate(db());
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->to_version, embedded.empty() ? 0 : embedded.back().version);
  EXPECT_EQ(report->applied.size(), embedded.size());
}

// A setting of both of SQLite's FTS5 indexes, as their %_config tables hold it (0 when unset).
std::vector<int64_t> FtsSetting(Database& db, const std::string& key) {
  std::vector<int64_t> out;
  for (const char* config : {"customers_fts_config", "customers_fts_tok_config"}) {
    int64_t v = 0;
    EXPECT_TRUE(db.Read([&](Connection& c) -> Status {
                    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT v FROM ") + config + " WHERE k = ?", {key}));
                    if (!rows.empty()) v = rows[0].Int(0);
                    return Status::Ok();
                  }).ok());
    out.push_back(v);
  }
  return out;
}

// SQLite's two FTS5 indexes keep 2 MB of a transaction's new entries in memory (0012 made it
// 16 MB, 0016 2 MB): a bulk write writes a segment every few thousand customers, not every few
// hundred, and its writer does not walk the long chains of a 16 MB hash...
TEST_P(StoreMigrateTest, SqliteSearchIndexesBufferTwoMegabytesOfAWrite) {
  if (dialect() != Dialect::kSqlite) GTEST_SKIP() << "FTS5 is SQLite's";
  ASSERT_TRUE(Migrate(db()).ok());
  EXPECT_EQ(FtsSetting(db(), "hashsize"), (std::vector<int64_t>{2097152, 2097152}));
}

// ...and merge a level's segments once 16 are there (0013), so that creates, each batch of them
// a segment, do not merge again and again (kehu serve merges them once the writer is quiet).
TEST_P(StoreMigrateTest, SqliteSearchIndexesMergeSixteenSegmentsALevel) {
  if (dialect() != Dialect::kSqlite) GTEST_SKIP() << "FTS5 is SQLite's";
  ASSERT_TRUE(Migrate(db()).ok());
  EXPECT_EQ(FtsSetting(db(), "automerge"), (std::vector<int64_t>{16, 16}));
}

// ...in steps: a level is merged all at once inside a commit only when 64 segments are there
// (0014), so no create waits seconds for a merge that rewrites a bulk load's large segment.
TEST_P(StoreMigrateTest, SqliteSearchIndexesMergeInStepsBeforeACrisis) {
  if (dialect() != Dialect::kSqlite) GTEST_SKIP() << "FTS5 is SQLite's";
  ASSERT_TRUE(Migrate(db()).ok());
  EXPECT_EQ(FtsSetting(db(), "crisismerge"), (std::vector<int64_t>{64, 64}));
}

// An interaction's participants and customers are read by their ids for every timeline page and
// screen pop: SQLite, planning without statistics, must search the covering indexes of 0015
// rather than read every link row of the org through the indexes that start with org_id alone.
TEST_P(StoreMigrateTest, SqliteFindsAnInteractionsLinksByItsId) {
  if (dialect() != Dialect::kSqlite) GTEST_SKIP() << "the plan checked is SQLite's";
  ASSERT_TRUE(Migrate(db()).ok());
  auto plan = [&](const std::string& sql) {
    std::string out;
    EXPECT_TRUE(db().Read([&](Connection& c) -> Status {
                      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("EXPLAIN QUERY PLAN " + sql, {int64_t{1}, int64_t{5}, int64_t{6}}));
                      for (const auto& r : rows) out += r.Text(3) + "\n";
                      return Status::Ok();
                    }).ok());
    return out;
  };
  const std::string participants = plan(
      "SELECT interaction_id, kind, ref_id FROM interaction_participants WHERE org_id = ? AND interaction_id IN (?, ?) "
      "ORDER BY interaction_id, kind, ref_id");
  EXPECT_NE(participants.find("interaction_participants_by_interaction (org_id=? AND interaction_id=?)"),
            std::string::npos) << participants;
  EXPECT_EQ(participants.find("TEMP B-TREE"), std::string::npos) << participants;
  const std::string customers = plan(
      "SELECT interaction_id, customer_id FROM interaction_customers WHERE org_id = ? AND interaction_id IN (?, ?) "
      "ORDER BY interaction_id, customer_id");
  EXPECT_NE(customers.find("interaction_customers_by_interaction (org_id=? AND interaction_id=?)"), std::string::npos)
      << customers;
  EXPECT_EQ(customers.find("TEMP B-TREE"), std::string::npos) << customers;
}

INSTANTIATE_TEST_SUITE_P(Store, StoreMigrateTest,
                         ::testing::Values(Backend::kSqliteMemory, Backend::kSqliteFile,
                                           Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace kehu::store::testing
