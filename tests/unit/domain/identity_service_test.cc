#include "fixture.h"

namespace kehu::testing {
namespace {

using IdentityServiceTest = DomainTest;

TEST_P(IdentityServiceTest, LoginReturnsATokenThatAuthenticates) {
  auto r = identity_->Login("admin", "password-123", "10.0.0.1");
  ASSERT_TRUE(r.ok());
  EXPECT_GE(r->token.size(), 43u);  // 256 bits in base64url
  auto p = identity_->AuthenticateSession(r->token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->role, identity::Role::kAdmin);
  EXPECT_EQ(p->csrf_token, r->csrf_token);
}

TEST_P(IdentityServiceTest, WrongPasswordAndUnknownUserAreTheSameUnauthenticated) {
  auto a = identity_->Login("admin", "nope-nope", "10.0.0.2");
  auto b = identity_->Login("nobody", "nope-nope", "10.0.0.2");
  ASSERT_FALSE(a.ok());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(a.error().message, b.error().message);
}

TEST_P(IdentityServiceTest, FiveFailuresThrottleTheUserUntilTheWindowPasses) {
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(identity_->Login("admin", "wrong", "10.0.0.3").ok());
  auto r = identity_->Login("admin", "password-123", "10.0.0.4");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
  EXPECT_GT(r.error().retry_after_seconds, 0);
  EXPECT_LE(r.error().retry_after_seconds, 15 * 60);
  clock_.Advance(15 * 60 * 1000 + 1);
  EXPECT_TRUE(identity_->Login("admin", "password-123", "10.0.0.4").ok());
}

TEST_P(IdentityServiceTest, ManyFailuresFromOneAddressThrottleThatAddress) {
  for (int i = 0; i < 20; ++i) (void)identity_->Login("user" + std::to_string(i), "wrong", "10.9.9.9");
  auto r = identity_->Login("admin", "password-123", "10.9.9.9");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(identity_->Login("admin", "password-123", "10.1.1.1").ok());
}

TEST_P(IdentityServiceTest, SessionsExpire) {
  auto r = identity_->Login("admin", "password-123", "10.0.0.5");
  ASSERT_TRUE(r.ok());
  clock_.Advance(12LL * 3600 * 1000 + 1);
  auto p = identity_->AuthenticateSession(r->token);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(IdentityServiceTest, TokensAndKeysAreStoredHashed) {
  auto r = identity_->Login("admin", "password-123", "10.0.0.6");
  auto key = identity_->CreateApiKey(admin_, "cti", "service");
  ASSERT_TRUE(key.ok());
  Status st = db_->Read([&](store::Connection& c) -> Status {
    auto rows = c.Query("SELECT token_hash FROM sessions", {});
    for (const auto& row : *rows) EXPECT_NE(row.Text(0), r->token);
    auto keys = c.Query("SELECT key_hash FROM api_keys", {});
    for (const auto& row : *keys) EXPECT_EQ(key->secret.find(row.Text(0)), std::string::npos);
    auto users = c.Query("SELECT password_hash FROM users", {});
    for (const auto& row : *users) EXPECT_EQ(row.Text(0).rfind("$argon2id$", 0), 0u);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok());
}

TEST_P(IdentityServiceTest, ApiKeyActsWithItsRoleUntilRevoked) {
  auto key = identity_->CreateApiKey(admin_, "cti", "service");
  ASSERT_TRUE(key.ok());
  auto p = identity_->AuthenticateApiKey(key->secret);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->role, identity::Role::kService);
  ASSERT_TRUE(identity_->RevokeApiKey(admin_, key->key.id).ok());
  EXPECT_FALSE(identity_->AuthenticateApiKey(key->secret).ok());
}

TEST_P(IdentityServiceTest, OnlyAdminsCreateUsersAndWeakPasswordsAreRefused) {
  auto sales = MakeUser("s1", "sales");
  auto r = identity_->CreateUser(sales, identity::NewUser{.username = "x", .role = "sales", .password = "password-1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  auto weak = identity_->CreateUser(admin_, identity::NewUser{.username = "xy", .role = "sales", .password = "short"});
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().fields.at(0).field, "password");
  auto dup = identity_->CreateUser(admin_, identity::NewUser{.username = "s1", .role = "sales", .password = "password-1"});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
}

TEST_P(IdentityServiceTest, DeactivatedUsersLoseTheirSessions) {
  auto sales = MakeUser("s2", "sales");
  auto login = identity_->Login("s2", "password-123", "10.0.0.7");
  ASSERT_TRUE(login.ok());
  ASSERT_TRUE(identity_->UpdateUser(admin_, sales.user_id, identity::UserPatch{.active = false}).ok());
  EXPECT_FALSE(identity_->AuthenticateSession(login->token).ok());
  EXPECT_FALSE(identity_->Login("s2", "password-123", "10.0.0.7").ok());
}

KEHU_DOMAIN_BACKENDS(IdentityServiceTest);

}  // namespace
}  // namespace kehu::testing
