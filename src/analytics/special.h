#pragma once
// Internal to analytics/*.cc. Special functions that return inf/NaN instead of throwing: the
// optimisers may probe parameters at the edge of the domain (e.g. p -> 0), where a non-finite
// log-likelihood is the right answer. Boost.Math stays in special.cc.

namespace kehu::analytics::internal {

// The digamma function psi(v) = d/dv ln Gamma(v); +-inf or NaN at its poles.
double Digamma(double v);

}  // namespace kehu::analytics::internal
