#include "analytics/hypergeometric.h"

#include <algorithm>
#include <cmath>
#include <limits>

// g++ 12 at -O3 warns falsely (-Warray-bounds) inside Boost's pFq series (an insertion sort
// over a fixed array); the warning is in code we do not own, so it is silenced for this include.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>

namespace kehu::analytics {
namespace {

// Failures come back as NaN (errno set) instead of exceptions.
using NoThrowPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::errno_on_error>,
    boost::math::policies::pole_error<boost::math::policies::errno_on_error>,
    boost::math::policies::overflow_error<boost::math::policies::errno_on_error>,
    boost::math::policies::evaluation_error<boost::math::policies::errno_on_error>>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool InDomain(double c, double z) {
  if (!(z >= 0.0 && z < 1.0)) return false;
  return !(c <= 0.0 && c == std::floor(c));
}

}  // namespace

double Hyp2F1Boost(double a, double b, double c, double z) {
  if (!InDomain(c, z)) return kNaN;
  return boost::math::hypergeometric_pFq({a, b}, {c}, z, static_cast<double*>(nullptr),
                                         NoThrowPolicy());
}
#pragma GCC diagnostic pop

double Hyp2F1(double a, double b, double c, double z) {
  if (!InDomain(c, z)) return kNaN;
  constexpr int kMaxTerms = 2000;
  constexpr double kEps = 1e-16;
  double term = 1.0;
  double sum = 1.0;
  for (int n = 0; n < kMaxTerms; ++n) {
    const double ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
    term *= ratio;
    sum += term;
    // Stop once every later factor is positive (n past -a, -b, -c) and the tail, bounded by a
    // geometric series with ratio rho = max(ratio, z) (the ratio tends to z), is negligible.
    // A zero term means the series terminated (a or b a non-positive integer).
    if (term == 0.0) return sum;
    const double past = n + 1.0;
    if (past > -a && past > -b && past > -c && ratio < 1.0) {
      const double rho = std::max(ratio, z);
      if (std::fabs(term) * rho / (1.0 - rho) <= kEps * std::fabs(sum)) return sum;
    }
  }
  return Hyp2F1Boost(a, b, c, z);
}

}  // namespace kehu::analytics
