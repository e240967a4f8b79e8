// The pure rules of domain/orders: status transitions, purchase cycle, churn rate, retention
// economics. Table-driven, no database.

#include <gtest/gtest.h>

#include "domain/orders/orders.h"

namespace kehu::orders {
namespace {

constexpr int64_t kDay = 86400000;

// Noon in Shanghai of a civil date.
UnixMillis At(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kDay - kBusinessOffsetMillis + 12 * 3600000; }

TEST(OrderStatusTest, TransitionsFollowTheLifecycle) {
  EXPECT_TRUE(CanTransition(OrderStatus::kPlaced, OrderStatus::kPaid));
  EXPECT_TRUE(CanTransition(OrderStatus::kPlaced, OrderStatus::kCancelled));
  EXPECT_TRUE(CanTransition(OrderStatus::kPaid, OrderStatus::kReturned));
  EXPECT_FALSE(CanTransition(OrderStatus::kPaid, OrderStatus::kCancelled));
  EXPECT_FALSE(CanTransition(OrderStatus::kPlaced, OrderStatus::kReturned));
  EXPECT_FALSE(CanTransition(OrderStatus::kCancelled, OrderStatus::kPaid));
  EXPECT_FALSE(CanTransition(OrderStatus::kReturned, OrderStatus::kPaid));
  EXPECT_EQ(AllowedTransitions(OrderStatus::kPlaced), (std::vector<std::string>{"paid", "cancelled"}));
  EXPECT_TRUE(AllowedTransitions(OrderStatus::kCancelled).empty());
}

TEST(ChurnReasonTest, RelocationIsTheMarketReason) {
  EXPECT_EQ(ParseChurnReason("relocation"), ChurnReason::kMarket);
  EXPECT_EQ(ParseChurnReason("price"), ChurnReason::kPrice);
  EXPECT_FALSE(ParseChurnReason("weather"));
}

TEST(PurchaseCycleTest, MedianGapOfDistinctDaysAndOverdueAfterKTimesIt) {
  // Days 0, 10, 20, 50 (+ a second purchase on day 10): gaps 10, 10, 30 → median 10.
  std::vector<UnixMillis> t = {At(2026, 1, 1), At(2026, 1, 11), At(2026, 1, 11) + 3600000, At(2026, 1, 21),
                               At(2026, 2, 20)};
  auto c = ComputePurchaseCycle(t, At(2026, 3, 12), 2.0);
  EXPECT_EQ(c.purchase_days, 4);
  ASSERT_TRUE(c.typical_gap_days);
  EXPECT_DOUBLE_EQ(*c.typical_gap_days, 10.0);
  EXPECT_EQ(c.next_expected_on, (CivilDate{2026, 3, 2}));
  EXPECT_EQ(c.overdue_after, (CivilDate{2026, 3, 12}));
  EXPECT_FALSE(c.overdue);  // on the last allowed day
  EXPECT_TRUE(ComputePurchaseCycle(t, At(2026, 3, 13), 2.0).overdue);
  EXPECT_FALSE(ComputePurchaseCycle(t, At(2026, 3, 13), 3.0).overdue);  // k is the org's
}

TEST(PurchaseCycleTest, EvenNumberOfGapsTakesTheMeanOfTheMiddleTwo) {
  std::vector<UnixMillis> t = {At(2026, 1, 1), At(2026, 1, 5), At(2026, 1, 15)};  // gaps 4, 10
  auto c = ComputePurchaseCycle(t, At(2026, 1, 16), 2.0);
  EXPECT_DOUBLE_EQ(*c.typical_gap_days, 7.0);
}

TEST(PurchaseCycleTest, OnePurchaseDayHasNoCycleAndIsNeverOverdue) {
  auto c = ComputePurchaseCycle({At(2020, 1, 1), At(2020, 1, 1) + 1000}, At(2026, 1, 1), 2.0);
  EXPECT_EQ(c.purchase_days, 1);
  EXPECT_FALSE(c.typical_gap_days);
  EXPECT_FALSE(c.overdue);
  EXPECT_FALSE(ComputePurchaseCycle({}, At(2026, 1, 1), 2.0).last_order_at);
}

TEST(ChurnRateTest, ExposedAreCustomersOnTheBooksDuringThePeriod) {
  const int64_t jan = DaysFromCivil({2026, 1, 1}), feb = DaysFromCivil({2026, 2, 1}),
                mar = DaysFromCivil({2026, 3, 1});
  std::vector<CustomerFacts> cs;
  for (int i = 1; i <= 10; ++i) cs.push_back({.id = i, .since_day = jan - 100});
  cs.push_back({.id = 11, .since_day = feb + 3});  // acquired during February: exposed
  cs.push_back({.id = 12, .since_day = mar + 1});  // after: not exposed
  std::vector<ChurnEvent> ev = {
      {.customer_id = 1, .churned_day = jan + 5},               // left in January: off the books
      {.customer_id = 2, .churned_day = jan + 6, .won_back_day = jan + 20},  // back before February
      {.customer_id = 3, .churned_day = feb + 1},
      {.customer_id = 11, .churned_day = feb + 10},
  };
  RateCell c = ChurnRate(cs, ev, feb, mar);
  EXPECT_EQ(c.exposed, 10);  // 2..10 and 11
  EXPECT_EQ(c.churned, 2);
  EXPECT_DOUBLE_EQ(c.rate, 0.2);
  RateCell j = ChurnRate(cs, ev, jan, feb);
  EXPECT_EQ(j.exposed, 10);
  EXPECT_EQ(j.churned, 2);
}

TEST(RetentionEconomicsTest, SavedProfitAgainstCost) {
  // 3 customers, lost profits 1000.00 + 500.00 + (unknown); 40 % success; 150.00 per customer.
  RetentionResult r = RetentionEconomics({.lost_profit_minor = {100000, 50000}, .customers = 3,
                                          .action_cost_minor = 15000, .success_rate = 0.4});
  EXPECT_EQ(r.lost_profit_minor, 150000);
  EXPECT_EQ(r.saved_profit_minor, 60000);
  EXPECT_EQ(r.cost_minor, 45000);
  EXPECT_EQ(r.net_minor, 15000);
  EXPECT_TRUE(r.retain);
  RetentionResult no = RetentionEconomics({.lost_profit_minor = {100000, 50000}, .customers = 3,
                                           .action_cost_minor = 25000, .success_rate = 0.4});
  EXPECT_EQ(no.net_minor, 60000 - 75000);
  EXPECT_FALSE(no.retain);
  EXPECT_FALSE(RetentionEconomics({.customers = 0, .action_cost_minor = 100, .success_rate = 1}).retain);
}

}  // namespace
}  // namespace kehu::orders
