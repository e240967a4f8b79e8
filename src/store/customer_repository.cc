// CustomerRepository over the driver seam. The SQL is shared by SQLite and PostgreSQL except
// for search, which uses FTS5 tables in SQLite and pg_trgm + tsvector columns in PostgreSQL.

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <array>
#include <charconv>
#include <chrono>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <mutex>

#include "core/strings.h"
#include "store/repositories.h"
#include "store/sql_fragments.h"

namespace kehu::store {

namespace {

using customers::Contact;
using customers::Customer;
using customers::CustomerWrite;
using customers::CustomFieldDef;
using customers::FieldValue;
using customers::ListQuery;
using customers::SavedView;
using customers::SortKey;
namespace json = boost::json;

// Registered by RegisterCustomerReference at start-up; read by Merge.
std::mutex g_refs_mu;
std::vector<std::pair<std::string, std::string>>& CustomerReferencesStorage() {
  static std::vector<std::pair<std::string, std::string>> refs;
  return refs;
}
std::vector<std::string>& ErasuresStorage() {
  static std::vector<std::string> sqls;
  return sqls;
}
std::vector<std::string> CustomerErasures() {
  std::lock_guard lock(g_refs_mu);
  return ErasuresStorage();
}
std::vector<std::pair<std::string, std::string>> CustomerReferences() {
  std::lock_guard lock(g_refs_mu);
  return CustomerReferencesStorage();
}

constexpr const char* kCols =
    "c.id, c.org_id, c.kind, c.name, c.family_name, c.given_name, c.gender, c.birthday, "
    "c.birthday_lunar, c.category, c.lifecycle_stage, c.relationship_level, c.owner_id, c.tags, "
    "c.source_channel, c.vip, c.external_id, c.organization, c.note, c.province, c.city, c.district, "
    "c.street, c.phones, c.emails, c.consents, c.custom_fields, c.merged_into, c.deleted_at, "
    "c.erased_at, c.created_by, c.created_at, c.updated_at, c.version";

Value Opt(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(Null{}); }
Value Opt(const std::optional<std::string>& v) { return v ? Value(*v) : Value(Null{}); }
Value B(bool b) { return int64_t{b ? 1 : 0}; }

std::vector<std::string> StringsFromJson(const std::string& text) {
  if (auto plain = ParsePlainJsonStringArray(text)) return std::move(*plain);
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array())
    if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

std::string StringsToJson(const std::vector<std::string>& v) { return JsonStringArray(v); }

std::string ConsentsToJson(const std::vector<customers::Consent>& cs) {
  json::array a;
  for (const auto& c : cs)
    a.push_back(json::object{{"channel", c.channel}, {"granted", c.granted}, {"at", c.at}, {"source", c.source}});
  return json::serialize(a);
}

std::vector<customers::Consent> ConsentsFromJson(const std::string& text) {
  std::vector<customers::Consent> out;
  if (text == "[]") return out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.as_object();
    customers::Consent c;
    if (auto* p = o.if_contains("channel"); p && p->is_string()) c.channel = p->as_string();
    if (auto* p = o.if_contains("granted"); p && p->is_bool()) c.granted = p->as_bool();
    if (auto* p = o.if_contains("at"); p && p->is_int64()) c.at = p->as_int64();
    if (auto* p = o.if_contains("source"); p && p->is_string()) c.source = p->as_string();
    out.push_back(std::move(c));
  }
  return out;
}

std::string CustomToJson(const std::map<std::string, FieldValue>& m) {
  json::object o;
  for (const auto& [k, v] : m) {
    if (auto* b = std::get_if<bool>(&v)) o[k] = *b;
    else if (auto* d = std::get_if<double>(&v)) o[k] = *d;
    else if (auto* s = std::get_if<std::string>(&v)) o[k] = *s;
    else o[k] = nullptr;
  }
  return json::serialize(o);
}

std::map<std::string, FieldValue> CustomFromJson(const std::string& text) {
  std::map<std::string, FieldValue> out;
  if (text == "{}") return out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, e] : v.as_object()) {
    std::string key(k);
    if (e.is_bool()) out[key] = e.as_bool();
    else if (e.is_number()) out[key] = e.to_number<double>();
    else if (e.is_string()) out[key] = std::string(e.as_string());
  }
  return out;
}

Customer FromRow(const Row& r) {
  Customer c;
  c.id = r.Int(0);
  c.org_id = r.Int(1);
  c.kind = customers::ParseKind(r.Text(2)).value_or(customers::Kind::kPerson);
  c.name = r.Text(3);
  c.family_name = r.Text(4);
  c.given_name = r.Text(5);
  c.gender = customers::ParseGender(r.Text(6)).value_or(customers::Gender::kUnknown);
  if (!r.IsNull(7)) c.birthday = ParseDate(r.Text(7));
  c.birthday_lunar = r.Int(8) != 0;
  c.category = r.Text(9);
  c.lifecycle_stage = customers::ParseLifecycle(r.Text(10)).value_or(customers::Lifecycle::kProspect);
  c.relationship_level = customers::ParseRelationship(r.Text(11)).value_or(customers::Relationship::kBasic);
  if (!r.IsNull(12)) c.owner_id = r.Int(12);
  c.tags = StringsFromJson(r.Text(13));
  c.source_channel = r.Text(14);
  c.vip = r.Int(15) != 0;
  if (!r.IsNull(16)) c.external_id = r.Text(16);
  c.organization = r.Text(17);
  c.note = r.Text(18);
  c.address = {r.Text(19), r.Text(20), r.Text(21), r.Text(22)};
  c.phones = StringsFromJson(r.Text(23));
  c.emails = StringsFromJson(r.Text(24));
  c.consents = ConsentsFromJson(r.Text(25));
  c.custom_fields = CustomFromJson(r.Text(26));
  if (!r.IsNull(27)) c.merged_into = r.Int(27);
  if (!r.IsNull(28)) c.deleted_at = r.Int(28);
  if (!r.IsNull(29)) c.erased_at = r.Int(29);
  if (!r.IsNull(30)) c.created_by = r.Int(30);
  c.created_at = r.Int(31);
  c.updated_at = r.Int(32);
  c.version = r.Int(33);
  return c;
}

// Values for the data columns, in kDataCols order (shared by INSERT and UPDATE).
constexpr const char* kDataCols[] = {
    "kind", "name", "family_name", "given_name", "gender", "birthday", "birthday_lunar", "category",
    "lifecycle_stage", "relationship_level", "owner_id", "tags", "source_channel", "vip",
    "external_id", "organization", "note", "province", "city", "district", "street", "phones",
    "emails", "consents", "custom_fields", "merged_into", "deleted_at", "erased_at", "name_sort",
    "name_fold", "updated_at", "version"};

// INSERT and UPDATE texts, built once per dialect (they are also the statement-cache keys).
const std::string& InsertSql(bool pg) {
  static const std::array<std::string, 2> texts = [] {
    std::string out[2];
    for (int d = 0; d < 2; ++d) {
      std::string cols = "org_id, created_by, created_at", qs = "?, ?, ?";
      for (const char* col : kDataCols) {
        cols += std::string(", ") + col;
        qs += ", ?";
      }
      if (d == 1) {
        cols += ", search_doc, search_tok";
        qs += ", ?, to_tsvector('simple', ?)";
      }
      out[d] = "INSERT INTO customers(" + cols + ") VALUES (" + qs + ") RETURNING id";
    }
    return std::array<std::string, 2>{out[0], out[1]};
  }();
  return texts[pg ? 1 : 0];
}

const std::string& UpdateSql(bool pg) {
  static const std::array<std::string, 2> texts = [] {
    std::string out[2];
    for (int d = 0; d < 2; ++d) {
      std::string sql = "UPDATE customers SET ";
      for (size_t i = 0; i < std::size(kDataCols); ++i) sql += (i ? ", " : "") + std::string(kDataCols[i]) + " = ?";
      if (d == 1) sql += ", search_doc = ?, search_tok = to_tsvector('simple', ?)";
      out[d] = sql + " WHERE org_id = ? AND id = ? AND version = ?";
    }
    return std::array<std::string, 2>{out[0], out[1]};
  }();
  return texts[pg ? 1 : 0];
}

std::vector<Value> DataValues(const CustomerWrite& w) {
  const Customer& c = w.customer;
  return {std::string(customers::Name(c.kind)), c.name, c.family_name, c.given_name,
          std::string(customers::Name(c.gender)),
          c.birthday ? Value(FormatDate(*c.birthday)) : Value(Null{}), B(c.birthday_lunar),
          c.category, std::string(customers::Name(c.lifecycle_stage)),
          std::string(customers::Name(c.relationship_level)), Opt(c.owner_id), StringsToJson(c.tags),
          c.source_channel, B(c.vip), Opt(c.external_id), c.organization, c.note,
          c.address.province, c.address.city, c.address.district, c.address.street,
          StringsToJson(c.phones), StringsToJson(c.emails), ConsentsToJson(c.consents),
          CustomToJson(c.custom_fields), Opt(c.merged_into), Opt(c.deleted_at), Opt(c.erased_at),
          w.search.name_sort, w.search.name_fold, c.updated_at, c.version};
}

