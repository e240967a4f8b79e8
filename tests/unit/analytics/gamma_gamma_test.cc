#include "analytics/gamma_gamma.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace kehu::analytics {
namespace {

GammaGammaData Prepare(std::vector<int32_t> x, std::vector<double> m) {
  Result<GammaGammaData> d = PrepareGammaGamma(x, m);
  EXPECT_TRUE(d.ok());
  return std::move(d).value();
}

TEST(AnalyticsGammaGamma, LikelihoodEqualsAHandComputedValue) {
  // Each case has two identical customers (the data needs at least two).
  // p = q = gamma = 1, x = 1, m = 1:  G(2)/(G(1)G(1)) 1^1 1^0 1^1 / (1 + 1)^2 = 1/4.
  EXPECT_NEAR(GammaGammaLogLikelihood({1, 1, 1}, Prepare({1, 1}, {1.0, 1.0})), 2 * std::log(0.25),
              1e-13);
  // p = 2, q = 3, gamma = 4, x = 2, m = 5:  G(7)/(G(4)G(3)) 4^3 5^3 2^4 / (4 + 10)^7.
  const double one = std::log(60.0 * 64 * 125 * 16 / std::pow(14.0, 7));
  EXPECT_NEAR(GammaGammaLogLikelihood({2, 3, 4}, Prepare({2, 2}, {5.0, 5.0})), 2 * one, 1e-12);
}

TEST(AnalyticsGammaGamma, AnalyticGradientMatchesFiniteDifferences) {
  GammaGammaData d = Prepare({1, 2, 2, 5, 9}, {12.5, 30.0, 8.0, 55.0, 21.0});
  const double p[3] = {6.25, 3.74, 15.44};
  double g[3];
  GammaGammaLogLikelihood({p[0], p[1], p[2]}, d, g);
  for (int k = 0; k < 3; ++k) {
    double up[3] = {p[0], p[1], p[2]}, down[3] = {p[0], p[1], p[2]};
    const double h = 1e-6 * p[k];
    up[k] += h;
    down[k] -= h;
    const double numeric = (GammaGammaLogLikelihood({up[0], up[1], up[2]}, d) -
                            GammaGammaLogLikelihood({down[0], down[1], down[2]}, d)) /
                           (2 * h);
    EXPECT_NEAR(g[k], numeric, 1e-5 * std::max(1.0, std::fabs(numeric))) << "parameter " << k;
  }
}

TEST(AnalyticsGammaGamma, CustomersWithoutRepeatValueAreLeftOut) {
  std::vector<int32_t> x = {0, 3, 2, 1};
  std::vector<double> m = {0.0, 10.0, 0.0, 4.0};
  Result<GammaGammaData> d = PrepareGammaGamma(x, m);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->size(), 2u);
  EXPECT_EQ(d->skipped_zero_value, 1u);
  std::vector<double> negative = {0.0, -1.0, 3.0, 4.0};
  EXPECT_EQ(PrepareGammaGamma(x, negative).error().code, ErrorCode::kInvalidArgument);
  std::vector<int32_t> one = {1};
  std::vector<double> m1 = {3.0};
  EXPECT_FALSE(PrepareGammaGamma(one, m1).ok()) << "one customer cannot identify three parameters";
}

TEST(AnalyticsGammaGamma, ExpectedValueShrinksOwnMeanTowardsThePopulation) {
  const GammaGammaParams g{.p = 6.25, .q = 3.74, .gamma = 15.44};
  const double population = g.p * g.gamma / (g.q - 1);  // 35.22
  EXPECT_NEAR(ConditionalExpectedValue(g, 0, 123.0), population, 1e-12);
  double previous_gap = 1e9;
  for (int x : {1, 2, 5, 20, 200}) {
    const double e = ConditionalExpectedValue(g, x, 100.0);
    EXPECT_GT(e, population);
    EXPECT_LT(e, 100.0);
    EXPECT_LT(100.0 - e, previous_gap) << "more purchases, more weight on the customer's own mean";
    previous_gap = 100.0 - e;
  }
  EXPECT_TRUE(std::isinf(ConditionalExpectedValue({.p = 1, .q = 0.5, .gamma = 1}, 0, 1.0)));
}

TEST(AnalyticsGammaGamma, FitRecoversTheParametersOfSimulatedSpend) {
  const GammaGammaParams truth{.p = 4.0, .q = 3.0, .gamma = 20.0};
  std::mt19937_64 rng(7);
  std::gamma_distribution<double> nu_dist(truth.q, 1.0 / truth.gamma);
  std::vector<int32_t> x;
  std::vector<double> m;
  for (int i = 0; i < 20000; ++i) {
    const double nu = nu_dist(rng);
    std::gamma_distribution<double> value(truth.p, 1.0 / nu);
    const int n = 1 + i % 8;
    double sum = 0.0;
    for (int k = 0; k < n; ++k) sum += value(rng);
    x.push_back(n);
    m.push_back(sum / n);
  }
  Result<GammaGammaFit> fit = FitGammaGamma(Prepare(x, m));
  ASSERT_TRUE(fit.ok()) << fit.error().message;
  const FitDiagnostics& d = fit->diagnostics;
  EXPECT_TRUE(d.converged);
  EXPECT_TRUE(d.hessian_positive_definite);
  EXPECT_NEAR(fit->params.p, truth.p, 4 * d.std_errors[0]);
  EXPECT_NEAR(fit->params.q, truth.q, 4 * d.std_errors[1]);
  EXPECT_NEAR(fit->params.gamma, truth.gamma, 4 * d.std_errors[2]);
}

}  // namespace
}  // namespace kehu::analytics
