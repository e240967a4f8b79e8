// IdentityRepository over the driver seam; the SQL is shared by SQLite and PostgreSQL.

#include <boost/json.hpp>

#include "core/strings.h"
#include "store/repositories.h"

namespace kehu::store {

namespace {

using identity::ApiKey;
using identity::AuditEntry;
using identity::Role;
using identity::SessionRecord;
using identity::StoredResponse;
using identity::Team;
using identity::User;
using identity::UserRecord;

Value Opt(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(Null{}); }

constexpr const char* kUserCols =
    "id, org_id, username, display_name, role, active, created_at, password_hash";

Result<std::vector<int64_t>> TeamIdsOf(Connection& c, int64_t org_id, int64_t user_id) {
  KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT team_id FROM team_members WHERE org_id = ? AND "
                                           "user_id = ? ORDER BY team_id",
                                           {org_id, user_id}));
  std::vector<int64_t> out;
  for (const auto& r : rows) out.push_back(r.Int(0));
  return out;
}

Result<UserRecord> UserFromRow(Connection& c, const Row& r) {
  UserRecord rec;
  rec.user.id = r.Int(0);
  rec.user.org_id = r.Int(1);
  rec.user.username = r.Text(2);
  rec.user.display_name = r.Text(3);
  rec.user.role = identity::ParseRole(r.Text(4)).value_or(Role::kSales);
  rec.user.active = r.Int(5) != 0;
  rec.user.created_at = r.Int(6);
  rec.password_hash = r.Text(7);
  KEHU_ASSIGN_OR_RETURN(rec.user.team_ids, TeamIdsOf(c, rec.user.org_id, rec.user.id));
  return rec;
}

Status SetTeams(Connection& c, int64_t org_id, int64_t user_id, const std::vector<int64_t>& teams) {
  KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM team_members WHERE org_id = ? AND user_id = ?", {org_id, user_id}));
  for (int64_t t : teams) {
    KEHU_ASSIGN_OR_RETURN(auto ok, c.Query("SELECT id FROM teams WHERE org_id = ? AND id = ?", {org_id, t}));
    if (ok.empty()) return InvalidArgument("no such team", {{"team_ids", "no team " + std::to_string(t)}});
    KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO team_members(org_id, team_id, user_id) VALUES (?, ?, ?)",
                                {org_id, t, user_id}));
  }
  return Status::Ok();
}

Status SetMembers(Connection& c, int64_t org_id, int64_t team_id, const std::vector<int64_t>& users) {
  KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM team_members WHERE org_id = ? AND team_id = ?", {org_id, team_id}));
  for (int64_t u : users) {
    KEHU_ASSIGN_OR_RETURN(auto ok, c.Query("SELECT id FROM users WHERE org_id = ? AND id = ?", {org_id, u}));
    if (ok.empty()) return InvalidArgument("no such user", {{"member_ids", "no user " + std::to_string(u)}});
    KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO team_members(org_id, team_id, user_id) VALUES (?, ?, ?)",
                                {org_id, team_id, u}));
  }
  return Status::Ok();
}

Result<Team> TeamFromRow(Connection& c, const Row& r) {
  Team t;
  t.id = r.Int(0);
  t.org_id = r.Int(1);
  t.name = r.Text(2);
  if (!r.IsNull(3)) t.lead_user_id = r.Int(3);
  KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT user_id FROM team_members WHERE team_id = ? "
                                           "ORDER BY user_id", {t.id}));
  for (const auto& m : rows) t.member_ids.push_back(m.Int(0));
  return t;
}

ApiKey KeyFromRow(const Row& r) {
  ApiKey k;
  k.id = r.Int(0);
  k.org_id = r.Int(1);
  k.name = r.Text(2);
  k.role = identity::ParseRole(r.Text(3)).value_or(Role::kService);
  k.prefix = r.Text(4);
  k.created_by = r.Int(5);
  k.created_at = r.Int(6);
  if (!r.IsNull(7)) k.last_used_at = r.Int(7);
  return k;
}

constexpr const char* kKeyCols = "id, org_id, name, role, prefix, created_by, created_at, last_used_at";

class SqlIdentityRepository final : public identity::IdentityRepository {
 public:
  explicit SqlIdentityRepository(Database& db) : db_(db) {}

