// OrderService on SQLite and PostgreSQL (fixture.h): validation, access, status transitions,
// idempotent re-import, churn records with their lifecycle change and audit, churn statistics,
// retention economics and the purchase cycle with a ManualClock.

#include <gtest/gtest.h>

#include "domain/orders/order_service.h"
#include "domain/orders/order_timeline.h"
#include "fixture.h"

namespace kehu::testing {
namespace {

using customers::CustomerPatch;
using orders::LineInput;
using orders::OrderPatch;

constexpr int64_t kDay = 86400000;

class OrderServiceTest : public DomainTest {
 protected:
  void SetUp() override {
    DomainTest::SetUp();
    if (IsSkipped()) return;
    repo_ = store::MakeOrderRepository(*db_);
    orders_ = std::make_unique<orders::OrderService>(*repo_, *customers_, clock_);
  }
  void TearDown() override {
    orders_.reset();
    repo_.reset();
    DomainTest::TearDown();
  }
  customers::Customer Customer(const identity::Principal& p, const std::string& name, CustomerPatch extra = {}) {
    extra.name = name;
    auto r = customers_->Create(p, extra);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : customers::Customer{};
  }
  orders::Order Order(const identity::Principal& p, int64_t customer, int64_t amount, UnixMillis at,
                      std::optional<int64_t> cost = std::nullopt, const char* status = "paid") {
    OrderPatch in{.customer_id = customer, .ordered_at = FormatTimestamp(at), .channel = "store",
                  .amount_minor = amount, .status = status};
    if (cost) in.cost_minor = std::optional<int64_t>(*cost);
    auto r = orders_->Create(p, in);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : orders::Order{};
  }
  std::vector<identity::AuditEntry> AuditOf(const std::string& entity, int64_t id) {
    auto r = ids_->ListAudit(1, entity, id, 0, 100);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<identity::AuditEntry>{};
  }

