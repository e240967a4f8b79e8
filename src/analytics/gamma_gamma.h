#pragma once
// Gamma-Gamma model of the value of a customer's transactions (Fader, Hardie & Lee 2005,
// "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", JMR 42(4); Fader & Hardie,
// "The Gamma-Gamma Model of Monetary Value", 2013 note). Each transaction's value is
// Gamma(p, nu); nu varies across customers as Gamma(q, gamma). Fitted on the customers with at
// least one repeat purchase, from x (repeat purchases) and m_x (mean value of those x repeat
// purchases). Values may be in any currency unit; gamma and E[M] come out in the same unit.
//
//   Result<GammaGammaData> d = PrepareGammaGamma(x, m_x);   // customers with x = 0 skipped
//   Result<GammaGammaFit> fit = FitGammaGamma(*d);
//   double spend = ConditionalExpectedValue(fit->params, x, m_x);

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "analytics/mle.h"
#include "core/result.h"

namespace kehu::analytics {

struct GammaGammaParams {
  double p{0.0};
  double q{0.0};
  double gamma{0.0};
};

// The fitting data, arranged so that a likelihood evaluation takes one log per customer:
// customers with x > 0 (their x and x * m_x) and per-x sums of weights and log(m_x).
struct GammaGammaData {
  std::vector<int32_t> x{};
  std::vector<double> x_times_m{};
  std::vector<double> count_by_x{};      // index = x
  std::vector<double> sum_log_m_by_x{};  // index = x
  size_t skipped_zero_value{0};  // customers with x > 0 but m_x = 0 (all repeats free), left out
  size_t size() const { return x.size(); }
};

// Keeps the customers with x > 0 (those with x = 0 have no repeat value and are skipped).
// Customers with x > 0 and m_x = 0 (every repeat purchase had value 0: CDNOW_master has some)
// are outside the model's support (positive values) and are left out, counted in
// skipped_zero_value. Errors: kInvalidArgument on different lengths, x < 0, a negative or
// non-finite m_x, or fewer than 2 customers left.
Result<GammaGammaData> PrepareGammaGamma(std::span<const int32_t> x, std::span<const double> m_x);

// Total log-likelihood sum over customers of
//   lnG(px+q) - lnG(px) - lnG(q) + q ln(gamma) + (px-1) ln(m_x) + px ln(x) - (px+q) ln(gamma+x m_x)
// (the density of the mean of x Gamma(p, nu) values, nu integrated out). Writes the analytic
// gradient (d/dp, d/dq, d/dgamma) when `grad` has 3 elements. -inf for non-positive parameters.
double GammaGammaLogLikelihood(const GammaGammaParams& params, const GammaGammaData& data,
                               std::span<double> grad = {});

struct GammaGammaFitOptions {
  // Unset: p = 1, q = 2, gamma = the mean m_x, which puts the start's population mean
  // p gamma / (q - 1) on the data's mean whatever the currency unit.
  std::optional<GammaGammaParams> start{};
  MleOptions mle{};
};

struct GammaGammaFit {
  GammaGammaParams params{};
  FitDiagnostics diagnostics{};  // std_errors in the order p, q, gamma
};

// Maximum-likelihood fit (see mle.h). Errors: kInvalidArgument on bad start values;
// kInternal if the optimiser fails.
Result<GammaGammaFit> FitGammaGamma(const GammaGammaData& data,
                                    const GammaGammaFitOptions& options = {});

// E[M | p, q, gamma, x, m_x] = p (gamma + x m_x) / (p x + q - 1): the expected value of this
// customer's future transactions, a weighted mean of the population mean p gamma / (q - 1) and
// the customer's own m_x. For x = 0 (m_x ignored) it is the population mean. Needs q > 1
// (otherwise the population mean is infinite): returns +inf when p x + q <= 1.
double ConditionalExpectedValue(const GammaGammaParams& params, int32_t x, double m_x);

}  // namespace kehu::analytics
