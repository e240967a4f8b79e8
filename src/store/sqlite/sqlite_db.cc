#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string_view>
#include <thread>
#include <deque>
#include <functional>
#include <memory>
#include <exception>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kehu::store::sqlite {
namespace {

std::string SqlHead(std::string_view sql) {
  constexpr size_t kMax = 80;
  return std::string(sql.substr(0, kMax)) + (sql.size() > kMax ? "..." : "");
}

// The profile's name for a statement: its start and its end (where statements of one shape differ).
std::string ProfileLabel(std::string_view sql) {
  constexpr size_t kHead = 90, kTail = 110;
  if (sql.size() <= kHead + kTail) return std::string(sql);
  return std::string(sql.substr(0, kHead)) + " … " + std::string(sql.substr(sql.size() - kTail));
}

// The start of the message of a SQLITE_BUSY or SQLITE_LOCKED error.
constexpr std::string_view kBusyMessage = "sqlite: database is busy: ";
// How long opening waits for another process's one-shot load to let the file go to WAL mode.
constexpr std::chrono::minutes kWalSwitchWait{10};

// Maps an (extended) SQLite result code to our error codes; see db.h.
Error SqliteError(int code, sqlite3* db, std::string_view sql) {
  const std::string text = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return MakeError(ErrorCode::kAlreadyExists, "sqlite: " + text);
  }
  const int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return MakeError(ErrorCode::kUnavailable, std::string(kBusyMessage) + text);
  }
  return Internal("sqlite: " + text + " (in: " + SqlHead(sql) + ")");
}

// KEHU_SQLITE_PROFILE=1: CPU time spent in each statement text (binding, stepping, reading rows), printed to stderr at exit (a
// diagnostic for write-path work; see docs/operations.md).
struct StatementProfile {
  std::mutex mu;
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> by_sql;  // ns, count
};
StatementProfile* Profile() {
  static StatementProfile* p = [] {
    const char* env = std::getenv("KEHU_SQLITE_PROFILE");
    if (env == nullptr || std::string_view(env) != "1") return static_cast<StatementProfile*>(nullptr);
    auto* prof = new StatementProfile;  // lives until exit: the atexit handler reads it
    std::atexit([] {
      auto* q = Profile();
      std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> v(q->by_sql.begin(), q->by_sql.end());
      std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
      std::fprintf(stderr, "sqlite profile (ms, calls, us/call, statement):\n");
      for (size_t i = 0; i < v.size() && i < 40; ++i)
        std::fprintf(stderr, "%10.1f %9lld %8.2f  %s\n", v[i].second.first / 1e6,
                     static_cast<long long>(v[i].second.second),
                     v[i].second.first / 1e3 / static_cast<double>(std::max<int64_t>(1, v[i].second.second)),
                     ProfileLabel(v[i].first).c_str());
    });
    return prof;
  }();
  return p;
}
int64_t ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
// Adds ns of CPU time and one call to the statement's total.
void ProfileAddNanos(std::string_view sql, int64_t ns) {
  auto* q = Profile();
  std::lock_guard lock(q->mu);
  auto& e = q->by_sql[std::string(sql)];
  e.first += ns;
  e.second += 1;
}
// Adds the calling thread's CPU time since `start` to the statement's total.
void ProfileAdd(std::string_view sql, int64_t start) { ProfileAddNanos(sql, ThreadCpuNanos() - start); }

bool OnlyBlanksOrSemicolons(const char* s) {
  for (; s != nullptr && *s != '\0'; ++s) {
    if (*s != ';' && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
  }
  return true;
}

// For "INSERT INTO t(...) VALUES (<one tuple>) RETURNING id" (any letter case of the keywords as
// written by our repositories: upper case) returns the statement without " RETURNING id";
// otherwise an empty view. Multi-row VALUES lists, INSERT ... SELECT, upserts and other
// RETURNING lists are left alone: there last_insert_rowid() would not be the answer.
std::string_view SingleRowInsertReturningId(std::string_view sql) {
  constexpr std::string_view kSuffix = " RETURNING id";
  if (sql.size() <= kSuffix.size() || sql.substr(0, 7) != "INSERT " || !sql.ends_with(kSuffix)) return {};
  std::string_view body = sql.substr(0, sql.size() - kSuffix.size());
  const size_t values = body.find(" VALUES (");
  if (values == std::string_view::npos || body.back() != ')') return {};
  // The tuple after VALUES must close exactly at the end of the body (quotes respected).
  int depth = 0;
  bool in_quote = false;
  for (size_t i = values + 8; i < body.size(); ++i) {
    const char ch = body[i];
    if (in_quote) {
      if (ch == '\'') in_quote = false;
      continue;
    }
    if (ch == '\'') in_quote = true;
    else if (ch == '(') ++depth;
    else if (ch == ')' && --depth == 0) return i + 1 == body.size() ? body : std::string_view{};
  }
  return {};
}

// Binds params to stmt's parameters (their number must match).
Status Bind(sqlite3* db, sqlite3_stmt* stmt, std::string_view sql, const std::vector<Value>& params) {
  const int expected = sqlite3_bind_parameter_count(stmt);
  if (expected != static_cast<int>(params.size())) {
    return InvalidArgument("sqlite: statement has " + std::to_string(expected) + " parameters, " +
                           std::to_string(params.size()) + " given (in: " + SqlHead(sql) + ")");
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i) + 1;
    int rc = SQLITE_OK;
    if (const auto* v = std::get_if<int64_t>(&params[i])) {
      rc = sqlite3_bind_int64(stmt, idx, *v);
    } else if (const auto* d = std::get_if<double>(&params[i])) {
      rc = sqlite3_bind_double(stmt, idx, *d);
    } else if (const auto* s = std::get_if<std::string>(&params[i])) {
      // SQLITE_STATIC: params outlive the statement's use (Run clears the bindings before it
      // returns; a cursor owns its params).
      rc = sqlite3_bind_text64(stmt, idx, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else {
      rc = sqlite3_bind_null(stmt, idx);
    }
    if (rc != SQLITE_OK) return SqliteError(rc, db, sql);
  }
  return Status::Ok();
}

// The current row of a stepped statement.
Row ReadRow(sqlite3_stmt* stmt) {
  const int n = sqlite3_column_count(stmt);
  std::vector<Value> cols;
  cols.reserve(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) {
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_INTEGER:
        cols.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
        break;
      case SQLITE_FLOAT:
        cols.emplace_back(sqlite3_column_double(stmt, c));
        break;
      case SQLITE_TEXT: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        cols.emplace_back(std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
        break;
      }
      case SQLITE_BLOB: {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, c));
        const auto len = static_cast<size_t>(sqlite3_column_bytes(stmt, c));
        cols.emplace_back(p == nullptr ? std::string() : std::string(p, len));
        break;
      }
      default:
        cols.emplace_back(Null{});
    }
  }
  return Row(std::move(cols));
}