  std::unique_ptr<orders::OrderRepository> repo_;
  std::unique_ptr<orders::OrderService> orders_;
};

TEST_P(OrderServiceTest, InvalidOrdersNameEveryBadFieldAndWriteNothing) {
  auto c = Customer(admin_, "王芳");
  struct Case {
    const char* what;
    OrderPatch in;
    const char* field;
  };
  const std::string when = FormatTimestamp(kStart - kDay);
  const Case cases[] = {
      {"no customer", OrderPatch{.ordered_at = when, .amount_minor = 1}, "customer_id"},
      {"no time", OrderPatch{.customer_id = c.id, .amount_minor = 1}, "ordered_at"},
      {"bad time", OrderPatch{.customer_id = c.id, .ordered_at = "yesterday", .amount_minor = 1}, "ordered_at"},
      {"future", OrderPatch{.customer_id = c.id, .ordered_at = FormatTimestamp(kStart + 3 * kDay), .amount_minor = 1},
       "ordered_at"},
      {"channel", OrderPatch{.customer_id = c.id, .ordered_at = when, .channel = "tv", .amount_minor = 1}, "channel"},
      {"currency", OrderPatch{.customer_id = c.id, .ordered_at = when, .currency = "rmb", .amount_minor = 1},
       "currency"},
      {"no amount", OrderPatch{.customer_id = c.id, .ordered_at = when}, "amount_minor"},
      {"negative", OrderPatch{.customer_id = c.id, .ordered_at = when, .amount_minor = -5}, "amount_minor"},
      {"status", OrderPatch{.customer_id = c.id, .ordered_at = when, .amount_minor = 1, .status = "lost"}, "status"},
      {"line qty", OrderPatch{.customer_id = c.id, .ordered_at = when,
                              .lines = std::vector<LineInput>{{.name = "茅台", .quantity = 0, .unit_price_minor = 1}}},
       "lines[0].quantity"},
      {"line sum", OrderPatch{.customer_id = c.id, .ordered_at = when, .amount_minor = 7,
                              .lines = std::vector<LineInput>{{.name = "茅台", .quantity = 2, .unit_price_minor = 5}}},
       "amount_minor"},
      {"unknown customer", OrderPatch{.customer_id = 999999, .ordered_at = when, .amount_minor = 1}, "customer_id"},
  };
  for (const auto& k : cases) {
    auto r = orders_->Create(admin_, k.in);
    ASSERT_FALSE(r.ok()) << k.what;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << k.what;
    ASSERT_FALSE(r.error().fields.empty()) << k.what;
    EXPECT_EQ(r.error().fields[0].field, k.field) << k.what;
  }
  auto page = orders_->List(admin_, orders::ListRequest{});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
}

TEST_P(OrderServiceTest, LinesMakeTheAmountAndCostAndTheCreationIsAudited) {
  auto c = Customer(admin_, "李雷");
  auto r = orders_->Create(admin_, OrderPatch{
      .customer_id = c.id, .ordered_at = "2026-11-20", .channel = "group_purchase",
      .lines = std::vector<LineInput>{{.sku = "MT53", .name = "飞天茅台", .quantity = 2, .unit_price_minor = 149900,
                                       .cost_minor = 200000},
                                      {.name = "礼盒", .quantity = 1, .amount_minor = 5000, .cost_minor = 1000}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->amount_minor, 2 * 149900 + 5000);
  EXPECT_EQ(r->cost_minor, 201000);
  EXPECT_EQ(r->status, orders::OrderStatus::kPlaced);
  auto got = orders_->Get(admin_, r->id);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->lines.size(), 2u);
  EXPECT_EQ(got->lines[0].name, "飞天茅台");
  EXPECT_EQ(got->lines[1].unit_price_minor, 5000);
  auto audit = AuditOf("order", r->id);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "create");
}

TEST_P(OrderServiceTest, OrdersOfCustomersOthersOwnAreInvisible) {
  auto alice = MakeUser("alice", "sales");
  auto bob = MakeUser("bob", "sales");
  auto mine = Customer(alice, "张三");
  auto theirs = Customer(bob, "李四");
  auto o = Order(bob, theirs.id, 1000, kStart - kDay);
  EXPECT_EQ(orders_->Get(alice, o.id).error().code, ErrorCode::kNotFound);
  auto r = orders_->Create(alice, OrderPatch{.customer_id = theirs.id, .ordered_at = "2026-11-01", .amount_minor = 5});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  Order(alice, mine.id, 2000, kStart - kDay);
  auto page = orders_->List(alice, orders::ListRequest{});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].customer_id, mine.id);
  EXPECT_EQ(orders_->List(alice, orders::ListRequest{.customer_id = theirs.id}).error().code, ErrorCode::kNotFound);
  auto service = MakeUser("svc", "service");
  EXPECT_EQ(orders_->Create(service, OrderPatch{.customer_id = mine.id, .ordered_at = "2026-11-01", .amount_minor = 5})
                .error().code,
            ErrorCode::kPermissionDenied);
}

