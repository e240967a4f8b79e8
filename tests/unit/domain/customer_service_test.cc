#include "fixture.h"

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <tuple>

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
  // The ids an admin's search for q lists, in the list's order.
  std::vector<int64_t> Find(const std::string& q) {
    auto r = customers_->List(admin_, customers::ListRequest{.q = q});
    EXPECT_TRUE(r.ok()) << q;
    std::vector<int64_t> ids;
    if (r.ok())
      for (const auto& c : r->items) ids.push_back(c.id);
    return ids;
  }
};

// The import checks and writes in chunks (ImportOptions::chunk_rows) inside one transaction:
// with chunks of 3 rows, duplicates are found across chunks, a bad row in the last chunk leaves
// nothing of the earlier chunks, and a clean file lands whole; re-importing it changes nothing.
TEST_P(CustomerServiceTest, ChunkedImportIsAllOrNothingAcrossChunks) {
  auto csv = [](int rows, int bad_row, int dup_of) {
    std::string s = "name,phones,external_id\n";
    for (int i = 1; i <= rows; ++i) {
      const int phone = i == dup_of + 100 ? dup_of : i;
      s += "导入客户" + std::to_string(i) + ",1390000" + std::to_string(1000 + phone) + "," +
           (i == bad_row ? std::string("") : "EXT-" + std::to_string(i)) + "\n";
      if (i == bad_row) s.back() = ',', s += "extra\n";  // a ragged row
    }
    return s;
  };
  customers::ImportOptions opts;
  opts.chunk_rows = 3;
  auto count = [&] {
    auto page = customers_->List(admin_, customers::ListRequest{.q = "导入客户", .limit = 100});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items.size() : 0u;
  };

  // A ragged row in the last chunk: nothing is written, the other rows are still counted.
  auto bad = customers_->Import(admin_, csv(10, 10, 0), opts, nullptr);
  ASSERT_TRUE(bad.ok()) << bad.error().message;
  EXPECT_FALSE(bad->applied);
  EXPECT_EQ(bad->error_count, 1);
  ASSERT_EQ(bad->errors.size(), 1u);
  EXPECT_EQ(bad->errors[0].row, 10);
  EXPECT_EQ(bad->created, 9);
  EXPECT_EQ(count(), 0u);

  // An unterminated quote in the third chunk (rows are read chunk by chunk): the file is refused
  // and the first chunks' rows, already written in the transaction, are rolled back.
  std::string broken = csv(6, 0, 0);
  broken += "\"导入客户7,13900001007,EXT-7\n导入客户8,13900001008,EXT-8\n";
  auto refused = customers_->Import(admin_, broken, opts, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("line 8"), std::string::npos) << refused.error().message;
  EXPECT_EQ(count(), 0u);

  // The same phone in row 2 and row 102 (chunks 1 and 34): found across chunks.
  auto dup = customers_->Import(admin_, csv(102, 0, 2), opts, nullptr);
  ASSERT_TRUE(dup.ok());
  EXPECT_FALSE(dup->applied);
  ASSERT_EQ(dup->error_count, 1);
  EXPECT_EQ(dup->errors[0].row, 102);
  EXPECT_EQ(dup->errors[0].field, "phones");
  EXPECT_EQ(count(), 0u);

  // A clean file of 11 rows (four chunks) lands whole, and again changes nothing.
  int64_t last_progress = 0;
  auto ok = customers_->Import(admin_, csv(11, 0, 0), opts, [&](int64_t done, int64_t total) {
    EXPECT_GE(done, last_progress);
    EXPECT_EQ(total, 11);
    last_progress = done;
  });
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->applied);
  EXPECT_EQ(ok->created, 11);
  EXPECT_EQ(last_progress, 11);
  EXPECT_EQ(count(), 11u);
  auto again = customers_->Import(admin_, csv(11, 0, 0), opts, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->applied);
  EXPECT_EQ(again->unchanged, 11);
  EXPECT_EQ(again->created, 0);
  EXPECT_EQ(count(), 11u);
}

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

