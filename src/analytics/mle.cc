#include "analytics/mle.h"

#include <nlopt.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace kehu::analytics {
namespace {

struct Objective {
  const LogLikelihoodFn* ll{nullptr};
  double scale{1.0};  // 1 / |LL(start)|: keeps the objective and gradient O(1) for L-BFGS
  std::vector<double> theta{};
  std::vector<double> grad_theta{};
  int evaluations{0};
};

// NLopt minimises f(u) = -LL(exp(u)); df/du_i = -dLL/dtheta_i * theta_i.
double MinusLogLikelihood(unsigned n, const double* u, double* grad, void* data) {
  auto* obj = static_cast<Objective*>(data);
  ++obj->evaluations;
  for (unsigned i = 0; i < n; ++i) obj->theta[i] = std::exp(u[i]);
  std::span<double> g;
  if (grad != nullptr) g = std::span<double>(obj->grad_theta);
  const double value = (*obj->ll)(obj->theta, g);
  if (grad != nullptr) {
    for (unsigned i = 0; i < n; ++i) grad[i] = -obj->grad_theta[i] * obj->theta[i] * obj->scale;
  }
  // A non-finite value (parameters far outside the data's support) is treated as a very poor
  // point so that the line search backs off instead of aborting.
  if (!std::isfinite(value)) return std::numeric_limits<double>::max();
  return -value * obj->scale;
}

// Solves H v = e_i for each i by Cholesky; false if H is not positive definite.
bool InvertPositiveDefinite(std::vector<double> h, size_t n, std::vector<double>& inverse) {
  std::vector<double> l(n * n, 0.0);
  for (size_t j = 0; j < n; ++j) {
    double d = h[j * n + j];
    for (size_t k = 0; k < j; ++k) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0.0)) return false;
    l[j * n + j] = std::sqrt(d);
    for (size_t i = j + 1; i < n; ++i) {
      double s = h[i * n + j];
      for (size_t k = 0; k < j; ++k) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / l[j * n + j];
    }
  }
  inverse.assign(n * n, 0.0);
  std::vector<double> y(n), x(n);
  for (size_t col = 0; col < n; ++col) {
    for (size_t i = 0; i < n; ++i) {
      double s = i == col ? 1.0 : 0.0;
      for (size_t k = 0; k < i; ++k) s -= l[i * n + k] * y[k];
      y[i] = s / l[i * n + i];
    }
    for (size_t i = n; i-- > 0;) {
      double s = y[i];
      for (size_t k = i + 1; k < n; ++k) s -= l[k * n + i] * x[k];
      x[i] = s / l[i * n + i];
    }
    for (size_t i = 0; i < n; ++i) inverse[i * n + col] = x[i];
  }
  return true;
}

}  // namespace

std::vector<double> StandardErrors(const LogLikelihoodFn& ll, std::span<const double> params,
                                   bool& positive_definite) {
  const size_t n = params.size();
  std::vector<double> h(n * n, 0.0);
  std::vector<double> p(params.begin(), params.end());
  std::vector<double> g_plus(n), g_minus(n);
  for (size_t j = 0; j < n; ++j) {
    const double step = 1e-5 * std::max(std::fabs(params[j]), 1e-8);
    p[j] = params[j] + step;
    ll(p, g_plus);
    p[j] = params[j] - step;
    ll(p, g_minus);
    p[j] = params[j];
    for (size_t i = 0; i < n; ++i) h[i * n + j] = -(g_plus[i] - g_minus[i]) / (2.0 * step);
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const double m = 0.5 * (h[i * n + j] + h[j * n + i]);
      h[i * n + j] = h[j * n + i] = m;
    }
  }
  std::vector<double> inverse;
  positive_definite = InvertPositiveDefinite(h, n, inverse);
  std::vector<double> se(n, std::numeric_limits<double>::quiet_NaN());
  if (positive_definite) {
    for (size_t i = 0; i < n; ++i) se[i] = std::sqrt(inverse[i * n + i]);
  }
  return se;
}

