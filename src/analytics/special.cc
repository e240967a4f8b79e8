#include "analytics/special.h"

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/digamma.hpp>

namespace kehu::analytics::internal {
namespace {

using NoThrowPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::errno_on_error>,
    boost::math::policies::pole_error<boost::math::policies::errno_on_error>,
    boost::math::policies::overflow_error<boost::math::policies::errno_on_error>,
    boost::math::policies::evaluation_error<boost::math::policies::errno_on_error>>;

}  // namespace

double Digamma(double v) { return boost::math::digamma(v, NoThrowPolicy()); }

}  // namespace kehu::analytics::internal
