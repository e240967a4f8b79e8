#include "analytics/gamma_gamma.h"

#include <cmath>
#include <limits>

#include "analytics/errors.h"
#include "analytics/special.h"

namespace kehu::analytics {

Result<GammaGammaData> PrepareGammaGamma(std::span<const int32_t> x, std::span<const double> m_x) {
  if (x.size() != m_x.size()) return InvalidArgument("x and m_x differ in length");
  GammaGammaData d;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] < 0) return internal::BadElement("x", i, "is negative");
    if (x[i] == 0) continue;
    if (!std::isfinite(m_x[i]) || m_x[i] < 0.0) {
      return internal::BadElement("m_x", i, "must be finite and not negative");
    }
    if (m_x[i] == 0.0) {
      ++d.skipped_zero_value;
      continue;
    }
    const auto xi = static_cast<size_t>(x[i]);
    if (xi >= d.count_by_x.size()) {
      d.count_by_x.resize(xi + 1, 0.0);
      d.sum_log_m_by_x.resize(xi + 1, 0.0);
    }
    d.count_by_x[xi] += 1.0;
    d.sum_log_m_by_x[xi] += std::log(m_x[i]);
    d.x.push_back(x[i]);
    d.x_times_m.push_back(x[i] * m_x[i]);
  }
  if (d.size() < 2) return InvalidArgument("fewer than 2 customers with a repeat purchase");
  return d;
}

double GammaGammaLogLikelihood(const GammaGammaParams& g, const GammaGammaData& d,
                               std::span<double> grad) {
  if (!(g.p > 0.0 && g.q > 0.0 && g.gamma > 0.0)) return -std::numeric_limits<double>::infinity();
  const bool with_grad = grad.size() == 3;
  double ll = 0.0, gp = 0.0, gq = 0.0, gg = 0.0;
  // Terms that depend on x only, once per distinct x.
  const double lg_q = std::lgamma(g.q), log_gamma = std::log(g.gamma);
  const double dg_q = with_grad ? internal::Digamma(g.q) : 0.0;
  for (size_t x = 1; x < d.count_by_x.size(); ++x) {
    const double n = d.count_by_x[x];
    if (n == 0.0) continue;
    const double px = g.p * x, s = d.sum_log_m_by_x[x], log_x = std::log(static_cast<double>(x));
    ll += n * (std::lgamma(px + g.q) - std::lgamma(px) - lg_q + g.q * log_gamma + px * log_x) +
          (px - 1.0) * s;
    if (with_grad) {
      const double dg_pxq = internal::Digamma(px + g.q);
      gp += x * (n * (dg_pxq - internal::Digamma(px) + log_x) + s);
      gq += n * (dg_pxq - dg_q + log_gamma);
      gg += n * g.q / g.gamma;
    }
  }
  for (size_t i = 0; i < d.size(); ++i) {
    const double px_q = g.p * d.x[i] + g.q;
    const double denom = g.gamma + d.x_times_m[i];
    const double log_denom = std::log(denom);
    ll -= px_q * log_denom;
    if (with_grad) {
      gp -= d.x[i] * log_denom;
      gq -= log_denom;
      gg -= px_q / denom;
    }
  }
  if (with_grad) {
    grad[0] = gp;
    grad[1] = gq;
    grad[2] = gg;
  }
  return ll;
}

Result<GammaGammaFit> FitGammaGamma(const GammaGammaData& data,
                                    const GammaGammaFitOptions& options) {
  if (data.size() == 0) return InvalidArgument("no customers to fit");
  LogLikelihoodFn ll = [&](std::span<const double> v, std::span<double> grad) {
    return GammaGammaLogLikelihood({.p = v[0], .q = v[1], .gamma = v[2]}, data, grad);
  };
  GammaGammaParams s{.p = 1.0, .q = 2.0, .gamma = 0.0};
  if (options.start.has_value()) {
    s = *options.start;
  } else {
    for (size_t i = 0; i < data.size(); ++i) s.gamma += data.x_times_m[i] / data.x[i];
    s.gamma /= static_cast<double>(data.size());
  }
  KEHU_ASSIGN_OR_RETURN(MleResult m, MaximizeLogLikelihood(ll, {s.p, s.q, s.gamma}, options.mle));
  return GammaGammaFit{.params = {.p = m.params[0], .q = m.params[1], .gamma = m.params[2]},
                       .diagnostics = std::move(m.diagnostics)};
}

double ConditionalExpectedValue(const GammaGammaParams& g, int32_t x, double m_x) {
  const double denom = g.p * x + g.q - 1.0;
  if (!(denom > 0.0)) return std::numeric_limits<double>::infinity();
  const double own = x > 0 ? x * m_x : 0.0;
  return g.p * (g.gamma + own) / denom;
}

}  // namespace kehu::analytics
