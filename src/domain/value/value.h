#pragma once
// Customer value: the stored results of an analytics run (RFM, BG/NBD, Gamma-Gamma, CLV,
// purchase cycle, at-risk flag, churn risk and its reasons, ABC class), the run itself with its
// fit diagnostics, and the per-org settings. Value types only; no I/O.
// docs/analytics.md explains every number and the defaults.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace kehu::value {

// Bumped when a change to the computation changes results (stored with every run).
inline constexpr const char* kModelVersion = "value-1 (rfm+bgnbd+gg+xgb)";

// Per-org settings. Absent keys of the stored JSON take these defaults.
struct Settings {
  // CLV
  int clv_months{12};
  double monthly_discount_rate{0.01};
  double margin{0.3};  // margin rate when an order has no cost
  double purchases_horizon_weeks{52.0};
  // at-risk rule
  double p_alive_threshold{0.3};
  double cycle_multiplier{3.0};  // k: no order within k x the usual inter-purchase time
  // ABC by margin: cumulative margin share cut-offs
  double abc_a_share{0.8};
  double abc_b_share{0.95};
  // RFM: an ordered rule table "Segment:R lo-hi:F lo-hi:M lo-hi" (empty: the default table)
  std::vector<std::string> rfm_rules{};
  int rfm_window_days{0};  // 0: all history
  // Kotler matrix thresholds: a segment's share of customers (many >= many_share, few <
  // few_share) and its margin per customer against the org's (high >= high_ratio x, low <
  // low_ratio x).
  double many_share{0.3};
  double few_share{0.1};
  double high_margin_ratio{1.5};
  double low_margin_ratio{0.67};
};

enum class RunStatus { kRunning, kSucceeded, kFailed };
const char* Name(RunStatus s);

// Why a model was not fitted, for the workspace to say in the user's language (the message
// gives the detail in English): "no_orders", "unusable_data" (e.g. no repeat buyers),
// "infinite_mean_spend" (Gamma-Gamma q <= 1), "too_few_labelled" (churn: fewer than 10 churned
// or 10 retained), "fit_failed" (the optimiser or the trainer gave up). Empty when fitted.
struct ModelFit {
  bool fitted{false};
  std::string reason{};              // see above
  std::string message{};             // why not fitted
  std::vector<std::string> names{};  // parameter names
  std::vector<double> params{};
  std::vector<double> std_errors{};
  double log_likelihood{0.0};
  bool converged{false};
  int evaluations{0};
  int nlopt_result{0};
  double gradient_norm{0.0};
  int64_t observations{0};  // customers (or triples) fitted on
};

struct FeatureImportance {
  std::string feature{};
  double mean_abs_contribution{0.0};
};

struct ChurnFit {
  bool trained{false};
  std::string reason{};  // as ModelFit's
  std::string message{};
  int64_t labelled{0};  // customers with orders used for training
  int64_t churned{0};   // of which labelled churned
  std::optional<double> holdout_auc{};
  int64_t holdout_size{0};
  std::vector<std::string> features{};
  std::vector<FeatureImportance> top_features{};
};

struct Diagnostics {
  ModelFit bgnbd{};
  ModelFit gamma_gamma{};
  ChurnFit churn{};
  Settings settings{};
  std::vector<std::string> optional_features{};  // e.g. "complaints" when the table exists
};

struct Run {
  int64_t id{0};
  int64_t org_id{0};
  std::string trigger{};
  RunStatus status{RunStatus::kRunning};
  std::string stage{};
  double progress{0.0};
  UnixMillis started_at{0};
  std::optional<UnixMillis> finished_at{};
  UnixMillis computed_at{0};
  CivilDate as_of{};
  std::string model_version{};
  int64_t customers{0};
  int64_t orders{0};
  std::string diagnostics_json{"{}"};
  std::string error{};
};

struct RiskReason {
  std::string feature{};
  double contribution{0.0};  // log-odds; positive raises the risk
};

// One customer's results in one run. Money in minor units.
struct CustomerValue {
  int64_t run_id{0};
  int64_t customer_id{0};
  std::string category{};
  std::string relationship_level{};
  int32_t first_day{0};
  int32_t last_day{0};
  int32_t recency_days{0};
  int32_t frequency{0};
  int64_t monetary_minor{0};
  int64_t margin_minor{0};
  int r_score{0};
  int f_score{0};
  int m_score{0};
  std::string segment{};  // RFM segment name in English ("Champions")
  int32_t x{0};           // repeat purchases (BG/NBD input)
  double t_x{0.0};        // weeks
  double t_cal{0.0};      // T, weeks
  double m_x{0.0};        // mean repeat purchase value, minor units
  std::optional<double> p_alive{};
  std::optional<double> expected_purchases{};
  std::optional<double> expected_value_minor{};
  std::optional<double> clv_minor{};
  std::optional<double> cycle_days{};
  std::optional<int32_t> next_expected_day{};
  bool at_risk{false};
  std::string at_risk_reason{};  // "p_alive", "overdue", "" (both: "p_alive,overdue")
  std::optional<double> churn_risk{};
  std::vector<RiskReason> risk_reasons{};
  std::string abc_class{};   // A, B, C
  double online_share{0.0};  // share of orders placed online
  // Place in this run's value distribution, 0 (lowest) to 1 (highest), by CLV when the run has
  // one for every customer, else by observed margin; ties share their mid-rank.
  std::optional<double> value_percentile{};
};

// zh-CN name of an RFM segment's English name ("Champions" -> "冠军客户"); "" when unknown.
std::string SegmentNameZh(const std::string& segment);

}  // namespace kehu::value