TEST_P(OrderServiceTest, StatusChangesFollowTheTransitionsAndStaleVersionsAreRefused) {
  auto c = Customer(admin_, "韩梅梅");
  auto o = Order(admin_, c.id, 1000, kStart - kDay, std::nullopt, "placed");
  auto paid = orders_->Update(admin_, o.id, 1, OrderPatch{.status = "paid"});
  ASSERT_TRUE(paid.ok());
  EXPECT_EQ(paid->version, 2);
  auto bad = orders_->Update(admin_, o.id, 2, OrderPatch{.status = "cancelled"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(bad.error().allowed, std::vector<std::string>{"returned"});
  EXPECT_EQ(orders_->Update(admin_, o.id, 1, OrderPatch{.note = "x"}).error().code, ErrorCode::kAborted);
  ASSERT_TRUE(orders_->Update(admin_, o.id, 2, OrderPatch{.status = "returned"}).ok());
  EXPECT_EQ(AuditOf("order", o.id).size(), 3u);
}

TEST_P(OrderServiceTest, ListPagesByKeysetNewestFirstWithFilters) {
  auto c = Customer(admin_, "赵敏");
  for (int i = 0; i < 5; ++i) Order(admin_, c.id, 100 * (i + 1), kStart - (i + 1) * kDay);
  Order(admin_, c.id, 999, kStart - 10 * kDay, std::nullopt, "cancelled");
  auto p1 = orders_->List(admin_, orders::ListRequest{.status = "paid", .limit = 2});
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->items.size(), 2u);
  EXPECT_EQ(p1->items[0].amount_minor, 100);
  ASSERT_TRUE(p1->next_cursor);
  auto p2 = orders_->List(admin_, orders::ListRequest{.status = "paid", .cursor = *p1->next_cursor, .limit = 10});
  ASSERT_TRUE(p2.ok());
  ASSERT_EQ(p2->items.size(), 3u);
  EXPECT_EQ(p2->items[0].amount_minor, 300);
  EXPECT_FALSE(p2->next_cursor);
  auto range = orders_->List(admin_, orders::ListRequest{.from = FormatTimestamp(kStart - 3 * kDay),
                                                         .to = FormatTimestamp(kStart - kDay)});
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->items.size(), 2u);  // days -3 and -2
  EXPECT_EQ(orders_->List(admin_, orders::ListRequest{.cursor = "garbage"}).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(OrderServiceTest, ExternalIdsAreUniqueAndReImportIsIdempotent) {
  auto c = Customer(admin_, "周杰", CustomerPatch{.external_id = std::optional<std::string>("C-1")});
  auto first = orders_->Create(admin_, OrderPatch{.customer_id = c.id, .ordered_at = "2026-11-01", .amount_minor = 5,
                                                 .external_id = std::optional<std::string>("SO-1")});
  ASSERT_TRUE(first.ok());
  auto dup = orders_->Create(admin_, OrderPatch{.customer_id = c.id, .ordered_at = "2026-11-01", .amount_minor = 5,
                                               .external_id = std::optional<std::string>("SO-1")});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup.error().conflict_id, first->id);

  const std::string csv =
      "customer_external_id,ordered_at,amount,cost,channel,status,external_id\n"
      "C-1,2026-11-02,1499.00,900.50,门店,已付款,SO-2\n"
      "C-1,2026-11-03,10.5,,online,placed,SO-3\n";
  auto r1 = orders_->Import(admin_, csv, {});
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  EXPECT_EQ(r1->error_count, 0) << (r1->errors.empty() ? "" : r1->errors[0].message);
  EXPECT_EQ(r1->created, 2);
  EXPECT_TRUE(r1->applied);
  auto r2 = orders_->Import(admin_, csv, {});
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->created, 0);
  EXPECT_EQ(r2->unchanged, 2);
  // A changed status is an update; an invalid transition a row error that writes nothing.
  auto r3 = orders_->Import(admin_, "customer_external_id,ordered_at,amount,status,external_id\n"
                                    "C-1,2026-11-03,10.50,paid,SO-3\n", {});
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->updated, 1);
  auto r4 = orders_->Import(admin_, "customer_external_id,ordered_at,amount,status,external_id\n"
                                    "C-1,2026-11-03,10.50,cancelled,SO-3\n"
                                    "C-1,2026-11-04,1.00,paid,SO-4\n", {});
  ASSERT_TRUE(r4.ok());
  EXPECT_EQ(r4->error_count, 1);
  EXPECT_FALSE(r4->applied);
  auto all = orders_->List(admin_, orders::ListRequest{.customer_id = c.id});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 3u);  // SO-1..SO-3; SO-4 was not written
  EXPECT_EQ(all->items[1].amount_minor, 149900);
  EXPECT_EQ(all->items[1].cost_minor, 90050);
  EXPECT_EQ(all->items[1].channel, orders::Channel::kStore);
}

TEST_P(OrderServiceTest, ImportRowsWithUnknownCustomersAreReportedAndNothingIsWritten) {
  auto r = orders_->Import(admin_, "customer_phone,ordered_at,amount\n13800138000,2026-11-01,1.00\n", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->error_count, 1);
  EXPECT_EQ(r->errors[0].field, "customer_phone");
  EXPECT_FALSE(orders_->Import(admin_, "who,when\nx,y\n", {}).ok());  // header cannot be mapped
}