  Status EnsureOrg(int64_t id, const std::string& name, UnixMillis now) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id FROM orgs WHERE id = ?", {id}));
      if (!rows.empty()) return Status::Ok();
      KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO orgs(id, name, created_at) VALUES (?, ?, ?)", {id, name, now}));
      if (db_.dialect() == Dialect::kPostgres)
        KEHU_RETURN_IF_ERROR(c.Query("SELECT setval('orgs_id_seq', (SELECT MAX(id) FROM orgs))", {}));
      return Status::Ok();
    });
  }

  Result<int64_t> CountUsers(int64_t org_id) override {
    int64_t n = 0;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT COUNT(*) FROM users WHERE org_id = ?", {org_id}));
      n = rows.at(0).Int(0);
      return Status::Ok();
    }));
    return n;
  }

  Result<User> CreateUser(const User& u, const std::string& hash) override {
    User out = u;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
          "INSERT INTO users(org_id, username, display_name, role, password_hash, active, created_at, "
          "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          {u.org_id, u.username, u.display_name, std::string(identity::RoleName(u.role)), hash,
           int64_t{u.active ? 1 : 0}, u.created_at, u.created_at}));
      out.id = rows.at(0).Int(0);
      return SetTeams(c, u.org_id, out.id, u.team_ids);
    }));
    return out;
  }

  Result<std::optional<UserRecord>> FindUserByUsername(const std::string& username) override {
    std::optional<UserRecord> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kUserCols +
                                               " FROM users WHERE username = ?", {username}));
      if (rows.empty()) return Status::Ok();
      KEHU_ASSIGN_OR_RETURN(out, UserFromRow(c, rows[0]));
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<User>> GetUser(int64_t org_id, int64_t id) override {
    std::optional<User> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kUserCols +
                                               " FROM users WHERE org_id = ? AND id = ?", {org_id, id}));
      if (rows.empty()) return Status::Ok();
      KEHU_ASSIGN_OR_RETURN(auto rec, UserFromRow(c, rows[0]));
      out = rec.user;
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<User>> ListUsers(int64_t org_id) override {
    std::vector<User> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kUserCols +
                                               " FROM users WHERE org_id = ? ORDER BY id", {org_id}));
      for (const auto& r : rows) {
        KEHU_ASSIGN_OR_RETURN(auto rec, UserFromRow(c, r));
        out.push_back(rec.user);
      }
      return Status::Ok();
    }));
    return out;
  }

  Status UpdateUser(const User& u, const std::string& new_hash) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec(
          "UPDATE users SET display_name = ?, role = ?, active = ?, version = version + 1 "
          "WHERE org_id = ? AND id = ?",
          {u.display_name, std::string(identity::RoleName(u.role)), int64_t{u.active ? 1 : 0}, u.org_id, u.id}));
      if (!new_hash.empty())
        KEHU_RETURN_IF_ERROR(c.Exec("UPDATE users SET password_hash = ? WHERE org_id = ? AND id = ?",
                                    {new_hash, u.org_id, u.id}));
      if (!u.active)  // a deactivated user's sessions end now
        KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM sessions WHERE org_id = ? AND user_id = ?", {u.org_id, u.id}));
      return SetTeams(c, u.org_id, u.id, u.team_ids);
    });
  }

  Result<Team> CreateTeam(const Team& t) override {
    Team out = t;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
          "INSERT INTO teams(org_id, name, lead_user_id, created_at) VALUES (?, ?, ?, ?) RETURNING id",
          {t.org_id, t.name, Opt(t.lead_user_id), int64_t{0}}));
      out.id = rows.at(0).Int(0);
      return SetMembers(c, t.org_id, out.id, t.member_ids);
    }));
    return out;
  }

  Result<std::vector<Team>> ListTeams(int64_t org_id) override {
    std::vector<Team> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, org_id, name, lead_user_id FROM teams "
                                               "WHERE org_id = ? ORDER BY id", {org_id}));
      for (const auto& r : rows) {
        KEHU_ASSIGN_OR_RETURN(auto t, TeamFromRow(c, r));
        out.push_back(std::move(t));
      }
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<Team>> GetTeam(int64_t org_id, int64_t id) override {
    std::optional<Team> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, org_id, name, lead_user_id FROM teams "
                                               "WHERE org_id = ? AND id = ?", {org_id, id}));
      if (rows.empty()) return Status::Ok();
      KEHU_ASSIGN_OR_RETURN(out, TeamFromRow(c, rows[0]));
      return Status::Ok();
    }));
    return out;
  }

  Status UpdateTeam(const Team& t) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec("UPDATE teams SET name = ?, lead_user_id = ? WHERE org_id = ? AND id = ?",
                                  {t.name, Opt(t.lead_user_id), t.org_id, t.id}));
      return SetMembers(c, t.org_id, t.id, t.member_ids);
    });
  }

  Result<std::vector<int64_t>> TeamsLedBy(int64_t org_id, int64_t user_id) override {
    std::vector<int64_t> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id FROM teams WHERE org_id = ? AND lead_user_id = ?",
                                               {org_id, user_id}));
      for (const auto& r : rows) out.push_back(r.Int(0));
      return Status::Ok();
    }));
    return out;
  }

  Status CreateSession(const std::string& token_hash, const SessionRecord& s, UnixMillis now) override {
    return db_.Write([&](Connection& c) -> Status {
      return c.Exec("INSERT INTO sessions(token_hash, org_id, user_id, csrf_token, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    {token_hash, s.org_id, s.user_id, s.csrf_token, now, s.expires_at}).ok()
                 ? Status::Ok()
                 : Status(Internal("could not store the session"));
    });
  }

  Result<std::optional<SessionRecord>> FindSession(const std::string& token_hash) override {
    std::optional<SessionRecord> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT org_id, user_id, csrf_token, expires_at FROM sessions "
                                               "WHERE token_hash = ?", {token_hash}));
      if (!rows.empty())
        out = SessionRecord{.org_id = rows[0].Int(0), .user_id = rows[0].Int(1),
                            .csrf_token = rows[0].Text(2), .expires_at = rows[0].Int(3)};
      return Status::Ok();
    }));
    return out;
  }

  Status DeleteSession(const std::string& token_hash) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM sessions WHERE token_hash = ?", {token_hash}));
      return Status::Ok();
    });
  }

  Status DeleteExpiredSessions(UnixMillis now) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM sessions WHERE expires_at <= ?", {now}));
      return Status::Ok();
    });
  }

  Result<ApiKey> CreateApiKey(const ApiKey& k, const std::string& key_hash) override {
    ApiKey out = k;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
          "INSERT INTO api_keys(org_id, name, role, prefix, key_hash, created_by, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
          {k.org_id, k.name, std::string(identity::RoleName(k.role)), k.prefix, key_hash, k.created_by,
           k.created_at}));
      out.id = rows.at(0).Int(0);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<ApiKey>> FindApiKey(const std::string& key_hash) override {
    std::optional<ApiKey> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kKeyCols +
                                               " FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                                               {key_hash}));
      if (!rows.empty()) out = KeyFromRow(rows[0]);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<ApiKey>> ListApiKeys(int64_t org_id) override {
    std::vector<ApiKey> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kKeyCols +
                                               " FROM api_keys WHERE org_id = ? AND revoked_at IS NULL "
                                               "ORDER BY id", {org_id}));
      for (const auto& r : rows) out.push_back(KeyFromRow(r));
      return Status::Ok();
    }));
    return out;
  }

  Status RevokeApiKey(int64_t org_id, int64_t id, UnixMillis now) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE api_keys SET revoked_at = ? WHERE org_id = ? AND id = ? "
                                           "AND revoked_at IS NULL", {now, org_id, id}));
      if (n == 0) return NotFound("no such API key");
      return Status::Ok();
    });
  }

  // Without waiting where the database writes asynchronously (SQLite): a key's first use in a
  // minute may be on the HTTP server's I/O thread, and the time is a hint, not a record. (On
  // PostgreSQL WriteAsync runs the write here, as before.)
  Status TouchApiKey(int64_t id, UnixMillis now) override {
    db_.WriteAsync(
        [id, now](Connection& c) -> Status {
          KEHU_RETURN_IF_ERROR(c.Exec("UPDATE api_keys SET last_used_at = ? WHERE id = ?", {now, id}));
          return Status::Ok();
        },
        [](Status) {});
    return Status::Ok();
  }

  Result<std::vector<AuditEntry>> ListAudit(int64_t org_id, const std::string& entity, int64_t entity_id,
                                            int64_t before_id, int limit) override {
    std::vector<AuditEntry> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
          "SELECT id, at, actor_id, actor_name, action, entity, entity_id, changes FROM audit_log "
          "WHERE org_id = ? AND entity = ? AND entity_id = ? AND (? = 0 OR id < ?) "
          "ORDER BY id DESC LIMIT ?",
          {org_id, entity, entity_id, before_id, before_id, int64_t{limit}}));
      for (const auto& r : rows) {
        AuditEntry e;
        e.id = r.Int(0);
        e.org_id = org_id;
        e.at = r.Int(1);
        if (!r.IsNull(2)) e.actor_id = r.Int(2);
        e.actor_name = r.Text(3);
        e.action = r.Text(4);
        e.entity = r.Text(5);
        e.entity_id = r.Int(6);
        e.changes = ParseAuditChanges(r.Text(7));
        out.push_back(std::move(e));
      }
      return Status::Ok();
    }));
    return out;
  }

  Status AppendAudit(const AuditEntry& entry) override {
    return db_.Write([&](Connection& c) { return AppendAuditEntry(c, entry); });
  }

  Result<std::optional<StoredResponse>> FindIdempotent(int64_t org_id, int64_t user_id,
                                                       const std::string& key) override {
    std::optional<StoredResponse> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(
          "SELECT request_hash, status, headers, body, created_at FROM idempotency_keys "
          "WHERE org_id = ? AND user_id = ? AND idem_key = ?", {org_id, user_id, key}));
      if (!rows.empty())
        out = StoredResponse{.request_hash = rows[0].Text(0), .status = static_cast<int>(rows[0].Int(1)),
                             .headers = rows[0].Text(2), .body = rows[0].Text(3)};
      return Status::Ok();
    }));
    return out;
  }

  Status SaveIdempotent(int64_t org_id, int64_t user_id, const std::string& key, const StoredResponse& r,
                        UnixMillis now) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM idempotency_keys WHERE created_at < ?", {now - 86400000}));
      KEHU_RETURN_IF_ERROR(c.Exec(
          "INSERT INTO idempotency_keys(org_id, user_id, idem_key, request_hash, status, headers, body, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
          {org_id, user_id, key, r.request_hash, int64_t{r.status}, r.headers, r.body, now}));
      return Status::Ok();
    });
  }

 private:
  Database& db_;
};

}  // namespace

