#include "store/postgres/pg_db.h"

#include <libpq-fe.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kehu::store::postgres {
namespace {

// Type OIDs from pg_type.h (server headers are not installed with libpq-dev; these are fixed).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

std::string SqlHead(std::string_view sql) {
  constexpr size_t kMax = 80;
  return std::string(sql.substr(0, kMax)) + (sql.size() > kMax ? "..." : "");
}

std::string TrimmedMessage(const char* msg) {
  std::string s = msg != nullptr ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

// Owns a PGresult.
struct ResultPtr {
  PGresult* r{nullptr};
  explicit ResultPtr(PGresult* res) : r(res) {}
  ~ResultPtr() { PQclear(r); }
  ResultPtr(const ResultPtr&) = delete;
  ResultPtr& operator=(const ResultPtr&) = delete;
};

// Maps a failed result (or a failed send, when res is null) to our error codes; see db.h.
Error PgError(PGconn* conn, const PGresult* res, std::string_view sql) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  const std::string msg = TrimmedMessage(res != nullptr && PQresultErrorMessage(res)[0] != '\0'
                                             ? PQresultErrorMessage(res)
                                             : PQerrorMessage(conn));
  if (sqlstate == "23505") {
    const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    return MakeError(
        ErrorCode::kAlreadyExists,
        "postgres: " + msg + " (constraint " + (constraint != nullptr ? constraint : "?") + ")");
  }
  // 40001 serialization failure, 40P01 deadlock, class 08 connection exceptions, 57P0x
  // server shutting down: all worth a retry.
  if (PQstatus(conn) != CONNECTION_OK || sqlstate == "40001" || sqlstate == "40P01" ||
      sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P0", 0) == 0) {
    return MakeError(ErrorCode::kUnavailable, "postgres: " + msg);
  }
  return Internal("postgres: " + msg + " (in: " + SqlHead(sql) + ")");
}

Value ToValue(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return Null{};
  const char* text = PQgetvalue(res, row, col);
  const auto len = static_cast<size_t>(PQgetlength(res, row, col));
  switch (PQftype(res, col)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t v = 0;
      std::from_chars(text, text + len, v);
      return v;
    }
    case kBoolOid:
      return static_cast<int64_t>(text[0] == 't' ? 1 : 0);
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      // strtod also reads "NaN", "Infinity" and "-Infinity" as PostgreSQL prints them.
      return std::strtod(text, nullptr);
    case kByteaOid: {
      size_t n = 0;
      unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &n);
      if (bytes == nullptr) return std::string(text, len);
      std::string out(reinterpret_cast<const char*>(bytes), n);
      PQfreemem(bytes);
      return out;
    }
    default:
      return std::string(text, len);
  }
}

std::string FormatDouble(double d) {
  char buf[64];
  // Shortest text that reads back to the same double.
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  if (ec != std::errc()) return "NaN";
  std::string s(buf, end);
  if (s == "inf") return "Infinity";
  if (s == "-inf") return "-Infinity";
  if (s == "nan" || s == "-nan") return "NaN";
  return s;
}