TEST_P(OrderServiceTest, RecordingChurnSetsTheStageToLostAuditedAndWinBackRestoresIt) {
  auto c = Customer(admin_, "钱多多", CustomerPatch{.category = "distributor", .lifecycle_stage = "active"});
  Order(admin_, c.id, 100000, kStart - 30 * kDay, 60000);
  Order(admin_, c.id, 50000, kStart - 400 * kDay, 10000);  // older than 12 months
  auto bad = orders_->RecordChurn(admin_, c.id, orders::ChurnInput{.reason = "boredom"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields[0].field, "reason");
  EXPECT_EQ(customers_->Get(admin_, c.id)->lifecycle_stage, customers::Lifecycle::kActive);
  auto r = orders_->RecordChurn(admin_, c.id, orders::ChurnInput{.churned_on = "2026-11-20", .reason = "price",
                                                                 .note = "竞品更便宜"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->lost_profit_minor, 40000);  // trailing 12-month margin: 100000 - 60000
  EXPECT_EQ(r->lost_profit_basis, "trailing_margin");
  EXPECT_EQ(customers_->Get(admin_, c.id)->lifecycle_stage, customers::Lifecycle::kLost);
  auto cust_audit = AuditOf("customer", c.id);
  ASSERT_FALSE(cust_audit.empty());
  EXPECT_EQ(cust_audit[0].changes[0].field, "lifecycle_stage");
  EXPECT_EQ(AuditOf("churn_record", r->id).size(), 1u);
  EXPECT_EQ(orders_->RecordChurn(admin_, c.id, orders::ChurnInput{.reason = "price"}).error().code,
            ErrorCode::kFailedPrecondition);
  auto won = orders_->WinBack(admin_, r->id);
  ASSERT_TRUE(won.ok());
  EXPECT_TRUE(won->won_back_at);
  EXPECT_EQ(customers_->Get(admin_, c.id)->lifecycle_stage, customers::Lifecycle::kWonBack);
  EXPECT_EQ(orders_->WinBack(admin_, r->id).error().code, ErrorCode::kFailedPrecondition);
  auto sales = MakeUser("sally", "sales");
  EXPECT_EQ(orders_->WinBack(sales, r->id).error().code, ErrorCode::kNotFound);
}

class FixedEstimator final : public orders::ValueEstimator {
 public:
  std::optional<int64_t> ExpectedMargin(int64_t, int64_t customer_id, int) override {
    if (customer_id == known_) return 123456;
    return std::nullopt;
  }
  int64_t known_{0};
};

TEST_P(OrderServiceTest, LostProfitUsesTheRegisteredEstimatorAndSaysSo) {
  auto a = Customer(admin_, "甲");
  auto b = Customer(admin_, "乙");
  FixedEstimator est;
  est.known_ = a.id;
  orders_->SetValueEstimator(&est);
  auto ra = orders_->RecordChurn(admin_, a.id, orders::ChurnInput{.reason = "service"});
  auto rb = orders_->RecordChurn(admin_, b.id, orders::ChurnInput{.reason = "service"});
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(ra->lost_profit_minor, 123456);
  EXPECT_EQ(ra->lost_profit_basis, "clv");
  EXPECT_FALSE(rb->lost_profit_minor);  // no orders with a cost: unknown, not invented
  EXPECT_EQ(rb->lost_profit_basis, "");
  orders_->SetValueEstimator(nullptr);
}

TEST_P(OrderServiceTest, ChurnRateReasonsAndRepeatPurchaseOnAKnownSet) {
  // 10 distributors and 10 online consumers on the books since 2025; in October 2026 two
  // distributors leave (price, market) and one online consumer (service).
  std::vector<customers::Customer> dist, online;
  for (int i = 0; i < 10; ++i) {
    dist.push_back(Customer(admin_, "经销商" + std::to_string(i), CustomerPatch{.category = "distributor"}));
    online.push_back(Customer(admin_, "网友" + std::to_string(i), CustomerPatch{.category = "online_consumer"}));
    Order(admin_, dist.back().id, 1000, DaysFromCivil({2025, 1, 10}) * kDay);
    Order(admin_, online.back().id, 1000, DaysFromCivil({2025, 1, 10}) * kDay);
  }
  Order(admin_, dist[5].id, 1000, DaysFromCivil({2025, 3, 10}) * kDay);  // one repeat buyer
  // Purchase days are Beijing's: 2025-01-10 15:30 UTC is 23:30 that day and 2025-01-09 20:00
  // UTC 04:00 that day (one day each, not a repeat), 2025-01-10 16:30 UTC is 00:30 on the 11th
  // (a second day: a repeat buyer).
  const int64_t hour = 3600 * 1000;
  Order(admin_, online[3].id, 1000, DaysFromCivil({2025, 1, 10}) * kDay + 15 * hour + hour / 2);
  Order(admin_, online[4].id, 1000, DaysFromCivil({2025, 1, 9}) * kDay + 20 * hour);
  Order(admin_, online[6].id, 1000, DaysFromCivil({2025, 1, 10}) * kDay + 16 * hour + hour / 2);
  ASSERT_TRUE(orders_->RecordChurn(admin_, dist[0].id, {.churned_on = "2026-10-03", .reason = "price"}).ok());
  ASSERT_TRUE(orders_->RecordChurn(admin_, dist[1].id, {.churned_on = "2026-10-20", .reason = "relocation"}).ok());
  ASSERT_TRUE(orders_->RecordChurn(admin_, online[0].id, {.churned_on = "2026-10-09", .reason = "service"}).ok());
  auto s = orders_->Stats(admin_, orders::ChurnStatsRequest{.period = "month", .from = "2026-09-01", .to = "2026-12-01"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->periods.size(), 3u);
  EXPECT_EQ(s->periods[0].key, "2026-09-01");
  EXPECT_EQ(s->periods[0].churned, 0);
  EXPECT_EQ(s->periods[1].exposed, 20);
  EXPECT_EQ(s->periods[1].churned, 3);
  EXPECT_DOUBLE_EQ(s->periods[1].rate, 0.15);
  EXPECT_EQ(s->periods[2].exposed, 17);  // the three who left are off the books in November
  EXPECT_EQ(s->overall.churned, 3);
  ASSERT_EQ(s->by_category.size(), 2u);
  EXPECT_EQ(s->by_category[0].key, "distributor");
  EXPECT_DOUBLE_EQ(s->by_category[0].rate, 0.2);
  EXPECT_DOUBLE_EQ(s->by_category[1].rate, 0.1);
  int64_t market = 0;
  for (const auto& r : s->reasons)
    if (r.reason == "market") market = r.count;
  EXPECT_EQ(market, 1);
  EXPECT_EQ(s->customers_with_orders, 20);
  EXPECT_EQ(s->repeat_customers, 2);
  EXPECT_DOUBLE_EQ(s->repeat_purchase_rate, 0.1);
  auto q = orders_->Stats(admin_, orders::ChurnStatsRequest{.period = "quarter", .from = "2026-07-01", .to = "2027-01-01"});
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->periods.size(), 2u);
  EXPECT_EQ(q->periods[1].churned, 3);
  EXPECT_EQ(orders_->Stats(admin_, {.period = "week"}).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(OrderServiceTest, RetentionEconomicsAndWinBackCandidates) {
  // Two churned customers with known margins, one lost to a move (market).
  auto a = Customer(admin_, "甲");
  auto b = Customer(admin_, "乙");
  auto m = Customer(admin_, "丙");
  Order(admin_, a.id, 300000, kStart - 10 * kDay, 100000);  // margin 2000.00
  Order(admin_, b.id, 60000, kStart - 10 * kDay, 40000);    // margin 200.00
  Order(admin_, m.id, 900000, kStart - 10 * kDay, 100000);  // margin 8000.00
  ASSERT_TRUE(orders_->RecordChurn(admin_, a.id, {.reason = "price"}).ok());
  ASSERT_TRUE(orders_->RecordChurn(admin_, b.id, {.reason = "offer"}).ok());
  ASSERT_TRUE(orders_->RecordChurn(admin_, m.id, {.reason = "market"}).ok());
  auto r = orders_->RetentionEconomicsFor(admin_, orders::RetentionRequest{
      .population = "churned", .action_cost_minor = 30000, .success_rate = 0.5});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->result.customers, 3);
  EXPECT_EQ(r->result.lost_profit_minor, 200000 + 20000 + 800000);
  EXPECT_EQ(r->result.saved_profit_minor, 510000);
  EXPECT_EQ(r->result.cost_minor, 90000);
  EXPECT_EQ(r->result.net_minor, 420000);
  EXPECT_EQ(r->recommendation, "retain");
  auto price = orders_->RetentionEconomicsFor(admin_, orders::RetentionRequest{
      .population = "churned", .reason = "offer", .action_cost_minor = 30000, .success_rate = 0.5});
  ASSERT_TRUE(price.ok());
  EXPECT_EQ(price->result.customers, 1);
  EXPECT_EQ(price->result.net_minor, 10000 - 30000);
  EXPECT_EQ(price->recommendation, "do_not_retain");
  auto bad = orders_->RetentionEconomicsFor(admin_, orders::RetentionRequest{.success_rate = 1.5});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields.size(), 2u);  // action_cost_minor missing, success_rate out of range
  auto wb = orders_->WinBackCandidates(admin_, 50000, 50);
  ASSERT_TRUE(wb.ok());
  ASSERT_EQ(wb->size(), 1u);  // 乙 is below the threshold, 丙 moved away
  EXPECT_EQ((*wb)[0].customer_id, a.id);
  auto all = orders_->WinBackCandidates(admin_, 0, 50);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].customer_id, a.id);  // by value
}