// Create and update reuse the org's categories and custom field definitions for a moment
// (CustomerService::CachedRules). A change made through the service is seen at once; one made
// behind its back (another server process) never makes it refuse a valid customer, and a new
// rule it did not hear of applies once the moment has passed.
TEST_P(CustomerServiceTest, RulesChangedElsewhereNeverRefuseAValidCustomer) {
  Create(admin_, CustomerPatch{.name = "先来"});  // the rules are now cached
  // Another process adds a category: the cached rules do not know it, fresh ones do.
  ASSERT_TRUE(cus_->CreateCategory(customers::Category{.org_id = 1, .key = "banquet", .name_zh = "宴席",
                                                       .name_en = "Banquet"}).ok());
  auto banquet = Create(admin_, CustomerPatch{.name = "宴席客户", .category = "banquet"});
  EXPECT_EQ(banquet.category, "banquet");

  // Through the service: a required field applies to the very next create.
  auto def = customers_->CreateFieldDef(admin_, customers::CustomFieldDef{.key = "member_no", .label = "会员号",
                                                                          .required = true});
  ASSERT_TRUE(def.ok()) << def.error().message;
  auto refused = customers_->Create(admin_, CustomerPatch{.name = "没有会员号"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().fields.at(0).field, "custom_fields.member_no");

  // Another process deletes it: the cached rules still ask for it, fresh ones do not.
  ASSERT_TRUE(cus_->DeleteFieldDef(1, def->id).ok());
  Create(admin_, CustomerPatch{.name = "不再需要会员号"});

  // Another process adds a required field: accepted while the cached rules are fresh, refused after.
  auto behind = cus_->CreateFieldDef(customers::CustomFieldDef{.org_id = 1, .key = "region_code", .label = "区号",
                                                               .required = true});
  ASSERT_TRUE(behind.ok()) << behind.error().message;
  Create(admin_, CustomerPatch{.name = "缓存之内"});
  clock_.Advance(5000);
  auto later = customers_->Create(admin_, CustomerPatch{.name = "缓存之后"});
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().fields.at(0).field, "custom_fields.region_code");
}

