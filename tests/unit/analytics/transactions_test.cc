#include "analytics/transactions.h"

#include <gtest/gtest.h>

#include <vector>

namespace kehu::analytics {
namespace {

TEST(AnalyticsSummary, SameDayPurchasesAreMergedIntoOneRepeatPurchase) {
  // Customer 7: day 100 (two orders), day 107 (two orders), day 121.
  std::vector<int64_t> ids = {7, 7, 7, 7, 7};
  std::vector<int32_t> days = {107, 100, 121, 100, 107};
  std::vector<int64_t> cents = {300, 1000, 600, 500, 100};
  Result<CustomerSummaries> s = SummarizeForCalibration({ids, days, cents}, 135);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ(s->x[0], 2);
  EXPECT_DOUBLE_EQ(s->t_x[0], 3.0);  // 21 days
  EXPECT_DOUBLE_EQ(s->T[0], 5.0);    // 35 days
  // Repeat purchases are day 107 (300 + 100) and day 121 (600); day 100 is the first purchase.
  EXPECT_DOUBLE_EQ(s->repeat_mean[0], 500.0);
  EXPECT_EQ(s->total_amount[0], 2500);
  EXPECT_EQ(s->first_day[0], 100);
  EXPECT_EQ(s->last_day[0], 121);
}

TEST(AnalyticsSummary, TransactionsAfterTheCutoffAreIgnored) {
  std::vector<int64_t> ids = {1, 1, 1, 2};
  std::vector<int32_t> days = {10, 17, 30, 31};
  std::vector<int64_t> cents = {100, 200, 400, 800};
  Result<CustomerSummaries> s = SummarizeForCalibration({ids, days, cents}, 24);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 1u) << "customer 2 is first seen after the cut-off";
  EXPECT_EQ(s->customer_ids[0], 1);
  EXPECT_EQ(s->x[0], 1);
  EXPECT_DOUBLE_EQ(s->t_x[0], 1.0);
  EXPECT_DOUBLE_EQ(s->T[0], 2.0);
  EXPECT_DOUBLE_EQ(s->repeat_mean[0], 200.0);
  EXPECT_EQ(s->total_amount[0], 300);
}

TEST(AnalyticsSummary, CustomerWithOnePurchaseDayHasNoRepeatValue) {
  std::vector<int64_t> ids = {5, 5};
  std::vector<int32_t> days = {3, 3};
  std::vector<int64_t> cents = {100, 200};
  Result<CustomerSummaries> s = SummarizeForCalibration({ids, days, cents}, 10);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->x[0], 0);
  EXPECT_DOUBLE_EQ(s->t_x[0], 0.0);
  EXPECT_DOUBLE_EQ(s->repeat_mean[0], 0.0);
}

TEST(AnalyticsSummary, MismatchedColumnsAndNegativeAmountsAreInvalidArguments) {
  std::vector<int64_t> ids = {1, 2};
  std::vector<int32_t> days = {1};
  std::vector<int64_t> cents = {1, 2};
  Result<CustomerSummaries> s = SummarizeForCalibration({ids, days, cents}, 10);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);

  std::vector<int32_t> days2 = {1, 2};
  std::vector<int64_t> negative = {1, -2};
  s = SummarizeForCalibration({ids, days2, negative}, 10);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(s.error().fields.size(), 1u);
  EXPECT_EQ(s.error().fields[0].field, "amounts[1]");
}

TEST(AnalyticsSummary, SparseAndDenseIdsAreIndexedInAscendingOrder) {
  std::vector<uint32_t> index;
  std::vector<int64_t> dense = {12, 10, 12, 11};
  EXPECT_EQ(DenseCustomerIndex(dense, index), (std::vector<int64_t>{10, 11, 12}));
  EXPECT_EQ(index, (std::vector<uint32_t>{2, 0, 2, 1}));
  // Ids far apart take the sorting path; the answer must be the same shape.
  std::vector<int64_t> sparse = {9'000'000'000'000, -5, 9'000'000'000'000, 40};
  EXPECT_EQ(DenseCustomerIndex(sparse, index), (std::vector<int64_t>{-5, 40, 9'000'000'000'000}));
  EXPECT_EQ(index, (std::vector<uint32_t>{2, 0, 2, 1}));
}

}  // namespace
}  // namespace kehu::analytics
