#pragma once
// Orders on the customer timeline (kind "order"): a timeline::Source over OrderService.

#include "domain/orders/order_service.h"
#include "domain/timeline/timeline.h"

namespace kehu::orders {

class OrderTimelineSource final : public timeline::Source {
 public:
  explicit OrderTimelineSource(OrderService& orders) : orders_(orders) {}
  Result<std::vector<timeline::Entry>> Page(const identity::Principal& who, int64_t customer_id,
                                            const std::optional<timeline::Cursor>& after, int limit) override;

 private:
  OrderService& orders_;
};

// The entry for one order: title "订单 <external id or #id> · ¥1,499.00", data = the order JSON.
timeline::Entry OrderEntry(const Order& o);

}  // namespace kehu::orders