TEST_P(CustomerServiceTest, SecondCustomerWithSamePhoneIsAlreadyExists) {
  auto a = Create(admin_, CustomerPatch{.name = "王芳", .phones = std::vector<std::string>{"13800138000"}});
  auto r = customers_->Create(admin_, CustomerPatch{.name = "王芳2", .phones = std::vector<std::string>{"+86 138 0013 8000"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(r.error().conflict_id, a.id);
}

// A phone or email is checked as its index row goes in: the conflict names the holder and the
// field, phones before emails before the external id, and the rejected write leaves nothing.
TEST_P(CustomerServiceTest, ContactConflictsNameTheFieldAndWriteNothing) {
  auto a = Create(admin_, CustomerPatch{.name = "甲方", .external_id = std::optional<std::string>("ERP-1"),
                                        .phones = std::vector<std::string>{"13900000101"},
                                        .emails = std::vector<std::string>{"jia@example.cn"}});
  auto b = Create(admin_, CustomerPatch{.name = "乙方", .phones = std::vector<std::string>{"13900000102"}});
  auto field_of = [](const Result<customers::Customer>& r) {
    EXPECT_FALSE(r.ok());
    if (r.ok()) return std::string();
    EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
    return r.error().fields.empty() ? std::string() : r.error().fields[0].field;
  };
  auto r = customers_->Create(admin_, CustomerPatch{.name = "丙", .phones = std::vector<std::string>{"13900000103", "139 0000 0101"}});
  EXPECT_EQ(field_of(r), "phones[1]");
  EXPECT_EQ(r.error().conflict_id, a.id);
  r = customers_->Create(admin_, CustomerPatch{.name = "丁", .emails = std::vector<std::string>{"JIA@example.cn"}});
  EXPECT_EQ(field_of(r), "emails[0]");
  r = customers_->Create(admin_, CustomerPatch{.name = "戊", .external_id = std::optional<std::string>("ERP-1"),
                                               .phones = std::vector<std::string>{"13900000101"}});
  EXPECT_EQ(field_of(r), "phones[0]");
  r = customers_->Create(admin_, CustomerPatch{.name = "己", .external_id = std::optional<std::string>("ERP-1"),
                                               .emails = std::vector<std::string>{"ji@example.cn"}});
  EXPECT_EQ(field_of(r), "external_id");
  // An update that takes another customer's phone keeps its own phones.
  r = customers_->Update(admin_, b.id, 1, CustomerPatch{.phones = std::vector<std::string>{"13900000102", "13900000101"}});
  EXPECT_EQ(field_of(r), "phones[1]");
  EXPECT_EQ(customers_->Get(admin_, b.id)->phones, std::vector<std::string>{"+8613900000102"});
  // A batch whose second customer repeats the first one's phone writes neither.
  auto many = customers_->CreateMany(admin_, {CustomerPatch{.name = "庚", .phones = std::vector<std::string>{"13900000104"}},
                                              CustomerPatch{.name = "辛", .phones = std::vector<std::string>{"13900000104"}}});
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.error().code, ErrorCode::kAlreadyExists);
  // None of the rejected writes took a phone, an email or an external id: all are free.
  auto c = customers_->Create(admin_, CustomerPatch{.name = "壬", .phones = std::vector<std::string>{"13900000103", "13900000104"},
                                                    .emails = std::vector<std::string>{"ji@example.cn"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto found = customers_->LookupByPhone(admin_, "13900000104");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, c->id);
  // The same number twice in one customer's list is one number, not a conflict with itself.
  auto twice = customers_->Create(admin_, CustomerPatch{.name = "癸", .phones = std::vector<std::string>{"13900000105", "+86 139 0000 0105"}});
  ASSERT_TRUE(twice.ok()) << twice.error().message;
  EXPECT_EQ(twice->phones, std::vector<std::string>{"+8613900000105"});
}

// A bulk load in one transaction (demo data): batches checked by PrepareMany, written by
// WriteMany. Announced as larger than the table, the load has SQLite build the name-order
// indexes again at its end: they are there afterwards, in use, and a failed load leaves
// nothing and keeps them.
TEST_P(CustomerServiceTest, WriteManyWritesEveryBatchOrNothingAndKeepsTheIndexes) {
  auto batch = [&](const std::vector<std::pair<std::string, std::string>>& people) {
    std::vector<CustomerPatch> in;
    for (const auto& [name, phone] : people)
      in.push_back(CustomerPatch{.name = name, .phones = std::vector<std::string>{phone}});
    auto w = customers_->PrepareMany(admin_, in);
    EXPECT_TRUE(w.ok()) << w.error().message;
    return std::move(*w);
  };
  auto stream = [&](std::vector<std::vector<customers::CustomerWrite>> batches) {
    size_t at = 0;
    return customers_->WriteMany(
        admin_,
        [&]() -> Result<std::optional<std::vector<customers::CustomerWrite>>> {
          if (at == batches.size()) return std::optional<std::vector<customers::CustomerWrite>>();
          return std::optional<std::vector<customers::CustomerWrite>>(std::move(batches[at++]));
        },
        100000);
  };
  auto index_names = [&]() {
    std::vector<std::string> out;
    if (GetParam() == Backend::kPostgres) return out;
    EXPECT_TRUE(db_->Read([&](store::Connection& c) -> Status {
                      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT name FROM sqlite_schema WHERE type = 'index' AND "
                                                               "tbl_name = 'customers' ORDER BY name", {}));
                      for (const auto& r : rows) out.push_back(r.Text(0));
                      return Status::Ok();
                    }).ok());
    return out;
  };
  const auto indexes = index_names();
  // A role that may not create customers may not stream them either.
  auto agent = MakeUser("agent", "service");
  auto refused = customers_->WriteMany(agent, [&]() -> Result<std::optional<std::vector<customers::CustomerWrite>>> {
    return std::optional<std::vector<customers::CustomerWrite>>();
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  Create(admin_, CustomerPatch{.name = "周一"});
  ASSERT_TRUE(stream({batch({{"赵二", "13900000201"}, {"钱三", "13900000202"}}), batch({{"孙四", "13900000203"}})}).ok());
  // The second batch repeats a phone of the first: the load fails and writes nothing.
  auto failed = stream({batch({{"李五", "13900000204"}}), batch({{"吴六", "13900000204"}})});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(index_names(), indexes);
  auto page = customers_->List(admin_, customers::ListRequest{.sort = "name", .limit = 10});
  ASSERT_TRUE(page.ok()) << page.error().message;
  std::vector<std::string> names;
  for (const auto& c : page->items) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"钱三", "孙四", "赵二", "周一"}));  // pinyin order
  EXPECT_FALSE(customers_->LookupByPhone(admin_, "13900000204").ok());
  if (GetParam() != Backend::kPostgres) {
    std::string check;
    ASSERT_TRUE(db_->Read([&](store::Connection& c) -> Status {
                      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("PRAGMA integrity_check", {}));
                      check = rows.at(0).Text(0);
                      return Status::Ok();
                    }).ok());
    EXPECT_EQ(check, "ok");
  }
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
  // Shared with several: the point read gives every one of them, in id order.
  auto s3 = MakeUser("s3", "sales");
  ASSERT_TRUE(customers_->Update(s1, mine.id, 2, CustomerPatch{.shared_with = std::vector<int64_t>{s3.user_id, s2.user_id}}).ok());
  auto shared = customers_->Get(s3, mine.id);
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(shared->shared_with, (std::vector<int64_t>{s2.user_id, s3.user_id}));
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
  EXPECT_EQ(Find("wxm"), std::vector<int64_t>{a.id});
  EXPECT_EQ(Find("小明"), std::vector<int64_t>{a.id});
  EXPECT_EQ(Find("关系"), std::vector<int64_t>{b.id});
  EXPECT_EQ(Find("客戶"), std::vector<int64_t>{b.id});
  EXPECT_TRUE(Find("不存在的人").empty());
}

