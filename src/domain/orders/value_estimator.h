#pragma once
// How much margin a customer is expected to bring over a horizon. The analytics side (CLV from
// BG/NBD + Gamma-Gamma) implements it and the composition root registers it with
// OrderService::SetValueEstimator; until then lost profit falls back to the customer's trailing
// 12-month margin from orders, labelled "trailing_margin" (never an invented figure).

#include <cstdint>
#include <optional>

namespace kehu::orders {

class ValueEstimator {
 public:
  virtual ~ValueEstimator() = default;
  // Expected margin of the customer over the next horizon_months, in the org's minor units;
  // nullopt when the estimator has no figure for this customer (then the fallback applies).
  virtual std::optional<int64_t> ExpectedMargin(int64_t org_id, int64_t customer_id, int horizon_months) = 0;
};

}  // namespace kehu::orders
