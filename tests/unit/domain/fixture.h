#pragma once
// Use-case tests run on real databases — SQLite :memory: and a fresh schema of the throwaway
// PostgreSQL (skipped without KEHU_TEST_PG_URL) — with the real migrations and an injectable
// clock (../shared/CONVENTIONS.md): no mocks. So the repositories run under both dialects.

#include <gtest/gtest.h>

#include <memory>

#include "core/time.h"
#include "domain/customers/customer_service.h"
#include "domain/identity/identity_service.h"
#include "store/migrate.h"
#include "store/repositories.h"
#include "store_test_env.h"

namespace kehu::testing {

// 2026-11-23T08:00:00Z
inline constexpr UnixMillis kStart = 1795420800000;

using store::testing::Backend;

class DomainTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string reason;
    if (!env_.Prepare(GetParam(), &reason)) GTEST_SKIP() << reason;
    auto db = store::Open(env_.url(), 2);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    auto m = store::Migrate(*db_);
    ASSERT_TRUE(m.ok()) << m.error().message;
    ids_ = store::MakeIdentityRepository(*db_);
    cus_ = store::MakeCustomerRepository(*db_);
    identity::IdentityOptions opts;
    opts.max_concurrent_hashes = 4;
    identity_ = std::make_unique<identity::IdentityService>(*ids_, clock_, opts);
    customers_ = std::make_unique<customers::CustomerService>(*cus_, clock_);
    ASSERT_TRUE(ids_->EnsureOrg(1, "test", clock_.Now()).ok());
    ASSERT_TRUE(customers_->EnsureBuiltinCategories(1).ok());
    admin_ = MakeUser("admin", "admin");
  }

  identity::Principal MakeUser(const std::string& name, const std::string& role) {
    auto u = identity_->CreateUserUnchecked(
        1, identity::NewUser{.username = name, .display_name = name, .role = role, .password = "password-123"});
    EXPECT_TRUE(u.ok()) << (u.ok() ? "" : u.error().message);
    auto login = identity_->Login(name, "password-123", "127.0.0.1");
    EXPECT_TRUE(login.ok());
    auto p = identity_->AuthenticateSession(login->token);
    EXPECT_TRUE(p.ok());
    return *p;
  }

  void TearDown() override {
    customers_.reset();
    identity_.reset();
    cus_.reset();
    ids_.reset();
    db_.reset();  // before env_ drops the schema
  }

  store::testing::TestDatabase env_;
  ManualClock clock_{kStart};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<identity::IdentityRepository> ids_;
  std::unique_ptr<customers::CustomerRepository> cus_;
  std::unique_ptr<identity::IdentityService> identity_;
  std::unique_ptr<customers::CustomerService> customers_;
  identity::Principal admin_;
};

#define KEHU_DOMAIN_BACKENDS(suite)                                                    \
  INSTANTIATE_TEST_SUITE_P(Db, suite,                                                    \
                           ::testing::Values(Backend::kSqliteMemory, Backend::kPostgres), \
                           store::testing::BackendName)

}  // namespace kehu::testing
