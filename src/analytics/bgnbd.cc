#include "analytics/bgnbd.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>

#include "analytics/errors.h"
#include "analytics/hypergeometric.h"
#include "analytics/special.h"

namespace kehu::analytics {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Per-distinct-value terms shared by all triples in one likelihood evaluation.
struct Tables {
  std::vector<double> log_time;  // log(alpha + v)
  std::vector<double> inv_time;  // 1 / (alpha + v)
  std::vector<double> log_ab;    // log(a) - log(b + x - 1), x > 0
  std::vector<double> inv_bx;    // 1 / (b + x - 1), x > 0
};

struct Partial {
  double ll{0.0};
  double g[4]{0.0, 0.0, 0.0, 0.0};
};

void SumRange(const BgNbdParams& p, const BgNbdData& d, const Tables& t, bool with_grad,
              size_t begin, size_t end, Partial& out) {
  double ll = 0.0, gr = 0.0, gal = 0.0, ga = 0.0, gb = 0.0;
  const double inv_a = 1.0 / p.a;
  for (size_t i = begin; i < end; ++i) {
    const int32_t x = d.x[i];
    const double w = d.weight[i];
    const double rx = p.r + x;
    const uint32_t ti = d.T_index[i];
    const double a3 = -rx * t.log_time[ti];
    if (x == 0) {
      ll += w * a3;
      if (with_grad) {
        gr -= w * t.log_time[ti];
        gal -= w * rx * t.inv_time[ti];
      }
      continue;
    }
    const uint32_t si = d.t_x_index[i];
    const double a4 = t.log_ab[x] - rx * t.log_time[si];
    // log(e^a3 + e^a4) without overflow; w4 is the share of the second term.
    const double diff = a4 - a3;
    double lse, w4;
    if (diff > 0.0) {
      const double e = std::exp(-diff);
      lse = a4 + std::log1p(e);
      w4 = 1.0 / (1.0 + e);
    } else {
      const double e = std::exp(diff);
      lse = a3 + std::log1p(e);
      w4 = e / (1.0 + e);
    }
    const double w3 = 1.0 - w4;
    ll += w * lse;
    if (with_grad) {
      gr -= w * (w3 * t.log_time[ti] + w4 * t.log_time[si]);
      gal -= w * rx * (w3 * t.inv_time[ti] + w4 * t.inv_time[si]);
      ga += w * w4 * inv_a;
      gb -= w * w4 * t.inv_bx[x];
    }
  }
  out.ll = ll;
  out.g[0] = gr;
  out.g[1] = gal;
  out.g[2] = ga;
  out.g[3] = gb;
}

Status CheckTriple(int32_t x, double t_x, double T, size_t i) {
  using internal::BadElement;
  if (!std::isfinite(t_x)) return BadElement("t_x", i, "is not finite");
  if (!std::isfinite(T)) return BadElement("T", i, "is not finite");
  if (x < 0) return BadElement("x", i, "is negative");
  if (t_x < 0.0) return BadElement("t_x", i, "is negative");
  if (T < t_x) return BadElement("T", i, "is before t_x");
  if (x == 0 && t_x != 0.0) return BadElement("t_x", i, "must be 0 when x is 0");
  return Status::Ok();
}

}  // namespace

Result<BgNbdData> CompressTriples(std::span<const int32_t> x, std::span<const double> t_x,
                                  std::span<const double> T) {
  const size_t n = x.size();
  if (t_x.size() != n || T.size() != n) return InvalidArgument("x, t_x and T differ in length");
  if (n == 0) return InvalidArgument("no customers");
  for (size_t i = 0; i < n; ++i) KEHU_RETURN_IF_ERROR(CheckTriple(x[i], t_x[i], T[i], i));

  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t l, uint32_t r) {
    if (x[l] != x[r]) return x[l] < x[r];
    if (t_x[l] != t_x[r]) return t_x[l] < t_x[r];
    return T[l] < T[r];
  });
  BgNbdData d;
  for (size_t k = 0; k < n; ++k) {
    const uint32_t i = order[k];
    if (k > 0 && x[i] == d.x.back() && t_x[i] == d.t_x.back() && T[i] == d.T.back()) {
      d.weight.back() += 1.0;
      continue;
    }
    d.x.push_back(x[i]);
    d.t_x.push_back(t_x[i]);
    d.T.push_back(T[i]);
    d.weight.push_back(1.0);
  }
  d.customers = static_cast<double>(n);

  d.times.reserve(2 * d.size());
  d.times.insert(d.times.end(), d.t_x.begin(), d.t_x.end());
  d.times.insert(d.times.end(), d.T.begin(), d.T.end());
  std::sort(d.times.begin(), d.times.end());
  d.times.erase(std::unique(d.times.begin(), d.times.end()), d.times.end());
  auto position = [&](double v) {
    return static_cast<uint32_t>(std::lower_bound(d.times.begin(), d.times.end(), v) -
                                 d.times.begin());
  };
  d.t_x_index.resize(d.size());
  d.T_index.resize(d.size());
  for (size_t i = 0; i < d.size(); ++i) {
    d.t_x_index[i] = position(d.t_x[i]);
    d.T_index[i] = position(d.T[i]);
  }
  d.weight_by_x.assign(static_cast<size_t>(d.x.back()) + 1, 0.0);
  for (size_t i = 0; i < d.size(); ++i) d.weight_by_x[d.x[i]] += d.weight[i];
  return d;
}

