// OrderRepository over the driver seam: one SQL text for SQLite and PostgreSQL.

#include <algorithm>
#include <map>

#include "store/repositories.h"
#include "store/sql_fragments.h"

namespace kehu::store {

namespace {

using orders::ChurnRecord;
using orders::Order;
using orders::OrderLine;
using orders::OrderWrite;

Value Opt(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(Null{}); }
Value Opt(const std::optional<std::string>& v) { return v ? Value(*v) : Value(Null{}); }



constexpr const char* kOrderCols =
    "o.id, o.org_id, o.customer_id, o.external_id, o.ordered_at, o.channel, o.currency, o.amount_minor, "
    "o.cost_minor, o.status, o.note, o.created_by, o.created_at, o.updated_at, o.version, "
    "(SELECT cu.name FROM customers cu WHERE cu.id = o.customer_id AND cu.org_id = o.org_id)";

Order OrderFromRow(const Row& r) {
  Order o;
  o.id = r.Int(0);
  o.org_id = r.Int(1);
  o.customer_id = r.Int(2);
  if (!r.IsNull(3)) o.external_id = r.Text(3);
  o.ordered_at = r.Int(4);
  o.channel = orders::ParseChannel(r.Text(5)).value_or(orders::Channel::kOnline);
  o.currency = r.Text(6);
  o.amount_minor = r.Int(7);
  if (!r.IsNull(8)) o.cost_minor = r.Int(8);
  o.status = orders::ParseStatus(r.Text(9)).value_or(orders::OrderStatus::kPlaced);
  o.note = r.Text(10);
  if (!r.IsNull(11)) o.created_by = r.Int(11);
  o.created_at = r.Int(12);
  o.updated_at = r.Int(13);
  o.version = r.Int(14);
  o.customer_name = r.Text(15);
  return o;
}

constexpr const char* kChurnCols =
    "r.id, r.org_id, r.customer_id, r.churned_on, r.reason, r.note, r.recorded_by, r.recorded_by_name, "
    "r.lost_profit_minor, r.lost_profit_basis, r.won_back_at, r.created_at, r.updated_at, r.version, "
    "c.name, c.category, c.relationship_level";

ChurnRecord ChurnFromRow(const Row& r) {
  ChurnRecord x;
  x.id = r.Int(0);
  x.org_id = r.Int(1);
  x.customer_id = r.Int(2);
  x.churned_on = ParseDate(r.Text(3)).value_or(CivilDate{1970, 1, 1});
  x.reason = orders::ParseChurnReason(r.Text(4)).value_or(orders::ChurnReason::kOther);
  x.note = r.Text(5);
  if (!r.IsNull(6)) x.recorded_by = r.Int(6);
  x.recorded_by_name = r.Text(7);
  if (!r.IsNull(8)) x.lost_profit_minor = r.Int(8);
  x.lost_profit_basis = r.Text(9);
  if (!r.IsNull(10)) x.won_back_at = r.Int(10);
  x.created_at = r.Int(11);
  x.updated_at = r.Int(12);
  x.version = r.Int(13);
  x.customer_name = r.Text(14);
  x.category = r.Text(15);
  x.relationship_level = r.Text(16);
  return x;
}

class SqlOrderRepository final : public orders::OrderRepository {
 public:
  explicit SqlOrderRepository(Database& db) : db_(db) {}

