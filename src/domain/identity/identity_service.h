#pragma once
// Identity use cases: sign-in with throttling, session and API-key authentication, users,
// teams, API keys, and reading the audit log. Thread-safe.

#include <cstdint>
#include <condition_variable>
#include <map>
#include <shared_mutex>
#include <unordered_map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/identity/identity.h"
#include "domain/identity/identity_repository.h"

namespace kehu::identity {

struct LoginResult {
  std::string token{};       // 256-bit random, base64url; only its SHA-256 is stored
  std::string csrf_token{};
  UnixMillis expires_at{0};
  User user{};
};

struct NewUser {
  std::string username{};
  std::string display_name{};
  std::string role{};
  std::string password{};
  std::vector<int64_t> team_ids{};
};

struct UserPatch {
  std::optional<std::string> display_name{};
  std::optional<std::string> role{};
  std::optional<bool> active{};
  std::optional<std::vector<int64_t>> team_ids{};
  std::optional<std::string> password{};
};

struct NewApiKey {
  ApiKey key{};
  std::string secret{};  // "kehu_<prefix>_<secret>", shown once
};

struct IdentityOptions {
  int64_t session_ttl_ms{12LL * 3600 * 1000};
  int max_failures_per_user{5};      // failed logins per user within the window
  int max_failures_per_address{20};  // failed logins per client address within the window
  int64_t throttle_window_ms{15LL * 60 * 1000};
  int max_concurrent_hashes{2};      // argon2id uses 64 MiB and ~70 ms per hash
  int64_t session_cache_ms{10 * 1000};  // how long a resolved session is reused without a read
};

class IdentityService {
 public:
  IdentityService(IdentityRepository& repo, const Clock& clock, IdentityOptions options = {});

  // Errors: kInvalidArgument (missing fields), kUnauthenticated (wrong username or password,
  // inactive user: one message for all), kResourceExhausted with retry_after_seconds when too
  // many recent failures for this username or this address.
  Result<LoginResult> Login(const std::string& username, const std::string& password,
                            const std::string& remote_addr);
  Status Logout(const std::string& token);
  // Errors: kUnauthenticated for an unknown, expired or revoked token/key, or inactive user.
  Result<Principal> AuthenticateSession(const std::string& token);
  Result<Principal> AuthenticateApiKey(const std::string& secret);

  // Users (admin writes; admin and manager list). kPermissionDenied otherwise.
  Result<User> CreateUser(const Principal& p, const NewUser& in);
  // Creates a user without a caller (CLI `kehu user add`, first start).
  Result<User> CreateUserUnchecked(int64_t org_id, const NewUser& in);
  Result<std::vector<User>> ListUsers(const Principal& p);
  Result<User> GetUser(const Principal& p, int64_t id);
  Result<User> UpdateUser(const Principal& p, int64_t id, const UserPatch& patch);

  Result<Team> CreateTeam(const Principal& p, const Team& in);
  Result<std::vector<Team>> ListTeams(const Principal& p);
  Result<Team> UpdateTeam(const Principal& p, int64_t id, const Team& in);

  Result<NewApiKey> CreateApiKey(const Principal& p, const std::string& name,
                                 const std::string& role);
  Result<std::vector<ApiKey>> ListApiKeys(const Principal& p);
  Status RevokeApiKey(const Principal& p, int64_t id);

  Result<std::vector<AuditEntry>> ListAudit(const Principal& p, const std::string& entity,
                                            int64_t entity_id, int64_t before_id, int limit);

  // Argon2id (libsodium crypto_pwhash_str, interactive limits), with bounded concurrency.
  std::string HashPassword(const std::string& password);
  bool VerifyPassword(const std::string& hash, const std::string& password);

  // Hex SHA-256, for tokens and keys at rest.
  static std::string Sha256Hex(const std::string& data);
  static std::string RandomToken(size_t bytes);

 private:
  Status ValidatePassword(const std::string& password, std::vector<FieldError>& errors);
  bool Throttled(const std::string& key, int limit, UnixMillis now, int* retry_after);
  void RecordFailure(const std::string& key, UnixMillis now);
  Result<Principal> PrincipalFor(const User& u, std::string csrf, int64_t api_key_id,
                                 std::optional<Role> role_override);

  IdentityRepository& repo_;
  const Clock& clock_;
  IdentityOptions options_;
  std::mutex throttle_mu_;
  std::map<std::string, std::vector<UnixMillis>> failures_;
  // Resolved sessions, by token hash, for a few seconds: a request then costs no database read
  // to authenticate. Logout drops the entry; user changes drop them all.
  struct CachedSession {
    Principal principal{};
    UnixMillis session_expires_at{0};
    UnixMillis cached_until{0};
  };
  std::shared_mutex session_mu_;
  std::unordered_map<std::string, CachedSession> sessions_;
  std::mutex hash_mu_;
  std::condition_variable hash_cv_;
  int hashes_running_{0};
};

}  // namespace kehu::identity
