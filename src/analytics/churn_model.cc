#include "analytics/churn_model.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <utility>

namespace kehu::analytics {
namespace {

Error XgbError(const char* what) {
  std::string message = what;
  message += ": ";
  message += XGBGetLastError();
  return Internal(std::move(message));
}

// Owns a DMatrixHandle.
class DMatrix {
 public:
  ~DMatrix() {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
  }
  DMatrixHandle* out() { return &handle_; }
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_{nullptr};
};

Status CheckShape(const FeatureMatrix& x) {
  if (x.rows == 0 || x.cols == 0) return InvalidArgument("empty feature matrix");
  if (x.values.size() != x.rows * x.cols) return InvalidArgument("values do not match rows x cols");
  if (!x.names.empty() && x.names.size() != x.cols) {
    return InvalidArgument("names do not match the number of columns");
  }
  return Status::Ok();
}

Status MakeDMatrix(const FeatureMatrix& x, DMatrix& m) {
  if (XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols,
                             std::numeric_limits<float>::quiet_NaN(), m.out()) != 0) {
    return XgbError("XGDMatrixCreateFromMat");
  }
  return Status::Ok();
}

}  // namespace

ChurnModel::ChurnModel(ChurnModel&& other) noexcept
    : booster_(std::exchange(other.booster_, nullptr)), cols_(other.cols_) {}

ChurnModel& ChurnModel::operator=(ChurnModel&& other) noexcept {
  if (this != &other) {
    if (booster_ != nullptr) XGBoosterFree(booster_);
    booster_ = std::exchange(other.booster_, nullptr);
    cols_ = other.cols_;
  }
  return *this;
}

ChurnModel::~ChurnModel() {
  if (booster_ != nullptr) XGBoosterFree(booster_);
}

Result<ChurnModel> ChurnModel::Train(const FeatureMatrix& x, std::span<const float> labels,
                                     const ChurnModelOptions& options) {
  KEHU_RETURN_IF_ERROR(CheckShape(x));
  if (labels.size() != x.rows) return InvalidArgument("labels do not match the number of rows");
  size_t positives = 0;
  for (float y : labels) {
    if (y != 0.0f && y != 1.0f) return InvalidArgument("labels must be 0 or 1");
    positives += y == 1.0f ? 1 : 0;
  }
  if (positives == 0 || positives == labels.size()) {
    return InvalidArgument("both classes must be present to train");
  }
  DMatrix train;
  KEHU_RETURN_IF_ERROR(MakeDMatrix(x, train));
  if (XGDMatrixSetFloatInfo(train.get(), "label", labels.data(), labels.size()) != 0) {
    return XgbError("XGDMatrixSetFloatInfo");
  }
  ChurnModel model;
  model.cols_ = x.cols;
  DMatrixHandle handles[1] = {train.get()};
  if (XGBoosterCreate(handles, 1, &model.booster_) != 0) return XgbError("XGBoosterCreate");
  const std::pair<std::string, std::string> params[] = {
      {"objective", "binary:logistic"},
      {"eval_metric", "auc"},
      {"tree_method", "hist"},
      {"max_depth", std::to_string(options.max_depth)},
      {"eta", std::to_string(options.eta)},
      {"subsample", std::to_string(options.subsample)},
      {"colsample_bytree", std::to_string(options.colsample_bytree)},
      {"min_child_weight", std::to_string(options.min_child_weight)},
      {"nthread", std::to_string(options.threads)},
      {"seed", std::to_string(options.seed)},
      {"verbosity", "0"},
  };
  for (const auto& [name, value] : params) {
    if (XGBoosterSetParam(model.booster_, name.c_str(), value.c_str()) != 0) {
      return XgbError("XGBoosterSetParam");
    }
  }
  for (int round = 0; round < options.rounds; ++round) {
    if (XGBoosterUpdateOneIter(model.booster_, round, train.get()) != 0) {
      return XgbError("XGBoosterUpdateOneIter");
    }
  }
  return model;
}