TEST_P(OrderServiceTest, PurchaseCycleUsesTheOrgFactorAndTheClock) {
  auto c = Customer(admin_, "孙悟空");
  for (int d : {100, 70, 40}) Order(admin_, c.id, 1000, kStart - d * kDay);
  Order(admin_, c.id, 1000, kStart - 5 * kDay, std::nullopt, "cancelled");  // not a purchase
  auto r = orders_->PurchaseCycleOf(admin_, c.id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cycle.purchase_days, 3);
  EXPECT_DOUBLE_EQ(*r->cycle.typical_gap_days, 30.0);
  EXPECT_FALSE(r->cycle.overdue);  // 40 days since, 2 × 30 allowed
  clock_.Advance(21 * kDay);       // 61 days since the last purchase
  EXPECT_TRUE(orders_->PurchaseCycleOf(admin_, c.id)->cycle.overdue);
  ASSERT_TRUE(orders_->PutSettings(admin_, orders::Settings{.overdue_factor = 3, .horizon_months = 12}).ok());
  EXPECT_FALSE(orders_->PurchaseCycleOf(admin_, c.id)->cycle.overdue);
  EXPECT_EQ(orders_->PutSettings(admin_, orders::Settings{.overdue_factor = 0}).error().code,
            ErrorCode::kInvalidArgument);
  auto sales = MakeUser("s1", "sales");
  EXPECT_EQ(orders_->PurchaseCycleOf(sales, c.id).error().code, ErrorCode::kNotFound);
  // The overdue customer is in the at-risk population of the retention calculator.
  ASSERT_TRUE(orders_->PutSettings(admin_, orders::Settings{.overdue_factor = 2, .horizon_months = 12}).ok());
  auto econ = orders_->RetentionEconomicsFor(admin_, {.action_cost_minor = 100, .success_rate = 0.3});
  ASSERT_TRUE(econ.ok());
  ASSERT_EQ(econ->customers.size(), 1u);
  EXPECT_EQ(econ->customers[0].why, "overdue");
  EXPECT_EQ(econ->unknown_value, 1);  // no cost on its orders
}

TEST_P(OrderServiceTest, OrdersAppearOnTheTimelineNewestFirstWithCursor) {
  auto c = Customer(admin_, "唐僧");
  auto o1 = Order(admin_, c.id, 100, kStart - 3 * kDay);
  auto o2 = Order(admin_, c.id, 200, kStart - 2 * kDay);
  orders::OrderTimelineSource src(*orders_);
  auto page = src.Page(admin_, c.id, std::nullopt, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, o2.id);
  EXPECT_EQ((*page)[0].kind, "order");
  auto next = src.Page(admin_, c.id, timeline::Cursor{(*page)[0].occurred_at, "order", o2.id}, 10);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].id, o1.id);
}

KEHU_DOMAIN_BACKENDS(OrderServiceTest);

}  // namespace
}  // namespace kehu::testing