// A statement of its own (not from the connection's cache, so several can step at once),
// finalized with the cursor. Its bound text lives in params_.
class SqliteCursor final : public Cursor {
 public:
  SqliteCursor(sqlite3* db, sqlite3_stmt* stmt, std::string sql, std::vector<Value> params)
      : db_(db), stmt_(stmt), sql_(std::move(sql)), params_(std::move(params)) {}
  ~SqliteCursor() override {
    sqlite3_finalize(stmt_);
    if (Profile() != nullptr) ProfileAddNanos(sql_, step_ns_);
  }
  SqliteCursor(const SqliteCursor&) = delete;
  SqliteCursor& operator=(const SqliteCursor&) = delete;

  Status Start() { return Bind(db_, stmt_, sql_, params_); }

  Result<std::optional<Row>> Next() override {
    if (done_) return std::optional<Row>();
    const int64_t start = Profile() != nullptr ? ThreadCpuNanos() : 0;
    const int rc = sqlite3_step(stmt_);
    if (Profile() != nullptr) step_ns_ += ThreadCpuNanos() - start;
    if (rc == SQLITE_DONE) {
      done_ = true;
      return std::optional<Row>();
    }
    if (rc != SQLITE_ROW) return SqliteError(rc, db_, sql_);
    return std::optional<Row>(ReadRow(stmt_));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
  std::vector<Value> params_;
  bool done_{false};
  int64_t step_ns_{0};  // KEHU_SQLITE_PROFILE: CPU time in sqlite3_step, added at the end
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }
  sqlite3* handle() const { return db_; }

  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    std::vector<Row> rows;
    // "INSERT ... VALUES (one row) RETURNING id": SQLite runs RETURNING through an internal
    // trigger program that doubles the cost of a single-row insert, so run the plain INSERT and
    // answer with last_insert_rowid() instead (same row, same result for the caller).
    if (std::string_view plain = SingleRowInsertReturningId(sql); !plain.empty()) {
      KEHU_RETURN_IF_ERROR(Run(plain, params, nullptr));
      rows.emplace_back(std::vector<Value>{static_cast<int64_t>(sqlite3_last_insert_rowid(db_))});
      return rows;
    }
    KEHU_RETURN_IF_ERROR(Run(sql, params, &rows));
    return rows;
  }

  Result<std::unique_ptr<Cursor>> Open(std::string_view sql, const std::vector<Value>& params) override {
    // Prepared from a NUL-terminated copy: the tail check reads up to the terminator.
    std::string text(sql);
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const int64_t start = Profile() != nullptr ? ThreadCpuNanos() : 0;
    const int rc = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()), 0, &stmt, &tail);
    if (Profile() != nullptr) ProfileAdd("(prepare) " + text, start);
    if (rc != SQLITE_OK) return SqliteError(rc, db_, sql);
    if (stmt == nullptr) return InvalidArgument("sqlite: empty statement");
    const bool one_statement = OnlyBlanksOrSemicolons(tail);
    auto cursor = std::make_unique<SqliteCursor>(db_, stmt, std::move(text), params);
    if (!one_statement) return InvalidArgument("sqlite: Open runs one statement (in: " + SqlHead(sql) + ")");
    KEHU_RETURN_IF_ERROR(cursor->Start());
    return std::unique_ptr<Cursor>(std::move(cursor));
  }

  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    KEHU_RETURN_IF_ERROR(Run(sql, params, nullptr));
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status ExecScript(std::string_view sql) override {
    const std::string text(sql);
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);  // sqlite3_errmsg(db_) carries the same text
    if (rc != SQLITE_OK) return SqliteError(sqlite3_extended_errcode(db_), db_, sql);
    return Status::Ok();
  }

  // Runs a statement with no parameters and no interest in its rows (BEGIN, COMMIT, PRAGMA).
  // The statement is prepared once and cached like any other (sqlite3_exec would parse it on
  // every read transaction's BEGIN and ROLLBACK).
  Status Simple(const char* sql) { return Run(sql, {}, nullptr); }

  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

  Status ExecIndexWrite(std::string_view sql, const std::vector<Value>& params) override {
    if (index_sink_) return index_sink_(sql, params);
    if (!defer_index_writes_) return Run(sql, params, nullptr);
    deferred_.push_back(DeferredWrite{std::string(sql), params});
    return Status::Ok();
  }

  // While on, index writes wait in a list (see Connection::ExecIndexWrite); the batch runner
  // marks each caller's start, drops a rolled-back caller's part, and runs the rest at its end.
  void set_defer_index_writes(bool on) { defer_index_writes_ = on; }
  // While set (a bulk load's side build, SideIndexBuild), index writes go there instead.
  using IndexSink = std::function<Status(std::string_view, const std::vector<Value>&)>;
  void set_index_sink(IndexSink sink) { index_sink_ = std::move(sink); }
  size_t deferred_mark() const { return deferred_.size(); }
  void DropDeferredFrom(size_t mark) { deferred_.resize(std::min(mark, deferred_.size())); }
  // Runs the deferred index writes in the order written and empties the list (on a failure
  // too: the batch runner then rolls the whole batch back).
  Status RunDeferred() {
    Status st = Status::Ok();
    for (const auto& d : deferred_)
      if (st = Run(d.sql, d.params, nullptr); !st.ok()) break;
    deferred_.clear();
    return st;
  }

 private:
  struct DeferredWrite {
    std::string sql;
    std::vector<Value> params;
  };
  bool defer_index_writes_{false};
  std::vector<DeferredWrite> deferred_;
  IndexSink index_sink_{};

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    // Looked up by the text itself (a heterogeneous lookup): a cache hit, nearly every statement,
    // copies nothing. The key string is made only for a new statement.
    if (auto it = stmts_.find(sql); it != stmts_.end()) return it->second;
    std::string key(sql);
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return SqliteError(rc, db_, sql);
    if (stmt == nullptr) return InvalidArgument("sqlite: empty statement");
    if (!OnlyBlanksOrSemicolons(tail)) {
      sqlite3_finalize(stmt);
      return InvalidArgument(
          "sqlite: Query/Exec run one statement; use ExecScript (in: " + SqlHead(sql) + ")");
    }
    // Bound the cache: SQL with variable IN lists or filter combinations must not grow it
    // without limit. No cached statement is mid-step here (Run resets each after use).
    if (stmts_.size() >= kMaxCachedStatements) {
      for (auto& [text, old] : stmts_) sqlite3_finalize(old);
      stmts_.clear();
    }
    stmts_.emplace(std::move(key), stmt);
    return stmt;
  }

  Status Run(std::string_view sql, const std::vector<Value>& params, std::vector<Row>* rows) {
    if (Profile() != nullptr) {
      const int64_t start = ThreadCpuNanos();
      Status st = RunUnprofiled(sql, params, rows);
      ProfileAdd(sql, start);
      return st;
    }
    return RunUnprofiled(sql, params, rows);
  }

  Status RunUnprofiled(std::string_view sql, const std::vector<Value>& params, std::vector<Row>* rows) {
    KEHU_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    // Leave the cached statement clean whatever happens, so the next use starts fresh and does
    // not pin a read snapshot.
    struct Cleanup {
      sqlite3_stmt* s;
      ~Cleanup() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } cleanup{stmt};

    KEHU_RETURN_IF_ERROR(Bind(db_, stmt, sql, params));
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return SqliteError(rc, db_, sql);
      if (rows != nullptr) rows->push_back(ReadRow(stmt));
    }
  }

  sqlite3* db_;
  static constexpr size_t kMaxCachedStatements = 256;
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> stmts_;
};

