#include "analytics/churn_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>
#include <vector>

#include "cdnow.h"  // SharedDataDir()
#include "telco.h"

namespace kehu::analytics {
namespace {

TEST(AnalyticsChurn, RocAucOfHandRankedScores) {
  // Positives at 0.9 and 0.4, negatives at 0.8, 0.3, 0.1: of 6 pairs, 5 are ordered right.
  std::vector<float> scores = {0.9f, 0.8f, 0.4f, 0.3f, 0.1f};
  std::vector<float> labels = {1, 0, 1, 0, 0};
  EXPECT_NEAR(RocAuc(scores, labels), 5.0 / 6.0, 1e-12);
  // A tie between a positive and a negative counts half.
  std::vector<float> tied = {0.5f, 0.5f};
  std::vector<float> one_each = {1, 0};
  EXPECT_NEAR(RocAuc(tied, one_each), 0.5, 1e-12);
  std::vector<float> only_negatives = {0, 0};
  EXPECT_TRUE(std::isnan(RocAuc(tied, only_negatives)));
}

TEST(AnalyticsChurn, StratifiedSplitKeepsTheClassShareAndCoversEveryRowOnce) {
  std::vector<float> labels;
  for (int i = 0; i < 1000; ++i) labels.push_back(i % 4 == 0 ? 1.0f : 0.0f);  // 25% churn
  Split s = StratifiedSplit(labels, 0.2, 99);
  EXPECT_EQ(s.test.size(), 200u);
  EXPECT_EQ(s.train.size(), 800u);
  size_t positives = 0;
  for (size_t r : s.test) positives += labels[r] == 1.0f ? 1 : 0;
  EXPECT_EQ(positives, 50u);
  std::set<size_t> all(s.train.begin(), s.train.end());
  all.insert(s.test.begin(), s.test.end());
  EXPECT_EQ(all.size(), 1000u);
  EXPECT_EQ(StratifiedSplit(labels, 0.2, 99).test, s.test) << "same seed, same split";
}

TEST(AnalyticsChurn, TrainingRejectsBadLabelsAndShapes) {
  FeatureMatrix x{.rows = 4, .cols = 1, .values = {1, 2, 3, 4}, .names = {"f"}};
  std::vector<float> same = {1, 1, 1, 1}, three = {0, 1, 0}, bad = {0, 2, 0, 1};
  EXPECT_EQ(ChurnModel::Train(x, same).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ChurnModel::Train(x, three).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ChurnModel::Train(x, bad).error().code, ErrorCode::kInvalidArgument);
  FeatureMatrix broken{.rows = 4, .cols = 2, .values = {1, 2, 3}, .names = {}};
  std::vector<float> ok = {0, 1, 0, 1};
  EXPECT_EQ(ChurnModel::Train(broken, ok).error().code, ErrorCode::kInvalidArgument);
}

TEST(AnalyticsChurn, TelcoHoldoutRocAucIsAboveEightTenths) {
  Result<testing::TelcoData> data =
      testing::LoadTelco(testing::SharedDataDir() + "/WA_Fn-UseC_-Telco-Customer-Churn.csv");
  ASSERT_TRUE(data.ok()) << data.error().message;
  ASSERT_EQ(data->features.rows, 7043u);
  const Split split = StratifiedSplit(data->churned, 0.2, 20261123);
  Result<ChurnModel> model =
      ChurnModel::Train(SelectRows(data->features, split.train),
                        SelectLabels(data->churned, split.train), {.seed = 1});
  ASSERT_TRUE(model.ok()) << model.error().message;
  const FeatureMatrix test = SelectRows(data->features, split.test);
  Result<std::vector<float>> p = model->PredictProbability(test);
  ASSERT_TRUE(p.ok()) << p.error().message;
  const double auc = RocAuc(*p, SelectLabels(data->churned, split.test));
  std::printf("Telco churn: %zu features, train %zu, test %zu, holdout ROC AUC %.4f\n",
              data->features.cols, split.train.size(), split.test.size(), auc);
  RecordProperty("holdout_auc", std::to_string(auc));
  EXPECT_GT(auc, 0.80);  // the issue: logistic regression reaches about 0.84

  Result<std::vector<std::vector<FeatureContribution>>> top = model->TopContributions(test, 3);
  ASSERT_TRUE(top.ok()) << top.error().message;
  ASSERT_EQ(top->size(), test.rows);
  std::printf("Telco churn: first holdout customer's top features: %s %.3f, %s %.3f, %s %.3f\n",
              test.names[(*top)[0][0].feature].c_str(), (*top)[0][0].value,
              test.names[(*top)[0][1].feature].c_str(), (*top)[0][1].value,
              test.names[(*top)[0][2].feature].c_str(), (*top)[0][2].value);
  for (const auto& row : *top) {
    ASSERT_EQ(row.size(), 3u);
    EXPECT_GE(std::fabs(row[0].value), std::fabs(row[1].value));
    EXPECT_GE(std::fabs(row[1].value), std::fabs(row[2].value));
  }
  FeatureMatrix narrow{.rows = 1, .cols = 2, .values = {1, 2}, .names = {"a", "b"}};
  EXPECT_EQ(model->PredictProbability(narrow).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace kehu::analytics