class PgConnection final : public Connection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }
  bool Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  bool Idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    KEHU_ASSIGN_OR_RETURN(auto res, Run(sql, params));
    std::vector<Row> rows;
    const int n = PQntuples(res->r);
    const int cols = PQnfields(res->r);
    rows.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      std::vector<Value> values;
      values.reserve(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) values.push_back(ToValue(res->r, i, c));
      rows.emplace_back(std::move(values));
    }
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    KEHU_ASSIGN_OR_RETURN(auto res, Run(sql, params));
    const char* tuples = PQcmdTuples(res->r);
    return static_cast<int64_t>(tuples[0] == '\0' ? 0 : std::atoll(tuples));
  }

  Status ExecScript(std::string_view sql) override { return Simple(std::string(sql)); }

  // Runs SQL through the simple query protocol (several statements allowed, no parameters).
  Status Simple(const std::string& sql) {
    ResultPtr res(PQexec(conn_, sql.c_str()));
    const ExecStatusType st = res.r != nullptr ? PQresultStatus(res.r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
      return PgError(conn_, res.r, sql);
    }
    return Status::Ok();
  }

 private:
  struct Prepared {
    std::string name;
    int params{0};
  };

  Result<const Prepared*> Prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = prepared_.find(key); it != prepared_.end()) return &it->second;
    // Bound the cache (variable IN lists and filter combinations make many texts).
    if (prepared_.size() >= kMaxPrepared) {
      ResultPtr dealloc(PQexec(conn_, "DEALLOCATE ALL"));
      prepared_.clear();
    }
    Prepared p;
    const std::string rewritten = RewritePlaceholders(sql, &p.params);
    p.name = "kehu_" + std::to_string(++prepared_serial_);
    ResultPtr res(PQprepare(conn_, p.name.c_str(), rewritten.c_str(), 0, nullptr));
    if (res.r == nullptr || PQresultStatus(res.r) != PGRES_COMMAND_OK) {
      return PgError(conn_, res.r, sql);
    }
    auto [it, inserted] = prepared_.emplace(std::move(key), std::move(p));
    return &it->second;
  }

  Result<std::unique_ptr<ResultPtr>> Run(std::string_view sql, const std::vector<Value>& params) {
    KEHU_ASSIGN_OR_RETURN(const Prepared* p, Prepare(sql));
    if (p->params != static_cast<int>(params.size())) {
      return InvalidArgument("postgres: statement has " + std::to_string(p->params) +
                             " parameters, " + std::to_string(params.size()) +
                             " given (in: " + SqlHead(sql) + ")");
    }
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* v = std::get_if<int64_t>(&params[i])) {
        texts[i] = std::to_string(*v);
        values[i] = texts[i].c_str();
      } else if (const auto* d = std::get_if<double>(&params[i])) {
        texts[i] = FormatDouble(*d);
        values[i] = texts[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
      }  // Null stays nullptr
    }
    auto res = std::make_unique<ResultPtr>(PQexecPrepared(
        conn_, p->name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr,
        /*resultFormat=*/0));
    const ExecStatusType st = res->r != nullptr ? PQresultStatus(res->r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return PgError(conn_, res->r, sql);
    return res;
  }

  PGconn* conn_;
  static constexpr size_t kMaxPrepared = 256;
  std::unordered_map<std::string, Prepared> prepared_;
  uint64_t prepared_serial_{0};
};

Result<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo) {
  // connect_timeout comes before dbname: values expanded from the caller's string override it.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"10", "kehu", conninfo.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (raw == nullptr) return MakeError(ErrorCode::kUnavailable, "postgres: out of memory");
  auto conn = std::make_unique<PgConnection>(raw);
  if (PQstatus(raw) != CONNECTION_OK) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot connect to postgres: " + TrimmedMessage(PQerrorMessage(raw)));
  }
  if (Status st = conn->Simple("SET client_min_messages = warning; SET TimeZone = 'UTC'");
      !st.ok()) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot configure postgres connection: " + st.error().message);
  }
  return conn;
}

