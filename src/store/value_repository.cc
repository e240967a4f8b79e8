// The customer-value repository over the driver seam (SQLite and PostgreSQL share the SQL).

#include "domain/value/value_repository.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "core/strings.h"
#include "store/repositories.h"
#include "store/sql_fragments.h"

namespace kehu::store {

namespace {

using value::CustomerValue;
using value::Run;
using value::RunStatus;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kShanghaiOffsetMs = 8 * 3'600'000;

// Read in chunks by id inside the snapshot's one transaction, so memory holds one chunk of rows
// at a time besides the columns.
constexpr const char* kOrdersSql =
    "SELECT o.id, o.customer_id, o.ordered_at, o.amount_minor, o.cost_minor, o.channel FROM orders "
    "o "
    "JOIN customers c ON c.id = o.customer_id AND c.org_id = o.org_id "
    "WHERE o.org_id = ? AND o.id > ? AND o.status IN ('placed', 'paid') AND o.ordered_at <= ? "
    "AND c.deleted_at IS NULL AND c.merged_into IS NULL ORDER BY o.id LIMIT ?";
constexpr int64_t kOrdersChunk = 100000;
constexpr const char* kCustomersSql =
    "SELECT id, category, relationship_level, created_at FROM customers "
    "WHERE org_id = ? AND deleted_at IS NULL AND merged_into IS NULL ORDER BY id";
constexpr const char* kChurnSql =
    "SELECT DISTINCT r.customer_id FROM churn_records r WHERE r.org_id = ? AND r.churned_on <= ? "
    "AND r.won_back_at IS NULL";
constexpr const char* kRunCols =
    "id, org_id, run_trigger, status, stage, progress, started_at, finished_at, computed_at, "
    "as_of, "
    "model_version, customers, orders, diagnostics, error";
constexpr const char* kValueCols =
    "run_id, customer_id, category, relationship_level, first_day, last_day, recency_days, "
    "frequency, monetary_minor, margin_minor, r_score, f_score, m_score, segment, x, t_x, t_cal, "
    "m_x, p_alive, expected_purchases, expected_value_minor, clv_minor, cycle_days, "
    "next_expected_day, at_risk, at_risk_reason, churn_risk, risk_reasons, abc_class, online_share, "
    "value_percentile";
constexpr int kValueColCount = 31;
// Other capabilities' data used as churn features when their tables exist: a feature name, the
// table that must exist, and a per-customer count (org id is the one parameter).
struct OptionalFeature {
  const char* name;
  const char* table;
  const char* sql;
};
constexpr OptionalFeature kOptionalTables[] = {
    {"complaints", "complaints", "SELECT customer_id, COUNT(*) FROM complaints WHERE org_id = ? GROUP BY customer_id"},
    {"sla_breaches", "complaints",
     "SELECT customer_id, COUNT(*) FROM complaints WHERE org_id = ? AND ((response_target_ms > 0 AND "
     "response_elapsed_ms > response_target_ms) OR (resolution_target_ms > 0 AND "
     "COALESCE(resolution_elapsed_ms, sla_elapsed_ms) > resolution_target_ms)) GROUP BY customer_id"},
    {"dissatisfied", "complaints",
     "SELECT customer_id, COUNT(*) FROM complaints WHERE org_id = ? AND (csat <= 2 OR nps <= 6) GROUP BY customer_id"},
    {"interactions", "interaction_customers",
     "SELECT customer_id, COUNT(*) FROM interaction_customers WHERE org_id = ? GROUP BY customer_id"},
};
constexpr const char* kChannels[] = {"online", "store", "group_purchase", "distributor",
                                     "consignment"};

RunStatus ParseStatus(const std::string& s) {
  if (s == "running") return RunStatus::kRunning;
  if (s == "succeeded") return RunStatus::kSucceeded;
  return RunStatus::kFailed;
}

Run RunFromRow(const Row& r) {
  Run run{.id = r.Int(0),
          .org_id = r.Int(1),
          .trigger = r.Text(2),
          .status = ParseStatus(r.Text(3)),
          .stage = r.Text(4),
          .progress = r.Real(5),
          .started_at = r.Int(6),
          .computed_at = r.Int(8),
          .as_of = ParseDate(r.Text(9)).value_or(CivilDate{1970, 1, 1}),
          .model_version = r.Text(10),
          .customers = r.Int(11),
          .orders = r.Int(12),
          .diagnostics_json = r.Text(13),
          .error = r.Text(14)};
  if (!r.IsNull(7)) run.finished_at = r.Int(7);
  return run;
}

Value Opt(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return Null{};
  return *v;
}

std::string Num(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, p);
}

// [{"feature":"recency_days","contribution":0.5}, ...] — written here, read back by a tiny
// parser that only needs to understand what it wrote.
std::string ReasonsJson(const std::vector<value::RiskReason>& rs) {
  std::string o = "[";
  for (size_t i = 0; i < rs.size(); ++i) {
    if (i) o += ',';
    o += "{\"feature\":" + JsonQuote(rs[i].feature) +
         ",\"contribution\":" + Num(rs[i].contribution) + "}";
  }
  return o + "]";
}

std::vector<value::RiskReason> ParseReasons(const std::string& s) {
  std::vector<value::RiskReason> out;
  size_t i = 0;
  for (;;) {
    size_t f = s.find("{\"feature\":\"", i);
    if (f == std::string::npos) break;
    f += 12;
    std::string name;
    while (f < s.size() && s[f] != '"') {
      if (s[f] == '\\' && f + 1 < s.size()) ++f;
      name += s[f++];
    }
    size_t c = s.find("\"contribution\":", f);
    if (c == std::string::npos) break;
    c += 15;
    double v = std::strtod(s.c_str() + c, nullptr);
    out.push_back({name, v});
    i = c;
  }
  return out;
}

CustomerValue ValueFromRow(const Row& r) {
  CustomerValue v;
  v.run_id = r.Int(0);
  v.customer_id = r.Int(1);
  v.category = r.Text(2);
  v.relationship_level = r.Text(3);
  v.first_day = static_cast<int32_t>(r.Int(4));
  v.last_day = static_cast<int32_t>(r.Int(5));
  v.recency_days = static_cast<int32_t>(r.Int(6));
  v.frequency = static_cast<int32_t>(r.Int(7));
  v.monetary_minor = r.Int(8);
  v.margin_minor = r.Int(9);
  v.r_score = static_cast<int>(r.Int(10));
  v.f_score = static_cast<int>(r.Int(11));
  v.m_score = static_cast<int>(r.Int(12));
  v.segment = r.Text(13);
  v.x = static_cast<int32_t>(r.Int(14));
  v.t_x = r.Real(15);
  v.t_cal = r.Real(16);
  v.m_x = r.Real(17);
  auto opt = [&](size_t i) -> std::optional<double> {
    if (r.IsNull(i)) return std::nullopt;
    return r.Real(i);
  };
  v.p_alive = opt(18);
  v.expected_purchases = opt(19);
  v.expected_value_minor = opt(20);
  v.clv_minor = opt(21);
  v.cycle_days = opt(22);
  if (!r.IsNull(23)) v.next_expected_day = static_cast<int32_t>(r.Int(23));
  v.at_risk = r.Int(24) != 0;
  v.at_risk_reason = r.Text(25);
  v.churn_risk = opt(26);
  v.risk_reasons = ParseReasons(r.Text(27));
  v.abc_class = r.Text(28);
  v.online_share = r.Real(29);
  v.value_percentile = opt(30);
  return v;
}

class SqlValueRepository final : public value::ValueRepository {
 public:
  explicit SqlValueRepository(Database& db) : db_(db) {}

