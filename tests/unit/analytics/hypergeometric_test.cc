#include "analytics/hypergeometric.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kehu::analytics {
namespace {

TEST(AnalyticsHyp2F1, AgreesWithBoostPfqOverTheModelsRange) {
  for (double a : {-0.5, 0.24, 1.0, 3.7, 25.0}) {
    for (double b : {-0.2, 0.8, 2.4, 12.0}) {
      for (double c : {0.6, 2.2, 5.0, 40.0}) {
        for (double z : {0.0, 0.1, 0.45, 0.8, 0.95}) {
          const double mine = Hyp2F1(a, b, c, z);
          const double boost = Hyp2F1Boost(a, b, c, z);
          EXPECT_NEAR(mine, boost, 1e-11 * std::max(1.0, std::fabs(boost)))
              << "a=" << a << " b=" << b << " c=" << c << " z=" << z;
        }
      }
    }
  }
}

TEST(AnalyticsHyp2F1, MatchesClosedForms) {
  for (double z : {0.05, 0.5, 0.9, 0.99}) {
    EXPECT_NEAR(Hyp2F1(1.0, 1.0, 2.0, z), -std::log1p(-z) / z, 1e-12);
    EXPECT_NEAR(Hyp2F1(0.7, 3.0, 3.0, z), std::pow(1.0 - z, -0.7), 1e-10);
  }
  // A terminating series: 2F1(-2, b; c; z) = 1 - 2bz/c + b(b+1)z^2/(c(c+1)).
  EXPECT_NEAR(Hyp2F1(-2.0, 1.5, 2.5, 0.3), 1 - 2 * 1.5 * 0.3 / 2.5 + 1.5 * 2.5 * 0.09 / (2.5 * 3.5),
              1e-15);
}

TEST(AnalyticsHyp2F1, OutsideTheDomainIsNaN) {
  EXPECT_TRUE(std::isnan(Hyp2F1(1.0, 1.0, 2.0, 1.0)));
  EXPECT_TRUE(std::isnan(Hyp2F1(1.0, 1.0, 2.0, -0.1)));
  EXPECT_TRUE(std::isnan(Hyp2F1(1.0, 1.0, -3.0, 0.5)));
}

}  // namespace
}  // namespace kehu::analytics