namespace {

// Runs XGBoost's prediction of `type` (0: probabilities, 2: per-feature contributions) on x.
// The returned buffer belongs to the booster and stays valid until its next prediction.
Result<const float*> PredictRaw(BoosterHandle booster, size_t cols, const FeatureMatrix& x, int type,
                                DMatrix& m) {
  KEHU_RETURN_IF_ERROR(CheckShape(x));
  if (x.cols != cols) return InvalidArgument("feature count differs from the training data");
  KEHU_RETURN_IF_ERROR(MakeDMatrix(x, m));
  const std::string config = "{\"type\": " + std::to_string(type) +
                             ", \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
                             "\"strict_shape\": false}";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  if (XGBoosterPredictFromDMatrix(booster, m.get(), config.c_str(), &shape, &dim, &out) != 0)
    return XgbError("XGBoosterPredictFromDMatrix");
  return out;
}

}  // namespace

Result<std::vector<float>> ChurnModel::PredictProbability(const FeatureMatrix& x) const {
  DMatrix m;
  KEHU_ASSIGN_OR_RETURN(const float* out, PredictRaw(booster_, cols_, x, 0, m));
  return std::vector<float>(out, out + x.rows);
}

Result<std::vector<std::vector<FeatureContribution>>> ChurnModel::TopContributions(
    const FeatureMatrix& x, size_t k) const {
  DMatrix m;
  KEHU_ASSIGN_OR_RETURN(const float* out, PredictRaw(booster_, cols_, x, 2, m));
  // One row of cols + 1 values (the last is the bias) per input row.
  const size_t width = cols_ + 1;
  std::vector<std::vector<FeatureContribution>> top(x.rows);
  std::vector<FeatureContribution> row(cols_);
  for (size_t r = 0; r < x.rows; ++r) {
    for (size_t c = 0; c < cols_; ++c) row[c] = {.feature = c, .value = out[r * width + c]};
    const size_t n = std::min(k, cols_);
    std::partial_sort(row.begin(), row.begin() + n, row.end(), [](const auto& l, const auto& r) {
      const float a = std::fabs(l.value), b = std::fabs(r.value);
      return a != b ? a > b : l.feature < r.feature;
    });
    top[r].assign(row.begin(), row.begin() + n);
  }
  return top;
}

double RocAuc(std::span<const float> scores, std::span<const float> labels) {
  const size_t n = scores.size();
  if (labels.size() != n) return std::numeric_limits<double>::quiet_NaN();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t l, size_t r) { return scores[l] < scores[r]; });
  // Sum of the positives' ranks (1-based, ties get their average rank).
  double rank_sum = 0.0, positives = 0.0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double average_rank = (i + 1 + j) / 2.0;
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]] == 1.0f) {
        rank_sum += average_rank;
        positives += 1.0;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0.0 || negatives == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

Split StratifiedSplit(std::span<const float> labels, double test_fraction, uint64_t seed) {
  Split split;
  std::mt19937_64 rng(seed);
  for (float cls : {0.0f, 1.0f}) {
    std::vector<size_t> rows;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == cls) rows.push_back(i);
    }
    // Fisher-Yates with our own index draw: std::shuffle's use of the engine is not specified.
    for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng() % i]);
    const auto n_test = static_cast<size_t>(std::llround(test_fraction * rows.size()));
    split.test.insert(split.test.end(), rows.begin(), rows.begin() + n_test);
    split.train.insert(split.train.end(), rows.begin() + n_test, rows.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.test.begin(), split.test.end());
  return split;
}

FeatureMatrix SelectRows(const FeatureMatrix& x, std::span<const size_t> rows) {
  FeatureMatrix out{.rows = rows.size(), .cols = x.cols, .values = {}, .names = x.names};
  out.values.reserve(rows.size() * x.cols);
  for (size_t r : rows) {
    out.values.insert(out.values.end(), x.values.begin() + r * x.cols,
                      x.values.begin() + (r + 1) * x.cols);
  }
  return out;
}

std::vector<float> SelectLabels(std::span<const float> labels, std::span<const size_t> rows) {
  std::vector<float> out;
  out.reserve(rows.size());
  for (size_t r : rows) out.push_back(labels[r]);
  return out;
}

}  // namespace kehu::analytics
