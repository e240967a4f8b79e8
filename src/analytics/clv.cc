#include "analytics/clv.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

namespace kehu::analytics {

Status ValidateClvOptions(const ClvOptions& o) {
  if (o.months < 1) return InvalidArgument("months must be at least 1");
  if (!std::isfinite(o.monthly_discount_rate) || o.monthly_discount_rate <= -1.0) {
    return InvalidArgument("monthly_discount_rate must be finite and greater than -1");
  }
  if (!std::isfinite(o.margin)) return InvalidArgument("margin must be finite");
  if (!std::isfinite(o.weeks_per_month) || !(o.weeks_per_month > 0.0)) {
    return InvalidArgument("weeks_per_month must be positive");
  }
  return Status::Ok();
}

double CustomerLifetimeValue(const BgNbdParams& bg, const GammaGammaParams& gg, int32_t x,
                             double t_x, double T, double m_x, const ClvOptions& o) {
  // Cumulative purchases at the end of each month, for a customer alive now; P(alive) and the
  // margin and value factor out of the sum.
  constexpr int kStackMonths = 120;
  double stack_h[kStackMonths], stack_e[kStackMonths];
  std::vector<double> heap_h, heap_e;
  double* horizons = stack_h;
  double* cumulative = stack_e;
  if (o.months > kStackMonths) {
    heap_h.resize(o.months);
    heap_e.resize(o.months);
    horizons = heap_h.data();
    cumulative = heap_e.data();
  }
  const auto months = static_cast<size_t>(o.months);
  for (size_t k = 0; k < months; ++k) horizons[k] = (k + 1.0) * o.weeks_per_month;
  ExpectedPurchasesIfAlive(bg, x, T, {horizons, months}, {cumulative, months});
  double sum = 0.0, previous = 0.0, discount = 1.0;
  for (size_t k = 0; k < months; ++k) {
    discount /= 1.0 + o.monthly_discount_rate;
    sum += (cumulative[k] - previous) * discount;
    previous = cumulative[k];
  }
  return o.margin * ConditionalExpectedValue(gg, x, m_x) * ProbabilityAlive(bg, x, t_x, T) * sum;
}

Result<CustomerScores> ScoreCustomers(const BgNbdParams& bg, const GammaGammaParams& gg,
                                      std::span<const int32_t> x, std::span<const double> t_x,
                                      std::span<const double> T, std::span<const double> m_x,
                                      const ScoreOptions& options) {
  const size_t n = x.size();
  if (t_x.size() != n || T.size() != n || m_x.size() != n) {
    return InvalidArgument("x, t_x, T and m_x differ in length");
  }
  KEHU_RETURN_IF_ERROR(ValidateClvOptions(options.clv));
  CustomerScores s;
  s.p_alive.resize(n);
  s.expected_purchases.resize(n);
  s.expected_value.resize(n);
  s.clv.resize(n);
  auto run = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      s.p_alive[i] = ProbabilityAlive(bg, x[i], t_x[i], T[i]);
      s.expected_purchases[i] =
          ExpectedPurchases(bg, x[i], t_x[i], T[i], options.purchases_horizon_weeks);
      s.expected_value[i] = ConditionalExpectedValue(gg, x[i], m_x[i]);
      s.clv[i] = CustomerLifetimeValue(bg, gg, x[i], t_x[i], T[i], m_x[i], options.clv);
    }
  };
  const size_t workers = std::clamp<size_t>(static_cast<size_t>(std::max(options.threads, 1)), 1,
                                            std::max<size_t>(n / 1024, 1));
  if (workers == 1) {
    run(0, n);
  } else {
    std::vector<std::thread> pool;
    for (size_t w = 0; w < workers; ++w) {
      pool.emplace_back(run, n * w / workers, n * (w + 1) / workers);
    }
    for (auto& th : pool) th.join();
  }
  return s;
}

}  // namespace kehu::analytics
