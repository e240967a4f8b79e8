#pragma once
// The database driver seam: one small interface that SQLite (store/sqlite) and PostgreSQL
// (store/postgres) implement, so repositories are written once and share SQL wherever the
// dialects agree.
//
// SQL is written with '?' placeholders and always bound parameters; the PostgreSQL driver
// rewrites them to $1..$n (so never put a literal '?' inside SQL text: bind it). Statements are
// prepared once per connection and cached by their SQL text.
//
//   auto st = db.Write([&](Connection& c) -> Status {
//     KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("INSERT INTO t(org_id, name) VALUES (?, ?) "
//                                              "RETURNING id", {org, name}));
//     id = rows.at(0).Int(0);
//     return Status::Ok();
//   });
//
// Errors: a unique-constraint violation is kAlreadyExists (message names the constraint or
// index); a busy/locked database or lost connection is kUnavailable; anything else kInternal.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace kehu::store {

enum class Dialect { kSqlite, kPostgres };

struct Null {};
inline bool operator==(Null, Null) { return true; }

// A bound parameter or a result column. Text and blobs are std::string. Booleans are stored as
// integers 0/1 in both dialects.
using Value = std::variant<Null, int64_t, double, std::string>;

class Row {
 public:
  explicit Row(std::vector<Value> cols) : cols_(std::move(cols)) {}
  size_t size() const { return cols_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<Null>(cols_.at(i)); }
  // Int of an integer column (0 when NULL; a text column holding digits is converted).
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
  // Text of a text column ("" when NULL; numbers are formatted).
  std::string Text(size_t i) const;
  const Value& at(size_t i) const { return cols_.at(i); }

 private:
  std::vector<Value> cols_;
};

// One statement's rows, taken one at a time, for walks that stop early (a search merging an
// index walk with full-text hits). It must not outlive the Read or Write it was opened in.
class Cursor {
 public:
  virtual ~Cursor() = default;
  // The next row, or nullopt when there are no more.
  virtual Result<std::optional<Row>> Next() = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // Runs one statement and returns every row it produced.
  virtual Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) = 0;
  // Opens a statement to step row by row; several may be open at once on one connection.
  // The default runs the statement to the end first (fine where nothing stops early).
  virtual Result<std::unique_ptr<Cursor>> Open(std::string_view sql, const std::vector<Value>& params);
  // Runs one statement and returns the number of rows it changed.
  virtual Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) = 0;
  // Runs a script of several statements with no parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
  // Runs a write to a full-text index table (SQLite FTS5): at once, or, where the driver runs
  // each caller of a group-committed batch in its own savepoint, after the batch's last caller
  // and before its commit, in the order written (FTS5 flushes its pending terms to a new
  // segment at every SAVEPOINT and RELEASE, which made every create pay for a segment write and
  // the merges after it). A caller whose work is rolled back loses its deferred writes too.
  // Only for statements that cannot fail for data reasons and whose effect the same caller
  // does not read back before it returns.
  virtual Status ExecIndexWrite(std::string_view sql, const std::vector<Value>& params);
};

struct PoolStats {
  int readers_total{0};
  int readers_in_use{0};
  int64_t waits{0};          // acquisitions that had to wait for a free connection
  int64_t transactions{0};   // committed write transactions
  int64_t rollbacks{0};
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // Runs fn inside one write transaction on the (single, for SQLite) writer connection.
  // Commits when fn returns Ok, rolls back otherwise (and on exception, which is rethrown).
  // A committed transaction survives a crash of the process.
  // fn must not call Write on the same Database (SQLite answers kInternal instead of
  // deadlocking). After a failed statement, return an error: PostgreSQL has already aborted the
  // transaction, so carrying on works in SQLite only.
  virtual Status Write(const std::function<Status(Connection&)>& fn) = 0;
  // As Write, without waiting: done(status) is called once the transaction has committed (or
  // failed), on whichever thread ran it, so done must be quick and must not call Write. With
  // AsyncWrites() (SQLite: its writer runs on threads of its own) the caller never blocks; the
  // default runs Write on the calling thread and then calls done.
  // An exception thrown by fn becomes kInternal (it cannot be rethrown to the caller).
  virtual void WriteAsync(std::function<Status(Connection&)> fn, std::function<void(Status)> done);
  // As Write, for one long transaction that writes a great many rows (imports, demo data):
  // SQLite gives the writer a page cache of kBulkCacheBytes for it, so the pages of the
  // indexes it keeps touching stay in memory instead of being spilled to the WAL and read back
  // (a million-row import: 105 -> 92 s). The default is Write.
  // `fulltext_tables` names every full-text table fn writes through ExecIndexWrite. Where they
  // are all empty, SQLite builds them in a second database file on a thread of its own while fn
  // writes the rest, and copies them in at the end, inside the same transaction (a million demo
  // customers: the two FTS5 indexes were ~40 % of the writer's time). Either way the outcome is
  // the same: all of it commits, or none of it.
  // `expected_rows` is about how many rows fn will write (0: not known). A SQLite file opened for
  // a one-shot load (OpenOptions::one_shot_load) takes a bulk of known size up to
  // sqlite::kRollbackLoadMaxRows through a rollback journal instead of the WAL.
  virtual Status WriteBulk(const std::function<Status(Connection&)>& fn,
                           const std::vector<std::string>& fulltext_tables = {}, int64_t expected_rows = 0) {
    (void)fulltext_tables;
    (void)expected_rows;
    return Write(fn);
  }
  virtual bool AsyncWrites() const { return false; }
  // Runs fn on a reader connection, inside a read transaction so it sees one snapshot.
  virtual Status Read(const std::function<Status(Connection&)>& fn) = 0;
  // As Read, for fn that runs exactly one statement (a statement is its own snapshot): SQLite
  // then skips the BEGIN and ROLLBACK around it (a point read's hottest path). The default is Read.
  virtual Status ReadStatement(const std::function<Status(Connection&)>& fn) { return Read(fn); }
  // True when the database answers a trivial query (readiness probe).
  virtual bool Ping() = 0;
  // False when a Read waits for (or fails behind) an open Write, as with in-memory SQLite
  // (memdb has no WAL); bulk writers then check everything before they start writing.
  virtual bool ReadsDuringWrites() const { return true; }
  virtual PoolStats Stats() const = 0;
};

struct OpenOptions {
  // 0 picks a default (SQLite: 8 a core; PostgreSQL: the number of cores, at least 2).
  int reader_pool_size = 0;
  // The process is a one-shot load (`kehu demo`, `kehu import customers`): a SQLite file that
  // no other process has open takes its first bulk write through a rollback journal and goes
  // back to WAL right after it (see sqlite::OpenSqlite). PostgreSQL ignores it.
  bool one_shot_load = false;
};

// Opens "sqlite:PATH" (":memory:" allowed, shared between the pool's connections) or
// "postgresql://..." / "postgres://..." / a libpq "host=... dbname=..." string.
// Errors: kInvalidArgument for an unknown scheme, kUnavailable when it cannot connect.
Result<std::unique_ptr<Database>> Open(const std::string& url, const OpenOptions& options);
inline Result<std::unique_ptr<Database>> Open(const std::string& url, int reader_pool_size = 0) {
  return Open(url, OpenOptions{.reader_pool_size = reader_pool_size});
}

}  // namespace kehu::store
