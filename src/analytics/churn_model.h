#pragma once
// Churn-risk model: gradient-boosted trees (XGBoost C API) trained on past churn labels, with
// the holdout ROC AUC to report with every training run and per-customer feature
// contributions (SHAP values) to explain a score.
//
//   Split split = StratifiedSplit(labels, 0.2, 42);
//   Result<ChurnModel> model = ChurnModel::Train(SelectRows(x, split.train),
//                                                SelectLabels(labels, split.train));
//   Result<std::vector<float>> p = model->PredictProbability(SelectRows(x, split.test));
//   double auc = RocAuc(*p, SelectLabels(labels, split.test));
//
// Features are plain columns (the caller encodes categories, e.g. one-hot); NaN means missing,
// which the trees route on their own.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace kehu::analytics {

// Row-major feature matrix: values[row * cols + col].
struct FeatureMatrix {
  size_t rows{0};
  size_t cols{0};
  std::vector<float> values{};
  std::vector<std::string> names{};  // one per column

  float& at(size_t row, size_t col) { return values[row * cols + col]; }
  float at(size_t row, size_t col) const { return values[row * cols + col]; }
};

struct ChurnModelOptions {
  int rounds{300};
  int max_depth{3};
  double eta{0.05};
  double subsample{0.8};
  double colsample_bytree{0.8};
  double min_child_weight{1.0};
  int threads{2};
  uint64_t seed{0};
};

struct FeatureContribution {
  size_t feature{0};  // column index
  float value{0.0f};  // contribution to the log-odds (positive raises the risk)
};

class ChurnModel {
 public:
  // Trains binary:logistic trees. Errors: kInvalidArgument when the matrix is empty, its shape
  // does not match values/names, labels differ in count or are not 0/1, or only one class is
  // present; kInternal with XGBoost's message if the library fails.
  static Result<ChurnModel> Train(const FeatureMatrix& x, std::span<const float> labels,
                                  const ChurnModelOptions& options = {});

  // P(churn) per row. Errors: kInvalidArgument if x has a different number of columns than the
  // training data; kInternal if XGBoost fails.
  Result<std::vector<float>> PredictProbability(const FeatureMatrix& x) const;

  // The k features with the largest |contribution| per row, largest first (SHAP values from
  // XGBoost's tree explainer). Errors as PredictProbability.
  Result<std::vector<std::vector<FeatureContribution>>> TopContributions(const FeatureMatrix& x,
                                                                         size_t k) const;

  size_t feature_count() const { return cols_; }

  ChurnModel(ChurnModel&& other) noexcept;
  ChurnModel& operator=(ChurnModel&& other) noexcept;
  ChurnModel(const ChurnModel&) = delete;
  ChurnModel& operator=(const ChurnModel&) = delete;
  ~ChurnModel();

 private:
  ChurnModel() = default;
  void* booster_{nullptr};  // BoosterHandle; XGBoost's header stays in churn_model.cc
  size_t cols_{0};
};

// Area under the ROC curve of `scores` for binary `labels` (Mann-Whitney, ties counted half).
// Returns NaN if the lengths differ or either class is absent.
double RocAuc(std::span<const float> scores, std::span<const float> labels);

struct Split {
  std::vector<size_t> train{};
  std::vector<size_t> test{};
};

// Deterministic stratified split: within each class, round(test_fraction * class size) rows
// chosen by a seeded shuffle go to test; both lists ascending.
Split StratifiedSplit(std::span<const float> labels, double test_fraction, uint64_t seed);

FeatureMatrix SelectRows(const FeatureMatrix& x, std::span<const size_t> rows);
std::vector<float> SelectLabels(std::span<const float> labels, std::span<const size_t> rows);

}  // namespace kehu::analytics