double BgNbdLogLikelihood(const BgNbdParams& p, const BgNbdData& d, std::span<double> grad,
                          int threads) {
  if (!(p.r > 0.0 && p.alpha > 0.0 && p.a > 0.0 && p.b > 0.0)) return kNegInf;
  const bool with_grad = grad.size() == 4;
  Tables t;
  t.log_time.resize(d.times.size());
  t.inv_time.resize(d.times.size());
  for (size_t k = 0; k < d.times.size(); ++k) {
    t.log_time[k] = std::log(p.alpha + d.times[k]);
    t.inv_time[k] = 1.0 / (p.alpha + d.times[k]);
  }
  const size_t nx = d.weight_by_x.size();
  t.log_ab.assign(nx, 0.0);
  t.inv_bx.assign(nx, 0.0);
  // Terms that depend on x only: lnG(r+x) - lnG(r) + r ln(alpha) + lnB(a, b+x) - lnB(a, b).
  double ll = 0.0;
  double g[4] = {0.0, 0.0, 0.0, 0.0};
  const double log_alpha = std::log(p.alpha);
  const double lg_r = std::lgamma(p.r), lg_b = std::lgamma(p.b), lg_ab = std::lgamma(p.a + p.b);
  const double dg_r = with_grad ? internal::Digamma(p.r) : 0.0;
  const double dg_b = with_grad ? internal::Digamma(p.b) : 0.0;
  const double dg_ab = with_grad ? internal::Digamma(p.a + p.b) : 0.0;
  for (size_t x = 0; x < nx; ++x) {
    if (x > 0) {
      t.log_ab[x] = std::log(p.a) - std::log(p.b + x - 1.0);
      t.inv_bx[x] = 1.0 / (p.b + x - 1.0);
    }
    const double w = d.weight_by_x[x];
    if (w == 0.0) continue;
    ll += w * (std::lgamma(p.r + x) - lg_r + p.r * log_alpha + lg_ab + std::lgamma(p.b + x) - lg_b -
               std::lgamma(p.a + p.b + x));
    if (with_grad) {
      const double dg_abx = internal::Digamma(p.a + p.b + x);
      g[0] += w * (internal::Digamma(p.r + x) - dg_r + log_alpha);
      g[1] += w * p.r / p.alpha;
      g[2] += w * (dg_ab - dg_abx);
      g[3] += w * (dg_ab + internal::Digamma(p.b + x) - dg_b - dg_abx);
    }
  }

  const size_t n = d.size();
  const size_t workers = std::clamp<size_t>(static_cast<size_t>(std::max(threads, 1)), 1,
                                            std::max<size_t>(n / 4096, 1));
  std::vector<Partial> parts(workers);
  if (workers == 1) {
    SumRange(p, d, t, with_grad, 0, n, parts[0]);
  } else {
    std::vector<std::thread> pool;
    for (size_t w = 0; w < workers; ++w) {
      pool.emplace_back([&, w] {
        SumRange(p, d, t, with_grad, n * w / workers, n * (w + 1) / workers, parts[w]);
      });
    }
    for (auto& th : pool) th.join();
  }
  for (const Partial& part : parts) {
    ll += part.ll;
    for (int k = 0; k < 4; ++k) g[k] += part.g[k];
  }
  if (with_grad) std::copy(g, g + 4, grad.begin());
  return ll;
}

