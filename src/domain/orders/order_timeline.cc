#include "domain/orders/order_timeline.h"

#include <limits>

#include "core/strings.h"

namespace kehu::orders {

namespace {

std::string Money(int64_t minor, const std::string& currency) {
  int64_t a = minor < 0 ? -minor : minor;
  std::string whole = std::to_string(a / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  std::string cents = std::to_string(a % 100);
  if (cents.size() < 2) cents.insert(0, 1, '0');
  std::string out = minor < 0 ? "-" : "";
  if (currency == "CNY") out.append("¥");
  else if (currency == "USD") out.append("$");
  else out.append(currency).append(" ");
  out.append(grouped).append(".").append(cents);
  return out;
}

}  // namespace

timeline::Entry OrderEntry(const Order& o) {
  timeline::Entry e;
  e.kind = "order";
  e.id = o.id;
  e.occurred_at = o.ordered_at;
  std::string ref = o.external_id ? *o.external_id : "#" + std::to_string(o.id);
  e.title = "订单 ";
  e.title.append(ref).append(" · ").append(Money(o.amount_minor, o.currency));
  e.summary = std::string(Name(o.channel)).append(" · ").append(Name(o.status));
  if (!o.lines.empty()) e.summary.append(" · ").append(std::to_string(o.lines.size())).append(" line(s)");
  std::string data = "{\"id\":" + std::to_string(o.id);
  data.append(",\"customer_id\":").append(std::to_string(o.customer_id));
  data.append(",\"external_id\":").append(o.external_id ? JsonQuote(*o.external_id) : "null");
  data.append(",\"ordered_at\":").append(JsonQuote(FormatTimestamp(o.ordered_at)));
  data.append(",\"channel\":").append(JsonQuote(Name(o.channel)));
  data.append(",\"status\":").append(JsonQuote(Name(o.status)));
  data.append(",\"currency\":").append(JsonQuote(o.currency));
  data.append(",\"amount_minor\":").append(std::to_string(o.amount_minor));
  data.append(",\"cost_minor\":").append(o.cost_minor ? std::to_string(*o.cost_minor) : "null");
  data.append("}");
  e.data_json = std::move(data);
  return e;
}

Result<std::vector<timeline::Entry>> OrderTimelineSource::Page(const identity::Principal& who, int64_t customer_id,
                                                               const std::optional<timeline::Cursor>& after,
                                                               int limit) {
  std::optional<UnixMillis> before_at;
  int64_t before_id = 0;
  if (after) {
    // Entries after the cursor: older times, or the cursor's time with a smaller (kind, id).
    if (after->kind > "order") {
      before_at = after->occurred_at;
      before_id = std::numeric_limits<int64_t>::max();
    } else if (after->kind == "order") {
      before_at = after->occurred_at;
      before_id = after->id;
    } else {
      before_at = after->occurred_at;
      before_id = 0;  // only strictly older times (ids are positive)
    }
  }
  KEHU_ASSIGN_OR_RETURN(auto orders, orders_.TimelinePage(who.org_id, customer_id, before_at, before_id, limit));
  std::vector<timeline::Entry> out;
  out.reserve(orders.size());
  for (const auto& o : orders) out.push_back(OrderEntry(o));
  return out;
}

}  // namespace kehu::orders
