#include "fixture.h"

#include <set>

namespace kehu::testing {
namespace {

using customers::CustomerPatch;

class CustomerServiceTest : public DomainTest {
 protected:
  customers::Customer Create(const identity::Principal& p, CustomerPatch in) {
    auto r = customers_->Create(p, in);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : customers::Customer{};
  }
};

struct BadInput {
  const char* what;
  CustomerPatch patch;
  const char* field;
};

TEST_P(CustomerServiceTest, InvalidFieldsAreReportedOneByOneAndNothingIsWritten) {
  const BadInput cases[] = {
      {"no name", CustomerPatch{}, "name"},
      {"bad kind", CustomerPatch{.kind = "robot", .name = "x"}, "kind"},
      {"bad phone", CustomerPatch{.name = "x", .phones = std::vector<std::string>{"12345"}}, "phones[0]"},
      {"bad email", CustomerPatch{.name = "x", .emails = std::vector<std::string>{"a@b"}}, "emails[0]"},
      {"impossible date", CustomerPatch{.name = "x", .birthday = std::optional<std::string>("2026-02-30")}, "birthday"},
      {"future birthday", CustomerPatch{.name = "x", .birthday = std::optional<std::string>("2026-12-01")}, "birthday"},
      {"unknown category", CustomerPatch{.name = "x", .category = "aliens"}, "category"},
      {"bad stage", CustomerPatch{.name = "x", .lifecycle_stage = "zombie"}, "lifecycle_stage"},
      {"long name", CustomerPatch{.name = std::string(300, 'a')}, "name"},
      {"bad utf8", CustomerPatch{.name = std::string("\xff\xfe")}, "name"},
  };
  for (const auto& c : cases) {
    auto r = customers_->Create(admin_, c.patch);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.what;
    ASSERT_FALSE(r.error().fields.empty()) << c.what;
    EXPECT_EQ(r.error().fields[0].field, c.field) << c.what;
  }
  auto page = customers_->List(admin_, customers::ListRequest{});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
}

TEST_P(CustomerServiceTest, SecondCustomerWithSamePhoneIsAlreadyExists) {
  auto a = Create(admin_, CustomerPatch{.name = "王芳", .phones = std::vector<std::string>{"13800138000"}});
  auto r = customers_->Create(admin_, CustomerPatch{.name = "王芳2", .phones = std::vector<std::string>{"+86 138 0013 8000"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(r.error().conflict_id, a.id);
}

TEST_P(CustomerServiceTest, StaleVersionIsAbortedAndKeepsTheFirstChange) {
  auto a = Create(admin_, CustomerPatch{.name = "李雷"});
  ASSERT_TRUE(customers_->Update(admin_, a.id, 1, CustomerPatch{.note = "first"}).ok());
  auto r = customers_->Update(admin_, a.id, 1, CustomerPatch{.note = "second"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAborted);
  EXPECT_EQ(customers_->Get(admin_, a.id)->note, "first");
}

TEST_P(CustomerServiceTest, SalesSeeOnlyTheirOwnOrSharedCustomers) {
  auto s1 = MakeUser("s1", "sales");
  auto s2 = MakeUser("s2", "sales");
  auto mine = Create(s1, CustomerPatch{.name = "甲"});
  EXPECT_EQ(mine.owner_id, s1.user_id);
  auto r = customers_->Get(s2, mine.id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(customers_->Update(s1, mine.id, 1, CustomerPatch{.shared_with = std::vector<int64_t>{s2.user_id}}).ok());
  EXPECT_TRUE(customers_->Get(s2, mine.id).ok());
  auto other = customers_->Create(s1, CustomerPatch{.name = "乙", .owner_id = std::optional<int64_t>(s2.user_id)});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().fields.at(0).field, "owner_id");
}

TEST_P(CustomerServiceTest, MergeMovesPhonesAndTheOldIdPointsToTheSurvivor) {
  auto a = Create(admin_, CustomerPatch{.name = "张伟", .phones = std::vector<std::string>{"13900000001"}});
  auto b = Create(admin_, CustomerPatch{.name = "张伟", .phones = std::vector<std::string>{"13900000002"}});
  auto dups = customers_->Duplicates(admin_, a.id);
  ASSERT_TRUE(dups.ok());
  ASSERT_EQ(dups->size(), 1u);
  EXPECT_EQ((*dups)[0].customer.id, b.id);
  auto m = customers_->Merge(admin_, a.id, b.id);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->phones.size(), 2u);
  auto gone = customers_->Get(admin_, b.id);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().conflict_id, a.id);
  auto found = customers_->LookupByPhone(admin_, "13900000002");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, a.id);
}

TEST_P(CustomerServiceTest, ConsentKeepsTheTimeItWasGiven) {
  auto a = Create(admin_, CustomerPatch{.name = "赵六", .consents = std::vector<customers::ConsentInput>{
                                                            {.channel = "sms", .granted = true, .source = "门店"}}});
  ASSERT_EQ(a.consents.size(), 1u);
  EXPECT_EQ(a.consents[0].at, kStart);
  clock_.Advance(3600 * 1000);
  auto b = customers_->Update(admin_, a.id, 1, CustomerPatch{.note = "x", .consents = std::vector<customers::ConsentInput>{
                                                                             {.channel = "sms", .granted = true, .source = "门店"},
                                                                             {.channel = "email", .granted = false, .source = "电话"}}});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->consents[0].at, kStart);
  EXPECT_EQ(b->consents[1].at, kStart + 3600 * 1000);
}

TEST_P(CustomerServiceTest, EraseBlanksPersonalDataAndFreesThePhone) {
  auto a = Create(admin_, CustomerPatch{.name = "孙七", .phones = std::vector<std::string>{"13700000001"},
                                        .emails = std::vector<std::string>{"s@example.com"}});
  auto sales = MakeUser("s3", "sales");
  EXPECT_EQ(customers_->Erase(sales, a.id).error().code, ErrorCode::kPermissionDenied);
  auto e = customers_->Erase(admin_, a.id);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->phones.empty());
  EXPECT_TRUE(e->emails.empty());
  EXPECT_EQ(e->name.find("孙七"), std::string::npos);
  EXPECT_TRUE(customers_->Create(admin_, CustomerPatch{.name = "新", .phones = std::vector<std::string>{"13700000001"}}).ok());
}

TEST_P(CustomerServiceTest, SearchFindsShortChinesePinyinAndTraditional) {
  auto a = Create(admin_, CustomerPatch{.name = "王小明"});
  auto b = Create(admin_, CustomerPatch{.kind = "organization", .name = "客户关系管理公司"});
  auto find = [&](const std::string& q) {
    auto r = customers_->List(admin_, customers::ListRequest{.q = q});
    EXPECT_TRUE(r.ok());
    std::vector<int64_t> ids;
    for (const auto& c : r->items) ids.push_back(c.id);
    return ids;
  };
  EXPECT_EQ(find("wxm"), std::vector<int64_t>{a.id});
  EXPECT_EQ(find("小明"), std::vector<int64_t>{a.id});
  EXPECT_EQ(find("关系"), std::vector<int64_t>{b.id});
  EXPECT_EQ(find("客戶"), std::vector<int64_t>{b.id});
  EXPECT_TRUE(find("不存在的人").empty());
}

TEST_P(CustomerServiceTest, CursorPagesCoverEveryRowOnce) {
  for (int i = 0; i < 25; ++i) Create(admin_, CustomerPatch{.name = "客户" + std::to_string(i)});
  std::set<int64_t> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto r = customers_->List(admin_, customers::ListRequest{.sort = "name", .cursor = cursor, .limit = 7});
    ASSERT_TRUE(r.ok());
    for (const auto& c : r->items) EXPECT_TRUE(seen.insert(c.id).second);
    cursor = r->next_cursor.value_or("");
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_EQ(pages, 4);
}

KEHU_DOMAIN_BACKENDS(CustomerServiceTest);

}  // namespace
}  // namespace kehu::testing