// Three or more Han characters search the substring text alone (no token phrase), two search a
// pair word of the token index, so a name, organisation or tag written with spaces or a middle
// dot inside is still found whole, in Simplified or Traditional, while two tags never join.
TEST_P(CustomerServiceTest, SearchFindsThreeHanCharactersAcrossSpacesAndDotsButNotAcrossTags) {
  auto spaced = Create(admin_, CustomerPatch{.name = "欧阳 娜娜"});
  auto dotted = Create(admin_, CustomerPatch{.name = "阿卜杜·热合曼"});
  auto org = Create(admin_, CustomerPatch{.kind = "organization", .name = "贵州 茅台酒厂", .tags = std::vector<std::string>{"高端 白酒", "专卖"}});
  const std::vector<int64_t> s{spaced.id}, d{dotted.id}, o{org.id}, none{};
  for (const char* q : {"欧阳娜娜", "欧阳 娜娜", "阳娜娜", "歐陽娜娜"}) EXPECT_EQ(Find(q), s) << q;
  for (const char* q : {"阿卜杜热合曼", "杜热合", "热合曼"}) EXPECT_EQ(Find(q), d) << q;
  for (const char* q : {"贵州茅台", "州茅台酒", "端白酒", "高端白酒"}) EXPECT_EQ(Find(q), o) << q;
  EXPECT_EQ(Find("白酒专卖"), none);  // the end of one tag and the next
  EXPECT_EQ(Find("娜娜阿"), none);
  // Two characters: one pair word of the token index, found across the same spaces and dots,
  // never across two tags or from a customer's name into its organisation.
  EXPECT_EQ(Find("白酒"), o);
  EXPECT_EQ(Find("阳娜"), s);
  EXPECT_EQ(Find("杜热"), d);
  EXPECT_EQ(Find("州茅"), o);
  EXPECT_EQ(Find("酒专"), none);
  EXPECT_EQ(Find("娜娜"), s);
  EXPECT_EQ(Find("欧陽"), s);  // Traditional
}

// A phone is found by the digits a user types in any of its forms: the E.164 digits, the
// national form of a mobile (inside the E.164 digits) and of a landline (with the trunk 0, not
// inside them), a middle part, and a short prefix of the national form (the token index). An
// email by a fragment of three or more characters.
TEST_P(CustomerServiceTest, SearchFindsPhonesInEveryFormAndEmailsByAFragment) {
  auto mobile = Create(admin_, CustomerPatch{.name = "手机客户", .phones = std::vector<std::string>{"13912345678"},
                                             .emails = std::vector<std::string>{"li.ming@example.cn"}});
  auto landline = Create(admin_, CustomerPatch{.name = "座机客户", .phones = std::vector<std::string>{"010-65529988"}});
  const std::vector<int64_t> m{mobile.id}, l{landline.id};
  for (const char* q : {"13912345678", "8613912345678", "+86 139 1234 5678", "1234567", "139"}) EXPECT_EQ(Find(q), m) << q;
  EXPECT_EQ(Find("13"), m);  // a prefix too short for the substring index
  for (const char* q : {"01065529988", "010-6552-9988", "+86 10 6552 9988", "6552998", "010"}) EXPECT_EQ(Find(q), l) << q;
  EXPECT_EQ(Find("01"), l);
  for (const char* q : {"li.ming@example.cn", "ming@ex", "example.cn"}) EXPECT_EQ(Find(q), m) << q;
}

