#pragma once
// Maximum-likelihood fitting shared by the value models, and the diagnostics stored with a fit.
//
// Parameters of both models are positive, so the optimiser works on their logarithms (no bound
// constraints, better conditioning). The algorithm is NLopt's LD_LBFGS with the models' analytic
// gradients, the objective scaled by 1/|LL(start)|: it converges in ~20 evaluations, which
// matters when one evaluation is a pass over a million customers; tolerances are tight
// (relative 1e-12 on the log-parameters, 1e-14 on the log-likelihood). If L-BFGS fails outright
// (its first line search can land where the likelihood overflows), LN_NELDERMEAD walks from the
// start and L-BFGS polishes; if the polish fails too (a ridge, e.g. BG/NBD's a and b growing
// together), the walk's optimum is the answer and `converged` says whether its gradient is ~0. Standard errors come from the inverse of the Hessian of the negative
// log-likelihood in natural units at the optimum, by central differences of the gradient.

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace kehu::analytics {

struct FitDiagnostics {
  double log_likelihood{0.0};  // at the optimum
  int nlopt_result{0};         // nlopt_result code (1..4 success; 5 maxeval; <0 failure)
  bool converged{false};       // success (or round-off) code and gradient_norm < 1e-6 max(1, |LL|)
  int evaluations{0};          // log-likelihood (+ gradient) evaluations
  double gradient_norm{0.0};   // max |d LL / d log(param)| at the optimum
  bool hessian_positive_definite{false};
  std::vector<double> std_errors{};  // per parameter, natural units; NaN if not PD
  std::string algorithm{};           // "NLopt LD_LBFGS on log-parameters"
};

// Log-likelihood of natural (positive) parameters. When `grad` is non-empty, also writes
// dLL/dparam_i into it (same length as params).
using LogLikelihoodFn =
    std::function<double(std::span<const double> params, std::span<double> grad)>;

struct MleOptions {
  double xtol_rel{1e-12};
  double ftol_rel{1e-14};
  int max_evaluations{2000};
};

struct MleResult {
  std::vector<double> params{};
  FitDiagnostics diagnostics{};
};

// Maximises `ll` from `start` (all > 0).
// Errors: kInvalidArgument if a start value is not positive and finite or the log-likelihood
// is not finite at the start; kInternal if NLopt fails outright (result < 0 other than
// round-off) or ends at a non-finite value. Hitting max_evaluations is returned with
// converged = false, not as an error.
Result<MleResult> MaximizeLogLikelihood(const LogLikelihoodFn& ll, std::vector<double> start,
                                        const MleOptions& options = {});

// Standard errors from the Hessian of -ll at `params` (central differences of the gradient).
// Returns NaNs if the Hessian is not positive definite; sets `positive_definite`.
std::vector<double> StandardErrors(const LogLikelihoodFn& ll, std::span<const double> params,
                                   bool& positive_definite);

}  // namespace kehu::analytics