// FTS5 query for the token index: each phrase quoted (quotes doubled) and matched as a prefix
// unless it is made of whole tokens.
std::string Fts5TokenQuery(const customers::SearchSpec& spec) {
  const auto& phrases = spec.token_prefixes;
  std::string q;
  for (const auto& p : phrases) {
    std::string esc;
    for (char ch : p) esc += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    if (!q.empty()) q += " OR ";
    q += "\"" + esc + (spec.whole_tokens ? "\"" : "\" *");
  }
  return q;
}

std::string Fts5Phrase(const std::string& s) {
  std::string esc;
  for (char ch : s) esc += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return "\"" + esc + "\"";
}

// PostgreSQL tsquery: words of each phrase joined by <->, the last one a prefix; phrases OR'ed.
std::string PgTsQuery(const std::vector<std::string>& phrases) {
  std::string q;
  for (const auto& p : phrases) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < p.size()) {
      while (i < p.size() && p[i] == ' ') ++i;
      size_t j = i;
      while (j < p.size() && p[j] != ' ') ++j;
      if (j > i) words.push_back(p.substr(i, j - i));
      i = j;
    }
    if (words.empty()) continue;
    std::string phrase;
    for (size_t k = 0; k < words.size(); ++k) {
      std::string esc;
      for (char ch : words[k]) {
        if (ch == '\'') esc += "''";
        else if (ch == '\\') esc += "\\\\";
        else esc += ch;
      }
      if (k) phrase += " <-> ";
      phrase += "'" + esc + "'" + (k + 1 == words.size() ? ":*" : "");
    }
    if (!q.empty()) q += " | ";
    q += "(" + phrase + ")";
  }
  return q;
}

std::string LikeEscape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}


// How many documents of the trigram index hold a trigram, counted up to kCap and remembered for
// ten minutes (one table for all orgs, like the index). Only the choice of trigrams for a long
// ASCII substring uses them, and instr() decides every match, so a stale count can make that
// lookup slower, never wrong.
class TrigramCounts {
 public:
  static constexpr int64_t kCap = 50000;

  Result<int64_t> Get(Connection& c, const std::string& trigram) {
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mu_);
      auto it = counts_.find(trigram);
      if (it != counts_.end() && now - it->second.at < kTtl) return it->second.count;
    }
    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT count(*) FROM (SELECT rowid FROM customers_fts WHERE "
                                             "customers_fts MATCH ? LIMIT ?)",
                                             {Fts5Phrase(trigram), kCap}));
    const int64_t n = rows.empty() ? 0 : rows[0].Int(0);
    std::lock_guard lock(mu_);
    if (counts_.size() >= kMaxEntries) counts_.clear();
    counts_[trigram] = Entry{n, now};
    return n;
  }

 private:
  struct Entry {
    int64_t count;
    std::chrono::steady_clock::time_point at;
  };
  static constexpr auto kTtl = std::chrono::minutes(10);
  static constexpr size_t kMaxEntries = 100000;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> counts_;
};

class SqlCustomerRepository final : public customers::CustomerRepository {
 public:
  SqlCustomerRepository(Database& db, SearchTuning tuning)
      : db_(db), pg_(db.dialect() == Dialect::kPostgres), tuning_(tuning) {}