class PgDatabase final : public Database {
 public:
  PgDatabase(std::string conninfo, int pool_size, std::unique_ptr<PgConnection> first)
      : conninfo_(std::move(conninfo)), slots_(static_cast<size_t>(pool_size)) {
    slots_[0] = std::move(first);
    for (size_t i = 0; i < slots_.size(); ++i) free_.push_back(i);
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status Write(const std::function<Status(Connection&)>& fn) override {
    return Transaction("BEGIN", fn, /*count=*/true);
  }

  Status Read(const std::function<Status(Connection&)>& fn) override {
    return Transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", fn, /*count=*/false);
  }

  bool Ping() override {
    return Read([](Connection& c) -> Status {
             KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT 1", {}));
             return rows.size() == 1 ? Status::Ok() : Internal("unexpected answer to SELECT 1");
           })
        .ok();
  }

  PoolStats Stats() const override {
    std::lock_guard lock(mu_);
    return PoolStats{.readers_total = static_cast<int>(slots_.size()),
                     .readers_in_use = static_cast<int>(slots_.size() - free_.size()),
                     .waits = waits_,
                     .transactions = transactions_.load(),
                     .rollbacks = rollbacks_.load()};
  }

 private:
  // Borrows a pool slot; on return, a connection left broken or inside a transaction is dropped
  // so the slot reconnects on its next use.
  class Lease {
   public:
    explicit Lease(PgDatabase* db) : db_(db) {
      std::unique_lock lock(db_->mu_);
      if (db_->free_.empty()) {
        ++db_->waits_;
        db_->cv_.wait(lock, [&] { return !db_->free_.empty(); });
      }
      slot_ = db_->free_.back();
      db_->free_.pop_back();
    }
    ~Lease() {
      auto& conn = db_->slots_[slot_];
      if (conn != nullptr && (!conn->Healthy() || !conn->Idle())) conn.reset();
      {
        std::lock_guard lock(db_->mu_);
        db_->free_.push_back(slot_);
      }
      db_->cv_.notify_one();
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    // The slot's connection, (re)connecting when there is none or it is broken.
    Result<PgConnection*> Get() {
      auto& conn = db_->slots_[slot_];
      if (conn == nullptr || !conn->Healthy()) {
        conn.reset();
        KEHU_ASSIGN_OR_RETURN(conn, Connect(db_->conninfo_));
      }
      return conn.get();
    }
    void Drop() { db_->slots_[slot_].reset(); }

   private:
    PgDatabase* db_;
    size_t slot_{0};
  };

  Status Transaction(const std::string& begin, const std::function<Status(Connection&)>& fn,
                     bool count) {
    Lease lease(this);
    KEHU_ASSIGN_OR_RETURN(PgConnection * conn, lease.Get());
    if (Status st = conn->Simple(begin); !st.ok()) {
      // libpq only notices a dead server (restart, idle timeout) when it next talks to it.
      // Nothing has run yet, so reconnecting and beginning again is safe.
      if (conn->Healthy()) return st;
      lease.Drop();
      KEHU_ASSIGN_OR_RETURN(conn, lease.Get());
      KEHU_RETURN_IF_ERROR(conn->Simple(begin));
    }
    Status st;
    try {
      st = fn(*conn);
    } catch (...) {
      Rollback(*conn, count);
      throw;
    }
    if (!st.ok()) {
      Rollback(*conn, count);
      return st;
    }
    if (Status c = conn->Simple("COMMIT"); !c.ok()) {
      Rollback(*conn, count);
      return c;
    }
    if (count) transactions_.fetch_add(1);
    return Status::Ok();
  }

  void Rollback(PgConnection& conn, bool count) {
    if (count) rollbacks_.fetch_add(1);
    if (conn.Healthy() && !conn.Idle()) (void)conn.Simple("ROLLBACK");
  }

  const std::string conninfo_;
  std::vector<std::unique_ptr<PgConnection>> slots_;  // a slot is touched only by its lessee
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<size_t> free_;
  int64_t waits_{0};  // guarded by mu_
  std::atomic<int64_t> transactions_{0};
  std::atomic<int64_t> rollbacks_{0};
};

}  // namespace

std::string RewritePlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  const size_t len = sql.size();
  size_t i = 0;
  // Copies sql[i, end) verbatim and moves i to end.
  auto copy_to = [&](size_t end) {
    out.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < len) {
    const char c = sql[i];
    const bool after_ident = i > 0 && IsIdentChar(sql[i - 1]);
    if (c == '?') {
      out += '$' + std::to_string(++n);
      ++i;
    } else if (c == '\'') {
      // E'...' strings honour backslash escapes; '' inside any string is a quote.
      const bool escapes =
          i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && !(i > 1 && IsIdentChar(sql[i - 2]));
      size_t j = i + 1;
      while (j < len && sql[j] != '\'') j += (escapes && sql[j] == '\\') ? 2 : 1;
      copy_to(std::min(j + 1, len));
    } else if (c == '"') {
      const size_t j = sql.find('"', i + 1);
      copy_to(j == std::string_view::npos ? len : j + 1);
    } else if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
      const size_t j = sql.find('\n', i);
      copy_to(j == std::string_view::npos ? len : j + 1);
    } else if (c == '/' && i + 1 < len && sql[i + 1] == '*') {
      const size_t j = sql.find("*/", i + 2);
      copy_to(j == std::string_view::npos ? len : j + 2);
    } else if (c == '$' && !after_ident) {
      // $tag$ ... $tag$ (the tag may be empty); $1 is a positional parameter, not a quote.
      size_t j = i + 1;
      while (j < len && IsIdentChar(sql[j]) && sql[j] != '$') ++j;
      const bool tag_ok =
          j < len && sql[j] == '$' && (j == i + 1 || !(sql[i + 1] >= '0' && sql[i + 1] <= '9'));
      if (!tag_ok) {
        copy_to(i + 1);
        continue;
      }
      const std::string_view tag = sql.substr(i, j - i + 1);
      const size_t close = sql.find(tag, j + 1);
      copy_to(close == std::string_view::npos ? len : close + tag.size());
    } else {
      out += c;
      ++i;
    }
  }
  if (count != nullptr) *count = n;
  return out;
}

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& conninfo, int pool_size) {
  if (pool_size < 1) return InvalidArgument("postgres: pool_size must be >= 1");
  KEHU_ASSIGN_OR_RETURN(auto first, Connect(conninfo));
  return std::unique_ptr<Database>(
      std::make_unique<PgDatabase>(conninfo, pool_size, std::move(first)));
}

}  // namespace kehu::store::postgres
