#include "analytics/clv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace kehu::analytics {
namespace {

constexpr BgNbdParams kBg{.r = 0.243, .alpha = 4.414, .a = 0.793, .b = 2.426};
constexpr GammaGammaParams kGg{.p = 6.25, .q = 3.74, .gamma = 15.44};

TEST(AnalyticsClv, WithoutDiscountingClvIsMarginTimesValueTimesPurchases) {
  // The monthly increments telescope to E[Y(H months)].
  const ClvOptions o{.months = 12, .monthly_discount_rate = 0.0, .margin = 0.3};
  const double clv = CustomerLifetimeValue(kBg, kGg, 4, 30.0, 39.0, 42.0, o);
  const double expected = 0.3 * ConditionalExpectedValue(kGg, 4, 42.0) *
                          ExpectedPurchases(kBg, 4, 30.0, 39.0, 12 * kWeeksPerMonth);
  EXPECT_NEAR(clv, expected, 1e-9 * expected);
}

TEST(AnalyticsClv, EachMonthsPurchasesAreDiscountedByWholeMonths) {
  const ClvOptions o{.months = 3, .monthly_discount_rate = 0.1, .margin = 1.0};
  const double w = kWeeksPerMonth;
  double by_hand = 0.0;
  for (int k = 1; k <= 3; ++k) {
    by_hand += (ExpectedPurchases(kBg, 2, 20.0, 39.0, k * w) -
                ExpectedPurchases(kBg, 2, 20.0, 39.0, (k - 1) * w)) /
               std::pow(1.1, k);
  }
  by_hand *= ConditionalExpectedValue(kGg, 2, 30.0);
  EXPECT_NEAR(CustomerLifetimeValue(kBg, kGg, 2, 20.0, 39.0, 30.0, o), by_hand, 1e-9 * by_hand);
}

TEST(AnalyticsClv, HigherDiscountRatesAndOlderSilenceLowerClv) {
  const ClvOptions low{.months = 24, .monthly_discount_rate = 0.005};
  const ClvOptions high{.months = 24, .monthly_discount_rate = 0.03};
  EXPECT_GT(CustomerLifetimeValue(kBg, kGg, 5, 35.0, 39.0, 40.0, low),
            CustomerLifetimeValue(kBg, kGg, 5, 35.0, 39.0, 40.0, high));
  EXPECT_GT(CustomerLifetimeValue(kBg, kGg, 5, 35.0, 39.0, 40.0, low),
            CustomerLifetimeValue(kBg, kGg, 5, 5.0, 39.0, 40.0, low));
}

TEST(AnalyticsClv, ScoringInThreadsGivesTheSameScoresAsOneThread) {
  std::vector<int32_t> x;
  std::vector<double> t_x, T, m;
  for (int i = 0; i < 5000; ++i) {
    x.push_back(i % 9);
    t_x.push_back(i % 9 == 0 ? 0.0 : 1.0 + i % 30);
    T.push_back(31.0 + i % 8);
    m.push_back(i % 9 == 0 ? 0.0 : 10.0 + i % 50);
  }
  Result<CustomerScores> one = ScoreCustomers(kBg, kGg, x, t_x, T, m, {.threads = 1});
  Result<CustomerScores> two = ScoreCustomers(kBg, kGg, x, t_x, T, m, {.threads = 2});
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(one->clv, two->clv);
  EXPECT_EQ(one->p_alive, two->p_alive);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(one->p_alive[i], ProbabilityAlive(kBg, x[i], t_x[i], T[i]));
    EXPECT_EQ(one->expected_purchases[i], ExpectedPurchases(kBg, x[i], t_x[i], T[i], 52.0));
    EXPECT_GE(one->clv[i], 0.0);
  }
}

TEST(AnalyticsClv, InvalidOptionsAndColumnsAreRejected) {
  std::vector<int32_t> x = {1};
  std::vector<double> t = {1.0}, T = {2.0}, m = {3.0}, empty = {};
  EXPECT_FALSE(ScoreCustomers(kBg, kGg, x, t, T, empty).ok());
  EXPECT_EQ(ScoreCustomers(kBg, kGg, x, t, T, m, {.clv = {.months = 0}}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ValidateClvOptions({.monthly_discount_rate = -1.0}).ok());
  EXPECT_FALSE(ValidateClvOptions({.weeks_per_month = 0.0}).ok());
  EXPECT_TRUE(ValidateClvOptions({}).ok());
}

}  // namespace
}  // namespace kehu::analytics
