#pragma once
// The Gaussian hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1, as the BG/NBD
// conditional expectation needs it. Boost 1.81 has no hyp2f1; this sums the Gauss series with a
// term recurrence (tens of terms for the z the models produce) and hands the rare slow case
// (z close to 1 with slowly decaying terms) to boost::math::hypergeometric_pFq({a, b}, {c}, z).
// Callers that may meet z near 1 should pass the Euler-transformed form
// 2F1(a, b; c; z) = (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z) when c - a - b < 0 makes the
// transformed series decay faster; BG/NBD does (see bgnbd.cc).

namespace kehu::analytics {

// Contract: 0 <= z < 1 and c is not zero or a negative integer. Returns NaN outside that domain
// or when neither the series nor Boost converges (no exceptions).
double Hyp2F1(double a, double b, double c, double z);

// The same value from boost::math::hypergeometric_pFq alone (slower); for tests and checks.
double Hyp2F1Boost(double a, double b, double c, double z);

}  // namespace kehu::analytics