  Result<std::vector<Order>> Write(std::vector<OrderWrite> writes) override {
    std::vector<Order> out;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      out.clear();
      out.reserve(writes.size());
      // Runs of creations go in multi-row INSERTs (imports); single writes one by one.
      for (size_t i = 0; i < writes.size();) {
        size_t j = i;
        while (j < writes.size() && writes[j].expected_version == 0 && j - i < kBatch) ++j;
        if (j - i >= 2) {
          KEHU_RETURN_IF_ERROR(CreateBatch(c, writes, i, j));
          for (size_t k = i; k < j; ++k) out.push_back(writes[k].order);
          i = j;
          continue;
        }
        KEHU_ASSIGN_OR_RETURN(auto o, WriteOne(c, writes[i]));
        out.push_back(std::move(o));
        ++i;
      }
      // A bulk load leaves PostgreSQL's planner statistics describing the table before it (an
      // empty orders table after a first import), so the next look-ups pick full index scans:
      // refresh them with the load. (SQLite plans from its indexes without statistics.)
      if (writes.size() >= kAnalyzeAfter && c.dialect() == Dialect::kPostgres) {
        KEHU_RETURN_IF_ERROR(c.Exec("ANALYZE orders", {}));
        KEHU_RETURN_IF_ERROR(c.Exec("ANALYZE order_lines", {}));
      }
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<Order>> Get(int64_t org_id, int64_t id) override {
    std::optional<Order> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kOrderCols +
                                                   " FROM orders o WHERE o.org_id = ? AND o.id = ?",
                                               {org_id, id}));
      if (rows.empty()) return Status::Ok();
      std::vector<Order> v{OrderFromRow(rows[0])};
      KEHU_RETURN_IF_ERROR(LoadLines(c, org_id, v));
      out = std::move(v[0]);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<Order>> List(const orders::OrderQuery& q) override {
    std::vector<Order> out;
    std::string sql = std::string("SELECT ") + kOrderCols +
                      " FROM orders o JOIN customers c ON c.id = o.customer_id AND c.org_id = o.org_id "
                      "WHERE o.org_id = ? AND c.deleted_at IS NULL";
    std::vector<Value> params{q.org_id};
    AppendVisibility(q.visibility, q.org_id, sql, params);
    if (q.customer_id) {
      sql += " AND o.customer_id = ?";
      params.push_back(*q.customer_id);
    }
    if (q.channel) {
      sql += " AND o.channel = ?";
      params.push_back(*q.channel);
    }
    if (q.status) {
      sql += " AND o.status = ?";
      params.push_back(*q.status);
    }
    if (q.from) {
      sql += " AND o.ordered_at >= ?";
      params.push_back(*q.from);
    }
    if (q.to) {
      sql += " AND o.ordered_at < ?";
      params.push_back(*q.to);
    }
    if (q.after_at) {
      sql += " AND (o.ordered_at < ? OR (o.ordered_at = ? AND o.id < ?))";
      params.insert(params.end(), {*q.after_at, *q.after_at, q.after_id});
    }
    sql += " ORDER BY o.ordered_at DESC, o.id DESC LIMIT ?";
    params.push_back(int64_t{q.limit});
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      out.clear();
      for (const auto& r : rows) out.push_back(OrderFromRow(r));
      return LoadLines(c, q.org_id, out);
    }));
    return out;
  }

  Result<std::map<std::string, Order>> FindByExternalIds(int64_t org_id, const std::vector<std::string>& ids) override {
    std::map<std::string, Order> out;
    if (ids.empty()) return out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      std::vector<Value> params{org_id};
      for (const auto& id : ids) params.push_back(id);
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kOrderCols +
                                                   " FROM orders o WHERE o.org_id = ? AND o.external_id IN (" +
                                                   Placeholders(ids.size()) + ")",
                                               params));
      std::vector<Order> v;
      for (const auto& r : rows) v.push_back(OrderFromRow(r));
      KEHU_RETURN_IF_ERROR(LoadLines(c, org_id, v));
      for (auto& o : v) out[*o.external_id] = std::move(o);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::map<int64_t, int64_t>> PurchaseDayCounts(int64_t org_id, const identity::Visibility& v) override {
    // The business day is floor((ordered_at + offset) / day); both dialects' integer division
    // truncates, hence the CASE for times before 1970.
    std::string sql =
        "SELECT o.customer_id, count(DISTINCT CASE WHEN o.ordered_at + ? >= 0 THEN (o.ordered_at + ?) / ? ELSE "
        "(o.ordered_at + ? - ? + 1) / ? END) FROM orders o JOIN customers c ON c.id = o.customer_id AND "
        "c.org_id = o.org_id WHERE o.org_id = ? AND o.status IN ('placed', 'paid') AND c.deleted_at IS NULL";
    std::vector<Value> params{kBusinessOffsetMillis, kBusinessOffsetMillis, kDayMillis, kBusinessOffsetMillis,
                              kDayMillis,            kDayMillis,            org_id};
    AppendVisibility(v, org_id, sql, params);
    sql += " GROUP BY o.customer_id";
    std::map<int64_t, int64_t> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      out.clear();
      for (const auto& r : rows) out[r.Int(0)] = r.Int(1);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::map<int64_t, std::vector<UnixMillis>>> PurchaseTimes(int64_t org_id, const identity::Visibility& v,
                                                                  const std::vector<int64_t>& ids) override {
    std::map<int64_t, std::vector<UnixMillis>> out;
    std::string sql =
        "SELECT o.customer_id, o.ordered_at FROM orders o JOIN customers c ON c.id = o.customer_id AND "
        "c.org_id = o.org_id WHERE o.org_id = ? AND o.status IN ('placed', 'paid') AND c.deleted_at IS NULL";
    std::vector<Value> params{org_id};
    AppendVisibility(v, org_id, sql, params);
    if (!ids.empty()) {
      sql += " AND o.customer_id IN (" + Placeholders(ids.size()) + ")";
      for (int64_t id : ids) params.push_back(id);
    }
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      out.clear();
      for (const auto& r : rows) out[r.Int(0)].push_back(r.Int(1));
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<int64_t>> Margin(int64_t org_id, int64_t customer_id, UnixMillis from, UnixMillis to) override {
    std::optional<int64_t> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
          "SELECT COUNT(*), COALESCE(SUM(amount_minor - cost_minor), 0) FROM orders WHERE org_id = ? AND "
          "customer_id = ? AND status IN ('placed', 'paid') AND cost_minor IS NOT NULL AND ordered_at >= ? AND "
          "ordered_at < ?",
          {org_id, customer_id, from, to}));
      if (!rows.empty() && rows[0].Int(0) > 0) out = rows[0].Int(1);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<orders::CustomerFacts>> Customers(int64_t org_id, const identity::Visibility& v,
                                                       const std::optional<std::string>& category,
                                                       const std::optional<std::string>& level) override {
    std::vector<orders::CustomerFacts> out;
    std::string sql =
        "SELECT c.id, c.name, c.category, c.relationship_level, c.lifecycle_stage, c.created_at, "
        "(SELECT MIN(o.ordered_at) FROM orders o WHERE o.org_id = c.org_id AND o.customer_id = c.id) "
        "FROM customers c WHERE c.org_id = ? AND c.deleted_at IS NULL AND c.merged_into IS NULL";
    std::vector<Value> params{org_id};
    AppendVisibility(v, org_id, sql, params);
    if (category) {
      sql += " AND c.category = ?";
      params.push_back(*category);
    }
    if (level) {
      sql += " AND c.relationship_level = ?";
      params.push_back(*level);
    }
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      out.clear();
      for (const auto& r : rows) {
        UnixMillis since = r.Int(5);
        if (!r.IsNull(6)) since = std::min(since, r.Int(6));
        out.push_back({.id = r.Int(0), .name = r.Text(1), .category = r.Text(2), .relationship_level = r.Text(3),
                       .lifecycle_stage = r.Text(4), .since_day = orders::BusinessDay(since)});
      }
      return Status::Ok();
    }));
    return out;
  }

  Result<std::map<std::string, int64_t>> CustomerIdsByExternalId(int64_t org_id,
                                                                 const std::vector<std::string>& ids) override {
    std::map<std::string, int64_t> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      for (size_t i = 0; i < ids.size(); i += 500) {
        size_t n = std::min(ids.size() - i, size_t{500});
        std::vector<Value> params{org_id};
        for (size_t k = 0; k < n; ++k) params.push_back(ids[i + k]);
        KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
            "SELECT external_id, id FROM customers WHERE org_id = ? AND deleted_at IS NULL AND merged_into IS NULL "
            "AND external_id IN (" + Placeholders(n) + ")", params));
        for (const auto& r : rows) out[r.Text(0)] = r.Int(1);
      }
      return Status::Ok();
    }));
    return out;
  }

  Result<ChurnRecord> WriteChurn(const ChurnRecord& r, int64_t expected_version,
                                 const identity::AuditEntry& audit) override {
    ChurnRecord out = r;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      identity::AuditEntry a = audit;
      if (r.id == 0) {
        KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
            "INSERT INTO churn_records(org_id, customer_id, churned_on, reason, note, recorded_by, recorded_by_name, "
            "lost_profit_minor, lost_profit_basis, won_back_at, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
            {r.org_id, r.customer_id, FormatDate(r.churned_on), std::string(orders::Name(r.reason)), r.note,
             Opt(r.recorded_by), r.recorded_by_name, Opt(r.lost_profit_minor), r.lost_profit_basis,
             Opt(r.won_back_at), r.created_at, r.updated_at}));
        out.id = rows.at(0).Int(0);
        out.version = 1;
      } else {
        KEHU_ASSIGN_OR_RETURN(int64_t n, c.Exec(
            "UPDATE churn_records SET churned_on = ?, reason = ?, note = ?, lost_profit_minor = ?, "
            "lost_profit_basis = ?, won_back_at = ?, updated_at = ?, version = ? WHERE org_id = ? AND id = ? AND "
            "version = ?",
            {FormatDate(r.churned_on), std::string(orders::Name(r.reason)), r.note, Opt(r.lost_profit_minor),
             r.lost_profit_basis, Opt(r.won_back_at), r.updated_at, r.version, r.org_id, r.id, expected_version}));
        if (n == 0) return MakeError(ErrorCode::kAborted, "the churn record was changed by someone else");
      }
      a.entity_id = out.id;
      return AppendAuditEntry(c, a);
    }));
    return out;
  }

  Status DeleteChurn(int64_t org_id, int64_t id, const identity::AuditEntry& audit) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM churn_records WHERE org_id = ? AND id = ?", {org_id, id}));
      return AppendAuditEntry(c, audit);
    });
  }

  Result<std::optional<ChurnRecord>> GetChurn(int64_t org_id, int64_t id) override {
    std::optional<ChurnRecord> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kChurnCols +
                                                   " FROM churn_records r JOIN customers c ON c.id = r.customer_id "
                                                   "AND c.org_id = r.org_id WHERE r.org_id = ? AND r.id = ?",
                                               {org_id, id}));
      if (!rows.empty()) out = ChurnFromRow(rows[0]);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<ChurnRecord>> ListChurn(const orders::ChurnQuery& q) override {
    std::vector<ChurnRecord> out;
    std::string sql = std::string("SELECT ") + kChurnCols +
                      " FROM churn_records r JOIN customers c ON c.id = r.customer_id AND c.org_id = r.org_id "
                      "WHERE r.org_id = ? AND c.deleted_at IS NULL";
    std::vector<Value> params{q.org_id};
    AppendVisibility(q.visibility, q.org_id, sql, params);
    auto eq = [&](const char* col, const std::optional<std::string>& v) {
      if (!v) return;
      sql += std::string(" AND ") + col + " = ?";
      params.push_back(*v);
    };
    if (q.customer_id) {
      sql += " AND r.customer_id = ?";
      params.push_back(*q.customer_id);
    }
    eq("r.reason", q.reason);
    eq("c.category", q.category);
    eq("c.relationship_level", q.relationship_level);
    if (q.from) {
      sql += " AND r.churned_on >= ?";
      params.push_back(*q.from);
    }
    if (q.to) {
      sql += " AND r.churned_on < ?";
      params.push_back(*q.to);
    }
    if (q.won_back) sql += *q.won_back ? " AND r.won_back_at IS NOT NULL" : " AND r.won_back_at IS NULL";
    sql += " ORDER BY r.churned_on DESC, r.id DESC";
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      out.clear();
      for (const auto& r : rows) out.push_back(ChurnFromRow(r));
      return Status::Ok();
    }));
    return out;
  }

  Result<orders::Settings> GetSettings(int64_t org_id) override {
    orders::Settings s;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
          "SELECT overdue_factor, horizon_months FROM retention_settings WHERE org_id = ?", {org_id}));
      if (!rows.empty()) {
        s.overdue_factor = rows[0].Real(0);
        s.horizon_months = static_cast<int>(rows[0].Int(1));
      }
      return Status::Ok();
    }));
    return s;
  }

  Status PutSettings(int64_t org_id, const orders::Settings& s, const identity::AuditEntry& audit) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec(
          "INSERT INTO retention_settings(org_id, overdue_factor, horizon_months, updated_at) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (org_id) DO UPDATE SET overdue_factor = excluded.overdue_factor, "
          "horizon_months = excluded.horizon_months, updated_at = excluded.updated_at",
          {org_id, s.overdue_factor, int64_t{s.horizon_months}, audit.at}));
      return AppendAuditEntry(c, audit);
    });
  }

 private:
  static constexpr size_t kBatch = 200;         // orders per multi-row INSERT (13 parameters each)
  static constexpr size_t kAnalyzeAfter = 1000;  // writes in one call that refresh statistics

  // Creates writes[from, to) with one INSERT for the orders, one for their lines and multi-row
  // audit inserts. Ids come back from RETURNING; both dialects assign them in VALUES order
  // (SQLite: max(rowid) + 1 per row; PostgreSQL: nextval per row), so the sorted ids match the
  // rows in order even when RETURNING's own order is not guaranteed.
  Status CreateBatch(Connection& c, std::vector<OrderWrite>& writes, size_t from, size_t to) {
    std::string sql =
        "INSERT INTO orders(org_id, customer_id, external_id, ordered_at, channel, currency, amount_minor, "
        "cost_minor, status, note, created_by, created_at, updated_at, version) VALUES ";
    std::vector<Value> params;
    params.reserve((to - from) * 13);
    for (size_t k = from; k < to; ++k) {
      const Order& o = writes[k].order;
      sql += k > from ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";
      params.insert(params.end(), {o.org_id, o.customer_id, Opt(o.external_id), o.ordered_at,
                                   std::string(orders::Name(o.channel)), o.currency, o.amount_minor,
                                   Opt(o.cost_minor), std::string(orders::Name(o.status)), o.note,
                                   Opt(o.created_by), o.created_at, o.updated_at});
    }
    sql += " RETURNING id";
    auto rows = c.Query(sql, params);
    if (!rows.ok()) {
      if (rows.error().code != ErrorCode::kAlreadyExists) return rows.error();
      Error e = MakeError(ErrorCode::kAlreadyExists, "an order external id in the batch exists already");
      e.fields.push_back({"external_id", "is taken by another order"});
      return e;
    }
    if (rows->size() != to - from) return Internal("batch insert returned a different number of ids");
    std::vector<int64_t> ids;
    for (const auto& r : *rows) ids.push_back(r.Int(0));
    std::sort(ids.begin(), ids.end());
    std::string lines_sql =
        "INSERT INTO order_lines(org_id, order_id, line_no, sku, name, quantity, unit_price_minor, amount_minor, "
        "cost_minor) VALUES ";
    std::vector<Value> lp;
    size_t nlines = 0;
    std::vector<identity::AuditEntry> audits;
    audits.reserve(to - from);
    for (size_t k = from; k < to; ++k) {
      Order& o = writes[k].order;
      o.id = ids[k - from];
      o.version = 1;
      for (size_t i = 0; i < o.lines.size(); ++i) {
        auto& l = o.lines[i];
        l.line_no = static_cast<int>(i + 1);
        lines_sql += nlines++ ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
        lp.insert(lp.end(), {o.org_id, o.id, int64_t{l.line_no}, l.sku, l.name, l.quantity, l.unit_price_minor,
                             l.amount_minor, Opt(l.cost_minor)});
        if (nlines == 500) {
          KEHU_RETURN_IF_ERROR(c.Exec(lines_sql, lp));
          lines_sql.resize(lines_sql.find("VALUES ") + 7);
          lp.clear();
          nlines = 0;
        }
      }
      writes[k].audit.entity_id = o.id;
      audits.push_back(writes[k].audit);
    }
    if (nlines) KEHU_RETURN_IF_ERROR(c.Exec(lines_sql, lp));
    return AppendAuditEntries(c, audits);
  }

  Status LoadLines(Connection& c, int64_t org_id, std::vector<Order>& v) {
    if (v.empty()) return Status::Ok();
    std::map<int64_t, Order*> by_id;
    for (auto& o : v) by_id[o.id] = &o;
    for (size_t i = 0; i < v.size(); i += 500) {
      size_t n = std::min(v.size() - i, size_t{500});
      std::vector<Value> params{org_id};
      for (size_t k = 0; k < n; ++k) params.emplace_back(std::in_place_type<int64_t>, v[i + k].id);  // emplace: g++ 12 -O3 false -Wmaybe-uninitialized
      std::string sql =
          "SELECT order_id, line_no, sku, name, quantity, unit_price_minor, amount_minor, cost_minor FROM order_lines "
          "WHERE org_id = ? AND order_id IN (";
      sql.append(Placeholders(n)).append(") ORDER BY order_id, line_no");
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      for (const auto& r : rows) {
        OrderLine l{.line_no = static_cast<int>(r.Int(1)), .sku = r.Text(2), .name = r.Text(3),
                    .quantity = r.Int(4), .unit_price_minor = r.Int(5), .amount_minor = r.Int(6)};
        if (!r.IsNull(7)) l.cost_minor = r.Int(7);
        by_id[r.Int(0)]->lines.push_back(std::move(l));
      }
    }
    return Status::Ok();
  }

  Result<Order> WriteOne(Connection& c, OrderWrite& w) {
    Order& o = w.order;
    if (w.expected_version == 0) {
      auto rows = c.Query(
          "INSERT INTO orders(org_id, customer_id, external_id, ordered_at, channel, currency, amount_minor, "
          "cost_minor, status, note, created_by, created_at, updated_at, version) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
          {o.org_id, o.customer_id, Opt(o.external_id), o.ordered_at, std::string(orders::Name(o.channel)), o.currency,
           o.amount_minor, Opt(o.cost_minor), std::string(orders::Name(o.status)), o.note, Opt(o.created_by),
           o.created_at, o.updated_at});
      if (!rows.ok()) return Conflict(c, rows.error(), o);
      o.id = rows->at(0).Int(0);
      o.version = 1;
    } else {
      KEHU_ASSIGN_OR_RETURN(int64_t n, c.Exec(
          "UPDATE orders SET ordered_at = ?, channel = ?, currency = ?, amount_minor = ?, cost_minor = ?, status = ?, "
          "note = ?, external_id = ?, updated_at = ?, version = ? WHERE org_id = ? AND id = ? AND version = ?",
          {o.ordered_at, std::string(orders::Name(o.channel)), o.currency, o.amount_minor, Opt(o.cost_minor),
           std::string(orders::Name(o.status)), o.note, Opt(o.external_id), o.updated_at, o.version, o.org_id, o.id,
           w.expected_version}));
      if (n == 0) return MakeError(ErrorCode::kAborted, "the order was changed by someone else");
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM order_lines WHERE org_id = ? AND order_id = ?", {o.org_id, o.id}));
    }
    for (size_t i = 0; i < o.lines.size(); ++i) {
      auto& l = o.lines[i];
      l.line_no = static_cast<int>(i + 1);
      KEHU_RETURN_IF_ERROR(c.Exec(
          "INSERT INTO order_lines(org_id, order_id, line_no, sku, name, quantity, unit_price_minor, amount_minor, "
          "cost_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {o.org_id, o.id, int64_t{l.line_no}, l.sku, l.name, l.quantity, l.unit_price_minor, l.amount_minor,
           Opt(l.cost_minor)}));
    }
    w.audit.entity_id = o.id;
    KEHU_RETURN_IF_ERROR(AppendAuditEntry(c, w.audit));
    return o;
  }

  // A unique violation on the external id names the order holding it. PostgreSQL has aborted the
  // transaction, so the holder is looked up on a reader connection.
  Error Conflict(Connection& c, const Error& e, const Order& o) {
    if (e.code != ErrorCode::kAlreadyExists || !o.external_id) return e;
    Error out = MakeError(ErrorCode::kAlreadyExists, "an order with external id '" + *o.external_id + "' exists");
    out.fields.push_back({"external_id", "is taken by another order"});
    if (c.dialect() == Dialect::kSqlite) {
      auto rows = c.Query("SELECT id FROM orders WHERE org_id = ? AND external_id = ?", {o.org_id, *o.external_id});
      if (rows.ok() && !rows->empty()) out.conflict_id = rows->at(0).Int(0);
    }
    return out;
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<orders::OrderRepository> MakeOrderRepository(Database& db) {
  RegisterCustomerReference("orders");
  RegisterCustomerReference("churn_records");
  RegisterCustomerErasure("UPDATE orders SET note = '' WHERE org_id = ? AND customer_id = ?");
  RegisterCustomerErasure("UPDATE churn_records SET note = '' WHERE org_id = ? AND customer_id = ?");
  return std::make_unique<SqlOrderRepository>(db);
}

}  // namespace kehu::store
