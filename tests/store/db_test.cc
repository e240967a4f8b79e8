#include "store/db.h"

#include <gtest/gtest.h>

#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <stdexcept>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "store_test_env.h"

namespace kehu::store::testing {
namespace {

using StoreDatabaseTest = StoreTest;

const std::string kChinese = "客户关系管理 · 王芳 ✓";

TEST_P(StoreDatabaseTest, RoundTripsEveryValueTypeIncludingNullAndChineseText) {
  ASSERT_TRUE(Script("CREATE TABLE vals (i BIGINT, r DOUBLE PRECISION, s TEXT, n TEXT)").ok());
  const std::vector<std::vector<Value>> inputs = {
      {int64_t{INT64_MAX}, 1.5, kChinese, Null{}},
      {int64_t{INT64_MIN}, -0.125, std::string(), Null{}},
      {int64_t{0}, 1e300, std::string("it's \"quoted\""), std::string("not null")},
  };
  Status st = db().Write([&](Connection& c) -> Status {
    for (const auto& in : inputs) {
      KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO vals (i, r, s, n) VALUES (?, ?, ?, ?)", in));
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;

  std::vector<Row> rows;
  st = db().Read([&](Connection& c) -> Status {
    KEHU_ASSIGN_OR_RETURN(rows, c.Query("SELECT i, r, s, n FROM vals ORDER BY i DESC", {}));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_EQ(rows.size(), 3u);
  // ORDER BY i DESC: INT64_MAX, 0, INT64_MIN.
  const std::vector<size_t> order = {0, 2, 1};
  for (size_t k = 0; k < rows.size(); ++k) {
    const auto& want = inputs[order[k]];
    ASSERT_EQ(rows[k].size(), 4u);
    for (size_t col = 0; col < 4; ++col) {
      EXPECT_EQ(rows[k].at(col), want[col]) << "row " << k << " column " << col;
    }
  }
  EXPECT_TRUE(rows[0].IsNull(3));
  EXPECT_EQ(rows[0].Text(2), kChinese);
  EXPECT_EQ(rows[0].Int(0), INT64_MAX);
  EXPECT_DOUBLE_EQ(rows[0].Real(1), 1.5);
}

TEST_P(StoreDatabaseTest, BooleanExpressionsComeBackAsZeroOrOne) {
  std::vector<Row> rows;
  Status st = db().Read([&](Connection& c) -> Status {
    KEHU_ASSIGN_OR_RETURN(rows, c.Query("SELECT 1 = 1, 1 = 2", {}));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at(0), Value(int64_t{1}));
  EXPECT_EQ(rows[0].at(1), Value(int64_t{0}));
}

TEST_P(StoreDatabaseTest, InsertReturningGivesTheNewRowsId) {
  ASSERT_TRUE(Script("CREATE TABLE people (" + IdColumn() + ", name TEXT NOT NULL)").ok());
  std::vector<int64_t> ids;
  Status st = db().Write([&](Connection& c) -> Status {
    for (const char* name : {"王芳", "李雷"}) {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("INSERT INTO people (name) VALUES (?) RETURNING id",
                                               {std::string(name)}));
      if (rows.size() != 1) return Internal("RETURNING gave no row");
      ids.push_back(rows[0].Int(0));
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_GT(ids[0], 0);
  EXPECT_NE(ids[0], ids[1]);

  std::string name;
  st = db().Read([&](Connection& c) -> Status {
    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT name FROM people WHERE id = ?", {ids[1]}));
    name = rows.at(0).Text(0);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(name, "李雷");
}

// SQLite answers a single-row "INSERT ... VALUES (...) RETURNING id" from last_insert_rowid();
// every other shape must still return every inserted row's id.
TEST_P(StoreDatabaseTest, InsertReturningIdOfSeveralRowsGivesEveryId) {
  ASSERT_TRUE(Script("CREATE TABLE people (" + IdColumn() + ", name TEXT NOT NULL)").ok());
  std::vector<int64_t> ids;
  Status st = db().Write([&](Connection& c) -> Status {
    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("INSERT INTO people (name) VALUES (?), ('(张)') RETURNING id",
                                             {std::string("王芳")}));
    for (const auto& r : rows) ids.push_back(r.Int(0));
    KEHU_ASSIGN_OR_RETURN(auto copied, c.Query("INSERT INTO people (name) SELECT name FROM people RETURNING id", {}));
    for (const auto& r : copied) ids.push_back(r.Int(0));
    KEHU_ASSIGN_OR_RETURN(auto quoted, c.Query("INSERT INTO people (name) VALUES ('a) VALUES (b') RETURNING id", {}));
    for (const auto& r : quoted) ids.push_back(r.Int(0));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_EQ(ids.size(), 5u);
  std::set<int64_t> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), 5u);
  EXPECT_GT(ids[4], ids[3]);
}

// Cursors step their statements independently: two open on one connection interleave, one may
// stop early, the same text may be open twice, and bound text outlives the caller's vector.
TEST_P(StoreDatabaseTest, CursorsOnOneConnectionStepIndependently) {
  ASSERT_TRUE(Script("CREATE TABLE nums (" + IdColumn() + ", n INTEGER NOT NULL, label TEXT NOT NULL)").ok());
  ASSERT_TRUE(db().Write([&](Connection& c) -> Status {
                   for (int i = 1; i <= 10; ++i) {
                     KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO nums (n, label) VALUES (?, ?)",
                                                 {int64_t{i}, std::string(i % 2 ? "奇" : "偶")}));
                   }
                   return Status::Ok();
                 }).ok());
  std::vector<std::string> seen;
  Status st = db().Read([&](Connection& c) -> Status {
    std::unique_ptr<Cursor> odd, even, again;
    {
      std::vector<Value> params{std::string("奇")};
      KEHU_ASSIGN_OR_RETURN(odd, c.Open("SELECT n FROM nums WHERE label = ? ORDER BY n", params));
    }
    KEHU_ASSIGN_OR_RETURN(even, c.Open("SELECT n FROM nums WHERE label = ? ORDER BY n DESC", {std::string("偶")}));
    KEHU_ASSIGN_OR_RETURN(again, c.Open("SELECT n FROM nums WHERE label = ? ORDER BY n", {std::string("偶")}));
    for (int i = 0; i < 3; ++i) {
      KEHU_ASSIGN_OR_RETURN(auto a, odd->Next());
      KEHU_ASSIGN_OR_RETURN(auto b, even->Next());
      KEHU_ASSIGN_OR_RETURN(auto x, again->Next());
      if (!a || !b || !x) return Internal("a cursor ended early");
      seen.push_back(a->Text(0) + "/" + b->Text(0) + "/" + x->Text(0));
    }
    // Stopped early: odd is dropped with rows left; even runs to its end.
    for (;;) {
      KEHU_ASSIGN_OR_RETURN(auto b, even->Next());
      if (!b) break;
      seen.push_back(b->Text(0));
    }
    KEHU_ASSIGN_OR_RETURN(auto past, even->Next());
    if (past) return Internal("a row after the end");
    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT COUNT(*) FROM nums", {}));
    seen.push_back(rows[0].Text(0));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"1/10/2", "3/8/4", "5/6/6", "4", "2", "10"}));
  // A malformed statement is an error, not a cursor.
  Status bad = db().Read([&](Connection& c) -> Status {
    KEHU_ASSIGN_OR_RETURN(auto cursor, c.Open("SELEC n FROM nums", {}));
    return Status::Ok();
  });
  EXPECT_FALSE(bad.ok());
}

TEST_P(StoreDatabaseTest, SecondRowWithTheSameUniqueEmailIsAlreadyExists) {
  ASSERT_TRUE(Script("CREATE TABLE users (" + IdColumn() + ", email TEXT NOT NULL UNIQUE)").ok());
  auto insert = [&](const std::string& email) {
    return db().Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO users (email) VALUES (?)", {email}));
      return Status::Ok();
    });
  };
  ASSERT_TRUE(insert("a@example.com").ok());
  Status st = insert("a@example.com");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kAlreadyExists) << st.error().message;
  EXPECT_NE(st.error().message.find("email"), std::string::npos) << st.error().message;
  EXPECT_EQ(Count("users"), 1);
}

TEST_P(StoreDatabaseTest, WriteThatReturnsAnErrorLeavesNoRows) {
  ASSERT_TRUE(Script("CREATE TABLE notes (body TEXT)").ok());
  const int64_t rollbacks_before = db().Stats().rollbacks;
  Status st = db().Write([&](Connection& c) -> Status {
    KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO notes (body) VALUES (?)", {std::string("one")}));
    KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO notes (body) VALUES (?)", {std::string("two")}));
    return MakeError(ErrorCode::kFailedPrecondition, "changed my mind");
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(st.error().message, "changed my mind");
  EXPECT_EQ(Count("notes"), 0);
  EXPECT_EQ(db().Stats().rollbacks, rollbacks_before + 1);
}

TEST_P(StoreDatabaseTest, WriteThatThrowsRollsBackAndRethrows) {
  ASSERT_TRUE(Script("CREATE TABLE notes (body TEXT)").ok());
  EXPECT_THROW((void)db().Write([&](Connection& c) -> Status {
    auto n = c.Exec("INSERT INTO notes (body) VALUES (?)", {std::string("x")});
    if (!n.ok()) return n.error();
    throw std::runtime_error("bug");
  }),
               std::runtime_error);
  EXPECT_EQ(Count("notes"), 0);
  // The writer is usable again afterwards.
  ASSERT_TRUE(db().Write([](Connection& c) -> Status {
                    KEHU_RETURN_IF_ERROR(
                        c.Exec("INSERT INTO notes (body) VALUES (?)", {std::string("y")}));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(Count("notes"), 1);
}

TEST_P(StoreDatabaseTest, ReadSeesCommittedWrites) {
  ASSERT_TRUE(Script("CREATE TABLE notes (body TEXT)").ok());
  EXPECT_EQ(Count("notes"), 0);
  ASSERT_TRUE(db().Write([](Connection& c) -> Status {
                    KEHU_RETURN_IF_ERROR(
                        c.Exec("INSERT INTO notes (body) VALUES (?)", {std::string("a")}));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(Count("notes"), 1);
  EXPECT_EQ(db().Stats().readers_in_use, 0);
}

TEST_P(StoreDatabaseTest, ReadKeepsOneSnapshotWhileAWriterCommits) {
  if (GetParam() == Backend::kSqliteMemory) {
    GTEST_SKIP() << "an in-memory SQLite database has no WAL: a writer's COMMIT waits for reads";
  }
  ASSERT_TRUE(Script("CREATE TABLE notes (body TEXT)").ok());
  int64_t first = -1, second = -1;
  Status write_status;
  Status st = db().Read([&](Connection& c) -> Status {
    KEHU_ASSIGN_OR_RETURN(auto a, c.Query("SELECT COUNT(*) FROM notes", {}));
    first = a.at(0).Int(0);
    std::thread writer([&] {
      write_status = db().Write([](Connection& w) -> Status {
        KEHU_RETURN_IF_ERROR(w.Exec("INSERT INTO notes (body) VALUES (?)", {std::string("b")}));
        return Status::Ok();
      });
    });
    writer.join();
    KEHU_ASSIGN_OR_RETURN(auto b, c.Query("SELECT COUNT(*) FROM notes", {}));
    second = b.at(0).Int(0);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_TRUE(write_status.ok()) << write_status.error().message;
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 0);
  EXPECT_EQ(Count("notes"), 1);
}

TEST_P(StoreDatabaseTest, ReadRefusesToWrite) {
  ASSERT_TRUE(Script("CREATE TABLE notes (body TEXT)").ok());
  Status st = db().Read([](Connection& c) -> Status {
    KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO notes (body) VALUES (?)", {std::string("x")}));
    return Status::Ok();
  });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(Count("notes"), 0);
}

TEST_P(StoreDatabaseTest, ConcurrentWritersAllCommit) {
  ASSERT_TRUE(Script("CREATE TABLE counter (n BIGINT NOT NULL); "
                     "INSERT INTO counter (n) VALUES (0); "
                     "CREATE TABLE events (thread BIGINT, k BIGINT)")
                  .ok());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  const int64_t before = db().Stats().transactions;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        Status st = db().Write([&](Connection& c) -> Status {
          KEHU_RETURN_IF_ERROR(c.Exec("UPDATE counter SET n = n + 1", {}));
          KEHU_RETURN_IF_ERROR(
              c.Exec("INSERT INTO events (thread, k) VALUES (?, ?)", {int64_t{t}, int64_t{k}}));
          return Status::Ok();
        });
        if (!st.ok()) ++failures[static_cast<size_t>(t)];
        // Readers run alongside the writers.
        (void)Count("events");
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
  EXPECT_EQ(Count("events"), kThreads * kPerThread);
  int64_t n = -1;
  ASSERT_TRUE(db().Read([&](Connection& c) -> Status {
                    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT n FROM counter", {}));
                    n = rows.at(0).Int(0);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(n, kThreads * kPerThread);
  EXPECT_EQ(db().Stats().transactions - before, kThreads * kPerThread);
}

// Concurrent writers may share one transaction (SQLite group commit): a writer that fails, or
// throws, or breaks a unique rule must lose only its own changes.
TEST_P(StoreDatabaseTest, FailingConcurrentWritersLoseOnlyTheirOwnChanges) {
  ASSERT_TRUE(Script("CREATE TABLE marks (thread BIGINT, k BIGINT, UNIQUE (k))").ok());
  constexpr int kThreads = 6;
  constexpr int kPerThread = 30;
  std::atomic<int> ok_count{0}, failed{0}, thrown{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        const int64_t key = int64_t{t} * 1000 + k;
        const int kind = (t + k) % 5;  // 0: fails after writing, 1: unique clash, 2: throws, else ok
        try {
          Status st = db().Write([&](Connection& c) -> Status {
            KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO marks (thread, k) VALUES (?, ?)", {int64_t{t}, key}));
            if (kind == 0) return InvalidArgument("changed my mind");
            if (kind == 1) {
              // A second row with the same key: the unique index refuses it.
              KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO marks (thread, k) VALUES (?, ?)", {int64_t{t}, key}));
            }
            if (kind == 2) throw std::runtime_error("boom");
            return Status::Ok();
          });
          if (st.ok()) ++ok_count;
          else ++failed;
        } catch (const std::runtime_error&) {
          ++thrown;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok_count + failed + thrown, kThreads * kPerThread);
  EXPECT_EQ(Count("marks"), ok_count.load());
  int64_t wrong = -1;
  ASSERT_TRUE(db().Read([&](Connection& c) -> Status {
                    // Every surviving row is one whose writer succeeded: (t + k) % 5 >= 3.
                    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT COUNT(*) FROM marks WHERE "
                                                             "(thread + (k - thread * 1000)) % 5 < 3", {}));
                    wrong = rows.at(0).Int(0);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(wrong, 0);
}

// WriteAsync joins the same queue as Write: mixed with blocking writers, each async write's
// done runs once, after the commit that holds it (a read in done sees the row), and a failing
// or throwing one loses only its own changes.
TEST_P(StoreDatabaseTest, AsyncWritesCommitBeforeTheirCallbackAndFailAlone) {
  ASSERT_TRUE(Script("CREATE TABLE marks (thread BIGINT, k BIGINT, UNIQUE (k))").ok());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 40;
  std::mutex mu;
  std::condition_variable cv;
  int callbacks = 0;
  int ok_async = 0, failed_async = 0, unseen = 0;
  std::atomic<int> ok_blocking{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        const int64_t key = int64_t{t} * 1000 + k;
        const int kind = (t + k) % 6;  // 0: fails, 1: unique clash, 2: throws, 3: blocking, else ok
        auto work = [t, key, kind](Connection& c) -> Status {
          KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO marks (thread, k) VALUES (?, ?)", {int64_t{t}, key}));
          if (kind == 0) return InvalidArgument("changed my mind");
          if (kind == 1) KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO marks (thread, k) VALUES (?, ?)", {int64_t{t}, key}));
          if (kind == 2) throw std::runtime_error("boom");
          return Status::Ok();
        };
        if (kind == 3) {
          if (db().Write(work).ok()) ++ok_blocking;
          continue;
        }
        db().WriteAsync(work, [&, key](Status st) {
          // Committed already: a reader finds the row exactly when the write succeeded.
          int64_t found = -1;
          Status read = db().Read([&](Connection& c) -> Status {
            KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT COUNT(*) FROM marks WHERE k = ?", {key}));
            found = rows.at(0).Int(0);
            return Status::Ok();
          });
          std::lock_guard lock(mu);
          if (st.ok()) ++ok_async;
          else ++failed_async;
          if (!read.ok() || found != (st.ok() ? 1 : 0)) ++unseen;
          ++callbacks;
          cv.notify_all();
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  int want_ok_async = 0, want_failed_async = 0, want_blocking = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int k = 0; k < kPerThread; ++k) {
      const int kind = (t + k) % 6;
      (kind == 3 ? want_blocking : kind > 3 ? want_ok_async : want_failed_async) += 1;
    }
  }
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30),
                          [&] { return callbacks == want_ok_async + want_failed_async; }))
      << callbacks << " callbacks";
  EXPECT_EQ(unseen, 0);
  EXPECT_EQ(ok_async, want_ok_async);
  EXPECT_EQ(failed_async, want_failed_async);
  EXPECT_EQ(ok_blocking.load(), want_blocking);
  lock.unlock();
  EXPECT_EQ(Count("marks"), want_ok_async + want_blocking);
}

TEST_P(StoreDatabaseTest, ReaderWaitsWhenEveryPooledConnectionIsBusy) {
  const int total = db().Stats().readers_total;
  ASSERT_GE(total, 1);
  std::mutex mu;
  std::condition_variable cv;
  int holding = 0;
  bool release = false;
  auto hold = [&](Connection& c) -> Status {
    KEHU_RETURN_IF_ERROR(c.Query("SELECT 1", {}));
    std::unique_lock lock(mu);
    ++holding;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return Status::Ok();
  };
  std::vector<std::thread> holders;
  std::vector<Status> results(static_cast<size_t>(total) + 1);
  for (int i = 0; i < total; ++i) {
    holders.emplace_back([&, i] { results[static_cast<size_t>(i)] = db().Read(hold); });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return holding == total; });
  }
  EXPECT_EQ(db().Stats().readers_in_use, total);
  const int64_t waits_before = db().Stats().waits;
  std::thread late([&] { results.back() = db().Read(hold); });
  while (db().Stats().waits == waits_before) std::this_thread::yield();
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  for (auto& th : holders) th.join();
  late.join();
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(db().Stats().waits, waits_before + 1);
  EXPECT_EQ(db().Stats().readers_in_use, 0);
}

TEST_P(StoreDatabaseTest, QuestionMarkInsideAStringLiteralIsNotAPlaceholder) {
  std::vector<Row> rows;
  Status st = db().Read([&](Connection& c) -> Status {
    KEHU_ASSIGN_OR_RETURN(rows, c.Query("SELECT ?, '?', 'it''s ?', ?", {int64_t{7}, kChinese}));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].Int(0), 7);
  EXPECT_EQ(rows[0].Text(1), "?");
  EXPECT_EQ(rows[0].Text(2), "it's ?");
  EXPECT_EQ(rows[0].Text(3), kChinese);
}

TEST_P(StoreDatabaseTest, WrongNumberOfParametersIsInvalidArgument) {
  Status st = db().Read([&](Connection& c) -> Status {
    KEHU_RETURN_IF_ERROR(c.Query("SELECT ?, ?", {int64_t{1}}));
    return Status::Ok();
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument) << st.error().message;
}

TEST_P(StoreDatabaseTest, BadSqlIsInternalAndQuotesTheStatement) {
  Status st = db().Read([&](Connection& c) -> Status {
    KEHU_RETURN_IF_ERROR(c.Query("SELECT * FROM no_such_table_here", {}));
    return Status::Ok();
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal);
  EXPECT_NE(st.error().message.find("no_such_table_here"), std::string::npos);
}

TEST_P(StoreDatabaseTest, PingAnswersTrue) { EXPECT_TRUE(db().Ping()); }

TEST_P(StoreDatabaseTest, BackupToProducesAReadableCopy) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / UniqueName("kehu_backup_test_");
  std::filesystem::create_directories(dir);
  const std::string copy = (dir / "copy.db").string();
  struct Cleanup {
    std::filesystem::path d;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    }
  } cleanup{dir};

  if (dialect() == Dialect::kPostgres) {
    Status st = sqlite::BackupTo(db(), copy);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
    return;
  }
  ASSERT_TRUE(
      Script("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('一'), ('二')").ok());
  Status st = sqlite::BackupTo(db(), copy);
  ASSERT_TRUE(st.ok()) << st.error().message;

  auto restored = Open("sqlite:" + copy, 1);
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  std::vector<Row> rows;
  st = (*restored)->Read([&](Connection& c) -> Status {
    KEHU_ASSIGN_OR_RETURN(rows, c.Query("SELECT body FROM notes ORDER BY rowid", {}));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Text(0), "一");
  EXPECT_EQ(rows[1].Text(0), "二");
}

TEST_P(StoreDatabaseTest, BrokenPooledConnectionsReconnectOnNextUse) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "PostgreSQL connections only";
  ASSERT_TRUE(db().Ping());
  // End every server session of this test's pool (they carry the schema as application_name),
  // as a server restart or an idle timeout would.
  Database& admin = *env_.admin();
  Status st = admin.Write([&](Connection& c) -> Status {
    KEHU_RETURN_IF_ERROR(
        c.Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?",
                {env_.schema()}));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.error().message;
  // Termination is asynchronous; wait until the server has no such sessions left.
  for (int64_t left = 1; left != 0;) {
    st = admin.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(
          auto rows, c.Query("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ?",
                             {env_.schema()}));
      left = rows.at(0).Int(0);
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.error().message;
    std::this_thread::yield();
  }
  EXPECT_TRUE(db().Ping());
  ASSERT_TRUE(Script("CREATE TABLE after_restart (x BIGINT)").ok());
  EXPECT_EQ(Count("after_restart"), 0);
}

INSTANTIATE_TEST_SUITE_P(Store, StoreDatabaseTest,
                         ::testing::Values(Backend::kSqliteMemory, Backend::kSqliteFile,
                                           Backend::kPostgres),
                         BackendName);

TEST(StoreOpenTest, UnknownSchemeIsInvalidArgument) {
  for (const char* url : {"mysql://localhost/kehu", "", "sqlite:", "kehu.db"}) {
    auto db = Open(url);
    ASSERT_FALSE(db.ok()) << url;
    EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument) << url;
  }
}

TEST(StoreOpenTest, SqliteFileInAMissingFolderIsUnavailable) {
  auto db = Open("sqlite:/nonexistent-kehu-dir/sub/kehu.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(db.error().message.find("/nonexistent-kehu-dir/sub/kehu.db"), std::string::npos);
}

TEST(StoreOpenTest, UnreachablePostgresIsUnavailable) {
  // Port 1 on loopback: nothing listens, so the connection is refused at once.
  for (const char* url :
       {"host=127.0.0.1 port=1 dbname=kehu user=kehu", "postgresql://kehu@127.0.0.1:1/kehu"}) {
    auto db = Open(url);
    ASSERT_FALSE(db.ok()) << url;
    EXPECT_EQ(db.error().code, ErrorCode::kUnavailable) << url;
  }
}

TEST(StoreOpenTest, InMemorySqliteDatabasesAreSeparate) {
  auto a = Open("sqlite::memory:", 2);
  auto b = Open("sqlite::memory:", 2);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(
      (*a)->Write([](Connection& c) { return c.ExecScript("CREATE TABLE only_in_a (x)"); }).ok());
  // Visible to a's readers (one shared database per Open) but not to b.
  EXPECT_TRUE((*a)->Read([](Connection& c) -> Status {
                    KEHU_RETURN_IF_ERROR(c.Query("SELECT COUNT(*) FROM only_in_a", {}));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_FALSE((*b)->Read([](Connection& c) -> Status {
                     KEHU_RETURN_IF_ERROR(c.Query("SELECT COUNT(*) FROM only_in_a", {}));
                     return Status::Ok();
                   })
                   .ok());
}

TEST(StoreSqliteTest, WriteInsideWriteIsAnErrorNotADeadlock) {
  auto db = Open("sqlite::memory:", 1);
  ASSERT_TRUE(db.ok());
  Status inner = Status::Ok();
  Status outer = (*db)->Write([&](Connection&) -> Status {
    inner = (*db)->Write([](Connection&) { return Status::Ok(); });
    return Status::Ok();
  });
  EXPECT_TRUE(outer.ok());
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, ErrorCode::kInternal);
}

TEST(StoreRowTest, ConvertsBetweenTypesAsDocumented) {
  Row row({Value(int64_t{42}), Value(2.5), Value(std::string("17")), Value(Null{})});
  EXPECT_EQ(row.Int(0), 42);
  EXPECT_EQ(row.Text(0), "42");
  EXPECT_DOUBLE_EQ(row.Real(0), 42.0);
  EXPECT_DOUBLE_EQ(row.Real(1), 2.5);
  EXPECT_EQ(row.Text(1), "2.5");
  EXPECT_EQ(row.Int(2), 17);
  EXPECT_DOUBLE_EQ(row.Real(2), 17.0);
  EXPECT_TRUE(row.IsNull(3));
  EXPECT_EQ(row.Int(3), 0);
  EXPECT_EQ(row.Text(3), "");
  EXPECT_DOUBLE_EQ(row.Real(3), 0.0);
}

// Opens a file database, inserts one row and hands back the Database (still open).
std::unique_ptr<Database> WriteOneNote(const std::string& url, const std::string& body) {
  auto db = Open(url, 1);
  if (!db.ok()) return nullptr;
  Status st = (*db)->Write([&](Connection& c) -> Status {
    KEHU_RETURN_IF_ERROR(c.ExecScript("CREATE TABLE IF NOT EXISTS notes (body TEXT)"));
    KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO notes (body) VALUES (?)", {body}));
    return Status::Ok();
  });
  return st.ok() ? std::move(*db) : nullptr;
}

std::vector<std::string> ReadNotes(const std::string& url) {
  std::vector<std::string> out;
  auto db = Open(url, 1);
  if (!db.ok()) return {"open failed: " + db.error().message};
  Status st = (*db)->Read([&](Connection& c) -> Status {
    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT body FROM notes ORDER BY rowid", {}));
    for (const auto& r : rows) out.push_back(r.Text(0));
    return Status::Ok();
  });
  if (!st.ok()) return {"read failed: " + st.error().message};
  return out;
}

// A file database with a table of documents and an FTS5 index of them (nullptr on failure).
std::unique_ptr<Database> OpenWithDocs(const std::string& url) {
  auto db = Open(url, 2);
  if (!db.ok()) return nullptr;
  Status st = (*db)->Write([](Connection& c) {
    return c.ExecScript("CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT);"
                        "CREATE VIRTUAL TABLE docs_fts USING fts5(body)");
  });
  return st.ok() ? std::move(*db) : nullptr;
}

class StoreSqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    ASSERT_TRUE(env_.Prepare(Backend::kSqliteFile, &reason)) << reason;
  }
  TestDatabase env_;
};

TEST_F(StoreSqliteFileTest, CommittedWriteSurvivesClosingAndReopening) {
  {
    auto db = WriteOneNote(env_.url(), "客户");
    ASSERT_NE(db, nullptr);
  }
  EXPECT_EQ(ReadNotes(env_.url()), std::vector<std::string>{"客户"});
}

// A new file is made with 8 KiB pages (half the pages of SQLite's default to split, log and
// checkpoint in a bulk load), before and after its first table, and opened again it still has
// them and its row.
TEST_F(StoreSqliteFileTest, ANewFileHasEightKibPages) {
  auto page_size = [&] {
    auto db = Open(env_.url(), 1);
    EXPECT_TRUE(db.ok()) << db.error().message;
    int64_t size = 0;
    EXPECT_TRUE((*db)->Read([&](Connection& c) -> Status {
                  KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("PRAGMA page_size", {}));
                  size = rows.at(0).Int(0);
                  return Status::Ok();
                }).ok());
    return size;
  };
  EXPECT_EQ(page_size(), 8192);
  {
    auto db = WriteOneNote(env_.url(), "客户");
    ASSERT_NE(db, nullptr);
  }
  EXPECT_EQ(page_size(), 8192);
  EXPECT_EQ(ReadNotes(env_.url()), std::vector<std::string>{"客户"});
}

TEST_F(StoreSqliteFileTest, CommittedWriteSurvivesAProcessKilledWithoutClosing) {
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // The child commits, then dies by SIGKILL with the database open and the WAL not
    // checkpointed, as a crashed server would.
    auto db = WriteOneNote(env_.url(), "acknowledged");
    if (db == nullptr) _exit(3);
    kill(getpid(), SIGKILL);
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  EXPECT_TRUE(std::filesystem::exists(env_.url().substr(7) + "-wal"));
  EXPECT_EQ(ReadNotes(env_.url()), std::vector<std::string>{"acknowledged"});
}


// Async writes still queued when the database is closed are written, and their callbacks run,
// before it closes.
TEST_F(StoreSqliteFileTest, AsyncWritesQueuedAtCloseAreCommitted) {
  std::atomic<int> done{0};
  {
    auto opened = Open(env_.url(), 2);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Database& db = **opened;
    ASSERT_TRUE(db.AsyncWrites());
    ASSERT_TRUE(db.Write([](Connection& c) { return c.ExecScript("CREATE TABLE notes (body TEXT)"); }).ok());
    for (int i = 0; i < 200; ++i) {
      db.WriteAsync(
          [i](Connection& c) -> Status {
            KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO notes (body) VALUES (?)", {std::to_string(i)}));
            return Status::Ok();
          },
          [&done](Status st) {
            if (st.ok()) ++done;
          });
    }
  }
  EXPECT_EQ(done.load(), 200);
  EXPECT_EQ(ReadNotes(env_.url()).size(), 200u);
}

// done must not write (the leader running it would wait for itself): a Write from it fails.
TEST_F(StoreSqliteFileTest, AWriteFromAnAsyncCallbackFailsInsteadOfWaitingForItself) {
  auto opened = Open(env_.url(), 2);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Database& db = **opened;
  ASSERT_TRUE(db.Write([](Connection& c) { return c.ExecScript("CREATE TABLE notes (body TEXT)"); }).ok());
  auto insert = [](Connection& c) -> Status {
    KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO notes (body) VALUES ('x')", {}));
    return Status::Ok();
  };
  std::promise<Status> inner;
  db.WriteAsync(insert, [&](Status st) {
    EXPECT_TRUE(st.ok());
    inner.set_value(db.Write(insert));
  });
  auto result = inner.get_future();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const Status st = result.get();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal);
}

// Callers of one group-committed batch run in savepoints, and their full-text index writes wait
// for the end of the batch (Connection::ExecIndexWrite): a caller that fails after its index
// write must leave no index entry, every other caller's entry lands, and a later caller's delete
// and re-insert of the same rowid apply in order.
TEST_F(StoreSqliteFileTest, IndexWritesOfABatchLandForCallersThatSucceededOnly) {
  auto opened = OpenWithDocs(env_.url());
  ASSERT_NE(opened, nullptr);
  Database& db = *opened;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  // A first writer holds the batch open until every thread has queued its first write, so the
  // writes below are group-committed together (in savepoints) at least once.
  std::thread holder([&] {
    (void)db.Write([&](Connection&) -> Status {
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::seconds(5), [&] { return release; });
      return Status::Ok();
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::atomic<int> queued{0};
  std::atomic<int> ok_count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kPerThread; ++k) {
        const int64_t id = int64_t{t} * 1000 + k;
        const bool fails = (t + k) % 3 == 0;
        if (k == 0 && ++queued == kThreads) {
          std::lock_guard lock(mu);
          release = true;
          cv.notify_all();
        }
        Status st = db.Write([&](Connection& c) -> Status {
          KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO docs (id, body) VALUES (?, ?)", {id, "first"}));
          KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("INSERT INTO docs_fts (rowid, body) VALUES (?, ?)",
                                                {id, "first w" + std::to_string(id)}));
          // Replaced in the same caller: the delete must run after the insert above.
          KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("DELETE FROM docs_fts WHERE rowid = ?", {id}));
          KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("INSERT INTO docs_fts (rowid, body) VALUES (?, ?)",
                                                {id, "second w" + std::to_string(id)}));
          if (fails) return InvalidArgument("changed my mind");
          return Status::Ok();
        });
        if (st.ok()) ++ok_count;
      }
    });
  }
  for (auto& th : threads) th.join();
  holder.join();
  ASSERT_TRUE(db.Read([&](Connection& c) -> Status {
                  KEHU_ASSIGN_OR_RETURN(auto docs, c.Query("SELECT COUNT(*) FROM docs", {}));
                  EXPECT_EQ(docs.at(0).Int(0), ok_count.load());
                  KEHU_ASSIGN_OR_RETURN(auto second, c.Query("SELECT COUNT(*) FROM docs_fts WHERE docs_fts MATCH 'second'", {}));
                  EXPECT_EQ(second.at(0).Int(0), ok_count.load());
                  KEHU_ASSIGN_OR_RETURN(auto first, c.Query("SELECT COUNT(*) FROM docs_fts WHERE docs_fts MATCH 'first'", {}));
                  EXPECT_EQ(first.at(0).Int(0), 0);
                  // Each index entry belongs to a row that was kept, and to no other.
                  KEHU_ASSIGN_OR_RETURN(auto orphans, c.Query("SELECT COUNT(*) FROM docs_fts f WHERE NOT EXISTS "
                                                              "(SELECT 1 FROM docs d WHERE d.id = f.rowid)", {}));
                  EXPECT_EQ(orphans.at(0).Int(0), 0);
                  KEHU_ASSIGN_OR_RETURN(auto one, c.Query("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?", {std::string("w1001")}));
                  EXPECT_EQ(one.size(), 1u);  // (1 + 1) % 3 != 0: thread 1's second write succeeded
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(ok_count.load(), kThreads * kPerThread - 67);  // (t + k) % 3 == 0 for 67 of 200
}

// A bulk write into empty full-text tables builds them in a second file on a thread of its own
// (the file exists while the load runs and is gone after it) and copies them in: the index is
// whole by FTS5's own integrity-check and byte for byte the one an in-place build of the same
// writes makes (a twin table written directly in the same transaction). The next ordinary
// write through the same connection (whose FTS5 had the empty table's segment list cached)
// keeps the copied index whole.
TEST_F(StoreSqliteFileTest, ABulkWriteBuildsEmptyFullTextTablesBesideItExactlyAsInPlace) {
  auto opened = Open(env_.url(), 2);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Database& db = **opened;
  // Small hashes and pages: the load flushes and merges many segments.
  ASSERT_TRUE(db.Write([](Connection& c) {
                  return c.ExecScript(
                      "CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT);"
                      "CREATE VIRTUAL TABLE docs_fts USING fts5(body, tokenize = 'trigram');"
                      "CREATE VIRTUAL TABLE twin_fts USING fts5(body, tokenize = 'trigram');"
                      "CREATE VIRTUAL TABLE docs_tok USING fts5(body, prefix = '2 3');"
                      "CREATE VIRTUAL TABLE twin_tok USING fts5(body, prefix = '2 3');"
                      "INSERT INTO docs_fts(docs_fts, rank) VALUES ('hashsize', 8192);"
                      "INSERT INTO twin_fts(twin_fts, rank) VALUES ('hashsize', 8192);"
                      "INSERT INTO docs_tok(docs_tok, rank) VALUES ('pgsz', 200);"
                      "INSERT INTO twin_tok(twin_tok, rank) VALUES ('pgsz', 200);");
                }).ok());
  const std::filesystem::path side = env_.dir() / "test.db-bulk-fts";
  constexpr int kRows = 3000;
  bool side_seen = false;
  auto text = [](int i, int round) {
    return "客户 wang" + std::to_string(i % 97) + " round" + std::to_string(round) + " no " + std::to_string(i);
  };
  ASSERT_TRUE(db.WriteBulk(
                    [&](Connection& c) -> Status {
                      for (int i = 1; i <= kRows; ++i) {
                        KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO docs (id, body) VALUES (?, ?)", {int64_t{i}, text(i, 1)}));
                        KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("INSERT INTO docs_fts (rowid, body) VALUES (?, ?)", {int64_t{i}, text(i, 1)}));
                        KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("INSERT INTO docs_tok (rowid, body) VALUES (?, ?)", {int64_t{i}, text(i, 1)}));
                        KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO twin_fts (rowid, body) VALUES (?, ?)", {int64_t{i}, text(i, 1)}));
                        KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO twin_tok (rowid, body) VALUES (?, ?)", {int64_t{i}, text(i, 1)}));
                        if (i % 10 == 0) {  // a row written again later in the same load
                          const int64_t j = i / 2;
                          for (const char* t : {"docs_fts", "docs_tok"}) {
                            KEHU_RETURN_IF_ERROR(c.ExecIndexWrite(std::string("DELETE FROM ") + t + " WHERE rowid = ?", {j}));
                            KEHU_RETURN_IF_ERROR(c.ExecIndexWrite(std::string("INSERT INTO ") + t + " (rowid, body) VALUES (?, ?)", {j, text(int(j), 2)}));
                          }
                          for (const char* t : {"twin_fts", "twin_tok"}) {
                            KEHU_RETURN_IF_ERROR(c.Exec(std::string("DELETE FROM ") + t + " WHERE rowid = ?", {j}));
                            KEHU_RETURN_IF_ERROR(c.Exec(std::string("INSERT INTO ") + t + " (rowid, body) VALUES (?, ?)", {j, text(int(j), 2)}));
                          }
                        }
                      }
                      side_seen = std::filesystem::exists(side);
                      return Status::Ok();
                    },
                    {"docs_fts", "docs_tok"})
                  .ok());
  EXPECT_TRUE(side_seen);
  EXPECT_FALSE(std::filesystem::exists(side));
  auto same = [&](const std::string& a, const std::string& b) {
    bool equal = false;
    EXPECT_TRUE(db.Read([&](Connection& c) -> Status {
                  for (const char* shadow : {"_data", "_idx", "_content", "_docsize"}) {
                    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT (SELECT count(*) FROM " + a + shadow + "), (SELECT count(*) FROM (SELECT * FROM " + a + shadow + " EXCEPT SELECT * FROM " + b + shadow + "))", {}));
                    EXPECT_GT(rows.at(0).Int(0), 0) << a << shadow;
                    EXPECT_EQ(rows.at(0).Int(1), 0) << a << shadow << " differs from " << b << shadow;
                  }
                  KEHU_ASSIGN_OR_RETURN(auto segs, c.Query("SELECT count(*) FROM " + a + "_idx", {}));
                  equal = segs.at(0).Int(0) > 1;  // many segments, not one
                  return Status::Ok();
                }).ok());
    EXPECT_TRUE(equal) << a;
  };
  same("docs_fts", "twin_fts");
  same("docs_tok", "twin_tok");
  // The next writes through the writer, one alone and several in a batch.
  ASSERT_TRUE(db.Write([&](Connection& c) -> Status {
                  KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("INSERT INTO docs_fts (rowid, body) VALUES (?, ?)", {int64_t{kRows + 1}, std::string("afterwards 王芳")}));
                  return c.ExecIndexWrite("INSERT INTO docs_tok (rowid, body) VALUES (?, ?)", {int64_t{kRows + 1}, std::string("afterwards wangfang")});
                }).ok());
  ASSERT_TRUE(db.Write([&](Connection& c) {
                  return c.ExecScript("INSERT INTO docs_fts(docs_fts) VALUES ('integrity-check');"
                                      "INSERT INTO docs_tok(docs_tok) VALUES ('integrity-check')");
                }).ok());
  ASSERT_TRUE(db.Read([&](Connection& c) -> Status {
                  KEHU_ASSIGN_OR_RETURN(auto all, c.Query("SELECT count(*) FROM docs_fts WHERE docs_fts MATCH '\"客户 \"'", {}));
                  EXPECT_EQ(all.at(0).Int(0), kRows);
                  KEHU_ASSIGN_OR_RETURN(auto again, c.Query("SELECT count(*) FROM docs_tok WHERE docs_tok MATCH 'round2'", {}));
                  EXPECT_EQ(again.at(0).Int(0), kRows / 10);
                  KEHU_ASSIGN_OR_RETURN(auto prefix, c.Query("SELECT count(*) FROM docs_tok WHERE docs_tok MATCH 'wa*'", {}));
                  EXPECT_EQ(prefix.at(0).Int(0), kRows + 1);
                  KEHU_ASSIGN_OR_RETURN(auto late, c.Query("SELECT rowid FROM docs_fts WHERE docs_fts MATCH '\"wards 王芳\"'", {}));
                  EXPECT_EQ(late.size(), 1u);
                  return Status::Ok();
                }).ok());
}

// A bulk write whose full-text table already has rows writes it in place (no side file); one that
// fails leaves neither rows, index entries nor its side file, and the next load builds beside.
TEST_F(StoreSqliteFileTest, ABulkWriteIntoAFilledIndexWritesInPlaceAndAFailedOneLeavesNothing) {
  auto opened = OpenWithDocs(env_.url());
  ASSERT_NE(opened, nullptr);
  Database& db = *opened;
  const std::filesystem::path side = env_.dir() / "test.db-bulk-fts";
  auto load = [&](int from, int to, bool fail, bool* side_seen) {
    return db.WriteBulk(
        [&](Connection& c) -> Status {
          for (int i = from; i <= to; ++i) {
            KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO docs (id, body) VALUES (?, ?)", {int64_t{i}, "doc " + std::to_string(i)}));
            KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("INSERT INTO docs_fts (rowid, body) VALUES (?, ?)", {int64_t{i}, "doc n" + std::to_string(i)}));
          }
          *side_seen = std::filesystem::exists(side);
          if (fail) return InvalidArgument("row 7 is bad");
          return Status::Ok();
        },
        {"docs_fts"});
  };
  auto counts = [&] {
    std::pair<int64_t, int64_t> n{-1, -1};
    EXPECT_TRUE(db.Read([&](Connection& c) -> Status {
                  KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT (SELECT count(*) FROM docs), (SELECT count(*) FROM docs_fts WHERE docs_fts MATCH 'doc')", {}));
                  n = {rows.at(0).Int(0), rows.at(0).Int(1)};
                  return Status::Ok();
                }).ok());
    return n;
  };
  bool seen = false;
  Status failed = load(1, 500, /*fail=*/true, &seen);
  EXPECT_FALSE(failed.ok());
  EXPECT_TRUE(seen);
  EXPECT_FALSE(std::filesystem::exists(side));
  EXPECT_EQ(counts(), (std::pair<int64_t, int64_t>{0, 0}));
  // An index write the side file cannot run (its table is not one of the load's) fails the load.
  Status stray = db.WriteBulk(
      [&](Connection& c) -> Status {
        KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO docs (id, body) VALUES (1, 'x')", {}));
        for (int i = 0; i < 2000; ++i)
          KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("INSERT INTO docs (id, body) VALUES (?, 'y')", {int64_t{i + 2}}));
        return Status::Ok();
      },
      {"docs_fts"});
  EXPECT_FALSE(stray.ok());
  EXPECT_EQ(counts(), (std::pair<int64_t, int64_t>{0, 0}));
  ASSERT_TRUE(load(1, 300, /*fail=*/false, &seen).ok());
  EXPECT_TRUE(seen);
  EXPECT_EQ(counts(), (std::pair<int64_t, int64_t>{300, 300}));
  ASSERT_TRUE(load(301, 600, /*fail=*/false, &seen).ok());
  EXPECT_FALSE(seen);  // the table had rows: written in place
  EXPECT_EQ(counts(), (std::pair<int64_t, int64_t>{600, 600}));
  ASSERT_TRUE(db.Write([&](Connection& c) { return c.ExecScript("INSERT INTO docs_fts(docs_fts) VALUES ('integrity-check')"); }).ok());
}

// A one-shot load (`kehu demo`, `kehu import customers`) opens a file it has to itself in
// rollback-journal mode; its bulk writes its pages straight into the file (no WAL while it runs)
// and reads beside it see the file as before; right after it the file is in WAL mode again and
// checkpoints run.
namespace {
std::string JournalMode(Connection& c) {
  auto rows = c.Query("PRAGMA journal_mode", {});
  return rows.ok() && !rows->empty() ? rows->at(0).Text(0) : "?";
}
// A reader's answer, once it has read the file (a connection learns of a switch made by another
// one when it next reads).
std::string ReaderJournalMode(Database& db) {
  std::string mode;
  EXPECT_TRUE(db.Read([&](Connection& c) -> Status {
                  KEHU_ASSIGN_OR_RETURN(auto tables, c.Query("SELECT count(*) FROM sqlite_schema", {}));
                  (void)tables;
                  mode = JournalMode(c);
                  return Status::Ok();
                }).ok());
  return mode;
}
int64_t CountDocs(Database& db) {
  int64_t n = -1;
  EXPECT_TRUE(db.Read([&](Connection& c) -> Status {
                  KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT count(*) FROM docs", {}));
                  n = rows.at(0).Int(0);
                  return Status::Ok();
                }).ok());
  return n;
}
// The journal mode written in a SQLite file's header: bytes 18 and 19 are 2 for WAL, 1 for a
// rollback journal (sqlite.org/fileformat.html).
int HeaderJournalVersion(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char header[20] = {};
  if (!f.read(header, sizeof header)) return -1;
  return header[18] == header[19] ? header[18] : -1;
}
Status WriteDocs(Connection& c, int from, int to) {
  for (int i = from; i <= to; ++i) {
    KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO docs (id, body) VALUES (?, ?)", {int64_t{i}, "doc " + std::to_string(i)}));
    KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("INSERT INTO docs_fts (rowid, body) VALUES (?, ?)", {int64_t{i}, "doc n" + std::to_string(i)}));
  }
  return Status::Ok();
}
constexpr const char* kDocsSchema =
    "CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT);"
    "CREATE VIRTUAL TABLE docs_fts USING fts5(body)";
}  // namespace

TEST_F(StoreSqliteFileTest, AOneShotLoadWritesItsBulkThroughARollbackJournalAndReturnsToWal) {
  const std::string path = env_.url().substr(7);
  auto opened = sqlite::OpenSqlite(path, 2, /*checkpoint_frames=*/32, /*one_shot_load=*/true);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Database& db = **opened;
  EXPECT_EQ(ReaderJournalMode(db), "delete");
  ASSERT_TRUE(db.Write([](Connection& c) { return c.ExecScript(kDocsSchema); }).ok());
  ASSERT_TRUE(db.Write([](Connection& c) { return WriteDocs(c, 1, 10); }).ok());  // before the load
  constexpr int kRows = 4000;
  std::string mode_inside;
  bool wal_inside = true;
  int64_t read_beside = -1;
  ASSERT_TRUE(db.WriteBulk(
                    [&](Connection& c) -> Status {
                      KEHU_RETURN_IF_ERROR(WriteDocs(c, 11, kRows / 2));
                      mode_inside = JournalMode(c);
                      wal_inside = std::filesystem::exists(path + "-wal");
                      // A reader on another thread, halfway through: not held up, and it sees
                      // the file as it was before the load.
                      read_beside = std::async(std::launch::async, [&] { return CountDocs(db); }).get();
                      return WriteDocs(c, kRows / 2 + 1, kRows);
                    },
                    {"docs_fts"}, kRows)
                  .ok());
  EXPECT_EQ(mode_inside, "delete");
  EXPECT_FALSE(wal_inside);
  EXPECT_EQ(read_beside, 10);
  EXPECT_EQ(HeaderJournalVersion(path), 2);
  EXPECT_EQ(ReaderJournalMode(db), "wal");
  EXPECT_EQ(CountDocs(db), kRows);
  // WAL mode from here on: writes go to the WAL and the checkpoint thread copies them in.
  ASSERT_TRUE(db.Write([](Connection& c) -> Status {
                  KEHU_RETURN_IF_ERROR(c.ExecScript("CREATE TABLE pages (body BLOB)"));
                  for (int i = 0; i < 100; ++i)
                    KEHU_RETURN_IF_ERROR(c.ExecScript("INSERT INTO pages (body) VALUES (zeroblob(8192))"));
                  return Status::Ok();
                }).ok());
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
  const auto size_before = std::filesystem::file_size(path);
  for (int i = 0; i < 500 && std::filesystem::file_size(path) < size_before + 50 * 8192; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a bound, not a measurement
  EXPECT_GE(std::filesystem::file_size(path), size_before + 50 * 8192) << "no checkpoint copied the WAL in";
  ASSERT_TRUE(db.Write([](Connection& c) { return c.ExecScript("INSERT INTO docs_fts(docs_fts) VALUES ('integrity-check')"); }).ok());
  ASSERT_TRUE(db.Read([](Connection& c) -> Status {
                  KEHU_ASSIGN_OR_RETURN(auto ok, c.Query("PRAGMA integrity_check", {}));
                  EXPECT_EQ(ok.at(0).Text(0), "ok");
                  return Status::Ok();
                }).ok());
}

// A failed one-shot bulk leaves nothing and the file back in WAL mode; a bulk of unknown size,
// or of more rows than a load may hold in memory, goes through the WAL; a file another
// connection has open in WAL mode stays in it; a one-shot process that wrote no bulk leaves the
// file in WAL mode.
TEST_F(StoreSqliteFileTest, AOneShotLoadUsesTheRollbackJournalOnlyWhereItMay) {
  const std::string path = env_.url().substr(7);
  auto bulk_mode = [](Database& db, int64_t expected_rows, bool fail, int from) {
    std::string mode;
    Status st = db.WriteBulk(
        [&](Connection& c) -> Status {
          KEHU_RETURN_IF_ERROR(WriteDocs(c, from, from + 99));
          mode = JournalMode(c);
          return fail ? InvalidArgument("row 7 is bad") : Status::Ok();
        },
        {"docs_fts"}, expected_rows);
    EXPECT_EQ(st.ok(), !fail) << (st.ok() ? "" : st.error().message);
    return mode;
  };
  {
    auto opened = sqlite::OpenSqlite(path, 2, 0, /*one_shot_load=*/true);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Database& db = **opened;
    ASSERT_TRUE(db.Write([](Connection& c) { return c.ExecScript(kDocsSchema); }).ok());
    EXPECT_EQ(bulk_mode(db, 100, /*fail=*/true, 1), "delete");
    EXPECT_EQ(CountDocs(db), 0);
    EXPECT_EQ(ReaderJournalMode(db), "wal");
    EXPECT_EQ(bulk_mode(db, 100, /*fail=*/false, 1), "wal");  // only the first bulk
    EXPECT_EQ(CountDocs(db), 100);
  }
  for (int64_t rows : {int64_t{0}, sqlite::kRollbackLoadMaxRows + 1}) {
    auto opened = sqlite::OpenSqlite(path, 2, 0, /*one_shot_load=*/true);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(ReaderJournalMode(**opened), "delete");
    EXPECT_EQ(bulk_mode(**opened, rows, /*fail=*/false, rows == 0 ? 101 : 201), "wal") << rows;
  }
  {
    auto server = sqlite::OpenSqlite(path, 1);  // another process's, say
    ASSERT_TRUE(server.ok()) << server.error().message;
    auto opened = sqlite::OpenSqlite(path, 2, 0, /*one_shot_load=*/true);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(ReaderJournalMode(**opened), "wal");
    EXPECT_EQ(bulk_mode(**opened, 100, /*fail=*/false, 301), "wal");
    EXPECT_EQ(CountDocs(**server), 400);
  }
  {
    auto opened = sqlite::OpenSqlite(path, 2, 0, /*one_shot_load=*/true);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(HeaderJournalVersion(path), 1);
    ASSERT_TRUE((*opened)->Write([](Connection& c) { return WriteDocs(c, 401, 410); }).ok());
  }
  EXPECT_EQ(HeaderJournalVersion(path), 2);
  auto reopened = sqlite::OpenSqlite(path, 1);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_EQ(CountDocs(**reopened), 410);
}

// Another process opening the file while a one-shot load has it in rollback-journal mode waits
// for the load's bulk to end, even beyond one busy_timeout (5 s), and then has the file in WAL
// mode with the load's rows.
TEST_F(StoreSqliteFileTest, OpeningWaitsForAnotherProcesssOneShotLoad) {
  const std::string path = env_.url().substr(7);
  auto opened = sqlite::OpenSqlite(path, 1, 0, /*one_shot_load=*/true);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Database& db = **opened;
  ASSERT_TRUE(db.Write([](Connection& c) { return c.ExecScript(kDocsSchema); }).ok());
  std::promise<void> writing;
  auto load = std::async(std::launch::async, [&] {
    return db.WriteBulk(
        [&](Connection& c) -> Status {
          KEHU_RETURN_IF_ERROR(WriteDocs(c, 1, 100));
          writing.set_value();
          std::this_thread::sleep_for(std::chrono::milliseconds(6000));
          return Status::Ok();
        },
        {"docs_fts"}, 100);
  });
  writing.get_future().wait();
  auto other = sqlite::OpenSqlite(path, 1);
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_TRUE(load.get().ok());
  EXPECT_EQ(CountDocs(**other), 100);
  EXPECT_EQ(ReaderJournalMode(**other), "wal");
  EXPECT_EQ(CountDocs(db), 100);
}

// A one-shot load killed in the middle of its bulk (by SIGKILL, its journal left behind) leaves
// the file as it was: the next opener rolls the journal back.
TEST_F(StoreSqliteFileTest, AOneShotLoadKilledInItsBulkLeavesTheFileAsItWas) {
  const std::string path = env_.url().substr(7);
  {
    auto opened = sqlite::OpenSqlite(path, 1);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    ASSERT_TRUE((*opened)->Write([](Connection& c) -> Status {
                    KEHU_RETURN_IF_ERROR(c.ExecScript(kDocsSchema));
                    return WriteDocs(c, 1, 50);
                  }).ok());
  }
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    auto opened = sqlite::OpenSqlite(path, 1, 0, /*one_shot_load=*/true);
    if (!opened.ok()) _exit(3);
    (void)(*opened)->WriteBulk(
        [&](Connection& c) -> Status {
          if (!WriteDocs(c, 51, 3000).ok()) _exit(5);
          // The rows are written, the commit has not come: die here, as a crashed load would.
          kill(getpid(), SIGKILL);
          return Status::Ok();
        },
        {"docs_fts"}, 2950);
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  EXPECT_TRUE(std::filesystem::exists(path + "-journal"));
  auto reopened = sqlite::OpenSqlite(path, 1);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_EQ(CountDocs(**reopened), 50);
  ASSERT_TRUE((*reopened)->Read([](Connection& c) -> Status {
                  KEHU_ASSIGN_OR_RETURN(auto ok, c.Query("PRAGMA integrity_check", {}));
                  EXPECT_EQ(ok.at(0).Text(0), "ok");
                  KEHU_ASSIGN_OR_RETURN(auto fts, c.Query("SELECT count(*) FROM docs_fts WHERE docs_fts MATCH 'doc'", {}));
                  EXPECT_EQ(fts.at(0).Int(0), 50);
                  return Status::Ok();
                }).ok());
}

// The WAL is checkpointed on a thread of its own: with a small threshold, pages committed by
// the writer reach the database file while the database stays open, and the WAL starts again
// from its beginning instead of growing with every commit. (SQLite's own automatic checkpoint,
// which this replaces, would not have run before 1,000 pages.)
TEST_F(StoreSqliteFileTest, CheckpointsRunBesideTheWriterAndTheWalStartsAgain) {
  const std::string path = env_.url().substr(7);
  auto opened = sqlite::OpenSqlite(path, 1, /*checkpoint_frames=*/32);  // kThreshold below
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Database& db = **opened;
  ASSERT_TRUE(db.Write([](Connection& c) { return c.ExecScript("CREATE TABLE pages (body BLOB)"); }).ok());
  auto write_one = [&] {
    return db.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto n, c.Exec("INSERT INTO pages (body) VALUES (zeroblob(8192))", {}));
      (void)n;
      return Status::Ok();
    });
  };
  constexpr int kCommits = 200;  // one row of 8 KiB each: 600-800 pages through the WAL
  for (int i = 0; i < kCommits; ++i) ASSERT_TRUE(write_one().ok());
  const auto db_bytes = [&] { return std::filesystem::file_size(path); };
  const uintmax_t data = uintmax_t{kCommits} * 8192;
  // The checkpoint thread may still be copying: wait for it (a bound, not a measurement).
  for (int i = 0; i < 500 && db_bytes() < data / 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(db_bytes(), data / 2) << "the database file did not receive the committed pages";
  // Frames now in the WAL: mxFrame of the wal-index header, a native-order u32 at byte 16 of the
  // -shm file (sqlite.org/walformat.html), read without taking part (a checkpoint of our own
  // would copy the frames and hide whether the server's did).
  auto shm_u32 = [&](std::streamoff at) -> int {
    std::ifstream shm(path + "-shm", std::ios::binary);
    uint32_t v = 0;
    shm.seekg(at);
    if (!shm.read(reinterpret_cast<char*>(&v), sizeof v)) return -1;
    return static_cast<int>(v);
  };
  auto frames_in_wal = [&] { return shm_u32(16); };
  // When the burst has ended, fewer frames than the threshold (plus the last commit's few) are
  // only in the WAL: the frames a checkpoint could not reach because the writer was still
  // appending are copied without waiting for another write. nBackfill, the frames already in
  // the database, is a u32 at byte 96 of the -shm file (WalCkptInfo).
  constexpr int kThreshold = 32, kOneCommit = 8;
  auto backfilled = [&] { return shm_u32(96); };
  auto left = [&] { return frames_in_wal() - backfilled(); };
  for (int i = 0; i < 500 && left() >= kThreshold + kOneCommit; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GT(frames_in_wal(), 0);
  EXPECT_LT(left(), kThreshold + kOneCommit) << "frames of the burst were left in the WAL";
  // Once a checkpoint has ended, the writer copies what came after it and the next write starts
  // the WAL again: a few more writes then leave only a few frames in it.
  // The writes follow each other without a pause, as under load: a checkpoint running beside
  // them never finds the WAL fully copied by itself.
  int frames = frames_in_wal();
  for (int i = 0; i < 400 && (frames < 0 || frames >= kCommits); ++i) {
    ASSERT_TRUE(write_one().ok());
    frames = frames_in_wal();
  }
  EXPECT_GE(frames, 0);
  EXPECT_LT(frames, kCommits) << "the WAL never started again";
  int64_t rows = 0;
  ASSERT_TRUE(db.Read([&](Connection& c) -> Status {
                  KEHU_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COUNT(*) FROM pages", {}));
                  rows = r.at(0).Int(0);
                  return Status::Ok();
                }).ok());
  EXPECT_GE(rows, kCommits);
}

}  // namespace
}  // namespace kehu::store::testing