// A new org (the first start on an empty database, `kehu demo`'s) is recorded at this binary's
// search-text version, so its first server start does not scan every customer it was given
// meanwhile; an org that already has customers without a record may hold older texts and stays
// old, and a record is never overwritten.
TEST_P(CustomerServiceTest, AnOrgIsRecordedCurrentOnlyWhileItHasNoCustomer) {
  ASSERT_TRUE(ids_->EnsureOrg(2, "second", clock_.Now()).ok());
  EXPECT_EQ(*customers_->OrgsWithOldSearchTexts(), (std::vector<int64_t>{1, 2}));  // no record yet
  Create(admin_, CustomerPatch{.name = "老客户"});
  ASSERT_TRUE(customers_->EnsureSearchTextState(1).ok());
  ASSERT_TRUE(customers_->EnsureSearchTextState(2).ok());
  EXPECT_EQ(*customers_->OrgsWithOldSearchTexts(), std::vector<int64_t>{1});
  ASSERT_TRUE(cus_->SetSearchTextVersion(2, 3, clock_.Now()).ok());
  ASSERT_TRUE(customers_->EnsureSearchTextState(2).ok());
  EXPECT_EQ(*customers_->OrgsWithOldSearchTexts(), (std::vector<int64_t>{1, 2}));
}

// Customers created one by one leave SQLite's FTS5 indexes one segment per commit (up to 16 a
// level, 0013); MergeSearchIndex merges them step by step until a step finds nothing, and every
// customer is found as before. PostgreSQL's GIN indexes merge themselves: nothing to do there.
TEST_P(CustomerServiceTest, MergingTheSearchIndexKeepsEveryCustomerFindable) {
  std::vector<int64_t> made;
  for (int i = 0; i < 40; ++i) {
    auto c = Create(admin_, CustomerPatch{.name = "合并客户" + std::to_string(i),
                                          .phones = std::vector<std::string>{"1390000" + std::to_string(2000 + i)}});
    made.push_back(c.id);
  }
  int worked = 0;
  bool done = false;
  for (int step = 0; step < 200 && !done; ++step) {
    auto r = cus_->MergeSearchIndex(16);
    ASSERT_TRUE(r.ok()) << r.error().message;
    if (*r) ++worked; else done = true;
  }
  EXPECT_TRUE(done);
  if (db_->dialect() == store::Dialect::kSqlite) EXPECT_GT(worked, 0);
  else EXPECT_EQ(worked, 0);
  EXPECT_FALSE(*cus_->MergeSearchIndex(16));  // still nothing after the last one
  auto page = customers_->List(admin_, customers::ListRequest{.q = "合并客户", .limit = 100});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), made.size());
  EXPECT_EQ(Find("13900002017"), std::vector<int64_t>{made[17]});
  EXPECT_EQ(Find("合并客户39"), std::vector<int64_t>{made[39]});
}