Result<BgNbdFit> FitBgNbd(const BgNbdData& data, const BgNbdFitOptions& options) {
  if (data.size() == 0) return InvalidArgument("no customers to fit");
  if (data.weight_by_x.size() < 2) {
    return InvalidArgument(
        "no customer has a repeat purchase; the dropout process is not identified");
  }
  LogLikelihoodFn ll = [&](std::span<const double> v, std::span<double> grad) {
    return BgNbdLogLikelihood({.r = v[0], .alpha = v[1], .a = v[2], .b = v[3]}, data, grad,
                              options.threads);
  };
  BgNbdParams s{.r = 1.0, .alpha = 0.0, .a = 1.0, .b = 1.0};
  if (options.start.has_value()) {
    s = *options.start;
  } else {
    for (size_t i = 0; i < data.size(); ++i) s.alpha += data.weight[i] * data.T[i];
    s.alpha = std::max(s.alpha / data.customers, 1e-3);
  }
  KEHU_ASSIGN_OR_RETURN(MleResult m,
                        MaximizeLogLikelihood(ll, {s.r, s.alpha, s.a, s.b}, options.mle));
  return BgNbdFit{
      .params = {.r = m.params[0], .alpha = m.params[1], .a = m.params[2], .b = m.params[3]},
      .diagnostics = std::move(m.diagnostics)};
}

double ProbabilityAlive(const BgNbdParams& p, int32_t x, double t_x, double T) {
  if (x <= 0) return 1.0;
  const double log_odds = std::log(p.a) - std::log(p.b + x - 1.0) +
                          (p.r + x) * (std::log(p.alpha + T) - std::log(p.alpha + t_x));
  return 1.0 / (1.0 + std::exp(log_odds));
}

void ExpectedPurchasesIfAlive(const BgNbdParams& p, int32_t x, double T,
                              std::span<const double> horizons, std::span<double> out) {
  // Euler's transformation turns ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z) into
  // (1-z)^(a-1) 2F1(A, B; c; z) with A = a+b-1-r, B = a-1, c = a+b+x-1: no huge powers for
  // large x, and terms that shrink like n^(a-2-r-x) z^n.
  double a = p.a;
  if (std::fabs(a - 1.0) < 1e-9) a = 1.0 + 1e-9;
  const double big_a = a + p.b - 1.0 - p.r, big_b = a - 1.0, c = a + p.b + x - 1.0;
  double z_max = 0.0;
  for (double t : horizons) {
    if (t > 0.0) z_max = std::max(z_max, t / (p.alpha + T + t));
  }
  // Series coefficients up to where the tail at z_max is negligible (the rule of Hyp2F1);
  // smaller z need no more terms than that.
  constexpr size_t kMaxTerms = 2000;
  thread_local std::vector<double> coef;
  coef.assign(1, 1.0);
  bool converged = z_max == 0.0;
  double term = 1.0, sum = 1.0;
  for (size_t n = 0; n < kMaxTerms && !converged; ++n) {
    const double ratio = (big_a + n) * (big_b + n) / ((c + n) * (n + 1.0));
    coef.push_back(coef.back() * ratio);
    term *= ratio * z_max;
    sum += term;
    const double past = n + 1.0;
    if (term == 0.0) {
      converged = true;
    } else if (past > -big_a && past > -big_b && past > -c && ratio * z_max < 1.0) {
      const double rho = std::max(ratio * z_max, z_max);
      converged = std::fabs(term) * rho / (1.0 - rho) <= 1e-16 * std::fabs(sum);
    }
  }
  for (size_t k = 0; k < horizons.size(); ++k) {
    const double t = horizons[k];
    if (!(t > 0.0)) {
      out[k] = 0.0;
      continue;
    }
    const double z = t / (p.alpha + T + t);
    if (converged) {
      double f = 0.0;
      for (size_t n = coef.size(); n-- > 0;) f = f * z + coef[n];
      out[k] = c / (a - 1.0) * (1.0 - std::exp((a - 1.0) * std::log1p(-z)) * f);
    } else {
      // The transformed series grows for about a*z terms before it shrinks: with a large a (a fit
      // on the ridge, where a and b grow together: a = 122,882, b = 4,420,638 on a demo) that is
      // beyond kMaxTerms, and Boost's pFq took ~25 ms a customer. The paper's own form then
      // converges at once (its terms shrink like z * b / (a + b)).
      out[k] = c / (a - 1.0) *
               (1.0 - std::exp((p.r + x) * std::log1p(-z)) * Hyp2F1(p.r + x, p.b + x, c, z));
    }
  }
}

double ExpectedPurchases(const BgNbdParams& p, int32_t x, double t_x, double T, double t) {
  if (!(t > 0.0)) return 0.0;
  double if_alive = 0.0;
  ExpectedPurchasesIfAlive(p, x, T, {&t, 1}, {&if_alive, 1});
  return if_alive * ProbabilityAlive(p, x, t_x, T);
}

double ExpectedPurchasesNewCustomer(const BgNbdParams& p, double t) {
  return ExpectedPurchases(p, 0, 0.0, 0.0, t);
}

}  // namespace kehu::analytics