Result<MleResult> MaximizeLogLikelihood(const LogLikelihoodFn& ll, std::vector<double> start,
                                        const MleOptions& options) {
  const size_t n = start.size();
  std::vector<double> u(n);
  for (size_t i = 0; i < n; ++i) {
    if (!(start[i] > 0.0) || !std::isfinite(start[i])) {
      return InvalidArgument("start values must be positive and finite");
    }
    u[i] = std::log(start[i]);
  }
  Objective obj{.ll = &ll, .theta = std::vector<double>(n), .grad_theta = std::vector<double>(n)};
  std::vector<double> g0(n);
  const double ll0 = ll(start, g0);
  if (!std::isfinite(ll0)) {
    return InvalidArgument("log-likelihood is not finite at the start values");
  }
  obj.scale = 1.0 / std::max(1.0, std::fabs(ll0));

  auto run = [&](nlopt_algorithm algorithm, double xtol, double ftol) {
    nlopt_opt opt = nlopt_create(algorithm, static_cast<unsigned>(n));
    if (opt == nullptr) return NLOPT_OUT_OF_MEMORY;
    nlopt_set_min_objective(opt, MinusLogLikelihood, &obj);
    nlopt_set_xtol_rel(opt, xtol);
    nlopt_set_ftol_rel(opt, ftol);
    nlopt_set_maxeval(opt, options.max_evaluations);
    if (algorithm == NLOPT_LN_NELDERMEAD) {
      const std::vector<double> steps(n, 0.5);  // log-parameters: start with +-65% moves
      nlopt_set_initial_step(opt, steps.data());
    }
    double minimum = 0.0;
    const nlopt_result code = nlopt_optimize(opt, u.data(), &minimum);
    nlopt_destroy(opt);
    return code;
  };
  std::string algorithm = "NLopt LD_LBFGS on log-parameters, analytic gradient";
  nlopt_result code = run(NLOPT_LD_LBFGS, options.xtol_rel, options.ftol_rel);
  if (code < 0 && code != NLOPT_ROUNDOFF_LIMITED) {
    // L-BFGS can fail when its first line search lands where the likelihood overflows (start
    // far from the optimum). Then walk there gradient-free, and polish with L-BFGS.
    for (size_t i = 0; i < n; ++i) u[i] = std::log(start[i]);
    code = run(NLOPT_LN_NELDERMEAD, 1e-6, 1e-10);
    algorithm = "NLopt LN_NELDERMEAD on log-parameters";
    if (code > 0 || code == NLOPT_ROUNDOFF_LIMITED) {
      // Polish with L-BFGS; if its line search fails again (a likelihood ridge), keep the
      // gradient-free optimum: the convergence test below still judges it by its gradient.
      const std::vector<double> walked = u;
      const nlopt_result walked_code = code;
      code = run(NLOPT_LD_LBFGS, options.xtol_rel, options.ftol_rel);
      if (code < 0 && code != NLOPT_ROUNDOFF_LIMITED) {
        u = walked;
        code = walked_code;
      } else {
        algorithm = "NLopt LN_NELDERMEAD then LD_LBFGS on log-parameters, analytic gradient";
      }
    }
  }

  MleResult out;
  out.params.resize(n);
  for (size_t i = 0; i < n; ++i) out.params[i] = std::exp(u[i]);
  std::vector<double> grad(n);
  const double value = ll(out.params, grad);
  if (!std::isfinite(value)) return Internal("optimisation ended at a non-finite log-likelihood");
  if (code < 0 && code != NLOPT_ROUNDOFF_LIMITED) {
    return Internal(std::string("NLopt failed: ") + nlopt_result_to_string(code));
  }
  FitDiagnostics& d = out.diagnostics;
  d.log_likelihood = value;
  d.nlopt_result = static_cast<int>(code);
  d.evaluations = obj.evaluations;
  d.algorithm = algorithm;
  for (size_t i = 0; i < n; ++i) {
    d.gradient_norm = std::max(d.gradient_norm, std::fabs(grad[i] * out.params[i]));
  }
  // Success also needs a ~zero gradient (a success code alone can come from a flat stretch);
  // L-BFGS reports round-off when the tolerances are tighter than double precision allows at
  // the optimum, which is convergence too if the gradient there is ~0.
  const double grad_tol = 1e-6 * std::max(1.0, std::fabs(value));
  const bool success_code =
      (code > 0 && code != NLOPT_MAXEVAL_REACHED && code != NLOPT_MAXTIME_REACHED) ||
      code == NLOPT_ROUNDOFF_LIMITED;
  d.converged = success_code && d.gradient_norm < grad_tol;
  d.std_errors = StandardErrors(ll, out.params, d.hessian_positive_definite);
  return out;
}

}  // namespace kehu::analytics
