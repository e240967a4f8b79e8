#pragma once
// The databases the store suites run against: SQLite in memory, SQLite in a temp file, and
// PostgreSQL in a fresh schema of the server named by KEHU_TEST_PG_URL (scripts/with-postgres.sh
// starts one). Without that variable the PostgreSQL instances skip.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "store/db.h"

namespace kehu::store::testing {

enum class Backend { kSqliteMemory, kSqliteFile, kPostgres };

inline const char* BackendText(Backend b) {
  switch (b) {
    case Backend::kSqliteMemory:
      return "SqliteMemory";
    case Backend::kSqliteFile:
      return "SqliteFile";
    case Backend::kPostgres:
      return "Postgres";
  }
  return "Unknown";
}
inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return BackendText(info.param);
}
// Names the parameter in test listings ("GetParam() = SqliteFile" rather than raw bytes).
inline void PrintTo(Backend b, std::ostream* os) { *os << BackendText(b); }

// A unique name within this machine for a schema or file.
inline std::string UniqueName(const char* prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

// Adds libpq options (search_path, application_name) to a key/value string or a URI. public
// stays on the path for extensions such as pg_trgm, which live there once for all tests.
inline std::string WithPgOptions(const std::string& base, const std::string& schema) {
  if (base.rfind("postgres", 0) == 0) {
    const char sep = base.find('?') == std::string::npos ? '?' : '&';
    return base + sep + "options=-csearch_path%3D" + schema +
           "%2Cpublic&application_name=" + schema;
  }
  return base + " options='-csearch_path=" + schema + ",public' application_name=" + schema;
}

// Owns one test database and removes it afterwards.
class TestDatabase {
 public:
  // Sets url() for the backend; false (with reason) when the backend is not configured.
  bool Prepare(Backend backend, std::string* reason) {
    backend_ = backend;
    switch (backend) {
      case Backend::kSqliteMemory:
        url_ = "sqlite::memory:";
        return true;
      case Backend::kSqliteFile: {
        dir_ = std::filesystem::temp_directory_path() / UniqueName("kehu_store_test_");
        std::filesystem::create_directories(dir_);
        url_ = "sqlite:" + (dir_ / "test.db").string();
        return true;
      }
      case Backend::kPostgres: {
        const char* base = std::getenv("KEHU_TEST_PG_URL");
        if (base == nullptr || *base == '\0') {
          *reason = "KEHU_TEST_PG_URL is not set; run under scripts/with-postgres.sh";
          return false;
        }
        auto admin = Open(base, 1);
        if (!admin.ok()) {
          *reason = "cannot reach KEHU_TEST_PG_URL: " + admin.error().message;
          return false;
        }
        admin_ = std::move(*admin);
        // Extensions are per database: create pg_trgm once in public rather than letting a
        // migration create it inside one test's schema, where DROP SCHEMA would take it away
        // from tests running in parallel. A concurrent creator may win the race; that is fine.
        (void)admin_->Write([](Connection& c) {
          return c.ExecScript("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public");
        });
        schema_ = UniqueName("kehu_t_");
        Status st =
            admin_->Write([&](Connection& c) { return c.ExecScript("CREATE SCHEMA " + schema_); });
        if (!st.ok()) {
          *reason = "cannot create schema: " + st.error().message;
          return false;
        }
        url_ = WithPgOptions(base, schema_);
        return true;
      }
    }
    return false;
  }

  ~TestDatabase() {
    if (admin_ != nullptr && !schema_.empty()) {
      (void)admin_->Write(
          [&](Connection& c) { return c.ExecScript("DROP SCHEMA " + schema_ + " CASCADE"); });
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  const std::string& url() const { return url_; }
  const std::string& schema() const { return schema_; }
  const std::filesystem::path& dir() const { return dir_; }
  Backend backend() const { return backend_; }
  Database* admin() const { return admin_.get(); }

 private:
  Backend backend_{Backend::kSqliteMemory};
  std::string url_;
  std::string schema_;
  std::filesystem::path dir_;
  std::unique_ptr<Database> admin_;
};

// Fixture: db() is open on a fresh database of the parameter's backend.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string reason;
    if (!env_.Prepare(GetParam(), &reason)) GTEST_SKIP() << reason;
    auto db = Open(env_.url(), 2);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
  }
  void TearDown() override { db_.reset(); }  // before env_ drops the schema / files

  Database& db() { return *db_; }
  Dialect dialect() const { return db_->dialect(); }
  // An auto-numbered 64-bit primary key column in this dialect.
  std::string IdColumn() const {
    return dialect() == Dialect::kSqlite ? "id INTEGER PRIMARY KEY"
                                         : "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
  }
  Status Script(const std::string& sql) {
    return db_->Write([&](Connection& c) { return c.ExecScript(sql); });
  }
  int64_t Count(const std::string& table) {
    int64_t n = -1;
    Status st = db_->Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT COUNT(*) FROM " + table, {}));
      n = rows.at(0).Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.error().message;
    return n;
  }

  TestDatabase env_;
  std::unique_ptr<Database> db_;
};

}  // namespace kehu::store::testing