namespace {

// An entry's changes as stored: a JSON array with an element per changed field. A field that had
// a value before is {"field", "before", "after"}; one that had none (null) is the pair
// [field, after]. before/after are JSON texts by contract (identity.h), so the array is
// assembled directly: audit rows are written for every change, and re-parsing them would double
// the cost. A create's entry is every field set, each from nothing: as objects with
// `"before":null` it was 967-1,022 bytes (827 MB of a million-customer file), as objects without
// it ~600, as pairs ~400. Entries written in those earlier forms read the same.
std::string ChangesJson(const std::vector<identity::FieldChange>& changes) {
  std::string out = "[";
  for (size_t i = 0; i < changes.size(); ++i) {
    const auto& ch = changes[i];
    if (i) out += ',';
    const std::string_view after = ch.after.empty() ? std::string_view("null") : std::string_view(ch.after);
    if (ch.before.empty() || ch.before == "null") {
      out.append("[").append(JsonQuote(ch.field)).append(",").append(after).append("]");
    } else {
      out.append("{\"field\":").append(JsonQuote(ch.field)).append(",\"before\":").append(ch.before);
      out.append(",\"after\":").append(after).append("}");
    }
  }
  out += ']';
  return out;
}

}  // namespace

std::vector<identity::FieldChange> ParseAuditChanges(std::string_view stored) {
  std::vector<identity::FieldChange> out;
  boost::system::error_code ec;
  const auto v = boost::json::parse(stored, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& ch : v.as_array()) {
    if (const auto* pair = ch.if_array(); pair != nullptr && pair->size() == 2 && pair->at(0).is_string()) {
      out.push_back({std::string(pair->at(0).as_string()), "null", boost::json::serialize(pair->at(1))});
      continue;
    }
    if (!ch.is_object()) continue;
    const auto& o = ch.as_object();
    auto text = [&](const char* k) {
      auto* p = o.if_contains(k);
      return p ? boost::json::serialize(*p) : std::string("null");
    };
    const auto* field = o.if_contains("field");
    out.push_back({field != nullptr && field->is_string() ? std::string(field->as_string()) : std::string(),
                   text("before"), text("after")});
  }
  return out;
}

