#pragma once
// BG/NBD ("beta-geometric / negative binomial") model of repeat buying, from
// Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
// Pareto/NBD Model", Marketing Science 24(2). While alive a customer buys as a Poisson process
// with rate lambda ~ Gamma(r, alpha); after each purchase they drop out with probability
// p ~ Beta(a, b). Inputs per customer are (x, t_x, T) from transactions.h, in weeks.
//
//   BgNbdData data = CompressTriples(s.x, s.t_x, s.T);
//   Result<BgNbdFit> fit = FitBgNbd(data);
//   double alive = ProbabilityAlive(fit->params, x, t_x, T);
//   double next_year = ExpectedPurchases(fit->params, x, t_x, T, 52.0);

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "analytics/mle.h"
#include "core/result.h"

namespace kehu::analytics {

struct BgNbdParams {
  double r{0.0};
  double alpha{0.0};
  double a{0.0};
  double b{0.0};
};

// Customers compressed to the distinct (x, t_x, T) triples with their counts as weights: the
// likelihood is a weighted sum, so fitting costs O(distinct triples), not O(customers).
struct BgNbdData {
  std::vector<int32_t> x{};
  std::vector<double> t_x{};
  std::vector<double> T{};
  std::vector<double> weight{};
  double customers{0.0};  // sum of the weights

  // Derived by CompressTriples so that each likelihood evaluation takes one log per distinct
  // time and one lgamma per distinct x, not per triple: the distinct values of t_x and T
  // (ascending), each triple's positions in it, and the total weight per x (index = x).
  std::vector<double> times{};
  std::vector<uint32_t> t_x_index{};
  std::vector<uint32_t> T_index{};
  std::vector<double> weight_by_x{};

  size_t size() const { return x.size(); }
};

// Builds the distinct triples (sorted by x, t_x, T) with their counts. Spans have equal length.
// Errors: kInvalidArgument on different lengths, empty input, a non-finite value, x < 0,
// t_x < 0, T < t_x, or x = 0 with t_x != 0 (no repeat purchase means no recency).
Result<BgNbdData> CompressTriples(std::span<const int32_t> x, std::span<const double> t_x,
                                  std::span<const double> T);

// Total log-likelihood sum_i w_i * log L(r, alpha, a, b | x_i, t_x_i, T_i) (FHL 2005, eq. 6):
//   log L = lnG(r+x) - lnG(r) + r ln(alpha) + lnB(a, b+x) - lnB(a, b)
//           + log( (alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x) )
// with the last log computed as a log-sum-exp of the two terms. If `grad` has 4 elements, the
// analytic gradient (d/dr, d/dalpha, d/da, d/db) is written to it. `threads` > 1 splits the
// sum across threads. Returns -inf/NaN for non-positive parameters (no error path: it is called
// inside the optimiser).
double BgNbdLogLikelihood(const BgNbdParams& p, const BgNbdData& data, std::span<double> grad = {},
                          int threads = 1);

struct BgNbdFitOptions {
  // Unset: r = a = b = 1 and alpha = the mean T, so the start's purchase rate r / alpha is about
  // one per observation period whatever the time unit.
  std::optional<BgNbdParams> start{};
  MleOptions mle{};
  int threads{1};  // threads for each likelihood evaluation
};

struct BgNbdFit {
  BgNbdParams params{};
  FitDiagnostics diagnostics{};  // std_errors in the order r, alpha, a, b
};

// Maximum-likelihood fit (see mle.h for the algorithm and diagnostics).
// Errors: kInvalidArgument for empty data or no repeat purchases at all (a, b not identified),
// or bad start values; kInternal if the optimiser fails.
Result<BgNbdFit> FitBgNbd(const BgNbdData& data, const BgNbdFitOptions& options = {});

// P(alive | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)) (FHL 2005,
// eq. 11). Always in [0, 1]; exactly 1 when x = 0 because in this model a customer can only
// drop out right after a repeat purchase.
double ProbabilityAlive(const BgNbdParams& p, int32_t x, double t_x, double T);

// E[Y(t) | x, t_x, T]: expected purchases in the next t weeks (FHL 2005, eq. 10):
//   (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)]
//   / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)),   z = t/(alpha+T+t).
// Evaluated through Euler's transformation, under which ((alpha+T)/(alpha+T+t))^(r+x) 2F1(...)
// becomes (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): a series that converges for every z < 1
// and whose terms shrink faster as x grows (no overflow for heavy buyers). Needs a != 1
// (the formula's removable singularity; a is perturbed by 1e-9 there). Returns 0 for t <= 0.
double ExpectedPurchases(const BgNbdParams& p, int32_t x, double t_x, double T, double t);

// E[Y(t) | alive at T, x, T]: expected purchases in the next t weeks of a customer known to be
// alive, for each t in `horizons` (weeks, >= 0), written to `out` (same length). Then
// ExpectedPurchases(p, x, t_x, T, t) = ProbabilityAlive(p, x, t_x, T) * this (it does not
// depend on t_x). The horizons share one set of series coefficients, so a CLV that needs a
// dozen horizons per customer costs little more than one.
void ExpectedPurchasesIfAlive(const BgNbdParams& p, int32_t x, double T,
                              std::span<const double> horizons, std::span<double> out);

// E[X(t)]: expected purchases in the first t weeks of a new customer (FHL 2005, eq. 9):
//   (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))].
// Equals ExpectedPurchases(p, 0, 0, 0, t).
double ExpectedPurchasesNewCustomer(const BgNbdParams& p, double t);

}  // namespace kehu::analytics
