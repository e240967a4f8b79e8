#include "domain/identity/identity_service.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "core/cursor.h"

namespace kehu::identity {

namespace {

constexpr size_t kMaxName = 100;

bool ValidUsername(const std::string& u) {
  if (u.size() < 2 || u.size() > 64) return false;
  return std::all_of(u.begin(), u.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@';
  });
}

Error Forbidden(const std::string& what) {
  return MakeError(ErrorCode::kPermissionDenied, "your role may not " + what);
}

}  // namespace

IdentityService::IdentityService(IdentityRepository& repo, const Clock& clock,
                                 IdentityOptions options)
    : repo_(repo), clock_(clock), options_(options) {
  if (sodium_init() < 0) std::abort();  // libsodium cannot initialise: nothing is safe
}

std::string IdentityService::Sha256Hex(const std::string& data) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

std::string IdentityService::RandomToken(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return Base64UrlEncode(raw);
}

std::string IdentityService::HashPassword(const std::string& password) {
  {
    std::unique_lock lock(hash_mu_);
    hash_cv_.wait(lock, [&] { return hashes_running_ < options_.max_concurrent_hashes; });
    ++hashes_running_;
  }
  char out[crypto_pwhash_STRBYTES];
  int rc = crypto_pwhash_str_alg(out, password.data(), password.size(),
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
  {
    std::lock_guard lock(hash_mu_);
    --hashes_running_;
  }
  hash_cv_.notify_one();
  if (rc != 0) return {};
  return out;
}

bool IdentityService::VerifyPassword(const std::string& hash, const std::string& password) {
  {
    std::unique_lock lock(hash_mu_);
    hash_cv_.wait(lock, [&] { return hashes_running_ < options_.max_concurrent_hashes; });
    ++hashes_running_;
  }
  bool ok = !hash.empty() &&
            crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  {
    std::lock_guard lock(hash_mu_);
    --hashes_running_;
  }
  hash_cv_.notify_one();
  return ok;
}

bool IdentityService::Throttled(const std::string& key, int limit, UnixMillis now,
                                int* retry_after) {
  std::lock_guard lock(throttle_mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  auto& v = it->second;
  std::erase_if(v, [&](UnixMillis t) { return t <= now - options_.throttle_window_ms; });
  if (static_cast<int>(v.size()) < limit) return false;
  UnixMillis oldest = *std::min_element(v.begin(), v.end());
  *retry_after = static_cast<int>((oldest + options_.throttle_window_ms - now + 999) / 1000);
  if (*retry_after < 1) *retry_after = 1;
  return true;
}

void IdentityService::RecordFailure(const std::string& key, UnixMillis now) {
  std::lock_guard lock(throttle_mu_);
  if (failures_.size() > 100000) failures_.clear();  // bound memory under a spray attack
  failures_[key].push_back(now);
}

Result<LoginResult> IdentityService::Login(const std::string& username,
                                           const std::string& password,
                                           const std::string& remote_addr) {
  std::vector<FieldError> errs;
  if (username.empty()) errs.push_back({"username", "is required"});
  if (password.empty()) errs.push_back({"password", "is required"});
  if (!errs.empty()) return InvalidArgument("username and password are required", errs);

  const UnixMillis now = clock_.Now();
  const std::string user_key = "u:" + username;
  const std::string addr_key = "a:" + remote_addr;
  int retry = 0;
  if (Throttled(user_key, options_.max_failures_per_user, now, &retry) ||
      Throttled(addr_key, options_.max_failures_per_address, now, &retry)) {
    Error e = MakeError(ErrorCode::kResourceExhausted,
                        "too many failed sign-ins; try again later");
    e.retry_after_seconds = retry;
    return e;
  }

  KEHU_ASSIGN_OR_RETURN(auto rec, repo_.FindUserByUsername(username));
  bool ok = false;
  if (rec && rec->user.active) {
    ok = VerifyPassword(rec->password_hash, password);
  } else {
    // Spend the same time as a real check so that unknown usernames are not revealed.
    static const std::string dummy = HashPassword("kehu-dummy-password");
    VerifyPassword(dummy, password);
  }
  if (!ok) {
    RecordFailure(user_key, now);
    RecordFailure(addr_key, now);
    return MakeError(ErrorCode::kUnauthenticated, "wrong username or password");
  }

  LoginResult out;
  out.token = RandomToken(32);
  out.csrf_token = RandomToken(18);
  out.expires_at = now + options_.session_ttl_ms;
  out.user = rec->user;
  KEHU_RETURN_IF_ERROR(repo_.CreateSession(
      Sha256Hex(out.token),
      SessionRecord{.org_id = rec->user.org_id, .user_id = rec->user.id,
                    .csrf_token = out.csrf_token, .expires_at = out.expires_at},
      now));
  return out;
}

Status IdentityService::Logout(const std::string& token) {
  const std::string hash = Sha256Hex(token);
  {
    std::unique_lock lock(session_mu_);
    sessions_.erase(hash);
  }
  return repo_.DeleteSession(hash);
}

Result<Principal> IdentityService::PrincipalFor(const User& u, std::string csrf,
                                                int64_t api_key_id,
                                                std::optional<Role> role_override) {
  Principal p;
  p.org_id = u.org_id;
  p.user_id = u.id;
  p.name = u.display_name;
  p.role = role_override.value_or(u.role);
  p.csrf_token = std::move(csrf);
  p.api_key_id = api_key_id;
  std::set<int64_t> teams(u.team_ids.begin(), u.team_ids.end());
  if (p.role == Role::kManager) {
    KEHU_ASSIGN_OR_RETURN(auto led, repo_.TeamsLedBy(u.org_id, u.id));
    teams.insert(led.begin(), led.end());
  }
  p.team_ids.assign(teams.begin(), teams.end());
  return p;
}

Result<Principal> IdentityService::AuthenticateSession(const std::string& token) {
  const Error denied = MakeError(ErrorCode::kUnauthenticated, "sign in first");
  if (token.empty() || token.size() > 200) return denied;
  const std::string hash = Sha256Hex(token);
  const UnixMillis now = clock_.Now();
  {
    std::shared_lock lock(session_mu_);
    auto it = sessions_.find(hash);
    if (it != sessions_.end() && it->second.cached_until > now && it->second.session_expires_at > now)
      return it->second.principal;
  }
  KEHU_ASSIGN_OR_RETURN(auto s, repo_.FindSession(hash));
  if (!s || s->expires_at <= now) return denied;
  KEHU_ASSIGN_OR_RETURN(auto u, repo_.GetUser(s->org_id, s->user_id));
  if (!u || !u->active) return denied;
  KEHU_ASSIGN_OR_RETURN(auto p, PrincipalFor(*u, s->csrf_token, 0, std::nullopt));
  if (options_.session_cache_ms > 0) {
    std::unique_lock lock(session_mu_);
    if (sessions_.size() > 100000) sessions_.clear();  // bounded; the next requests refill it
    sessions_[hash] = CachedSession{p, s->expires_at, now + options_.session_cache_ms};
  }
  return p;
}

Result<Principal> IdentityService::AuthenticateApiKey(const std::string& secret) {
  const Error denied = MakeError(ErrorCode::kUnauthenticated, "unknown or revoked API key");
  if (secret.size() < 10 || secret.size() > 200) return denied;
  // Integrations (the telephony gateway) call many times a second: like sessions, a key's
  // principal is cached for session_cache_ms; revoking a key empties the cache at once.
  const std::string cache_key = "api-key:" + Sha256Hex(secret);
  const UnixMillis now = clock_.Now();
  {
    std::shared_lock lock(session_mu_);
    auto it = sessions_.find(cache_key);
    if (it != sessions_.end() && it->second.cached_until > now) return it->second.principal;
  }
  KEHU_ASSIGN_OR_RETURN(auto key, repo_.FindApiKey(cache_key.substr(8)));
  if (!key) return denied;
  KEHU_ASSIGN_OR_RETURN(auto u, repo_.GetUser(key->org_id, key->created_by));
  if (!u) return denied;
  if (!key->last_used_at || now - *key->last_used_at > 60000) (void)repo_.TouchApiKey(key->id, now);
  KEHU_ASSIGN_OR_RETURN(auto p, PrincipalFor(*u, "", key->id, key->role));
  p.name = "api-key:" + key->name;
  if (options_.session_cache_ms > 0) {
    std::unique_lock lock(session_mu_);
    if (sessions_.size() > 100000) sessions_.clear();
    sessions_[cache_key] = CachedSession{p, now + options_.session_cache_ms, now + options_.session_cache_ms};
  }
  return p;
}

Status IdentityService::ValidatePassword(const std::string& password,
                                         std::vector<FieldError>& errors) {
  if (password.size() < 8) errors.push_back({"password", "must be at least 8 characters"});
  if (password.size() > 256) errors.push_back({"password", "must be at most 256 characters"});
  return Status::Ok();
}

Result<User> IdentityService::CreateUserUnchecked(int64_t org_id, const NewUser& in) {
  std::vector<FieldError> errs;
  if (!ValidUsername(in.username))
    errs.push_back({"username", "2-64 characters: letters, digits, . _ - @"});
  if (in.display_name.size() > kMaxName)
    errs.push_back({"display_name", "must be at most 100 bytes"});
  auto role = ParseRole(in.role);
  if (!role) errs.push_back({"role", "must be one of admin, manager, sales, service, marketing"});
  (void)ValidatePassword(in.password, errs);
  if (!errs.empty()) return InvalidArgument("invalid user", errs);
  User u;
  u.org_id = org_id;
  u.username = in.username;
  u.display_name = in.display_name.empty() ? in.username : in.display_name;
  u.role = *role;
  u.team_ids = in.team_ids;
  u.active = true;
  u.created_at = clock_.Now();
  std::string hash = HashPassword(in.password);
  if (hash.empty()) return Internal("password hashing failed (out of memory?)");
  auto created = repo_.CreateUser(u, hash);
  if (!created.ok() && created.error().code == ErrorCode::kAlreadyExists)
    return Error{.code = ErrorCode::kAlreadyExists, .message = "username is taken",
                 .fields = {{"username", "is taken"}}};
  return created;
}

Result<User> IdentityService::CreateUser(const Principal& p, const NewUser& in) {
  if (!IsAdmin(p)) return Forbidden("create users");
  return CreateUserUnchecked(p.org_id, in);
}

Result<std::vector<User>> IdentityService::ListUsers(const Principal& p) {
  // Everyone may list colleagues (owner pickers need names); only admins change them.
  return repo_.ListUsers(p.org_id);
}

Result<User> IdentityService::GetUser(const Principal& p, int64_t id) {
  KEHU_ASSIGN_OR_RETURN(auto u, repo_.GetUser(p.org_id, id));
  if (!u) return NotFound("no such user");
  return *u;
}

Result<User> IdentityService::UpdateUser(const Principal& p, int64_t id, const UserPatch& patch) {
  if (!IsAdmin(p)) return Forbidden("change users");
  KEHU_ASSIGN_OR_RETURN(auto found, repo_.GetUser(p.org_id, id));
  if (!found) return NotFound("no such user");
  User u = *found;
  std::vector<FieldError> errs;
  if (patch.display_name) {
    if (patch.display_name->empty() || patch.display_name->size() > kMaxName)
      errs.push_back({"display_name", "must be 1-100 bytes"});
    u.display_name = *patch.display_name;
  }
  if (patch.role) {
    auto r = ParseRole(*patch.role);
    if (!r) errs.push_back({"role", "must be one of admin, manager, sales, service, marketing"});
    else u.role = *r;
  }
  if (patch.active) u.active = *patch.active;
  if (patch.team_ids) u.team_ids = *patch.team_ids;
  if (patch.password) (void)ValidatePassword(*patch.password, errs);
  if (!errs.empty()) return InvalidArgument("invalid user", errs);
  if (u.id == p.user_id && (u.role != Role::kAdmin || !u.active))
    return InvalidArgument("you cannot demote or deactivate yourself",
                           {{"role", "you cannot demote or deactivate yourself"}});
  std::string hash = patch.password ? HashPassword(*patch.password) : std::string();
  KEHU_RETURN_IF_ERROR(repo_.UpdateUser(u, hash));
  {
    std::unique_lock lock(session_mu_);  // roles, teams or the active flag may have changed
    sessions_.clear();
  }
  return GetUser(p, id);
}

Result<Team> IdentityService::CreateTeam(const Principal& p, const Team& in) {
  if (!IsAdmin(p)) return Forbidden("create teams");
  if (in.name.empty() || in.name.size() > kMaxName)
    return InvalidArgument("invalid team", {{"name", "must be 1-100 bytes"}});
  Team t = in;
  t.org_id = p.org_id;
  auto r = repo_.CreateTeam(t);
  if (r.ok()) {
    std::unique_lock lock(session_mu_);  // a manager may now lead or belong to a new team
    sessions_.clear();
  }
  if (!r.ok() && r.error().code == ErrorCode::kAlreadyExists)
    return Error{.code = ErrorCode::kAlreadyExists, .message = "a team with this name exists",
                 .fields = {{"name", "is taken"}}};
  return r;
}

Result<std::vector<Team>> IdentityService::ListTeams(const Principal& p) {
  return repo_.ListTeams(p.org_id);
}

Result<Team> IdentityService::UpdateTeam(const Principal& p, int64_t id, const Team& in) {
  if (!IsAdmin(p)) return Forbidden("change teams");
  KEHU_ASSIGN_OR_RETURN(auto found, repo_.GetTeam(p.org_id, id));
  if (!found) return NotFound("no such team");
  if (in.name.empty() || in.name.size() > kMaxName)
    return InvalidArgument("invalid team", {{"name", "must be 1-100 bytes"}});
  Team t = in;
  t.id = id;
  t.org_id = p.org_id;
  KEHU_RETURN_IF_ERROR(repo_.UpdateTeam(t));
  {
    std::unique_lock lock(session_mu_);  // a manager's teams changed
    sessions_.clear();
  }
  KEHU_ASSIGN_OR_RETURN(auto after, repo_.GetTeam(p.org_id, id));
  if (!after.has_value()) return NotFound("no such team");
  return std::move(after).value();
}

Result<NewApiKey> IdentityService::CreateApiKey(const Principal& p, const std::string& name,
                                                const std::string& role) {
  if (!IsAdmin(p)) return Forbidden("create API keys");
  std::vector<FieldError> errs;
  if (name.empty() || name.size() > kMaxName) errs.push_back({"name", "must be 1-100 bytes"});
  auto r = ParseRole(role);
  if (!r) errs.push_back({"role", "must be one of admin, manager, sales, service, marketing"});
  if (!errs.empty()) return InvalidArgument("invalid API key", errs);
  NewApiKey out;
  std::string prefix = RandomToken(6).substr(0, 8);
  std::replace(prefix.begin(), prefix.end(), '_', 'x');
  std::replace(prefix.begin(), prefix.end(), '-', 'y');
  out.secret = "kehu_" + prefix + "_" + RandomToken(32);
  ApiKey k{.org_id = p.org_id, .name = name, .role = *r, .prefix = prefix,
           .created_by = p.user_id, .created_at = clock_.Now()};
  KEHU_ASSIGN_OR_RETURN(out.key, repo_.CreateApiKey(k, Sha256Hex(out.secret)));
  return out;
}

Result<std::vector<ApiKey>> IdentityService::ListApiKeys(const Principal& p) {
  if (!IsAdmin(p)) return Forbidden("list API keys");
  return repo_.ListApiKeys(p.org_id);
}

Status IdentityService::RevokeApiKey(const Principal& p, int64_t id) {
  if (!IsAdmin(p)) return Forbidden("revoke API keys");
  KEHU_RETURN_IF_ERROR(repo_.RevokeApiKey(p.org_id, id, clock_.Now()));
  std::unique_lock lock(session_mu_);
  sessions_.clear();  // a revoked key stops working now, not after the cache time
  return Status::Ok();
}

Result<std::vector<AuditEntry>> IdentityService::ListAudit(const Principal& p,
                                                           const std::string& entity,
                                                           int64_t entity_id, int64_t before_id,
                                                           int limit) {
  if (p.role == Role::kService || p.role == Role::kMarketing)
    return Forbidden("read the audit log");
  return repo_.ListAudit(p.org_id, entity, entity_id, before_id, limit);
}

}  // namespace kehu::identity