// Each connection's page cache: 64 MB. A bulk write's transaction (WriteBulk) gets 1 GB.
constexpr const char* kCachePragma = "PRAGMA cache_size=-65536;";
constexpr const char* kBulkCachePragma = "PRAGMA cache_size=-1048576;";
constexpr const char* kPageSizePragma = "PRAGMA page_size=8192;";

Result<std::unique_ptr<SqliteConnection>> Connect(const std::string& name, bool memory,
                                                  bool reader) {
  // Memory statistics take a global mutex on every allocation; we never read them. Must run
  // before SQLite initialises (the first open), hence once here.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  sqlite3* raw = nullptr;
  int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (memory) flags |= SQLITE_OPEN_URI;
  const int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return MakeError(ErrorCode::kUnavailable, "cannot open sqlite database '" + name + "': " + msg);
  }
  auto conn = std::make_unique<SqliteConnection>(raw);
  // busy_timeout first: the other pragmas may already need to wait for another process.
  std::string pragmas =
      "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
      "PRAGMA temp_store=MEMORY;";
  pragmas += kCachePragma;
  // 256 MB mapped. Tried without a map (mmap_size=0, every read a pread): telephony events +5 %,
  // read p99 under load worse, point reads the same (docs/benchmarks.md, 2026-12-06): kept.
  if (!memory) pragmas += "PRAGMA mmap_size=268435456;";
  // A reader connection refuses writes, so a write slipped into Read fails loudly instead of
  // taking the write lock behind the writer's back.
  if (reader) pragmas += "PRAGMA query_only=ON;";
  if (Status st = conn->ExecScript(pragmas); !st.ok()) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot configure sqlite database '" + name + "': " + st.error().message);
  }
  return conn;
}

// An SQL identifier in double quotes.
std::string QuoteId(std::string_view name) {
  std::string out = "\"";
  for (char ch : name) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

// A bulk load's full-text indexes, built beside it (Database::WriteBulk's fulltext_tables).
// FTS5 turns a row into its index entries inside the INSERT, on the writer's thread: for the
// two customer indexes, ~40 % of a load's writer time. When every named table is empty, its
// index writes go instead to a thread of its own that runs them, in the same order, on a
// second database file holding the same tables with the same settings (created from the main
// file's own definitions and _config rows), in one transaction as the load does. At the end the
// side file's shadow tables (_data, _idx, _content, _docsize) replace the main file's, inside the
// writer's transaction (ATTACH and INSERT ... SELECT: ~2 s for a million customers), so the
// load still commits or rolls back as one. The copy is the index FTS5 would have written in
// place: the same statements into the same empty table (a test checks it with FTS5's own
// integrity-check, and that the next ordinary write after a load leaves it whole).
// FTS5 keeps each table's segment list cached in its connection, and a copy through the shadow
// tables bypasses it; the writer's schema is therefore reloaded once the transaction has ended
// (PRAGMA writable_schema=RESET), which reconnects its FTS5 tables.
class SideIndexBuild {
 public:
  // Starts a build for `tables`, or answers nullptr (and starts nothing) when one of them is not
  // an empty FTS5 table. On the writer, inside its transaction.
  static Result<std::unique_ptr<SideIndexBuild>> Start(SqliteConnection& writer, const std::string& file,
                                                       const std::vector<std::string>& tables) {
    std::unique_ptr<SideIndexBuild> build(new SideIndexBuild(file));
    std::vector<std::string> script;
    for (const auto& t : tables) {
      KEHU_ASSIGN_OR_RETURN(auto def, writer.Query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", {t}));
      if (def.empty() || def[0].Text(0).find("fts5") == std::string::npos) return std::unique_ptr<SideIndexBuild>();
      KEHU_ASSIGN_OR_RETURN(auto any, writer.Query("SELECT 1 FROM " + QuoteId(t) + " LIMIT 1", {}));
      if (!any.empty()) return std::unique_ptr<SideIndexBuild>();
      script.push_back(def[0].Text(0));
      KEHU_ASSIGN_OR_RETURN(auto shadows, writer.Query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN "
                                                       "(?, ?, ?, ?) ORDER BY name",
                                                       {t + "_content", t + "_data", t + "_docsize", t + "_idx"}));
      for (const auto& r : shadows) build->shadows_.push_back(r.Text(0));
      KEHU_ASSIGN_OR_RETURN(auto config, writer.Query("SELECT k, v FROM " + QuoteId(t + "_config") + " WHERE k <> 'version'", {}));
      for (const auto& r : config) build->settings_.push_back(Setting{t, r.at(0), r.at(1)});
    }
    build->RemoveFiles();  // a build cut short by a crash
    KEHU_ASSIGN_OR_RETURN(build->side_, Connect(file, /*memory=*/false, /*reader=*/false));
    // A scratch file: no journal, no syncs, its pages in memory as far as they fit.
    KEHU_RETURN_IF_ERROR(build->side_->ExecScript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-524288;"));
    for (const auto& sql : script) KEHU_RETURN_IF_ERROR(build->side_->ExecScript(sql));
    for (const auto& s : build->settings_) {
      const std::string q = QuoteId(s.table);
      KEHU_RETURN_IF_ERROR(build->side_->Exec("INSERT INTO " + q + "(" + q + ", rank) VALUES (?, ?)", {s.key, s.value}));
    }
    KEHU_RETURN_IF_ERROR(build->side_->Simple("BEGIN"));
    build->thread_ = std::thread([b = build.get()] { b->Loop(); });
    return build;
  }

  ~SideIndexBuild() {
    Stop();
    side_.reset();
    RemoveFiles();
  }
  SideIndexBuild(const SideIndexBuild&) = delete;
  SideIndexBuild& operator=(const SideIndexBuild&) = delete;

  // One index write, from the writer's thread; handed over in chunks.
  Status Add(std::string_view sql, const std::vector<Value>& params) {
    const std::string* text = nullptr;
    for (const auto& known : sqls_) {
      if (known == sql) {
        text = &known;
        break;
      }
    }
    if (text == nullptr) text = &sqls_.emplace_back(sql);  // a deque: earlier elements stay put
    pending_.push_back(Item{text, params});
    return pending_.size() >= kChunk ? Handover() : Status::Ok();
  }

  // After the load's last row, on the writer inside its transaction: waits for the thread,
  // commits the side file and copies its tables in.
  Status Finish(SqliteConnection& writer) {
    if (!pending_.empty()) KEHU_RETURN_IF_ERROR(Handover());
    Stop();
    if (failed_) return error_;
    KEHU_RETURN_IF_ERROR(side_->Simple("COMMIT"));
    side_.reset();
    KEHU_RETURN_IF_ERROR(writer.Exec("ATTACH DATABASE ? AS kehu_side", {file_}));
    attached_ = true;
    std::string copy;
    for (const auto& t : shadows_) {
      copy += "DELETE FROM main." + QuoteId(t) + ";";
      copy += "INSERT INTO main." + QuoteId(t) + " SELECT * FROM kehu_side." + QuoteId(t) + ";";
    }
    return writer.ExecScript(copy);  // not cached: the statements name the side file
  }

  // After the writer's transaction has ended, committed or not. After a failed load the thread
  // may still hold chunks: they are dropped, not run (the file is thrown away).
  void End(SqliteConnection& writer) {
    {
      std::lock_guard lock(mu_);
      failed_ = true;
    }
    Stop();
    side_.reset();
    if (attached_) (void)writer.ExecScript("DETACH DATABASE kehu_side");
    attached_ = false;
    (void)writer.ExecScript("PRAGMA writable_schema=RESET");
    RemoveFiles();
  }

 private:
  struct Item {
    const std::string* sql;
    std::vector<Value> params;
  };
  struct Setting {
    std::string table;
    Value key, value;
  };
  static constexpr size_t kChunk = 512;     // index writes a hand-over
  static constexpr size_t kMaxChunks = 64;  // waiting at most; then the writer waits

  explicit SideIndexBuild(std::string file) : file_(std::move(file)) {}

  Status Handover() {
    std::unique_lock lock(mu_);
    space_cv_.wait(lock, [&] { return chunks_.size() < kMaxChunks || failed_; });
    if (failed_) return error_;
    chunks_.push_back(std::move(pending_));
    pending_ = {};
    pending_.reserve(kChunk);
    work_cv_.notify_one();
    return Status::Ok();
  }

  void Loop() {
    for (;;) {
      std::vector<Item> chunk;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return !chunks_.empty() || ended_; });
        if (chunks_.empty()) return;
        chunk = std::move(chunks_.front());
        chunks_.pop_front();
        space_cv_.notify_one();
        if (failed_) continue;  // drain
      }
      for (const auto& item : chunk) {
        if (auto done = side_->Exec(*item.sql, item.params); !done.ok()) {
          std::lock_guard lock(mu_);
          error_ = done.error();
          failed_ = true;
          space_cv_.notify_all();
          break;
        }
      }
    }
  }

  void Stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      ended_ = true;
    }
    work_cv_.notify_one();
    thread_.join();
  }

  void RemoveFiles() const {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::remove((file_ + suffix).c_str());
  }

  std::string file_;
  std::vector<std::string> shadows_;
  std::vector<Setting> settings_;
  std::unique_ptr<SqliteConnection> side_;
  std::thread thread_;
  bool attached_{false};
  // The writer's thread only:
  std::deque<std::string> sqls_;
  std::vector<Item> pending_;
  // Shared with the thread:
  std::mutex mu_;
  std::condition_variable work_cv_, space_cv_;
  std::deque<std::vector<Item>> chunks_;
  bool ended_{false};
  std::atomic<bool> failed_{false};
  Status error_{};
};

