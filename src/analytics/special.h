#pragma once
// Internal to analytics/*.cc (includes Boost.Math; not for other modules' headers).
// Digamma that returns inf/NaN instead of throwing: the optimisers may probe parameters at the
// edge of the domain (e.g. p -> 0), where a non-finite log-likelihood is the right answer.

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/digamma.hpp>

namespace kehu::analytics::internal {

using NoThrowPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::errno_on_error>,
    boost::math::policies::pole_error<boost::math::policies::errno_on_error>,
    boost::math::policies::overflow_error<boost::math::policies::errno_on_error>,
    boost::math::policies::evaluation_error<boost::math::policies::errno_on_error>>;

inline double Digamma(double v) { return boost::math::digamma(v, NoThrowPolicy()); }

}  // namespace kehu::analytics::internal