// Rows written by an older binary keep that binary's search texts until they are rebuilt: here
// a Beijing landline indexed the way version 1 did (no trunk 0, so "010…" missed it). The
// rebuild rewrites what differs, finds it by "010…" afterwards, records the version, leaves a
// row written since it was read alone, and records nothing when stopped early.
TEST_P(CustomerServiceTest, OldSearchTextsAreRebuiltSoOldRowsAreFoundLikeNewOnes) {
  auto mobile = Create(admin_, CustomerPatch{.name = "手机客户", .phones = std::vector<std::string>{"13912345678"}});
  auto landline = Create(admin_, CustomerPatch{.name = "座机客户", .phones = std::vector<std::string>{"010-65529988"}});
  auto gone = Create(admin_, CustomerPatch{.name = "已删客户"});
  ASSERT_TRUE(customers_->Delete(admin_, gone.id, std::nullopt).ok());
  const std::string old_doc = "座机客户 | zuojikehu | zjkh | 861065529988", old_tokens = "座 机 客 户 zuojikehu zjkh 1065529988";
  const bool pg = db_->dialect() == store::Dialect::kPostgres;
  ASSERT_TRUE(db_->Write([&](store::Connection& c) -> Status {
                   if (pg) {
                     KEHU_RETURN_IF_ERROR(c.Exec("UPDATE customers SET search_doc = ?, search_tok = to_tsvector('simple', "
                                                 "?), name_sort = '' WHERE id = ?",
                                                 {old_doc, old_tokens, landline.id}));
                     return Status::Ok();
                   }
                   for (const char* sql : {"DELETE FROM customers_fts WHERE rowid = ?", "DELETE FROM customers_fts_tok WHERE rowid = ?"})
                     KEHU_RETURN_IF_ERROR(c.Exec(sql, {landline.id}));
                   KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO customers_fts(rowid, doc) VALUES (?, ?)", {landline.id, old_doc}));
                   KEHU_RETURN_IF_ERROR(c.Exec("INSERT INTO customers_fts_tok(rowid, doc) VALUES (?, ?)", {landline.id, old_tokens}));
                   KEHU_RETURN_IF_ERROR(c.Exec("UPDATE customers SET name_sort = '' WHERE id = ?", {landline.id}));
                   return Status::Ok();
                 }).ok());
  ASSERT_TRUE(cus_->SetSearchTextVersion(1, 1, clock_.Now()).ok());
  const std::vector<int64_t> l{landline.id}, none{};
  EXPECT_EQ(Find("01065529988"), none);  // what version 1 missed
  EXPECT_EQ(Find("65529988"), l);        // what it found
  auto old = customers_->OrgsWithOldSearchTexts();
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(*old, std::vector<int64_t>{1});

  // Stopped after the first batch of one (the mobile, current): nothing recorded, so a later
  // start does it again.
  auto stopped = customers_->RebuildSearchTexts(1, [](const auto&) { return false; }, 1);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->scanned, 1);
  EXPECT_EQ(stopped->rewritten, 0);
  EXPECT_EQ(Find("01065529988"), none);
  EXPECT_EQ(*customers_->OrgsWithOldSearchTexts(), std::vector<int64_t>{1});

  auto done = customers_->RebuildSearchTexts(1, {}, 1);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->scanned, 2);    // the live ones
  EXPECT_EQ(done->rewritten, 1);  // the mobile's texts were current
  for (const char* q : {"01065529988", "010-6552-9988", "010", "65529988", "座机"}) EXPECT_EQ(Find(q), l) << q;
  EXPECT_TRUE(customers_->OrgsWithOldSearchTexts()->empty());
  auto sorted = customers_->List(admin_, customers::ListRequest{.sort = "name"});
  ASSERT_TRUE(sorted.ok());
  ASSERT_EQ(sorted->items.size(), 2u);
  EXPECT_EQ(sorted->items[0].id, mobile.id);  // shouji < zuoji again: name_sort was rebuilt too
  auto again = customers_->RebuildSearchTexts(1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rewritten, 0);

  // A customer written after the rebuild read it keeps the texts of that write.
  auto n = cus_->RewriteSearchTexts(
      1, {customers::SearchRewrite{.id = landline.id, .version = landline.version - 1,
                                   .search = customers::SearchText{.doc = "stale text", .tokens = "stale"}}});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(Find("stale"), none);
  EXPECT_EQ(Find("01065529988"), l);
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