class SqliteDatabase;

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::unique_ptr<SqliteConnection> writer,
                 std::vector<std::unique_ptr<SqliteConnection>> readers)
      : writer_(std::move(writer)), readers_(std::move(readers)) {
    for (auto& r : readers_) free_.push_back(r.get());
  }
  // Readers close before the writer: the last connection to close checkpoints the WAL.
  ~SqliteDatabase() override {
    StopAsyncLeader();  // after the writes still queued
    StopCheckpointer();
    readers_.clear();
    // A one-shot load that wrote no bulk leaves the file in WAL mode, as it found it (best
    // effort: whoever opens it next switches it anyway).
    if (rollback_mode_) (void)writer_->ExecScript("PRAGMA journal_mode=WAL;");
    writer_.reset();
  }

  // Checkpoints run on a thread of their own, on a connection of their own, in PASSIVE mode
  // (beside the writer and the readers, never blocking them), whenever the WAL has grown by
  // checkpoint_frames_ since the last one. SQLite's automatic checkpoint ran inside the COMMIT
  // of whichever write crossed the threshold: every caller of that batch, and everyone queued
  // behind it, waited for 200 MB to be copied (the creates' p99 of 250-300 ms).
  void StartCheckpointer(std::unique_ptr<SqliteConnection> conn, int frames) {
    checkpointer_ = std::move(conn);
    checkpoint_frames_ = frames;
    sqlite3_wal_hook(writer_->handle(), &SqliteDatabase::OnWalCommit, this);
    checkpoint_thread_ = std::thread([this] { CheckpointLoop(); });
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  // Group commit: writers queue their transaction; whoever finds the queue empty becomes the
  // leader (and when a batch ends, the first caller still queued leads the next) and runs
  // everything queued so far in ONE SQLite transaction, each caller's work in
  // its own SAVEPOINT (so one caller's failure rolls back only its own changes), then commits
  // once and wakes them all. Each caller still returns only after the commit that holds its
  // changes, so an acknowledged write is as durable as before; many concurrent writers share
  // one commit instead of paying one each.
  //
  // Each waiter sleeps on its own condition variable and is woken once: when its batch has
  // committed, or when it is the first in the queue and so leads the next batch (a shared
  // notify_all woke every one of 64 waiting workers after every batch, for nothing but those in
  // that batch).
  Status Write(const std::function<Status(Connection&)>& fn) override { return WriteQueued(fn, /*alone=*/false); }

  // Write's queue; an `alone` request runs in a batch of its own (see TakeBatch). bulk_rows >= 0
  // marks a bulk write (WriteBulk) of that many rows (0: not known).
  Status WriteQueued(const std::function<Status(Connection&)>& fn, bool alone, int64_t bulk_rows = -1) {
    if (in_write_batch_) return Internal("sqlite: Write called inside Write on the same thread");
    WriteRequest req{&fn};
    req.alone = alone;
    req.bulk_rows = bulk_rows;
    std::unique_lock lock(queue_mu_);
    queue_.push_back(&req);
    if (!leader_active_) {
      leader_active_ = true;  // the queue was empty: nobody else is running or waiting
      req.lead = true;
    }
    while (!req.done && !req.lead) req.cv.wait(lock);
    if (!req.done) {
      // Leading: everything queued so far (this request is at the front) in one transaction.
      std::vector<WriteRequest*> batch = TakeBatch();
      lock.unlock();
      RunBatch(batch);
      lock.lock();
      std::vector<WriteRequest*> async_done = CompleteBatch(batch, &req);
      if (queue_.empty()) {
        leader_active_ = false;
      } else if (queue_.front()->on_done) {
        async_lead_ = true;  // nobody waits for it: the async leader runs the next batch
        async_cv_.notify_one();
      } else {
        queue_.front()->lead = true;
        queue_.front()->cv.notify_one();
      }
      lock.unlock();
      FinishAsync(async_done);
    }
    if (lock.owns_lock()) lock.unlock();
    if (req.exception) std::rethrow_exception(req.exception);
    return req.result;
  }

  // The cache goes back to its usual size (and its pages beyond it are freed) whatever fn does.
  // In a batch of its own: a side build (SideIndexBuild) needs the full-text tables to itself
  // from its start to the end of the transaction.
  // In rollback-journal mode (a one-shot load, see OpenSqlite) RunBatch also turns the cache's
  // spills off for it.
  Status WriteBulk(const std::function<Status(Connection&)>& fn,
                   const std::vector<std::string>& fulltext_tables, int64_t expected_rows) override {
    return WriteQueued(
        [&](Connection& c) -> Status {
          KEHU_RETURN_IF_ERROR(c.ExecScript(kBulkCachePragma));
          struct Restore {
            Connection& c;
            ~Restore() { (void)c.ExecScript(kCachePragma); }
          } restore{c};
          if (!memory_ && !fulltext_tables.empty()) {
            // Ended by RunBatch once the transaction has (see EndSideBuild).
            KEHU_ASSIGN_OR_RETURN(side_build_, SideIndexBuild::Start(*writer_, path_ + "-bulk-fts", fulltext_tables));
            if (side_build_) {
              writer_->set_index_sink([b = side_build_.get()](std::string_view sql, const std::vector<Value>& params) {
                return b->Add(sql, params);
              });
            }
          }
          KEHU_RETURN_IF_ERROR(fn(c));
          if (!side_build_) return Status::Ok();
          writer_->set_index_sink(nullptr);
          return side_build_->Finish(*writer_);
        },
        /*alone=*/true, std::max<int64_t>(0, expected_rows));
  }
  void set_path(std::string path) { path_ = std::move(path); }

  // Queued like Write's callers and committed in the same batches; nobody waits. When the queue
  // was empty (or a batch ends with this request at its front), the async leader thread runs
  // the batch in place of a waiting caller. The HTTP server's creates use this: the I/O thread
  // that read the request hands it over and goes on, instead of a worker thread sleeping until
  // the commit (docs/architecture-notes.md, "Creates and telephony events need no waiting thread").
  void WriteAsync(std::function<Status(Connection&)> fn, std::function<void(Status)> done) override {
    std::call_once(async_leader_once_, [this] { async_leader_ = std::thread([this] { AsyncLeaderLoop(); }); });
    auto* req = new WriteRequest{};
    req->owned_fn = std::move(fn);
    req->fn = &req->owned_fn;
    req->on_done = std::move(done);
    std::lock_guard lock(queue_mu_);
    queue_.push_back(req);
    if (!leader_active_) {
      leader_active_ = true;
      async_lead_ = true;
      async_cv_.notify_one();
    }
  }
  bool AsyncWrites() const override { return true; }

  Status Read(const std::function<Status(Connection&)>& fn) override { return RunRead(fn, true); }

  // Without BEGIN: the one statement is its own snapshot (see Database::ReadStatement).
  Status ReadStatement(const std::function<Status(Connection&)>& fn) override { return RunRead(fn, false); }

  bool Ping() override {
    Status st = Read([](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT 1", {}));
      return rows.size() == 1 ? Status::Ok() : Internal("unexpected answer to SELECT 1");
    });
    return st.ok();
  }

  bool ReadsDuringWrites() const override { return !memory_; }
  void set_memory(bool memory) { memory_ = memory; }

  PoolStats Stats() const override {
    std::lock_guard lock(pool_mu_);
    return PoolStats{.readers_total = static_cast<int>(readers_.size()),
                     .readers_in_use = static_cast<int>(readers_.size() - free_.size()),
                     .waits = waits_,
                     .transactions = transactions_.load(),
                     .rollbacks = rollbacks_.load()};
  }

  // Borrows a reader connection for as long as it lives (waiting when all are busy).
  struct Lease {
    explicit Lease(SqliteDatabase* owner) : db(owner) {
      std::unique_lock lock(db->pool_mu_);
      if (db->free_.empty()) {
        ++db->waits_;
        db->pool_cv_.wait(lock, [&] { return !db->free_.empty(); });
      }
      conn = db->free_.back();
      db->free_.pop_back();
    }
    ~Lease() {
      {
        std::lock_guard lock(db->pool_mu_);
        db->free_.push_back(conn);
      }
      db->pool_cv_.notify_one();
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SqliteDatabase* db;
    SqliteConnection* conn{nullptr};
  };

 private:
  // Runs fn on a leased reader, inside BEGIN ... ROLLBACK when `begin`; a transaction fn left
  // open (against ReadStatement's contract) is ended too.
  Status RunRead(const std::function<Status(Connection&)>& fn, bool begin) {
    Lease lease(this);
    SqliteConnection& conn = *lease.conn;
    if (begin) KEHU_RETURN_IF_ERROR(conn.Simple("BEGIN"));
    Status st;
    try {
      st = fn(conn);
    } catch (...) {
      if (conn.InTransaction()) (void)conn.Simple("ROLLBACK");
      throw;
    }
    // Nothing to keep from a read; ROLLBACK ends it just as well and cannot fail for lack of
    // anything to commit.
    if (conn.InTransaction()) {
      if (Status end = conn.Simple("ROLLBACK"); !end.ok() && st.ok()) return end;
    }
    return st;
  }

  void Rollback() {
    rollbacks_.fetch_add(1);
    // SQLite may already have rolled back on its own (e.g. SQLITE_FULL); then there is nothing
    // to end and ROLLBACK would only report an error.
    if (writer_->InTransaction()) (void)writer_->Simple("ROLLBACK");
  }

  struct WriteRequest {
    const std::function<Status(Connection&)>* fn{nullptr};
    Status result{};
    std::exception_ptr exception{};
    bool done{false};  // guarded by queue_mu_
    bool lead{false};  // guarded by queue_mu_: this caller runs the next batch
    bool alone{false};  // runs in a batch of its own
    int64_t bulk_rows{-1};  // a WriteBulk of about this many rows (0: not known); -1: not a bulk
    std::condition_variable cv{};
    // WriteAsync: the request owns its work and is deleted once on_done has been called.
    std::function<Status(Connection&)> owned_fn{};
    std::function<void(Status)> on_done{};
  };
  static constexpr size_t kMaxBatch = 128;

  // Under queue_mu_: the next batch, in queue order.
  std::vector<WriteRequest*> TakeBatch() {
    std::vector<WriteRequest*> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      WriteRequest* r = queue_.front();
      if (r->alone && !batch.empty()) break;
      batch.push_back(r);
      queue_.pop_front();
      if (r->alone) break;
    }
    return batch;
  }

  // Under queue_mu_, after a batch ran: wakes its waiting callers (but `self`, the leader) and
  // returns its async requests, whose callbacks run after the lock is released (FinishAsync).
  // A waiter may return (and its request go) as soon as it sees done.
  std::vector<WriteRequest*> CompleteBatch(const std::vector<WriteRequest*>& batch, const WriteRequest* self) {
    std::vector<WriteRequest*> async_done;
    for (WriteRequest* r : batch) {
      if (r->on_done) {
        async_done.push_back(r);
        continue;
      }
      r->done = true;
      if (r != self) r->cv.notify_one();
    }
    return async_done;
  }

  static void FinishAsync(std::vector<WriteRequest*>& requests) {
    for (WriteRequest* r : requests) {
      std::unique_ptr<WriteRequest> owned(r);
      if (r->exception) {
        try {
          std::rethrow_exception(r->exception);
        } catch (const std::exception& e) {
          r->result = Internal(std::string("exception in a write transaction: ") + e.what());
        } catch (...) {
        }
      }
      // done must not write: a Write from it would wait for the leader that is running it. It
      // gets kInternal instead, as a Write inside a Write does.
      in_write_batch_ = true;
      try {
        r->on_done(std::move(r->result));
      } catch (...) {
        // done must not throw; the write itself has already committed or failed.
      }
      in_write_batch_ = false;
    }
    requests.clear();
  }

  // Leads batches whenever a WriteAsync request finds nobody to run it (async_lead_), until the
  // queue is empty; the queued blocking callers in those batches are woken as their leader
  // would wake them.
  void AsyncLeaderLoop() {
    std::unique_lock lock(queue_mu_);
    for (;;) {
      async_cv_.wait(lock, [&] { return async_lead_ || async_stop_; });
      if (!async_lead_) return;
      async_lead_ = false;
      while (!queue_.empty()) {
        std::vector<WriteRequest*> batch = TakeBatch();
        lock.unlock();
        RunBatch(batch);
        lock.lock();
        std::vector<WriteRequest*> async_done = CompleteBatch(batch, nullptr);
        lock.unlock();
        FinishAsync(async_done);
        lock.lock();
      }
      leader_active_ = false;
    }
  }

  void StopAsyncLeader() {
    if (!async_leader_.joinable()) return;
    {
      std::lock_guard lock(queue_mu_);
      async_stop_ = true;
    }
    async_cv_.notify_one();
    async_leader_.join();
  }

  // Runs one caller's work; with `savepoint`, inside its own savepoint of the open transaction.
  void RunOne(WriteRequest& r, bool savepoint) {
    if (savepoint) {
      if (Status st = writer_->Simple("SAVEPOINT kehu_w"); !st.ok()) {
        r.result = st;
        return;
      }
    }
    const size_t mark = writer_->deferred_mark();
    try {
      r.result = (*r.fn)(*writer_);
    } catch (...) {
      r.exception = std::current_exception();
      r.result = Internal("exception in a write transaction");
    }
    if (!savepoint) return;
    if (!r.result.ok()) {
      writer_->DropDeferredFrom(mark);
      if (writer_->InTransaction()) (void)writer_->Simple("ROLLBACK TO kehu_w");
    }
    if (writer_->InTransaction()) (void)writer_->Simple("RELEASE kehu_w");
  }

  void RunBatch(std::vector<WriteRequest*>& batch) {
    in_write_batch_ = true;
    const bool bulk = batch.size() == 1 && batch[0]->bulk_rows >= 0;
    // A one-shot load's bulk beyond what it may hold in memory (or of unknown size) goes
    // through the WAL after all.
    if (rollback_mode_ && bulk && !(batch[0]->bulk_rows > 0 && batch[0]->bulk_rows <= kRollbackLoadMaxRows))
      LeaveRollbackMode();
    // A bulk through the rollback journal keeps its pages in memory until the COMMIT: a spill
    // into the file would take its exclusive lock, and the readers checking the load's next rows
    // would wait for it. (Set outside the transaction: SQLite applies it at the next one.)
    const bool no_spill = rollback_mode_ && bulk;
    if (no_spill) (void)writer_->ExecScript("PRAGMA cache_spill=OFF;");
    struct Reset {
      SqliteDatabase* db;
      bool bulk, no_spill;
      ~Reset() {
        db->EndSideBuild();
        if (no_spill) (void)db->writer_->ExecScript("PRAGMA cache_spill=ON;");
        // The file goes back to WAL once its one bulk through the rollback journal has ended
        // (and, should the switch have failed, after each later batch until it succeeds).
        if (bulk) db->leave_rollback_ = true;
        if (db->rollback_mode_ && db->leave_rollback_) db->LeaveRollbackMode();
        in_write_batch_ = false;
      }
    } reset{this, bulk, no_spill};
    if (Status st = writer_->Simple("BEGIN IMMEDIATE"); !st.ok()) {
      for (WriteRequest* r : batch) r->result = st;
      return;
    }
    const bool alone = batch.size() == 1;
    // Callers in savepoints hand their full-text index writes to the end of the batch, where no
    // savepoint is open (FTS5 flushes its pending terms at every SAVEPOINT and RELEASE).
    writer_->set_defer_index_writes(!alone);
    struct StopDeferring {
      SqliteConnection* c;
      ~StopDeferring() {
        c->set_defer_index_writes(false);
        c->DropDeferredFrom(0);
      }
    } stop_deferring{writer_.get()};
    auto fail_all = [&](const Status& why) {
      for (WriteRequest* other : batch)
        if (other->result.ok()) other->result = why;
    };
    for (WriteRequest* r : batch) {
      RunOne(*r, !alone);
      if (!writer_->InTransaction()) {
        // SQLite ended the whole transaction on its own (e.g. SQLITE_FULL): every change in the
        // batch is gone, so every caller fails.
        fail_all(Internal("sqlite: the transaction was rolled back"));
        rollbacks_.fetch_add(1);
        return;
      }
    }
    if (alone && !batch[0]->result.ok()) {
      Rollback();
      return;
    }
    if (Status d = writer_->RunDeferred(); !d.ok()) {
      // An index write that failed spoils the batch's index as a whole: nobody's change lands.
      Rollback();
      fail_all(d);
      return;
    }
    if (Status c = writer_->Simple("COMMIT"); !c.ok()) {
      Rollback();
      for (WriteRequest* r : batch) r->result = c;
      return;
    }
    for (WriteRequest* r : batch) (r->result.ok() ? transactions_ : rollbacks_).fetch_add(1);
    if (tail_wanted_.load(std::memory_order_relaxed)) CopyTail(/*by_writer=*/true);
  }

  // From a one-shot load's rollback-journal mode back to WAL, on the writer outside any
  // transaction (the readers follow on their next read); checkpoints start. The switch needs
  // the file to itself for a moment: a read still open makes it wait (busy_timeout), and should
  // that fail, the writes go on in rollback-journal mode and the next batch tries again.
  void LeaveRollbackMode() {
    auto mode = writer_->Query("PRAGMA journal_mode=WAL", {});
    if (!mode.ok() || mode->empty() || (*mode)[0].Text(0) != "wal") return;
    rollback_mode_ = false;
    (void)writer_->ExecScript("PRAGMA synchronous=NORMAL;");
    // Should the thread's connection not open, SQLite's own checkpoints (in the writer's
    // COMMIT, every 1,000 pages) stay in place.
    (void)StartCheckpoints(checkpoint_frames_wanted_);
  }

 public:
  // Opens the checkpoint thread's connection and starts it; checkpoint_frames 0: ~200 MB of WAL
  // whatever the page size (a database made before 8 KiB pages keeps 4 KiB).
  Status StartCheckpoints(int checkpoint_frames) {
    KEHU_ASSIGN_OR_RETURN(auto conn, Connect(path_, /*memory=*/false, /*reader=*/false));
    if (checkpoint_frames == 0) {
      KEHU_ASSIGN_OR_RETURN(auto rows, conn->Query("PRAGMA page_size", {}));
      const int64_t page = rows.empty() ? 4096 : std::max<int64_t>(512, rows[0].Int(0));
      checkpoint_frames = static_cast<int>(kDefaultCheckpointBytes / page);
    }
    StartCheckpointer(std::move(conn), checkpoint_frames);
    return Status::Ok();
  }
  void set_rollback_mode(bool on, int checkpoint_frames) {
    rollback_mode_ = on;
    checkpoint_frames_wanted_ = checkpoint_frames;
  }

 private:
  // After a bulk write's transaction, committed or not: its side build's file goes, and the
  // writer's FTS5 tables are reconnected (see SideIndexBuild).
  void EndSideBuild() {
    if (!side_build_) return;
    writer_->set_index_sink(nullptr);
    side_build_->End(*writer_);
    side_build_.reset();
  }

  // Copies what the checkpoint thread's last checkpoint left (the frames appended while it ran),
  // so that the next write starts the WAL again from its beginning. SQLITE_BUSY means the other
  // side is copying right now: the tail stays wanted and the next commit tries again. (It used
  // to be given up: under slow fsyncs the thread was always busy again by then, and the WAL grew
  // for good.)
  // On the checkpoint thread (the writer had gone quiet), a commit that came while it copied
  // left frames behind it: the tail stays wanted, and the writer copies those after its next one.
  void CopyTail(bool by_writer) {
    const uint64_t commits = wal_commits_.load(std::memory_order_relaxed);
    sqlite3* handle = by_writer ? writer_->handle() : checkpointer_->handle();
    int log = 0, copied = 0;
    if (sqlite3_wal_checkpoint_v2(handle, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_BUSY) return;
    if (by_writer || wal_commits_.load(std::memory_order_relaxed) == commits)
      tail_wanted_.store(false, std::memory_order_relaxed);
  }

  // Called by SQLite on the writer's thread after each commit, with the WAL's size in frames.
  static int OnWalCommit(void* self, sqlite3*, const char*, int frames) {
    auto* db = static_cast<SqliteDatabase*>(self);
    std::lock_guard lock(db->checkpoint_mu_);
    // Once more frames than the threshold came since the last checkpoint (or the WAL restarted
    // and grew past it again). Frames a checkpoint could not copy yet (a reader still needs
    // them) do not ask again until the WAL has grown by another threshold.
    db->wal_commits_.fetch_add(1, std::memory_order_relaxed);
    // A WAL that started again counts from zero: so does the distance to the next checkpoint.
    if (frames < db->frames_last_) db->frames_at_checkpoint_ = 0;
    db->frames_last_ = frames;
    // While the tail of the last checkpoint is wanted, the writer copies it after this commit:
    // a new checkpoint now would only hold the checkpoint lock against it.
    if (db->tail_wanted_.load(std::memory_order_relaxed)) return SQLITE_OK;
    const int since = frames >= db->frames_at_checkpoint_ ? frames - db->frames_at_checkpoint_ : frames;
    if (since >= db->checkpoint_frames_ && !db->checkpoint_wanted_) {
      db->checkpoint_wanted_ = true;
      db->frames_at_checkpoint_ = frames;
      db->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void CheckpointLoop() {
    std::unique_lock lock(checkpoint_mu_);
    for (;;) {
      if (tail_wanted_.load(std::memory_order_relaxed) && !checkpoint_wanted_) {
        // No write came to copy the tail (a burst ended): copy it here, so the file holds every
        // page and the next write, whenever it comes, starts the WAL again. A new checkpoint
        // asked for meanwhile (the writer copied the tail, and the WAL grew again) ends the wait.
        checkpoint_cv_.wait_for(lock, kTailWait, [&] { return checkpoint_stop_ || checkpoint_wanted_; });
        if (checkpoint_stop_) return;
        if (!checkpoint_wanted_ && tail_wanted_.load(std::memory_order_relaxed)) {
          lock.unlock();
          CopyTail(/*by_writer=*/false);
          lock.lock();
          continue;
        }
      }
      checkpoint_cv_.wait(lock, [&] { return checkpoint_wanted_ || checkpoint_stop_; });
      if (checkpoint_stop_) return;
      // PASSIVE copies what no reader still needs and never waits; SQLITE_BUSY (another
      // process checkpointing) just means next time. The writer goes on appending meanwhile, and
      // the WAL starts again from its beginning only when every frame is in the database. So
      // while many frames came during a pass, another pass copies them (each shorter than the one
      // before); the writer copies the last few after its next commit (RunBatch), and the next
      // write restarts the WAL. The writer used to copy a whole pass's arrivals itself: under a
      // steady load of creates every write waited 150-250 ms for it every 3-5 s (docs/
      // benchmarks.md, 2026-12-06).
      // A pass during which more than half as many frames came as it copied is not catching up
      // (the WAL would only grow further): the writer copies the rest, as it did before.
      int rc = SQLITE_OK;
      int done = 0;  // the WAL's frames already in the database before this pass
      for (int pass = 0; pass < kMaxPasses && !checkpoint_stop_; ++pass) {
        lock.unlock();
        int log = 0, copied = 0;
        rc = sqlite3_wal_checkpoint_v2(checkpointer_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
        lock.lock();
        // Busy, or a reader still needs older frames (another pass would copy nothing more).
        if (rc != SQLITE_OK || copied < log) break;
        const int came = frames_last_ - log;
        if (came <= kSmallTailFrames || 2 * came > log - done) break;
        done = log;
      }
      if (rc == SQLITE_OK) tail_wanted_.store(true, std::memory_order_relaxed);
      checkpoint_wanted_ = false;
    }
  }

  void StopCheckpointer() {
    if (!checkpoint_thread_.joinable()) return;
    {
      std::lock_guard lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_one();
    checkpoint_thread_.join();
    sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);
    checkpointer_.reset();
  }

  // ~200 MB of frames (kDefaultCheckpointBytes) rather than SQLite's 1,000 pages: a page written
  // by many commits in a row is copied into the database once per checkpoint, not once per commit
  // (1,000,000 demo customers: 154 s -> 128 s together with 10,000-row demo batches).
  int checkpoint_frames_{static_cast<int>(kDefaultCheckpointBytes / 4096)};
  static constexpr std::chrono::milliseconds kTailWait{200};
  // A checkpoint's passes: until fewer frames than this (8 MB of 8 KiB pages, 4 MB of 4 KiB ones)
  // came during the last one.
  static constexpr int kSmallTailFrames = 1024;
  static constexpr int kMaxPasses = 6;

  std::unique_ptr<SqliteConnection> writer_;
  std::unique_ptr<SqliteConnection> checkpointer_;
  std::thread checkpoint_thread_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  std::atomic<bool> tail_wanted_{false};  // a checkpoint ended: the writer copies the rest
  std::atomic<uint64_t> wal_commits_{0};
  bool checkpoint_wanted_{false};  // guarded by checkpoint_mu_
  bool checkpoint_stop_{false};    // guarded by checkpoint_mu_
  int frames_at_checkpoint_{0};    // guarded by checkpoint_mu_
  int frames_last_{0};             // guarded by checkpoint_mu_: the WAL's size at the last commit
  bool memory_{false};
  static inline thread_local bool in_write_batch_ = false;
  std::mutex queue_mu_;
  std::deque<WriteRequest*> queue_;
  bool leader_active_{false};
  bool async_lead_{false};  // guarded by queue_mu_: the async leader runs the next batch
  bool async_stop_{false};  // guarded by queue_mu_
  std::condition_variable async_cv_;
  std::once_flag async_leader_once_;
  std::thread async_leader_;

  std::vector<std::unique_ptr<SqliteConnection>> readers_;
  mutable std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<SqliteConnection*> free_;
  int64_t waits_{0};  // guarded by pool_mu_

  std::atomic<int64_t> transactions_{0};
  std::atomic<int64_t> rollbacks_{0};
  std::string path_;
  std::unique_ptr<SideIndexBuild> side_build_;  // the leader's thread only, inside RunBatch
  // A one-shot load (OpenSqlite): the file is in rollback-journal mode; the first bulk ended.
  // The leader's thread only (and the constructor's and destructor's).
  bool rollback_mode_{false};
  bool leave_rollback_{false};
  int checkpoint_frames_wanted_{0};
};

std::atomic<int64_t> memory_db_counter{0};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, int reader_pool_size,
                                             int checkpoint_frames, bool one_shot_load) {
  if (path.empty()) return InvalidArgument("sqlite: empty database path");
  if (reader_pool_size < 1) return InvalidArgument("sqlite: reader_pool_size must be >= 1");
  if (checkpoint_frames < 0) return InvalidArgument("sqlite: checkpoint_frames must be >= 0");
  const bool memory = path == ":memory:";
  // The memdb VFS with a name starting with '/' is one database shared by every connection of
  // this process that opens the same name, with ordinary file locking (so busy_timeout works,
  // unlike shared-cache mode whose table locks fail at once with SQLITE_LOCKED).
  const std::string name =
      memory ? "file:/kehu_mem_" + std::to_string(memory_db_counter.fetch_add(1)) + "?vfs=memdb"
             : path;

  KEHU_ASSIGN_OR_RETURN(auto writer, Connect(name, memory, /*reader=*/false));
  // A new database gets 8 KiB pages (SQLite's default is 4 KiB); on one that has tables the pragma
  // does nothing. A million-row import into a fresh file: 4 KiB 104.3 · 97.6 s, 8 KiB 94.5 · 76.7 ·
  // 85.0 · 82.1 s, 16 KiB 84.7 · 69.6 s (alternating): half the pages to split, to write to the
  // WAL (two writes a frame) and to copy back at the checkpoint (docs/benchmarks.md).
  KEHU_RETURN_IF_ERROR(writer->ExecScript(kPageSizePragma));
  bool rollback = false;
  if (!memory && one_shot_load) {
    // Leaving WAL needs the file to itself: while another process has it open the answer is
    // still "wal" (or SQLITE_BUSY), and the load runs in WAL mode as any other writer would.
    // A committed transaction is synced at its COMMIT (FULL): in this mode NORMAL could lose it
    // to a power cut in the middle of the file's writes.
    auto mode = writer->Query("PRAGMA journal_mode=DELETE", {});
    rollback = mode.ok() && !mode->empty() && (*mode)[0].Text(0) == "delete";
    if (rollback) KEHU_RETURN_IF_ERROR(writer->ExecScript("PRAGMA synchronous=FULL;"));
  }
  if (!memory && !rollback) {
    // WAL is a property of the file; set it once, on the writer, before any reader opens. A
    // one-shot load in another process may have the file in rollback-journal mode with its
    // bulk under way: the switch waits for it to end (each try waits busy_timeout, 5 s), up to
    // kWalSwitchWait, instead of failing after the first try.
    auto rows = writer->Query("PRAGMA journal_mode=WAL", {});
    const auto give_up = std::chrono::steady_clock::now() + kWalSwitchWait;
    while (!rows.ok() && rows.error().code == ErrorCode::kUnavailable &&
           rows.error().message.starts_with(kBusyMessage) && std::chrono::steady_clock::now() < give_up)
      rows = writer->Query("PRAGMA journal_mode=WAL", {});
    if (!rows.ok()) return rows.error();
    if (rows->empty() || (*rows)[0].Text(0) != "wal") {
      return MakeError(ErrorCode::kUnavailable,
                       "cannot switch sqlite database '" + path + "' to WAL mode");
    }
  }
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  for (int i = 0; i < reader_pool_size; ++i) {
    KEHU_ASSIGN_OR_RETURN(auto reader, Connect(name, memory, /*reader=*/true));
    readers.push_back(std::move(reader));
  }
  auto db = std::make_unique<SqliteDatabase>(std::move(writer), std::move(readers));
  db->set_memory(memory);
  db->set_path(path);
  db->set_rollback_mode(rollback, checkpoint_frames);
  // Checkpoints after ~200 MB of WAL instead of SQLite's 4 MB, on a thread of their own (see
  // SqliteDatabase::StartCheckpointer); the writer's own automatic checkpoint is replaced. In
  // rollback-journal mode they start with WAL mode (LeaveRollbackMode).
  if (!memory && !rollback) KEHU_RETURN_IF_ERROR(db->StartCheckpoints(checkpoint_frames));
  return std::unique_ptr<Database>(std::move(db));
}

Status BackupTo(Database& db, const std::string& path) {
  auto* sdb = dynamic_cast<SqliteDatabase*>(&db);
  if (sdb == nullptr) return InvalidArgument("BackupTo needs a SQLite database");
  if (path.empty()) return InvalidArgument("BackupTo needs a destination path");

  SqliteDatabase::Lease lease(sdb);
  sqlite3* dest = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &dest,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXRESCODE, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = dest != nullptr ? sqlite3_errmsg(dest) : sqlite3_errstr(rc);
    sqlite3_close_v2(dest);
    return MakeError(ErrorCode::kUnavailable, "cannot open backup file '" + path + "': " + msg);
  }
  sqlite3_busy_timeout(dest, 5000);
  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", lease.conn->handle(), "main");
  if (backup == nullptr) {
    Error e = SqliteError(sqlite3_extended_errcode(dest), dest, "backup to " + path);
    sqlite3_close_v2(dest);
    return e;
  }
  // -1 copies every page in one step under one read lock: a consistent snapshot that never
  // restarts because the writer committed meanwhile (WAL lets the writer go on).
  rc = sqlite3_backup_step(backup, -1);
  // finish stores the step's error on dest, so errmsg(dest) describes it.
  const int finish_rc = sqlite3_backup_finish(backup);
  Status result = Status::Ok();
  if (rc != SQLITE_DONE) {
    result = SqliteError(finish_rc != SQLITE_OK ? finish_rc : rc, dest, "backup to " + path);
  }
  sqlite3_close_v2(dest);
  return result;
}

}  // namespace kehu::store::sqlite
