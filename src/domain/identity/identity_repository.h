#pragma once
// The identity port: store/ implements it for SQLite and PostgreSQL.
// Every method is scoped to an org except the look-ups that resolve a caller (by username,
// token hash, key hash), which return the org they found.

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/identity/identity.h"

namespace kehu::identity {

struct UserRecord {
  User user{};
  std::string password_hash{};
};

struct SessionRecord {
  int64_t org_id{0};
  int64_t user_id{0};
  std::string csrf_token{};
  UnixMillis expires_at{0};
};

struct ApiKey {
  int64_t id{0};
  int64_t org_id{0};
  std::string name{};
  Role role{Role::kService};
  std::string prefix{};
  int64_t created_by{0};
  UnixMillis created_at{0};
  std::optional<UnixMillis> last_used_at{};
};

struct StoredResponse {
  std::string request_hash{};
  int status{0};
  std::string headers{};  // "Name: value\n" lines
  std::string body{};
};

class IdentityRepository {
 public:
  virtual ~IdentityRepository() = default;

  // Orgs. EnsureOrg creates org `id` with `name` when missing (first start).
  virtual Status EnsureOrg(int64_t id, const std::string& name, UnixMillis now) = 0;
  virtual Result<int64_t> CountUsers(int64_t org_id) = 0;

  // Users. CreateUser: kAlreadyExists when the username is taken.
  virtual Result<User> CreateUser(const User& user, const std::string& password_hash) = 0;
  virtual Result<std::optional<UserRecord>> FindUserByUsername(const std::string& username) = 0;
  virtual Result<std::optional<User>> GetUser(int64_t org_id, int64_t id) = 0;
  virtual Result<std::vector<User>> ListUsers(int64_t org_id) = 0;
  // Replaces display_name, role, active, team memberships; password when non-empty.
  virtual Status UpdateUser(const User& user, const std::string& new_password_hash) = 0;

  // Teams.
  virtual Result<Team> CreateTeam(const Team& team) = 0;
  virtual Result<std::vector<Team>> ListTeams(int64_t org_id) = 0;
  virtual Result<std::optional<Team>> GetTeam(int64_t org_id, int64_t id) = 0;
  virtual Status UpdateTeam(const Team& team) = 0;
  // Teams a user leads (a lead manages the team even if not a member).
  virtual Result<std::vector<int64_t>> TeamsLedBy(int64_t org_id, int64_t user_id) = 0;

  // Sessions, by SHA-256 of the token.
  virtual Status CreateSession(const std::string& token_hash, const SessionRecord& s,
                               UnixMillis now) = 0;
  virtual Result<std::optional<SessionRecord>> FindSession(const std::string& token_hash) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  virtual Status DeleteExpiredSessions(UnixMillis now) = 0;

  // API keys, by SHA-256 of the secret.
  virtual Result<ApiKey> CreateApiKey(const ApiKey& key, const std::string& key_hash) = 0;
  virtual Result<std::optional<ApiKey>> FindApiKey(const std::string& key_hash) = 0;
  virtual Result<std::vector<ApiKey>> ListApiKeys(int64_t org_id) = 0;
  // kNotFound when there is no such live key in the org.
  virtual Status RevokeApiKey(int64_t org_id, int64_t id, UnixMillis now) = 0;
  // Records a key's use, best effort: may return before the write lands (SQLite writes it
  // asynchronously), and a failed write is not reported.
  virtual Status TouchApiKey(int64_t id, UnixMillis now) = 0;

  // Audit log: entries for one object, newest first, ids below before_id when non-zero.
  virtual Result<std::vector<AuditEntry>> ListAudit(int64_t org_id, const std::string& entity,
                                                    int64_t entity_id, int64_t before_id,
                                                    int limit) = 0;
  virtual Status AppendAudit(const AuditEntry& entry) = 0;

  // Idempotency keys: the first response to (org, user, key) is kept for 24 hours.
  virtual Result<std::optional<StoredResponse>> FindIdempotent(int64_t org_id, int64_t user_id,
                                                               const std::string& key) = 0;
  virtual Status SaveIdempotent(int64_t org_id, int64_t user_id, const std::string& key,
                                const StoredResponse& response, UnixMillis now) = 0;
};

}  // namespace kehu::identity