  Result<std::vector<Customer>> Write(std::vector<CustomerWrite> writes) override {
    std::vector<Customer> out;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      out.clear();
      CheckedUsers users;
      for (auto& w : writes) {
        KEHU_ASSIGN_OR_RETURN(auto written, WriteOne(c, w, &users));
        out.push_back(std::move(written));
      }
      return Status::Ok();
    }));
    return out;
  }

  void WriteAsync(std::vector<CustomerWrite> writes, WriteDone done) override {
    struct State {
      std::vector<CustomerWrite> writes;
      std::vector<Customer> out{};
      WriteDone done;
    };
    auto state = std::make_shared<State>(State{.writes = std::move(writes), .done = std::move(done)});
    db_.WriteAsync(
        [this, state](Connection& c) -> Status {
          state->out.clear();
          CheckedUsers users;
          for (auto& w : state->writes) {
            KEHU_ASSIGN_OR_RETURN(auto written, WriteOne(c, w, &users));
            state->out.push_back(std::move(written));
          }
          return Status::Ok();
        },
        [state](Status st) {
          if (!st.ok()) return state->done(st.error());
          state->done(std::move(state->out));
        });
  }
  bool AsyncWrites() const override { return db_.AsyncWrites(); }

  bool ReadsDuringWrites() const override { return db_.ReadsDuringWrites(); }

  Status WriteStream(const NextBatch& next, int64_t expected_rows) override {
    return db_.WriteBulk([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto deferred, DeferNameIndexes(c, expected_rows));
      CheckedUsers users;
      for (;;) {
        KEHU_ASSIGN_OR_RETURN(auto batch, next());
        if (!batch) break;
        for (auto& w : *batch) {
          KEHU_ASSIGN_OR_RETURN(auto written, WriteOne(c, w, &users));
          (void)written;
        }
      }
      for (const auto& sql : deferred) KEHU_RETURN_IF_ERROR(c.ExecScript(sql));
      return Status::Ok();
    }, {"customers_fts", "customers_fts_tok"}, expected_rows);
  }

  // SQLite, a load at least as large as the table it goes into (a first import, demo data):
  // the indexes in the order of the customers' names, where each new row lands on a random
  // page, are dropped for the load and built again from their own definitions at its end, one
  // sorted pass inside the same transaction (readers see them throughout; a rollback restores
  // them). A million-row import: the row inserts 17.6 -> 10.1 us, the two builds 2.2 s.
  // Returns the statements that build them again.
  Result<std::vector<std::string>> DeferNameIndexes(Connection& c, int64_t expected_rows) {
    std::vector<std::string> rebuild;
    if (pg_ || expected_rows < kDeferIndexRows) return rebuild;
    KEHU_ASSIGN_OR_RETURN(auto size, c.Query("SELECT COALESCE(MAX(id), 0) FROM customers", {}));
    if (!size.empty() && size[0].Int(0) > expected_rows) return rebuild;
    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND "
                                             "tbl_name = 'customers' AND name IN ('customers_name_fold', "
                                             "'customers_org_name') ORDER BY name",
                                             {}));
    for (const auto& r : rows) {
      KEHU_RETURN_IF_ERROR(c.ExecScript("DROP INDEX " + r.Text(0)));
      rebuild.push_back(r.Text(1));
    }
    return rebuild;
  }
  static constexpr int64_t kDeferIndexRows = 50000;

  Result<Customer> Merge(CustomerWrite survivor, CustomerWrite from) override {
    Customer out;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      const int64_t org = survivor.customer.org_id;
      KEHU_ASSIGN_OR_RETURN(auto gone, WriteOne(c, from));
      (void)gone;
      KEHU_RETURN_IF_ERROR(c.Exec("UPDATE contacts SET customer_id = ? WHERE org_id = ? AND customer_id = ?",
                                  {survivor.customer.id, org, from.customer.id}));
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM customer_shares WHERE org_id = ? AND customer_id = ?",
                                  {org, from.customer.id}));
      for (const auto& [table, column] : CustomerReferences()) {
        KEHU_RETURN_IF_ERROR(c.Exec("UPDATE " + table + " SET " + column + " = ? WHERE org_id = ? AND " + column +
                                        " = ?",
                                    {survivor.customer.id, org, from.customer.id}));
      }
      KEHU_ASSIGN_OR_RETURN(out, WriteOne(c, survivor));
      return Status::Ok();
    }));
    return out;
  }

  // One statement (the row and, as a list of user ids, its shares), so on SQLite it runs
  // without a BEGIN/ROLLBACK of its own: the point read is the API's most frequent call.
  Result<std::optional<Customer>> Get(int64_t org_id, int64_t id) override {
    static const std::string kSqlite =
        std::string("SELECT ") + kCols +
        ", (SELECT group_concat(user_id) FROM (SELECT s.user_id FROM customer_shares s WHERE s.org_id = c.org_id "
        "AND s.customer_id = c.id ORDER BY s.user_id)) FROM customers c WHERE c.org_id = ? AND c.id = ?";
    static const std::string kPg =
        std::string("SELECT ") + kCols +
        ", (SELECT string_agg(s.user_id::text, ',' ORDER BY s.user_id) FROM customer_shares s WHERE "
        "s.org_id = c.org_id AND s.customer_id = c.id) FROM customers c WHERE c.org_id = ? AND c.id = ?";
    std::optional<Customer> out;
    KEHU_RETURN_IF_ERROR(db_.ReadStatement([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(pg_ ? kPg : kSqlite, {org_id, id}));
      if (rows.empty()) return Status::Ok();
      Customer cu = FromRow(rows[0]);
      // "3,7,12" (NULL when not shared): user ids the database wrote, so digits and commas.
      const std::string shares = rows[0].Text(rows[0].size() - 1);
      for (const char *p = shares.data(), *end = p + shares.size(); p < end; ++p) {
        int64_t user = 0;
        auto [next, ec] = std::from_chars(p, end, user);
        if (ec != std::errc()) return Internal("customer " + std::to_string(id) + ": unreadable shares");
        cu.shared_with.push_back(user);
        p = next;
      }
      out = std::move(cu);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<Customer>> GetMany(int64_t org_id, const std::vector<int64_t>& ids) override {
    std::vector<Customer> out;
    if (ids.empty()) return out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      std::string sql = std::string("SELECT ") + kCols + " FROM customers c WHERE c.org_id = ? AND c.id IN (";
      std::vector<Value> params{org_id};
      for (size_t i = 0; i < ids.size(); ++i) {
        sql += i ? ", ?" : "?";
        params.push_back(ids[i]);
      }
      sql += ") ORDER BY c.id";
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      for (const auto& r : rows) out.push_back(FromRow(r));
      return LoadShares(c, out);
    }));
    return out;
  }

  Result<bool> IsVisible(int64_t org_id, int64_t id, const identity::Visibility& v) override {
    if (v.all) return true;
    bool out = false;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      std::string sql = "SELECT 1 FROM customers c WHERE c.org_id = ? AND c.id = ?";
      std::vector<Value> params{org_id, id};
      AppendVisibility(v, org_id, sql, params);
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      out = !rows.empty();
      return Status::Ok();
    }));
    return out;
  }

  Result<AccessState> Access(int64_t org_id, int64_t id, const identity::Visibility& v) override {
    AccessState out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      std::string sql = "SELECT x.deleted_at, x.merged_into";
      std::vector<Value> params;
      if (v.all) {
        sql += ", 1";
      } else {
        sql += ", EXISTS (SELECT 1 FROM customers c WHERE c.org_id = ? AND c.id = ?";
        params.emplace_back(org_id);
        params.emplace_back(id);
        AppendVisibility(v, org_id, sql, params);
        sql += ")";
      }
      sql += " FROM customers x WHERE x.org_id = ? AND x.id = ?";
      params.emplace_back(org_id);
      params.emplace_back(id);
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      if (rows.empty()) return Status::Ok();
      out.exists = true;
      out.deleted = !rows[0].IsNull(0);
      if (!rows[0].IsNull(1)) out.merged_into = rows[0].Int(1);
      out.visible = rows[0].Int(2) != 0;
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<Customer>> List(const ListQuery& q) override {
    std::vector<Customer> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto visible, FewVisible(c, q));
      const std::vector<int64_t>* within = visible ? &*visible : nullptr;
      std::optional<std::vector<int64_t>> hits;
      if (q.search && !pg_) {
        KEHU_ASSIGN_OR_RETURN(auto page, SearchPage(c, q, within));
        hits = std::move(page);
      }
      // Many candidates (a search's few matches, the customers a salesperson sees): the page's ids
      // first, sorted from the narrow index, then only those rows.
      std::vector<int64_t> narrowed;
      const size_t candidates = hits ? hits->size() : within ? within->size() : 0;
      if (!pg_ && candidates > static_cast<size_t>(q.limit) && SortKeyById(q)) {
        auto [id_sql, id_params] = ListSql(q, hits, "c.id", within, true);
        if (id_sql.empty()) return InvalidArgument("invalid cursor", {{"cursor", "is not a cursor this list gave out"}});
        KEHU_ASSIGN_OR_RETURN(auto id_rows, c.Query(id_sql, id_params));
        for (const auto& r : id_rows) narrowed.push_back(r.Int(0));
        if (hits) {
          hits = std::move(narrowed);
          within = nullptr;
        } else {
          within = &narrowed;
        }
      }
      bool common_tag = false;
      if (!hits && !within) {
        KEHU_ASSIGN_OR_RETURN(common_tag, CommonTag(c, q));
      }
      auto [sql, params] = ListSql(q, hits, kCols, within, false, common_tag);
      if (sql.empty()) return InvalidArgument("invalid cursor", {{"cursor", "is not a cursor this list gave out"}});
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      out.reserve(rows.size());
      for (const auto& r : rows) out.push_back(FromRow(r));
      return LoadShares(c, out);
    }));
    return out;
  }

  // Full-text hits in rowid order (descending or not), read as far as needed; the first ones
  // read (to count them) are replayed before the rest.
  class HitStream {
   public:
    // sql: "SELECT rowid FROM ... WHERE ..." without its order.
    static Result<HitStream> Open(Connection& c, const std::string& sql, const std::vector<Value>& params,
                                  bool desc) {
      HitStream s;
      KEHU_ASSIGN_OR_RETURN(s.cursor_, c.Open(sql + " ORDER BY rowid" + (desc ? " DESC" : ""), params));
      return s;
    }
    static Result<HitStream> Tokens(Connection& c, const customers::SearchSpec& spec, bool desc) {
      return Open(c, "SELECT rowid FROM customers_fts_tok WHERE customers_fts_tok MATCH ?", {Fts5TokenQuery(spec)},
                  desc);
    }
    // The trigram index for a substring: its phrase; for a longer ASCII one (6+ characters)
    // trigrams that cover it, ANDed, and each candidate's text checked with instr() — the same
    // hits at a third of the cost, because a long phrase drags the position lists of very common
    // trigrams (pinyin's "ang", "xia", "ing") through every document holding all of them. Of the
    // covering trigrams, those in more than four times as many documents as the rarest one (and
    // in more than `common` documents) are left out, the two rarest always kept: `wangfang` is
    // "wan" AND "gfa" (2 ms on a million customers), not also "ang", which 40 % of them hold
    // (7 ms). The text is ASCII-lowered on both sides (customer_search.cc), so instr() decides
    // exactly whichever trigrams narrowed the candidates. Six to eight digits keep the phrase:
    // digit trigrams are all about equally common, so the two rarest of `1381234` (`123`, `234`)
    // still leave ~700 candidates whose texts instr() reads at random (a million customers, 300
    // random queries one at a time: 6.0 ms mean against 4.5 ms for the phrase); eleven digits
    // leave a handful (2.4 ms against 5.9 ms for the phrase).
    static Result<HitStream> Substring(Connection& c, const std::string& sub, bool desc, TrigramCounts& counts,
                                       int64_t common) {
      const bool ascii = std::all_of(sub.begin(), sub.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
      const bool digits = std::all_of(sub.begin(), sub.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      if (!ascii || sub.size() < 6 || (digits && sub.size() < 9)) {
        return Open(c, "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?", {Fts5Phrase(sub)}, desc);
      }
      std::vector<std::pair<int64_t, std::string>> cover;  // (documents, trigram)
      for (size_t at = 0;; at += 3) {
        at = std::min(at, sub.size() - 3);
        std::string tri = sub.substr(at, 3);
        KEHU_ASSIGN_OR_RETURN(int64_t n, counts.Get(c, tri));
        cover.emplace_back(n, std::move(tri));
        if (at + 3 == sub.size()) break;
      }
      std::stable_sort(cover.begin(), cover.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      std::string match;
      for (size_t i = 0; i < cover.size(); ++i) {
        if (i >= 2 && cover[i].first > 4 * cover[0].first && cover[i].first > common) break;
        match += (match.empty() ? "" : " AND ") + Fts5Phrase(cover[i].second);
      }
      return Open(c, "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? AND instr(doc, ?) > 0",
                  {match, sub}, desc);
    }
    // Reads ahead until n hits are held or none is left; true when every hit is held.
    Result<bool> ReadAhead(size_t n) {
      while (!spent_ && read_.size() < n) {
        KEHU_ASSIGN_OR_RETURN(auto row, cursor_->Next());
        if (row) read_.push_back(row->Int(0));
        else spent_ = true;
      }
      return spent_;
    }
    const std::vector<int64_t>& read() const { return read_; }
    Result<std::optional<int64_t>> Next() {
      if (next_ < read_.size()) return std::optional<int64_t>(read_[next_++]);
      if (spent_) return std::optional<int64_t>();
      KEHU_ASSIGN_OR_RETURN(auto row, cursor_->Next());
      if (!row) spent_ = true;
      return row ? std::optional<int64_t>(row->Int(0)) : std::nullopt;
    }

   private:
    std::unique_ptr<Cursor> cursor_;
    std::vector<int64_t> read_;
    size_t next_{0};
    bool spent_{false};
  };

  // A search on SQLite: the ids of the page's rows, settled before the rows are read.
  // With few matches (< tuning_.few_matches in the token and substring indexes together), every hit;
  // the list query then sorts them (`+c.org_id` keeps SQLite off the sort index). With many,
  // MatchesInOrder walks the sort index beside the hits and stops after one page instead of
  // gathering a quarter of the customers first.
  Result<std::vector<int64_t>> SearchPage(Connection& c, const ListQuery& q, const std::vector<int64_t>* within) {
    const auto& spec = *q.search;
    // The token stream is read in the walk's order from the start (a prefix query costs the
    // same either way: FTS5 gathers its hits first). The substring stream is counted in
    // ascending rowid order, which FTS5 reads fastest (a long phrase takes twice as long
    // descending), and reopened descending for a descending walk.
    // (A query of three or more Han characters has no token phrase: FoldQuery.)
    std::vector<HitStream> streams;
    bool few = true;
    size_t held = 0;
    if (!spec.token_prefixes.empty()) {
      KEHU_ASSIGN_OR_RETURN(auto tok, HitStream::Tokens(c, spec, q.descending));
      KEHU_ASSIGN_OR_RETURN(few, tok.ReadAhead(tuning_.few_matches));
      held = tok.read().size();
      streams.push_back(std::move(tok));
    }
    if (!spec.substring.empty()) {
      const bool counted = few;
      const auto common = static_cast<int64_t>(tuning_.few_matches);
      KEHU_ASSIGN_OR_RETURN(auto tri, HitStream::Substring(c, spec.substring, q.descending && !counted,
                                                           trigram_counts_, common));
      if (counted) {
        KEHU_ASSIGN_OR_RETURN(few, tri.ReadAhead(tuning_.few_matches - held));
        if (!few && q.descending) {
          KEHU_ASSIGN_OR_RETURN(tri, HitStream::Substring(c, spec.substring, true, trigram_counts_, common));
        }
      }
      streams.push_back(std::move(tri));
    }
    if (few) {
      std::vector<int64_t> ids;
      for (const auto& st : streams) ids.insert(ids.end(), st.read().begin(), st.read().end());
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      return ids;
    }
    return MatchesInOrder(c, q, streams, within);
  }

  // A search with many matches (SQLite): the ids of the page's rows, at most q.limit of them.
  // The list's own query without the search walks the list in its order (every other filter
  // applied); the full-text hits stream beside it in rowid order, descending for a descending
  // list. A walked id is a match when a stream holds it: each stream is read up to that id, and
  // the hits it passes on the way are kept for rows the walk reaches later. Newest first (the
  // default), ids fall as the walk goes and both sides stop after about one page; in any other
  // order the streams run further ahead and, at worst, are read to the end — never more work
  // than gathering every hit first. Once the streams are spent, only kept hits can still match,
  // so the walk ends when none is left.
  Result<std::vector<int64_t>> MatchesInOrder(Connection& c, const ListQuery& q, std::vector<HitStream>& streams,
                                              const std::vector<int64_t>* within) {
    std::vector<std::optional<int64_t>> heads;
    for (auto& st : streams) {
      KEHU_ASSIGN_OR_RETURN(auto h, st.Next());
      heads.push_back(h);
    }
    // The walk: the list's own query without the search and without a limit, stepped row by
    // row (SQLite plans it like a list page: the sort index, on the demo data and in the tests).
    ListQuery walk = q;
    walk.search.reset();
    walk.limit = std::numeric_limits<int>::max();
    const std::string cols = std::string("c.id, ") +
                             (q.sort == SortKey::kCreatedAt   ? "c.created_at"
                              : q.sort == SortKey::kUpdatedAt ? "c.updated_at"
                                                              : "c.name_sort");
    auto [sql, params] = ListSql(walk, std::nullopt, cols.c_str(), within);
    if (sql.empty()) return InvalidArgument("invalid cursor", {{"cursor", "is not a cursor this list gave out"}});
    KEHU_ASSIGN_OR_RETURN(auto rows, c.Open(sql, params));

    const bool desc = q.descending;
    std::unordered_set<int64_t> kept;  // hits the streams have passed, not yet walked
    std::vector<int64_t> page;
    auto spent_streams = [&] {
      for (const auto& h : heads)
        if (h) return false;
      return true;
    };
    // Walking newest or oldest first reads the table nearly in id order, several times cheaper a
    // row than reading hits by id (random places in the table, then a sort); in the other orders
    // both read at random.
    const int64_t walk_cost = q.sort == SortKey::kCreatedAt ? 4 : 1;
    // Moves stream i past its head, keeping the head for the walk — unless it is already on the
    // page (matched through another stream): the walk will not see it again, and a kept id means
    // "the walk may still need this one".
    auto pass = [&](size_t i) -> Status {
      if (std::find(page.begin(), page.end(), *heads[i]) == page.end()) kept.insert(*heads[i]);
      KEHU_ASSIGN_OR_RETURN(heads[i], streams[i].Next());
      return Status::Ok();
    };
    int64_t walked = 0;
    std::optional<Row> last;
    while (static_cast<int64_t>(page.size()) < q.limit && !(spent_streams() && kept.empty())) {
      KEHU_ASSIGN_OR_RETURN(auto row, rows->Next());
      if (!row) break;
      const int64_t id = row->Int(0);
      bool match = kept.erase(id) > 0;
      for (size_t i = 0; i < streams.size() && !match; ++i) {
        while (heads[i] && (desc ? *heads[i] > id : *heads[i] < id)) KEHU_RETURN_IF_ERROR(pass(i));
        match = heads[i] == id;
      }
      if (match) page.push_back(id);
      last = std::move(row);
      // A long walk (the matches sit late in this order: `wang` sorted by name walks every name
      // before "w…"): every walk_budget rows, read ahead the hits while they stay fewer than the
      // walk so far costs; once every hit is read and reading the rest by id costs less than the
      // walk so far, read those rows after the walk's position and sort them, as with few
      // matches, instead of walking on. Every match still ahead is among them: a hit the
      // streams passed was kept, one they had not reached has been read now.
      if (++walked % tuning_.walk_budget != 0) continue;
      for (size_t i = 0; i < streams.size(); ++i) {
        while (heads[i] && static_cast<int64_t>(kept.size()) * walk_cost <= walked) KEHU_RETURN_IF_ERROR(pass(i));
      }
      if (static_cast<int64_t>(kept.size()) * walk_cost > walked || !spent_streams()) continue;
      ListQuery rest = q;  // with hits: ListSql's id filter, not a second search
      rest.after_key = last->Text(1);
      rest.after_id = last->Int(0);
      rest.limit = q.limit - static_cast<int>(page.size());
      std::vector<int64_t> ahead(kept.begin(), kept.end());
      std::sort(ahead.begin(), ahead.end());
      auto [rest_sql, rest_params] = ListSql(rest, ahead, "c.id", within, SortKeyById(rest));
      KEHU_ASSIGN_OR_RETURN(auto found, c.Query(rest_sql, rest_params));
      for (const auto& r : found) page.push_back(r.Int(0));
      return page;
    }
    return page;
  }

  // " AND c.id IN (ids)": placeholders up to few_matches ids (a little faster), beyond that one
  // JSON array (a long walk's remaining hits; SQLite allows no more than 32,766 parameters).
  void AppendIds(const std::vector<int64_t>& ids, std::string& sql, std::vector<Value>& params) const {
    if (ids.empty()) {
      sql += " AND 1 = 0";
    } else if (ids.size() <= tuning_.few_matches) {
      sql += " AND c.id IN (" + Placeholders(ids.size()) + ")";
      for (int64_t id : ids) params.emplace_back(id);
    } else {
      std::string json = "[";
      for (int64_t id : ids) json += (json.size() > 1 ? "," : "") + std::to_string(id);
      sql += " AND c.id IN (SELECT value FROM json_each(?))";
      params.emplace_back(json + "]");
    }
  }

  // SQLite, a user who does not see everything: the ids of the customers they may see, when
  // fewer than few_matches (owned, shared with them, their teams', unowned — as AppendVisibility
  // says). A list or search then starts from those rows: walking the org's sort index and testing
  // each row's owner found nothing for a new salesperson only after reading every customer
  // (0.5 s for a list on a million customers, 2.5 s for a search sorted by name).
  Result<std::optional<std::vector<int64_t>>> FewVisible(Connection& c, const ListQuery& q) {
    const identity::Visibility& v = q.visibility;
    if (pg_ || v.all) return std::optional<std::vector<int64_t>>();
    std::vector<int64_t> ids;
    const int64_t cap = static_cast<int64_t>(tuning_.few_matches);
    auto add = [&](const std::string& sql, std::vector<Value> params) -> Result<bool> {
      params.emplace_back(cap + 1);
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql + " LIMIT ?", params));
      for (const auto& r : rows) ids.push_back(r.Int(0));
      return static_cast<int64_t>(ids.size()) <= cap;
    };
    KEHU_ASSIGN_OR_RETURN(bool few, add("SELECT id FROM customers WHERE org_id = ? AND owner_id = ?", {q.org_id, v.user_id}));
    if (few) {
      KEHU_ASSIGN_OR_RETURN(few, add("SELECT customer_id FROM customer_shares WHERE org_id = ? AND user_id = ?",
                                     {q.org_id, v.user_id}));
    }
    if (few && !v.managed_team_ids.empty()) {
      std::vector<Value> params{q.org_id, q.org_id};
      for (int64_t team : v.managed_team_ids) params.emplace_back(team);
      KEHU_ASSIGN_OR_RETURN(few, add("SELECT id FROM customers WHERE org_id = ? AND owner_id IN (SELECT user_id FROM "
                                     "team_members WHERE org_id = ? AND team_id IN (" +
                                         Placeholders(v.managed_team_ids.size()) + "))",
                                     std::move(params)));
    }
    if (few && v.include_unowned) {
      KEHU_ASSIGN_OR_RETURN(few, add("SELECT id FROM customers WHERE org_id = ? AND owner_id IS NULL", {q.org_id}));
    }
    if (!few) return std::optional<std::vector<int64_t>>();
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return std::optional<std::vector<int64_t>>(std::move(ids));
  }

  // SQLite: whether the narrow index customers_live_by_id (0011: id, org_id, created_at,
  // updated_at, owner_id of live customers) holds every column a query for ids reads — its sort
  // key, its owner and visibility conditions (a tag filter reads customer_tags by id). Sorting
  // hundreds of candidates by id reads it (about 150 entries a page, 28 MB on a million
  // customers, so it stays in a reader's cache) instead of one random page of the table for each
  // (13 rows a page, 320 MB): 300 random four-digit searches in one sqlite3 session 2.3-2.7 s -> 1.1-1.5 s.
  static bool SortKeyById(const ListQuery& q) {
    return q.sort != SortKey::kName && !q.category && !q.lifecycle_stage && !q.relationship_level && !q.kind &&
           !q.vip;
  }

  // The list query's SQL and parameters; an empty SQL text means a malformed cursor key.
  // `hits` (SQLite, few matches): every matching id, used instead of the full-text subquery.
  // `cols`: the columns read (the customer's by default).
  // `within` (SQLite, a user who sees few customers): their ids; the rows come from those, not
  // from a walk of the whole org's sort index.
  // `by_id` (SQLite, with hits or within, SortKeyById, cols "c.id"): read customers_live_by_id.
  // Whether a list filtered by a tag (and nothing narrower) should walk its sort order and probe
  // each customer for the tag, rather than gather every customer with the tag and sort them.
  // SQLite plans the IN form either way: a tag on 18,140 of 100,000 demo customers took 108 ms
  // a page that way against 1 ms walking (docs/benchmarks.md, 2026-12-07), while a rare tag is
  // the other way round. Walking reads about limit × customers / tagged rows at ~2 µs a probe,
  // gathering ~8 µs a tagged row, so walking wins once tagged² × 4 > (limit + 1) × customers; the
  // customer count is taken as the largest id, and the tag's rows are counted only up to that
  // point (a few thousand index entries on a million, however common the tag). PostgreSQL
  // chooses between the two from its statistics.
  Result<bool> CommonTag(Connection& c, const ListQuery& q) {
    if (pg_ || !q.tag) return false;
    KEHU_ASSIGN_OR_RETURN(auto m, c.Query("SELECT max(id) FROM customers", {}));
    const double customers = m[0].IsNull(0) ? 0.0 : static_cast<double>(m[0].Int(0));
    const auto enough = static_cast<int64_t>(std::sqrt(static_cast<double>(q.limit + 1) * customers / 4.0)) + 1;
    KEHU_ASSIGN_OR_RETURN(auto n, c.Query("SELECT count(*) FROM (SELECT 1 FROM customer_tags WHERE org_id = ? AND "
                                          "tag = ? LIMIT ?)",
                                          {q.org_id, *q.tag, enough}));
    return n[0].Int(0) >= enough;
  }

  std::pair<std::string, std::vector<Value>> ListSql(const ListQuery& q,
                                                     const std::optional<std::vector<int64_t>>& hits,
                                                     const char* cols = kCols,
                                                     const std::vector<int64_t>* within = nullptr,
                                                     bool by_id = false, bool common_tag = false) {
    const bool fts_first = hits.has_value() || within != nullptr;
    std::string sql = std::string("SELECT ") + cols + " FROM customers c" +
                      (by_id && fts_first && !pg_ ? " INDEXED BY customers_live_by_id" : "") + " WHERE " +
                      (fts_first ? "+c.org_id" : "c.org_id") +
                      " = ? AND c.deleted_at IS NULL AND c.merged_into IS NULL";
    std::vector<Value> params{q.org_id};
    if (q.search) {
      const auto& s = *q.search;
      if (pg_) {
        sql += " AND (";
        bool any = false;
        std::string tsq = PgTsQuery(s.token_prefixes);
        if (!tsq.empty()) {
          sql += "c.search_tok @@ to_tsquery('simple', ?)";
          params.push_back(tsq);
          any = true;
        }
        if (!s.substring.empty()) {
          sql += any ? " OR " : "";
          sql += "c.search_doc LIKE ? ESCAPE '\\'";
          params.push_back("%" + LikeEscape(s.substring) + "%");
          any = true;
        }
        if (!any) sql += "1 = 0";
        sql += ")";
      } else if (hits) {
        AppendIds(*hits, sql, params);
      }
      // (SQLite without hits: SearchPage settles a search's rows first; it always passes hits.)
    }
    if (within) AppendIds(*within, sql, params);
    AppendVisibility(q.visibility, q.org_id, sql, params);
    auto eq = [&](const char* col, const std::optional<std::string>& v) {
      if (!v) return;
      sql += std::string(" AND c.") + col + " = ?";
      params.push_back(*v);
    };
    eq("category", q.category);
    eq("lifecycle_stage", q.lifecycle_stage);
    eq("relationship_level", q.relationship_level);
    eq("kind", q.kind);
    if (q.owner_id) {
      sql += " AND c.owner_id = ?";
      params.push_back(*q.owner_id);
    }
    if (q.vip) {
      sql += " AND c.vip = ?";
      params.push_back(B(*q.vip));
    }
    if (q.tag && common_tag) {
      // A tag many customers carry: walk the sort order and probe each row (CommonTag).
      sql += " AND EXISTS (SELECT 1 FROM customer_tags t WHERE t.org_id = c.org_id AND t.tag = ? AND "
             "t.customer_id = c.id)";
      params.push_back(*q.tag);
    } else if (q.tag) {
      sql += " AND c.id IN (SELECT customer_id FROM customer_tags WHERE org_id = ? AND tag = ?)";
      params.insert(params.end(), {q.org_id, *q.tag});
    }
    const char* col = q.sort == SortKey::kCreatedAt ? "c.created_at"
                      : q.sort == SortKey::kUpdatedAt ? "c.updated_at"
                                                      : "c.name_sort";
    const char* op = q.descending ? "<" : ">";
    if (q.after_key) {
      Value key;
      if (q.sort == SortKey::kName) {
        key = *q.after_key;
      } else {
        int64_t k = 0;
        auto [p, ec] = std::from_chars(q.after_key->data(), q.after_key->data() + q.after_key->size(), k);
        if (ec != std::errc() || p != q.after_key->data() + q.after_key->size()) return {};
        key = k;
      }
      // A row-value comparison: both engines turn it into one range of the (org_id, key, id)
      // index, so every page costs the same however deep (an OR of two conditions does not).
      sql += std::string(" AND (") + col + ", c.id) " + op + " (?, ?)";
      params.insert(params.end(), {key, q.after_id});
    }
    const char* dir = q.descending ? " DESC" : " ASC";
    sql += std::string(" ORDER BY ") + col + dir + ", c.id" + dir + " LIMIT ?";
    params.push_back(int64_t{q.limit});
    return {std::move(sql), std::move(params)};
  }

  Result<std::optional<Customer>> FindByPhone(int64_t org_id, const std::string& e164) override {
    int64_t id = 0;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT customer_id FROM customer_phones WHERE org_id = ? "
                                               "AND phone = ?", {org_id, e164}));
      if (!rows.empty()) id = rows[0].Int(0);
      return Status::Ok();
    }));
    if (!id) return std::optional<Customer>();
    return Get(org_id, id);
  }

  Result<std::optional<Customer>> FindByExternalId(int64_t org_id, const std::string& external_id) override {
    int64_t id = 0;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id FROM customers WHERE org_id = ? AND external_id = ?",
                                               {org_id, external_id}));
      if (!rows.empty()) id = rows[0].Int(0);
      return Status::Ok();
    }));
    if (!id) return std::optional<Customer>();
    return Get(org_id, id);
  }

  Result<std::vector<customers::DuplicateCandidate>> FindDuplicates(
      const Customer& cust, const customers::SearchText& search) override {
    std::map<int64_t, std::vector<std::string>> found;
    auto add = [&](int64_t id, const char* reason) {
      if (id == cust.id) return;
      auto& v = found[id];
      if (std::find(v.begin(), v.end(), reason) == v.end()) v.push_back(reason);
    };
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      const int64_t org = cust.org_id;
      const char* live = " AND deleted_at IS NULL AND merged_into IS NULL AND erased_at IS NULL";
      if (!search.name_fold.empty()) {
        KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT id FROM customers WHERE org_id = ? AND "
                                                             "name_fold = ?") + live + " LIMIT 50",
                                                 {org, search.name_fold}));
        for (const auto& r : rows) add(r.Int(0), "name");
      }
      if (!search.name_sort.empty()) {
        KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT id FROM customers WHERE org_id = ? AND "
                                                             "name_sort = ?") + live + " LIMIT 50",
                                                 {org, search.name_sort}));
        for (const auto& r : rows) add(r.Int(0), "name");
      }
      // Another customer's contact holds one of this customer's phones or emails.
      auto contact_match = [&](const std::string& value, const char* col, const char* reason) -> Status {
        KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
            std::string("SELECT DISTINCT customer_id FROM contacts WHERE org_id = ? AND deleted_at IS NULL "
                        "AND ") + col + " LIKE ? ESCAPE '\\' LIMIT 50",
            {org, "%" + LikeEscape(JsonQuote(value)) + "%"}));
        for (const auto& r : rows) add(r.Int(0), reason);
        return Status::Ok();
      };
      for (const auto& p : cust.phones) KEHU_RETURN_IF_ERROR(contact_match(p, "phones", "phone"));
      for (const auto& e : cust.emails) KEHU_RETURN_IF_ERROR(contact_match(e, "emails", "email"));
      // This customer's contacts hold another customer's phone or email.
      KEHU_ASSIGN_OR_RETURN(auto contacts, c.Query("SELECT phones, emails FROM contacts WHERE org_id = ? AND "
                                                   "customer_id = ? AND deleted_at IS NULL", {org, cust.id}));
      for (const auto& r : contacts) {
        for (const auto& p : StringsFromJson(r.Text(0))) {
          KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT customer_id FROM customer_phones WHERE org_id = ? "
                                                   "AND phone = ?", {org, p}));
          for (const auto& x : rows) add(x.Int(0), "phone");
        }
        for (const auto& e : StringsFromJson(r.Text(1))) {
          KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT customer_id FROM customer_emails WHERE org_id = ? "
                                                   "AND email = ?", {org, e}));
          for (const auto& x : rows) add(x.Int(0), "email");
        }
      }
      return Status::Ok();
    }));
    std::vector<customers::DuplicateCandidate> out;
    for (auto& [id, reasons] : found) out.push_back({id, std::move(reasons)});
    return out;
  }

  Result<std::vector<Contact>> ListContacts(int64_t org_id, int64_t customer_id) override {
    std::vector<Contact> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kContactCols +
                                               " FROM contacts WHERE org_id = ? AND customer_id = ? AND "
                                               "deleted_at IS NULL ORDER BY id", {org_id, customer_id}));
      for (const auto& r : rows) out.push_back(ContactFromRow(r));
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<Contact>> GetContact(int64_t org_id, int64_t id) override {
    std::optional<Contact> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kContactCols +
                                               " FROM contacts WHERE org_id = ? AND id = ? AND deleted_at IS NULL",
                                               {org_id, id}));
      if (!rows.empty()) out = ContactFromRow(rows[0]);
      return Status::Ok();
    }));
    return out;
  }

  Result<Contact> WriteContact(const Contact& ct, int64_t expected_version, bool remove,
                               const identity::AuditEntry& audit) override {
    Contact out = ct;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      identity::AuditEntry a = audit;
      if (remove) {
        KEHU_ASSIGN_OR_RETURN(auto n, c.Exec(
            "UPDATE contacts SET deleted_at = ?, name = '', title = '', phones = '[]', emails = '[]', "
            "note = '', version = version + 1 WHERE org_id = ? AND id = ? AND deleted_at IS NULL",
            {audit.at, ct.org_id, ct.id}));
        if (n == 0) return NotFound("no such contact");
      } else if (ct.id == 0) {
        KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
            "INSERT INTO contacts(org_id, customer_id, name, title, role, phones, emails, note, created_at, "
            "updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
            {ct.org_id, ct.customer_id, ct.name, ct.title, std::string(customers::Name(ct.role)),
             StringsToJson(ct.phones), StringsToJson(ct.emails), ct.note, ct.created_at, ct.updated_at}));
        out.id = rows.at(0).Int(0);
        out.version = 1;
        a.entity_id = out.id;
      } else {
        KEHU_ASSIGN_OR_RETURN(auto n, c.Exec(
            "UPDATE contacts SET name = ?, title = ?, role = ?, phones = ?, emails = ?, note = ?, updated_at = ?, "
            "version = version + 1 WHERE org_id = ? AND id = ? AND version = ? AND deleted_at IS NULL",
            {ct.name, ct.title, std::string(customers::Name(ct.role)), StringsToJson(ct.phones),
             StringsToJson(ct.emails), ct.note, ct.updated_at, ct.org_id, ct.id, expected_version}));
        if (n == 0) return MakeError(ErrorCode::kAborted, "the contact was changed by someone else");
        out.version = expected_version + 1;
      }
      return AppendAuditEntry(c, a);
    }));
    return out;
  }

  Result<std::vector<customers::Category>> ListCategories(int64_t org_id) override {
    std::vector<customers::Category> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, org_id, key, name_zh, name_en, builtin FROM categories "
                                               "WHERE org_id = ? ORDER BY id", {org_id}));
      for (const auto& r : rows)
        out.push_back({r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5) != 0});
      return Status::Ok();
    }));
    return out;
  }

  Result<customers::Category> CreateCategory(const customers::Category& k) override {
    customers::Category out = k;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
          "INSERT INTO categories(org_id, key, name_zh, name_en, builtin, created_at) VALUES (?, ?, ?, ?, ?, 0) "
          "RETURNING id", {k.org_id, k.key, k.name_zh, k.name_en, B(k.builtin)}));
      out.id = rows.at(0).Int(0);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<CustomFieldDef>> ListFieldDefs(int64_t org_id) override {
    std::vector<CustomFieldDef> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, org_id, key, label, type, options, required FROM "
                                               "custom_field_defs WHERE org_id = ? ORDER BY id", {org_id}));
      for (const auto& r : rows)
        out.push_back({r.Int(0), r.Int(1), r.Text(2), r.Text(3),
                       customers::ParseFieldType(r.Text(4)).value_or(customers::FieldType::kText),
                       StringsFromJson(r.Text(5)), r.Int(6) != 0});
      return Status::Ok();
    }));
    return out;
  }

  Result<CustomFieldDef> CreateFieldDef(const CustomFieldDef& d) override {
    CustomFieldDef out = d;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
          "INSERT INTO custom_field_defs(org_id, key, label, type, options, required, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?, 0) RETURNING id",
          {d.org_id, d.key, d.label, std::string(customers::Name(d.type)), StringsToJson(d.options),
           B(d.required)}));
      out.id = rows.at(0).Int(0);
      return Status::Ok();
    }));
    return out;
  }

  Status DeleteFieldDef(int64_t org_id, int64_t id) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto n, c.Exec("DELETE FROM custom_field_defs WHERE org_id = ? AND id = ?", {org_id, id}));
      if (n == 0) return NotFound("no such custom field");
      return Status::Ok();
    });
  }

  Result<std::vector<SavedView>> ListSavedViews(int64_t org_id, int64_t user_id) override {
    std::vector<SavedView> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, name, query FROM saved_views WHERE org_id = ? AND "
                                               "user_id = ? ORDER BY id", {org_id, user_id}));
      for (const auto& r : rows) out.push_back({r.Int(0), org_id, user_id, r.Text(1), r.Text(2)});
      return Status::Ok();
    }));
    return out;
  }

  Result<SavedView> CreateSavedView(const SavedView& v) override {
    SavedView out = v;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("INSERT INTO saved_views(org_id, user_id, name, query, created_at) "
                                               "VALUES (?, ?, ?, ?, 0) RETURNING id",
                                               {v.org_id, v.user_id, v.name, v.query_json}));
      out.id = rows.at(0).Int(0);
      return Status::Ok();
    }));
    return out;
  }

  Status DeleteSavedView(int64_t org_id, int64_t user_id, int64_t id) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto n, c.Exec("DELETE FROM saved_views WHERE org_id = ? AND user_id = ? AND id = ?",
                                           {org_id, user_id, id}));
      if (n == 0) return NotFound("no such saved view");
      return Status::Ok();
    });
  }

  Result<std::vector<std::pair<int64_t, int>>> SearchTextVersions() override {
    std::vector<std::pair<int64_t, int>> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      // Every org (a system-wide read, like the migrations): orgs has no org_id of its own.
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT o.id, COALESCE(s.version, ?) FROM orgs o LEFT JOIN "
                                               "search_text_state s ON s.org_id = o.id ORDER BY o.id",
                                               {int64_t{customers::kFirstRecordedSearchTextVersion}}));
      for (const auto& r : rows) out.emplace_back(r.Int(0), static_cast<int>(r.Int(1)));
      return Status::Ok();
    }));
    return out;
  }

  Status SetSearchTextVersion(int64_t org_id, int version, UnixMillis now) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO search_text_state(org_id, version, updated_at) VALUES (?, ?, ?) "
                                  "ON CONFLICT (org_id) DO UPDATE SET version = excluded.version, updated_at = "
                                  "excluded.updated_at",
                                  {org_id, int64_t{version}, now}));
      return Status::Ok();
    });
  }

  Status SetSearchTextVersionIfNoCustomers(int64_t org_id, int version, UnixMillis now) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO search_text_state(org_id, version, updated_at) SELECT ?, ?, ? WHERE "
                                  "NOT EXISTS (SELECT 1 FROM customers WHERE org_id = ?) ON CONFLICT (org_id) DO NOTHING",
                                  {org_id, int64_t{version}, now, org_id}));
      return Status::Ok();
    });
  }

  Result<bool> MergeSearchIndex(int pages) override {
    if (pg_) return false;  // GIN indexes merge their pending lists themselves (and autovacuum)
    bool worked = false;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      for (const char* table : {"customers_fts", "customers_fts_tok"}) {
        // FTS5's way to tell whether 'merge' did anything: total_changes() moves by 2 or more
        // when it merged segments, by less when there was nothing to merge.
        KEHU_ASSIGN_OR_RETURN(auto before, c.Query("SELECT total_changes()", {}));
        KEHU_RETURN_IF_ERROR(
            c.Exec(std::string("INSERT INTO ") + table + "(" + table + ", rank) VALUES ('merge', ?)", {int64_t{pages}}));
        KEHU_ASSIGN_OR_RETURN(auto after, c.Query("SELECT total_changes()", {}));
        if (after[0].Int(0) - before[0].Int(0) >= 2) worked = true;
      }
      return Status::Ok();
    }));
    return worked;
  }

  Result<std::vector<Customer>> ListLiveAfter(int64_t org_id, int64_t after_id, int limit) override {
    static const std::string kSql = std::string("SELECT ") + kCols +
                                    " FROM customers c WHERE c.org_id = ? AND c.id > ? AND c.deleted_at IS NULL AND "
                                    "c.merged_into IS NULL ORDER BY c.id LIMIT ?";
    std::vector<Customer> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(kSql, {org_id, after_id, int64_t{limit}}));
      for (const auto& r : rows) out.push_back(FromRow(r));
      return LoadShares(c, out);
    }));
    return out;
  }

  Result<int64_t> RewriteSearchTexts(int64_t org_id, const std::vector<customers::SearchRewrite>& rows) override {
    int64_t changed = 0;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      changed = 0;
      for (const auto& r : rows) {
        if (pg_) {  // one statement: the texts are columns of the row
          KEHU_ASSIGN_OR_RETURN(
              auto n, c.Exec("UPDATE customers SET name_sort = ?, name_fold = ?, search_doc = ?, search_tok = "
                             "to_tsvector('simple', ?) WHERE org_id = ? AND id = ? AND version = ? AND deleted_at IS "
                             "NULL AND merged_into IS NULL AND (name_sort IS DISTINCT FROM ? OR name_fold IS DISTINCT "
                             "FROM ? OR search_doc IS DISTINCT FROM ? OR search_tok IS DISTINCT FROM "
                             "to_tsvector('simple', ?))",
                             {r.search.name_sort, r.search.name_fold, r.search.doc, r.search.tokens, org_id, r.id,
                              r.version, r.search.name_sort, r.search.name_fold, r.search.doc, r.search.tokens}));
          changed += n;
          continue;
        }
        KEHU_ASSIGN_OR_RETURN(auto live, c.Query("SELECT name_sort, name_fold FROM customers WHERE org_id = ? AND id = ? "
                                                 "AND version = ? AND deleted_at IS NULL AND merged_into IS NULL",
                                                 {org_id, r.id, r.version}));
        if (live.empty()) continue;  // written (or deleted) since it was read: that write's texts stand
        bool any = false;
        if (live[0].Text(0) != r.search.name_sort || live[0].Text(1) != r.search.name_fold) {
          KEHU_RETURN_IF_ERROR(c.Exec("UPDATE customers SET name_sort = ?, name_fold = ? WHERE org_id = ? AND id = ?",
                                      {r.search.name_sort, r.search.name_fold, org_id, r.id}));
          any = true;
        }
        static constexpr const char* kTables[][3] = {
            {"SELECT doc FROM customers_fts WHERE rowid = ?", "DELETE FROM customers_fts WHERE rowid = ?",
             "INSERT INTO customers_fts(rowid, doc) VALUES (?, ?)"},
            {"SELECT doc FROM customers_fts_tok WHERE rowid = ?", "DELETE FROM customers_fts_tok WHERE rowid = ?",
             "INSERT INTO customers_fts_tok(rowid, doc) VALUES (?, ?)"}};
        for (int t = 0; t < 2; ++t) {
          const std::string& text = t == 0 ? r.search.doc : r.search.tokens;
          KEHU_ASSIGN_OR_RETURN(auto old, c.Query(kTables[t][0], {r.id}));
          if (!old.empty() && old[0].Text(0) == text) continue;
          if (!old.empty()) KEHU_RETURN_IF_ERROR(c.ExecIndexWrite(kTables[t][1], {r.id}));
          KEHU_RETURN_IF_ERROR(c.ExecIndexWrite(kTables[t][2], {r.id, text}));
          any = true;
        }
        if (any) ++changed;
      }
      return Status::Ok();
    }));
    return changed;
  }

 private:
  static constexpr const char* kContactCols =
      "id, org_id, customer_id, name, title, role, phones, emails, note, created_at, updated_at, version";

  static Contact ContactFromRow(const Row& r) {
    Contact c;
    c.id = r.Int(0);
    c.org_id = r.Int(1);
    c.customer_id = r.Int(2);
    c.name = r.Text(3);
    c.title = r.Text(4);
    c.role = customers::ParseBuyingRole(r.Text(5)).value_or(customers::BuyingRole::kUser);
    c.phones = StringsFromJson(r.Text(6));
    c.emails = StringsFromJson(r.Text(7));
    c.note = r.Text(8);
    c.created_at = r.Int(9);
    c.updated_at = r.Int(10);
    c.version = r.Int(11);
    return c;
  }

  Status LoadShares(Connection& c, std::vector<Customer>& v) {
    if (v.empty()) return Status::Ok();
    std::string sql = "SELECT customer_id, user_id FROM customer_shares WHERE org_id = ? AND customer_id IN (";
    std::vector<Value> params;
    params.emplace_back(v[0].org_id);
    std::map<int64_t, size_t> at;
    for (size_t i = 0; i < v.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.emplace_back(v[i].id);
      at[v[i].id] = i;
    }
    sql += ") ORDER BY user_id";
    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
    for (const auto& r : rows) v[at[r.Int(0)]].shared_with.push_back(r.Int(1));
    return Status::Ok();
  }

  // Holder of a unique value among other customers, or 0.
  Result<int64_t> Holder(Connection& c, const char* sql, int64_t org, const std::string& value, int64_t self) {
    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, {org, value, self}));
    return rows.empty() ? int64_t{0} : rows[0].Int(0);
  }

  static Error Conflict(int64_t holder, const std::string& field, const std::string& what) {
    Error e = MakeError(ErrorCode::kAlreadyExists, "customer " + std::to_string(holder) + " already has this " + what);
    e.conflict_id = holder;
    e.fields = {{field, "belongs to customer " + std::to_string(holder)}};
    return e;
  }

  // The first phone or email of the customer that another customer holds, as a conflict.
  Status CheckContactsUnique(Connection& c, const Customer& cu) {
    for (const auto& [key, values] : {std::pair{&kPhoneKey, &cu.phones}, std::pair{&kEmailKey, &cu.emails}})
      for (size_t i = 0; i < values->size(); ++i) {
        KEHU_ASSIGN_OR_RETURN(int64_t h, Holder(c, key->holder, cu.org_id, (*values)[i], cu.id));
        if (h) return Conflict(h, std::string(key->field) + "[" + std::to_string(i) + "]", key->what);
      }
    return Status::Ok();
  }

  // Before the row is written: the external id. Phones and emails are checked as their index rows
  // go in (InsertContactKey), one statement each instead of a look-up and an insert (a bulk
  // write's writer spent 5-7 us a row on the look-ups). A phone or email conflict is still
  // reported before an external id's, as it was when all three were looked up first.
  Status CheckUnique(Connection& c, const CustomerWrite& w) {
    const Customer& cu = w.customer;
    if (!w.index_contacts || !cu.external_id) return Status::Ok();
    KEHU_ASSIGN_OR_RETURN(int64_t h, Holder(c, "SELECT id FROM customers WHERE org_id = ? AND external_id = ? "
                                               "AND id <> ?", cu.org_id, *cu.external_id, cu.id));
    if (!h) return Status::Ok();
    KEHU_RETURN_IF_ERROR(CheckContactsUnique(c, cu));
    return Conflict(h, "external_id", "external id");
  }

  // A phone's or an email's key row: its insert (nothing when the org's key is taken), the
  // look-up of the customer that holds it, and how a conflict names it.
  struct ContactKey {
    const char* insert;
    const char* holder;
    const char* field;
    const char* what;
  };
  static constexpr ContactKey kPhoneKey{
      "INSERT INTO customer_phones(org_id, phone, customer_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      "SELECT customer_id FROM customer_phones WHERE org_id = ? AND phone = ? AND customer_id <> ?", "phones",
      "phone number"};
  static constexpr ContactKey kEmailKey{
      "INSERT INTO customer_emails(org_id, email, customer_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      "SELECT customer_id FROM customer_emails WHERE org_id = ? AND email = ? AND customer_id <> ?", "emails",
      "email address"};

  // values[i]'s key row; when another customer holds it, that customer as a conflict.
  Status InsertContactKey(Connection& c, const ContactKey& key, const Customer& cu,
                          const std::vector<std::string>& values, size_t i) {
    KEHU_ASSIGN_OR_RETURN(auto n, c.Exec(key.insert, {cu.org_id, values[i], cu.id}));
    if (n == 1) return Status::Ok();
    KEHU_ASSIGN_OR_RETURN(int64_t h, Holder(c, key.holder, cu.org_id, values[i], cu.id));
    if (!h) return Status::Ok();  // the same value twice in this customer's own list
    return Conflict(h, std::string(key.field) + "[" + std::to_string(i) + "]", key.what);
  }

  // Replaces the values of personal fields in a customer's audit history (erasure).
  Status RedactAudit(Connection& c, int64_t org, int64_t id, const std::vector<std::string>& fields) {
    KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, changes FROM audit_log WHERE org_id = ? AND "
                                             "entity = 'customer' AND entity_id = ?", {org, id}));
    for (const auto& r : rows) {
      boost::system::error_code ec;
      json::value v = json::parse(r.Text(1), ec);
      if (ec || !v.is_array()) continue;
      bool changed = false;
      for (auto& ch : v.as_array()) {
        // [field, after] (a change from nothing, see ParseAuditChanges) or {field, before, after}.
        if (auto* pair = ch.if_array(); pair != nullptr && pair->size() == 2 && pair->at(0).is_string()) {
          if (std::find(fields.begin(), fields.end(), std::string(pair->at(0).as_string())) != fields.end() &&
              !pair->at(1).is_null()) {
            pair->at(1) = "[erased]";
            changed = true;
          }
          continue;
        }
        if (!ch.is_object()) continue;
        auto& o = ch.as_object();
        auto* f = o.if_contains("field");
        if (!f || !f->is_string() ||
            std::find(fields.begin(), fields.end(), std::string(f->as_string())) == fields.end())
          continue;
        for (const char* k : {"before", "after"})
          if (auto* x = o.if_contains(k); x && !x->is_null()) {
            *x = "[erased]";
            changed = true;
          }
      }
      if (changed)
        KEHU_RETURN_IF_ERROR(c.Exec("UPDATE audit_log SET changes = ? WHERE id = ?", {json::serialize(v), r.Int(0)}));
    }
    return Status::Ok();
  }

  // Users found in the org during one transaction: an owner or share is looked up once per
  // transaction, not once per customer (no one can delete a user inside the writer's transaction).
  struct CheckedUsers {
    std::vector<std::pair<int64_t, int64_t>> known;  // (org, user)
  };

  Status CheckUser(Connection& c, int64_t org, int64_t user, CheckedUsers* checked, const char* field,
                   const std::string& message) {
    const std::pair<int64_t, int64_t> key{org, user};
    if (checked && std::find(checked->known.begin(), checked->known.end(), key) != checked->known.end())
      return Status::Ok();
    KEHU_ASSIGN_OR_RETURN(auto ok, c.Query("SELECT id FROM users WHERE org_id = ? AND id = ?", {org, user}));
    if (ok.empty()) return InvalidArgument("no such user", {{field, message}});
    if (checked && checked->known.size() < 4096) checked->known.push_back(key);
    return Status::Ok();
  }

  Result<Customer> WriteOne(Connection& c, CustomerWrite& w, CheckedUsers* checked = nullptr) {
    Customer& cu = w.customer;
    KEHU_RETURN_IF_ERROR(CheckUnique(c, w));
    std::vector<Value> vals = DataValues(w);
    if (w.expected_version == 0) {
      std::vector<Value> params{cu.org_id, Opt(cu.created_by), cu.created_at};
      params.insert(params.end(), std::make_move_iterator(vals.begin()), std::make_move_iterator(vals.end()));
      if (pg_) params.insert(params.end(), {w.search.doc, w.search.tokens});
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(pg_ ? InsertSql(true) : InsertSql(false), params));
      cu.id = rows.at(0).Int(0);
      w.audit.entity_id = cu.id;
    } else {
      std::vector<Value> params(std::make_move_iterator(vals.begin()), std::make_move_iterator(vals.end()));
      if (pg_) params.insert(params.end(), {w.search.doc, w.search.tokens});
      params.insert(params.end(), {cu.org_id, cu.id, w.expected_version});
      const std::string& sql = UpdateSql(pg_);
      KEHU_ASSIGN_OR_RETURN(auto n, c.Exec(sql, params));
      if (n == 0) {
        KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT version FROM customers WHERE org_id = ? AND id = ?",
                                                 {cu.org_id, cu.id}));
        if (rows.empty()) return NotFound("no such customer");
        return MakeError(ErrorCode::kAborted, "the customer was changed by someone else (current version " +
                                                  rows[0].Text(0) + ")");
      }
    }
    // Index rows: phones, emails, tags, shares, and (SQLite) the FTS tables.
    const int64_t org = cu.org_id, id = cu.id;
    if (w.expected_version != 0) {  // a new customer has no index rows yet
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM customer_phones WHERE customer_id = ?", {id}));
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM customer_emails WHERE customer_id = ?", {id}));
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM customer_tags WHERE customer_id = ?", {id}));
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM customer_shares WHERE customer_id = ?", {id}));
    }
    if (w.index_contacts) {
      for (size_t i = 0; i < cu.phones.size(); ++i)
        KEHU_RETURN_IF_ERROR(InsertContactKey(c, kPhoneKey, cu, cu.phones, i));
      for (size_t i = 0; i < cu.emails.size(); ++i)
        KEHU_RETURN_IF_ERROR(InsertContactKey(c, kEmailKey, cu, cu.emails, i));
      for (const auto& t : cu.tags)
        KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO customer_tags(org_id, tag, customer_id) VALUES (?, ?, ?)",
                                    {org, t, id}));
    }
    for (int64_t u : cu.shared_with) {
      KEHU_RETURN_IF_ERROR(CheckUser(c, org, u, checked, "shared_with", "no user " + std::to_string(u)));
      KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO customer_shares(org_id, customer_id, user_id) VALUES (?, ?, ?)",
                                  {org, id, u}));
    }
    if (cu.owner_id) KEHU_RETURN_IF_ERROR(CheckUser(c, org, *cu.owner_id, checked, "owner_id", "no such user"));
    if (!pg_) {
      if (w.expected_version != 0) {
        KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("DELETE FROM customers_fts WHERE rowid = ?", {id}));
        KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("DELETE FROM customers_fts_tok WHERE rowid = ?", {id}));
      }
      if (w.index_contacts) {
        KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("INSERT INTO customers_fts(rowid, doc) VALUES (?, ?)", {id, w.search.doc}));
        KEHU_RETURN_IF_ERROR(c.ExecIndexWrite("INSERT INTO customers_fts_tok(rowid, doc) VALUES (?, ?)", {id, w.search.tokens}));
      }
    }
    if (!w.redact_audit_fields.empty()) {  // an erasure: also blank what other capabilities wrote
      KEHU_RETURN_IF_ERROR(RedactAudit(c, cu.org_id, id, w.redact_audit_fields));
      for (const auto& sql : CustomerErasures()) {
        std::vector<Value> params;  // (org id, customer id) for each pair of placeholders
        for (size_t n = std::count(sql.begin(), sql.end(), '?') / 2; n > 0; --n) params.insert(params.end(), {cu.org_id, id});
        KEHU_RETURN_IF_ERROR(c.Exec(sql, params));
      }
    }
    KEHU_RETURN_IF_ERROR(AppendAuditEntry(c, w.audit));
    return cu;
  }

  Database& db_;
  bool pg_;
  SearchTuning tuning_;
  TrigramCounts trigram_counts_;
};

}  // namespace

void RegisterCustomerReference(const std::string& table, const std::string& column) {
  std::lock_guard lock(g_refs_mu);
  auto& refs = CustomerReferencesStorage();
  for (const auto& r : refs)
    if (r.first == table && r.second == column) return;
  refs.emplace_back(table, column);
}

void RegisterCustomerErasure(const std::string& sql) {
  std::lock_guard lock(g_refs_mu);
  auto& sqls = ErasuresStorage();
  if (std::find(sqls.begin(), sqls.end(), sql) == sqls.end()) sqls.push_back(sql);
}

std::unique_ptr<customers::CustomerRepository> MakeCustomerRepository(Database& db, SearchTuning tuning) {
  return std::make_unique<SqlCustomerRepository>(db, tuning);
}

}  // namespace kehu::store
