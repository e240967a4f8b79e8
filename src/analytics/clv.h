#pragma once
// Customer lifetime value from a fitted BG/NBD (how many purchases) and Gamma-Gamma (how much
// each is worth), and batch scoring of every customer.
//
// CLV over H months, monthly discount rate d, margin m (share of revenue that is profit):
//   CLV = sum_{k=1..H} m * E[M] * (E[Y(k w) | x, t_x, T] - E[Y((k-1) w) | x, t_x, T]) / (1+d)^k
// where w = weeks per month (365.25 / 12 / 7 = 4.348 by default), E[Y(t)|...] is the BG/NBD
// expected number of purchases in the next t weeks (bgnbd.h) and E[M] the Gamma-Gamma expected
// value of a purchase (gamma_gamma.h): purchases expected in month k are discounted by k full
// months. Money is in the unit the Gamma-Gamma model was fitted in.

#include <cstdint>
#include <span>
#include <vector>

#include "analytics/bgnbd.h"
#include "analytics/gamma_gamma.h"
#include "core/result.h"

namespace kehu::analytics {

inline constexpr double kWeeksPerMonth = 365.25 / 12.0 / 7.0;

struct ClvOptions {
  int months{12};
  double monthly_discount_rate{0.01};
  double margin{1.0};
  double weeks_per_month{kWeeksPerMonth};
};

// Errors: kInvalidArgument for months < 1, a discount rate <= -1, or a margin or
// weeks_per_month that is not finite and positive (margin may be 0..any, but finite).
Status ValidateClvOptions(const ClvOptions& options);

// CLV of one customer (options assumed valid).
double CustomerLifetimeValue(const BgNbdParams& bg, const GammaGammaParams& gg, int32_t x,
                             double t_x, double T, double m_x, const ClvOptions& options);

struct ScoreOptions {
  double purchases_horizon_weeks{52.0};  // horizon of `expected_purchases`
  ClvOptions clv{};
  int threads{1};
};

struct CustomerScores {
  std::vector<double> p_alive{};
  std::vector<double> expected_purchases{};  // E[Y(purchases_horizon_weeks) | x, t_x, T]
  std::vector<double> expected_value{};      // Gamma-Gamma E[M | x, m_x]
  std::vector<double> clv{};
};

// Scores every customer; the spans are parallel columns (e.g. from CustomerSummaries, with m_x
// converted to the Gamma-Gamma unit). Work is split across `threads` threads.
// Errors: kInvalidArgument when the columns differ in length or the options are invalid.
Result<CustomerScores> ScoreCustomers(const BgNbdParams& bg, const GammaGammaParams& gg,
                                      std::span<const int32_t> x, std::span<const double> t_x,
                                      std::span<const double> T, std::span<const double> m_x,
                                      const ScoreOptions& options = {});

}  // namespace kehu::analytics