  Result<value::Snapshot> ReadSnapshot(int64_t org_id, UnixMillis cutoff_ms,
                                       const std::string& as_of_date,
                                       const std::function<void()>& between_reads) override {
    value::Snapshot s;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      int64_t after_id = 0;
      for (;;) {
        KEHU_ASSIGN_OR_RETURN(auto orders,
                              c.Query(kOrdersSql, {org_id, after_id, cutoff_ms, kOrdersChunk}));
        for (const auto& r : orders) {
          const int64_t local = r.Int(2) + kShanghaiOffsetMs;
          s.order_customer.push_back(r.Int(1));
          s.order_day.push_back(
              static_cast<int32_t>(local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs));
          const int64_t amount = std::max<int64_t>(0, r.Int(3));
          s.order_amount.push_back(amount);
          s.order_has_cost.push_back(r.IsNull(4) ? 0 : 1);
          s.order_margin.push_back(r.IsNull(4) ? 0 : amount - r.Int(4));
          const std::string ch = r.Text(5);
          uint8_t idx = 255;
          for (uint8_t k = 0; k < 5; ++k)
            if (ch == kChannels[k]) idx = k;
          s.order_channel.push_back(idx);
        }
        if (orders.empty()) break;
        after_id = orders.back().Int(0);
        if (static_cast<int64_t>(orders.size()) < kOrdersChunk) break;
      }
      if (between_reads) between_reads();
      KEHU_ASSIGN_OR_RETURN(auto customers, c.Query(kCustomersSql, {org_id}));
      for (const auto& r : customers) {
        s.customer_id.push_back(r.Int(0));
        s.customer_category.push_back(r.Text(1));
        s.customer_level.push_back(r.Text(2));
        const int64_t local = r.Int(3) + kShanghaiOffsetMs;
        s.customer_created_day.push_back(static_cast<int32_t>(local / kDayMs));
      }
      KEHU_ASSIGN_OR_RETURN(auto churn, c.Query(kChurnSql, {org_id, as_of_date}));
      for (const auto& r : churn) s.churn_customer.push_back(r.Int(0));
      for (const auto& [feature, table, count_sql] : kOptionalTables) {
        const char* exists_sql =
            c.dialect() == Dialect::kSqlite
                ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
                : "SELECT 1 FROM information_schema.tables WHERE table_name = ? "
                  "AND table_schema = current_schema()";
        KEHU_ASSIGN_OR_RETURN(auto ex, c.Query(exists_sql, {std::string(table)}));
        if (ex.empty()) continue;
        KEHU_ASSIGN_OR_RETURN(auto counts, c.Query(count_sql, {org_id}));
        s.optional_tables.push_back(feature);
        auto& v = s.optional_counts.emplace_back();
        for (const auto& r : counts) v.emplace_back(r.Int(0), r.Int(1));
      }
      return Status::Ok();
    }));
    return s;
  }

  Result<Run> CreateRun(const Run& in) override {
    Run run = in;
    Status st = db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto running, c.Query("SELECT id FROM analytics_runs WHERE org_id = ? "
                                                  "AND status = 'running'",
                                                  {in.org_id}));
      if (!running.empty())
        return Error{.code = ErrorCode::kAlreadyExists,
                     .message = "an analytics run is in progress (run " +
                                std::to_string(running[0].Int(0)) + ")",
                     .conflict_id = running[0].Int(0)};
      KEHU_ASSIGN_OR_RETURN(auto rows,
                            c.Query("INSERT INTO analytics_runs(org_id, run_trigger, status, "
                                    "stage, progress, started_at, "
                                    "computed_at, as_of, model_version) VALUES (?, ?, 'running', "
                                    "?, 0, ?, ?, ?, ?) RETURNING id",
                                    {in.org_id, in.trigger, in.stage, in.started_at, in.computed_at,
                                     FormatDate(in.as_of), in.model_version}));
      run.id = rows.at(0).Int(0);
      return Status::Ok();
    });
    if (!st.ok()) {
      if (st.error().code == ErrorCode::kAlreadyExists &&
          st.error().message.find("progress") == std::string::npos)
        return Error{.code = ErrorCode::kAlreadyExists,
                     .message = "an analytics run is in progress"};
      return st.error();
    }
    return run;
  }

  Status UpdateProgress(int64_t org_id, int64_t run_id, const std::string& stage,
                        double progress) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(
          auto n, c.Exec("UPDATE analytics_runs SET stage = ?, progress = ? WHERE org_id = ? "
                         "AND id = ? AND status = 'running'",
                         {stage, progress, org_id, run_id}));
      (void)n;
      return Status::Ok();
    });
  }

  Status InsertValues(int64_t org_id, int64_t run_id,
                      const std::vector<CustomerValue>& batch) override {
    constexpr size_t kRowsPerStatement = 200;
    return db_.Write([&](Connection& c) -> Status {
      for (size_t i = 0; i < batch.size(); i += kRowsPerStatement) {
        const size_t m = std::min(kRowsPerStatement, batch.size() - i);
        std::string sql =
            std::string("INSERT INTO customer_values(org_id, ") + kValueCols + ") VALUES ";
        std::vector<Value> params;
        params.reserve(m * (kValueColCount + 1));
        for (size_t k = 0; k < m; ++k) {
          if (k) sql += ',';
          sql += "(?";
          for (int j = 0; j < kValueColCount; ++j) sql += ",?";
          sql += ')';
          const CustomerValue& v = batch[i + k];
          params.insert(params.end(),
                        {org_id,
                         run_id,
                         v.customer_id,
                         v.category,
                         v.relationship_level,
                         int64_t{v.first_day},
                         int64_t{v.last_day},
                         int64_t{v.recency_days},
                         int64_t{v.frequency},
                         v.monetary_minor,
                         v.margin_minor,
                         int64_t{v.r_score},
                         int64_t{v.f_score},
                         int64_t{v.m_score},
                         v.segment,
                         int64_t{v.x},
                         v.t_x,
                         v.t_cal,
                         v.m_x,
                         Opt(v.p_alive),
                         Opt(v.expected_purchases),
                         Opt(v.expected_value_minor),
                         Opt(v.clv_minor),
                         Opt(v.cycle_days),
                         v.next_expected_day ? Value(int64_t{*v.next_expected_day}) : Value(Null{}),
                         int64_t{v.at_risk ? 1 : 0},
                         v.at_risk_reason,
                         Opt(v.churn_risk),
                         ReasonsJson(v.risk_reasons),
                         v.abc_class,
                         v.online_share,
                         Opt(v.value_percentile)});
        }
        KEHU_ASSIGN_OR_RETURN(auto n, c.Exec(sql, params));
        (void)n;
      }
      return Status::Ok();
    });
  }

  Status FinishRun(const Run& run) override {
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(
          auto n,
          c.Exec("UPDATE analytics_runs SET status = 'succeeded', stage = 'done', progress = 1, "
                 "finished_at = ?, customers = ?, orders = ?, diagnostics = ? "
                 "WHERE org_id = ? AND id = ? AND status = 'running'",
                 {run.finished_at.value_or(run.started_at), run.customers, run.orders,
                  run.diagnostics_json, run.org_id, run.id}));
      if (n != 1)
        return Error{.code = ErrorCode::kFailedPrecondition,
                     .message = "the run is no longer running"};
      return Status::Ok();
    }));
    // Keep this run's and the previous succeeded run's results (a reader that looked up the
    // previous run a moment ago still finds its rows); drop older ones.
    return db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto keep, c.Query("SELECT id FROM analytics_runs WHERE org_id = ? AND "
                                               "status = 'succeeded' ORDER BY id DESC LIMIT 2",
                                               {run.org_id}));
      if (keep.size() < 2) return Status::Ok();
      const int64_t oldest_kept = keep.back().Int(0);
      KEHU_ASSIGN_OR_RETURN(auto n,
                            c.Exec("DELETE FROM customer_values WHERE org_id = ? AND run_id < ?",
                                   {run.org_id, oldest_kept}));
      (void)n;
      return Status::Ok();
    });
  }

  Status FailRun(int64_t org_id, int64_t run_id, const std::string& error,
                 UnixMillis finished_at) override {
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(
          auto n, c.Exec("UPDATE analytics_runs SET status = 'failed', error = ?, "
                         "finished_at = ? WHERE org_id = ? AND id = ? AND status = 'running'",
                         {error, finished_at, org_id, run_id}));
      (void)n;
      return Status::Ok();
    }));
    return db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(
          auto n,
          c.Exec("DELETE FROM customer_values WHERE org_id = ? AND run_id = ?", {org_id, run_id}));
      (void)n;
      return Status::Ok();
    });
  }

  Status FailStaleRuns(int64_t org_id, UnixMillis now) override {
    KEHU_ASSIGN_OR_RETURN(
        auto runs,
        Query("SELECT id FROM analytics_runs WHERE org_id = ? AND status = 'running'", {org_id}));
    for (const auto& r : runs)
      KEHU_RETURN_IF_ERROR(
          FailRun(org_id, r.Int(0), "interrupted: the process stopped during the run", now));
    return Status::Ok();
  }

  Result<std::optional<Run>> GetRun(int64_t org_id, int64_t run_id) override {
    return OneRun(
        std::string("SELECT ") + kRunCols + " FROM analytics_runs WHERE org_id = ? AND id = ?",
        {org_id, run_id});
  }

  Result<std::vector<Run>> ListRuns(int64_t org_id, int limit) override {
    KEHU_ASSIGN_OR_RETURN(
        auto rows, Query(std::string("SELECT ") + kRunCols +
                             " FROM analytics_runs WHERE org_id = ? ORDER BY id DESC LIMIT ?",
                         {org_id, int64_t{limit}}));
    std::vector<Run> out;
    for (const auto& r : rows) out.push_back(RunFromRow(r));
    return out;
  }

  Result<std::optional<Run>> LatestSucceeded(int64_t org_id) override {
    return OneRun(std::string("SELECT ") + kRunCols +
                      " FROM analytics_runs WHERE org_id = ? AND status = 'succeeded' ORDER BY id "
                      "DESC LIMIT 1",
                  {org_id});
  }

  Result<std::optional<Run>> LatestStarted(int64_t org_id) override {
    return OneRun(std::string("SELECT ") + kRunCols +
                      " FROM analytics_runs WHERE org_id = ? ORDER BY id DESC LIMIT 1",
                  {org_id});
  }

  Result<std::optional<CustomerValue>> GetValue(int64_t org_id, int64_t run_id,
                                                int64_t customer_id) override {
    // After a merge two rows of one run may point at the survivor: the larger one speaks for it.
    KEHU_ASSIGN_OR_RETURN(auto rows,
                          Query(std::string("SELECT ") + kValueCols +
                                    " FROM customer_values WHERE org_id = ? AND customer_id = ? "
                                    "AND run_id = ? ORDER BY monetary_minor DESC LIMIT 1",
                                {org_id, customer_id, run_id}));
    if (rows.empty()) return std::optional<CustomerValue>();
    return std::optional<CustomerValue>(ValueFromRow(rows[0]));
  }

  Result<std::map<int64_t, double>> GetPercentiles(int64_t org_id, int64_t run_id,
                                                   const std::vector<int64_t>& customer_ids) override {
    std::map<int64_t, double> out;
    constexpr size_t kIdsPerStatement = 500;
    for (size_t i = 0; i < customer_ids.size(); i += kIdsPerStatement) {
      const size_t m = std::min(kIdsPerStatement, customer_ids.size() - i);
      std::vector<Value> params;
      params.emplace_back(org_id);
      params.emplace_back(run_id);
      for (size_t k = 0; k < m; ++k) params.emplace_back(customer_ids[i + k]);
      // After a merge two rows of one run may point at the survivor: the higher one speaks for it.
      KEHU_ASSIGN_OR_RETURN(auto rows,
                            Query("SELECT customer_id, MAX(value_percentile) FROM customer_values "
                                  "WHERE org_id = ? AND run_id = ? AND customer_id IN (" + Placeholders(m) +
                                      ") AND value_percentile IS NOT NULL GROUP BY customer_id",
                                  params));
      for (const auto& r : rows) out[r.Int(0)] = r.Real(1);
    }
    return out;
  }

  Result<std::vector<CustomerValue>> ListValues(int64_t org_id, int64_t run_id) override {
    KEHU_ASSIGN_OR_RETURN(auto rows,
                          Query(std::string("SELECT ") + kValueCols +
                                    " FROM customer_values WHERE org_id = ? AND run_id = ? "
                                    "ORDER BY customer_id",
                                {org_id, run_id}));
    std::vector<CustomerValue> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(ValueFromRow(r));
    return out;
  }

  Result<std::vector<value::ChurnRatePoint>> ChurnByMonth(int64_t org_id) override {
    KEHU_ASSIGN_OR_RETURN(auto rows,
                          Query("SELECT substr(churned_on, 1, 7) AS m, COUNT(*) FROM churn_records "
                                "WHERE org_id = ? GROUP BY substr(churned_on, 1, 7) ORDER BY m",
                                {org_id}));
    std::vector<value::ChurnRatePoint> out;
    for (const auto& r : rows) out.push_back({r.Text(0), r.Int(1)});
    return out;
  }

  Result<std::vector<int64_t>> OpenChurnCustomers(int64_t org_id) override {
    KEHU_ASSIGN_OR_RETURN(auto rows, Query("SELECT DISTINCT customer_id FROM churn_records WHERE org_id = ? "
                                           "AND won_back_at IS NULL ORDER BY customer_id",
                                           {org_id}));
    std::vector<int64_t> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(r.Int(0));
    return out;
  }

  Status InsertOrders(int64_t org_id, const std::vector<value::BulkOrder>& orders,
                      UnixMillis now) override {
    constexpr size_t kRows = 500;
    return db_.Write([&](Connection& c) -> Status {
      for (size_t i = 0; i < orders.size(); i += kRows) {
        const size_t m = std::min(kRows, orders.size() - i);
        std::string sql =
            "INSERT INTO orders(org_id, customer_id, ordered_at, channel, amount_minor, "
            "cost_minor, status, "
            "created_at, updated_at) VALUES ";
        std::vector<Value> params;
        for (size_t k = 0; k < m; ++k) {
          const auto& o = orders[i + k];
          sql += k ? ",(?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?)";
          params.insert(params.end(),
                        {org_id, o.customer_id, o.ordered_at, o.channel, o.amount_minor,
                         o.cost_minor ? Value(*o.cost_minor) : Value(Null{}), o.status, now, now});
        }
        KEHU_ASSIGN_OR_RETURN(auto n, c.Exec(sql, params));
        (void)n;
      }
      return Status::Ok();
    });
  }

  Status InsertChurnRecords(int64_t org_id, const std::vector<value::BulkChurn>& records,
                            UnixMillis now) override {
    return db_.Write([&](Connection& c) -> Status {
      for (const auto& r : records) {
        KEHU_ASSIGN_OR_RETURN(
            auto n, c.Exec("INSERT INTO churn_records(org_id, customer_id, churned_on, reason, "
                           "lost_profit_minor, lost_profit_basis, won_back_at, created_at, updated_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           {org_id, r.customer_id, r.churned_on, r.reason,
                            r.lost_profit_minor ? Value(*r.lost_profit_minor) : Value(Null{}), r.lost_profit_basis,
                            r.won_back_at ? Value(*r.won_back_at) : Value(Null{}), now, now}));
        (void)n;
      }
      return Status::Ok();
    });
  }

  Result<std::optional<std::string>> LoadSettings(int64_t org_id) override {
    KEHU_ASSIGN_OR_RETURN(
        auto rows, Query("SELECT settings FROM analytics_settings WHERE org_id = ?", {org_id}));
    if (rows.empty()) return std::optional<std::string>();
    return std::optional<std::string>(rows[0].Text(0));
  }

  Status SaveSettings(int64_t org_id, const std::string& text, UnixMillis now) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto n,
                            c.Exec("UPDATE analytics_settings SET settings = ?, updated_at = ? "
                                   "WHERE org_id = ?",
                                   {text, now, org_id}));
      if (n == 0) {
        KEHU_ASSIGN_OR_RETURN(auto m,
                              c.Exec("INSERT INTO analytics_settings(org_id, settings, updated_at) "
                                     "VALUES (?, ?, ?)",
                                     {org_id, text, now}));
        (void)m;
      }
      return Status::Ok();
    });
  }

 private:
  Result<std::vector<Row>> Query(const std::string& sql, const std::vector<Value>& params) {
    std::vector<Row> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(out, c.Query(sql, params));
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<Run>> OneRun(const std::string& sql, const std::vector<Value>& params) {
    KEHU_ASSIGN_OR_RETURN(auto rows, Query(sql, params));
    if (rows.empty()) return std::optional<Run>();
    return std::optional<Run>(RunFromRow(rows[0]));
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<value::ValueRepository> MakeValueRepository(Database& db) {
  RegisterCustomerReference("customer_values");
  return std::make_unique<SqlValueRepository>(db);
}

}  // namespace kehu::store