// A search with thousands of matches takes another road on SQLite (the sort index walked beside
// the full-text hits, SqlCustomerRepository::MatchesInOrder) than one with a few. Whatever the
// road, paging through a search must give exactly the rows of the unsearched list, in its order,
// that match. The rows are created out of id order (a later import at an earlier time), updated
// in random order and some deleted, so no order here follows the ids.
// A tag most customers carry is listed by walking the sort order (SQLite probes each row for
// the tag), a rare one by gathering its customers: both page exactly like the unfiltered list
// filtered by hand, in every sort order.
TEST_P(CustomerServiceTest, TagFiltersPageLikeTheFilteredListWhetherTheTagIsCommonOrRare) {
  std::string csv = "name,tags,phones\n";
  for (int i = 1; i <= 300; ++i)
    csv += "标签客户" + std::to_string(i) + "," + (i % 3 ? "常客" : "") + (i % 97 == 0 ? ";稀有" : "") + ",1370000" +
           std::to_string(1000 + i) + "\n";
  auto r = customers_->Import(admin_, csv, {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->applied);
  for (const std::string sort : {"-created_at", "name", "-updated_at"}) {
    std::vector<int64_t> all;
    std::map<int64_t, std::vector<std::string>> tags;
    for (std::string cursor;;) {
      auto page = customers_->List(admin_, customers::ListRequest{.sort = sort, .cursor = cursor, .limit = 100});
      ASSERT_TRUE(page.ok());
      for (const auto& c : page->items) {
        all.push_back(c.id);
        tags[c.id] = c.tags;
      }
      if (!page->next_cursor) break;
      cursor = *page->next_cursor;
    }
    for (const std::string tag : {"常客", "稀有"}) {
      std::vector<int64_t> want, got;
      for (int64_t id : all)
        if (std::find(tags[id].begin(), tags[id].end(), tag) != tags[id].end()) want.push_back(id);
      for (std::string cursor;;) {
        auto page = customers_->List(admin_, customers::ListRequest{.tag = tag, .sort = sort, .cursor = cursor, .limit = 10});
        ASSERT_TRUE(page.ok()) << page.error().message;
        for (const auto& c : page->items) got.push_back(c.id);
        if (!page->next_cursor) break;
        cursor = *page->next_cursor;
      }
      EXPECT_EQ(got, want) << tag << " sorted by " << sort;
      EXPECT_EQ(want.size(), tag == "常客" ? 200u : 3u);
    }
  }
}

TEST_P(CustomerServiceTest, SearchWithThousandsOfMatchesPagesLikeTheFilteredList) {
  auto rows = [](int from, int to) {
    std::string s = "name,tags,category,phones\n";
    for (int i = from; i <= to; ++i) {
      const std::string name = (i % 5 == 2 ? "白酒迷" : "客户") + std::to_string(i);
      std::string tags = i % 5 == 1 || i % 5 >= 3 ? "白酒;宴席" : "宴席";
      if (i > 2900) tags += ";压轴";
      s += name + "," + tags + "," + (i % 2 ? "distributor" : "online_consumer") + ",1390000" +
           std::to_string(1000 + i) + "\n";
    }
    return s;
  };
  const int64_t hour = 3600 * 1000;
  for (auto [from, to, at] : {std::tuple{1, 1000, 2 * hour}, {1001, 2000, 0 * hour}, {2001, 3000, 1 * hour}}) {
    clock_.Set(kStart + at);
    auto r = customers_->Import(admin_, rows(from, to), {}, nullptr);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(r->applied);
  }
  clock_.Set(kStart + 3 * hour);

  // Everyone, in id order, through the plain list.
  std::vector<customers::Customer> all;
  for (std::string cursor;;) {
    auto page = customers_->List(admin_, customers::ListRequest{.sort = "created_at", .cursor = cursor, .limit = 500});
    ASSERT_TRUE(page.ok());
    all.insert(all.end(), page->items.begin(), page->items.end());
    if (!page->next_cursor) break;
    cursor = *page->next_cursor;
  }
  ASSERT_EQ(all.size(), 3000u);
  const identity::Principal seller = MakeUser("seller", "sales");
  std::mt19937 rng(7);
  std::shuffle(all.begin(), all.end(), rng);
  for (size_t i = 0; i < 300; ++i) {
    clock_.Advance(1000);
    customers::CustomerPatch note;
    note.note = "回访" + std::to_string(i);
    note.owner_id = std::optional<int64_t>(seller.user_id);  // the seller's 300 (see the end)
    ASSERT_TRUE(customers_->Update(admin_, all[i].id, all[i].version, note).ok());
  }
  for (size_t i = 300; i < 340; ++i) ASSERT_TRUE(customers_->Delete(admin_, all[i].id, std::nullopt).ok());

  // The same searches through a repository tuned so that 50 hits are "many" and a walk is
  // "long" after 64 rows: every road (few, walk, walk then fetch the rest) on these rows.
  auto tuned_repo = store::MakeCustomerRepository(*db_, {.few_matches = 50, .walk_budget = 64});
  customers::CustomerService tuned(*tuned_repo, clock_);
  customers::CustomerService* service = customers_.get();
  const identity::Principal* who = &admin_;
  auto ids = [&](customers::ListRequest req, int limit) {
    std::vector<int64_t> out;
    req.limit = limit;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = service->List(*who, req);
      EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
      if (!page.ok()) break;
      for (const auto& c : page->items) out.push_back(c.id);
      if (!page->next_cursor) break;
      req.cursor = *page->next_cursor;
    }
    return out;
  };
  std::map<int64_t, std::string> name_of;
  for (const auto& c : all) name_of[c.id] = c.name;
  // 白酒: a tag or the name; kehu: the pinyin of 客户 (token prefix and trigram); ehu: inside the
  // pinyin only (trigram alone).
  const std::map<std::string, std::function<bool(const std::string&, const std::vector<std::string>&)>> queries = {
      {"白酒", [](const std::string& n, const std::vector<std::string>& tags) {
         return n.rfind("白酒", 0) == 0 || std::find(tags.begin(), tags.end(), "白酒") != tags.end();
       }},
      {"kehu", [](const std::string& n, const std::vector<std::string>&) { return n.rfind("客户", 0) == 0; }},
      {"ehu", [](const std::string& n, const std::vector<std::string>&) { return n.rfind("客户", 0) == 0; }},
      {"压轴", [](const std::string&, const std::vector<std::string>& tags) {
         return std::find(tags.begin(), tags.end(), "压轴") != tags.end();
       }},
      // Seven letters and digits: three covering trigrams, of which "keh" (every 客户) is left out
      // as common — instr() still decides, so 客户1123 (kehu1123) is not among them.
      {"kehu123", [](const std::string& n, const std::vector<std::string>&) { return n.rfind("客户123", 0) == 0; }},
  };
  std::map<int64_t, std::vector<std::string>> tags_of;
  for (const auto& c : all) tags_of[c.id] = c.tags;
  for (auto* svc : {customers_.get(), &tuned}) {
  for (const char* sort : {"-created_at", "created_at", "-updated_at", "updated_at", "name", "-name"}) {
    for (std::optional<std::string> category : {std::optional<std::string>(), std::optional<std::string>("distributor")}) {
      service = customers_.get();
      const auto plain = ids(customers::ListRequest{.category = category, .sort = sort}, 500);
      service = svc;
      size_t live = 0;
      for (size_t i = 0; i < all.size(); ++i) live += (i < 300 || i >= 340) && (!category || all[i].category == *category);
      ASSERT_EQ(plain.size(), live) << sort;
      for (const auto& [q, matches] : queries) {
        std::vector<int64_t> want;
        for (int64_t id : plain)
          if (matches(name_of[id], tags_of[id])) want.push_back(id);
        ASSERT_GT(want.size(), q == "压轴" ? 30u : q == "kehu123" ? 4u : 1000u);
        EXPECT_EQ(ids(customers::ListRequest{.q = q, .category = category, .sort = sort}, 37), want)
            << q << " " << sort << (category ? " distributor" : "") << (svc == &tuned ? " tuned" : "");
      }
    }
  }
  }

  // A salesperson who sees 300 of the 3,000: on SQLite their list and searches start from their
  // own rows (FewVisible) with the real thresholds, and walk the org's index with the tuned ones
  // (300 visible is "many" there). Either way: the admin's list, cut to the seller's customers.
  std::set<int64_t> owned;
  for (size_t i = 0; i < 300; ++i) owned.insert(all[i].id);
  for (auto* svc : {customers_.get(), &tuned}) {
    for (const char* sort : {"-created_at", "created_at", "-updated_at", "name"}) {
      service = customers_.get();
      who = &admin_;
      std::vector<int64_t> mine;
      for (int64_t id : ids(customers::ListRequest{.sort = sort}, 500))
        if (owned.count(id)) mine.push_back(id);
      ASSERT_EQ(mine.size(), 300u);
      service = svc;
      who = &seller;
      EXPECT_EQ(ids(customers::ListRequest{.sort = sort}, 37), mine) << sort << (svc == &tuned ? " tuned" : "");
      for (const auto& [q, matches] : queries) {
        std::vector<int64_t> want;
        for (int64_t id : mine)
          if (matches(name_of[id], tags_of[id])) want.push_back(id);
        EXPECT_EQ(ids(customers::ListRequest{.q = q, .sort = sort}, 37), want)
            << "seller " << q << " " << sort << (svc == &tuned ? " tuned" : "");
      }
    }
  }
}

KEHU_DOMAIN_BACKENDS(CustomerServiceTest);

}  // namespace
}  // namespace kehu::testing