Status AppendAuditEntry(Connection& c, const identity::AuditEntry& e) {
  std::string changes = ChangesJson(e.changes);
  KEHU_RETURN_IF_ERROR(c.Exec(
      "INSERT INTO audit_log(org_id, at, actor_id, actor_name, action, entity, entity_id, changes) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {e.org_id, e.at, e.actor_id ? Value(*e.actor_id) : Value(Null{}), e.actor_name, e.action, e.entity,
       e.entity_id, std::move(changes)}));
  return Status::Ok();
}

Status AppendAuditEntries(Connection& c, const std::vector<identity::AuditEntry>& entries) {
  // Multi-row INSERTs of at most 500 entries (4,000 parameters): bulk writes such as imports
  // make one round trip per 500 entries instead of one per entry.
  constexpr size_t kChunk = 500;
  for (size_t start = 0; start < entries.size(); start += kChunk) {
    const size_t n = std::min(kChunk, entries.size() - start);
    std::string sql = "INSERT INTO audit_log(org_id, at, actor_id, actor_name, action, entity, entity_id, changes) VALUES ";
    std::vector<Value> params;
    params.reserve(n * 8);
    for (size_t k = 0; k < n; ++k) {
      const auto& e = entries[start + k];
      std::string changes = ChangesJson(e.changes);
      sql += k ? ", (?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?)";
      params.insert(params.end(), {e.org_id, e.at, e.actor_id ? Value(*e.actor_id) : Value(Null{}), e.actor_name,
                                   e.action, e.entity, e.entity_id, std::move(changes)});
    }
    KEHU_RETURN_IF_ERROR(c.Exec(sql, params));
  }
  return Status::Ok();
}

std::unique_ptr<identity::IdentityRepository> MakeIdentityRepository(Database& db) {
  return std::make_unique<SqlIdentityRepository>(db);
}

}  // namespace kehu::store
