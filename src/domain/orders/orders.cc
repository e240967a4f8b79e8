#include "domain/orders/orders.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace kehu::orders {

namespace {

template <typename E, size_t N>
std::optional<E> ParseIn(std::string_view s, const char* const (&names)[N]) {
  for (size_t i = 0; i < N; ++i)
    if (s == names[i]) return static_cast<E>(i);
  return std::nullopt;
}

constexpr const char* kChannels[] = {"online", "store", "group_purchase", "distributor", "consignment"};
constexpr const char* kStatuses[] = {"placed", "paid", "returned", "cancelled"};
constexpr const char* kReasons[] = {"price", "offer", "service", "market", "reputation", "other"};


int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

const char* Name(Channel v) { return kChannels[static_cast<int>(v)]; }
const char* Name(OrderStatus v) { return kStatuses[static_cast<int>(v)]; }
const char* Name(ChurnReason v) { return kReasons[static_cast<int>(v)]; }
std::optional<Channel> ParseChannel(std::string_view s) { return ParseIn<Channel>(s, kChannels); }
std::optional<OrderStatus> ParseStatus(std::string_view s) { return ParseIn<OrderStatus>(s, kStatuses); }
std::optional<ChurnReason> ParseChurnReason(std::string_view s) {
  if (s == "relocation") return ChurnReason::kMarket;
  return ParseIn<ChurnReason>(s, kReasons);
}

bool CanTransition(OrderStatus from, OrderStatus to) {
  switch (from) {
    case OrderStatus::kPlaced: return to == OrderStatus::kPaid || to == OrderStatus::kCancelled;
    case OrderStatus::kPaid: return to == OrderStatus::kReturned;
    case OrderStatus::kReturned:
    case OrderStatus::kCancelled: return false;
  }
  return false;
}

std::vector<std::string> AllowedTransitions(OrderStatus from) {
  std::vector<std::string> out;
  for (int i = 0; i < 4; ++i)
    if (CanTransition(from, static_cast<OrderStatus>(i))) out.emplace_back(kStatuses[i]);
  return out;
}

bool CountsAsPurchase(OrderStatus s) { return s == OrderStatus::kPlaced || s == OrderStatus::kPaid; }

int64_t BusinessDay(UnixMillis t) { return FloorDiv(t + kBusinessOffsetMillis, kDayMillis); }

PurchaseCycle ComputePurchaseCycle(std::vector<UnixMillis> purchases, UnixMillis now, double k) {
  PurchaseCycle out;
  if (purchases.empty()) return out;
  std::sort(purchases.begin(), purchases.end());
  out.last_order_at = purchases.back();
  std::vector<int64_t> days;
  for (UnixMillis t : purchases) {
    int64_t d = BusinessDay(t);
    if (days.empty() || days.back() != d) days.push_back(d);
  }
  out.purchase_days = static_cast<int64_t>(days.size());
  if (days.size() < 2) return out;
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < days.size(); ++i) gaps.push_back(days[i] - days[i - 1]);
  std::sort(gaps.begin(), gaps.end());
  size_t n = gaps.size();
  double median = n % 2 ? static_cast<double>(gaps[n / 2])
                        : (static_cast<double>(gaps[n / 2 - 1]) + static_cast<double>(gaps[n / 2])) / 2.0;
  out.typical_gap_days = median;
  int64_t last = days.back();
  out.next_expected_on = CivilFromDays(last + static_cast<int64_t>(std::llround(median)));
  int64_t overdue_day = last + static_cast<int64_t>(std::ceil(k * median));
  out.overdue_after = CivilFromDays(overdue_day);
  out.overdue = BusinessDay(now) > overdue_day;
  return out;
}

RateCell ChurnRate(const std::vector<CustomerFacts>& customers, const std::vector<ChurnEvent>& events,
                   int64_t from_day, int64_t to_day) {
  // A customer is off the books from the day of an open churn record (no win-back before
  // from_day) that lies before from_day.
  std::map<int64_t, bool> gone_before;
  RateCell cell;
  for (const auto& e : events) {
    if (e.churned_day < from_day && (!e.won_back_day || *e.won_back_day >= from_day))
      gone_before[e.customer_id] = true;
  }
  std::map<int64_t, bool> exposed;
  for (const auto& c : customers)
    if (c.since_day < to_day && !gone_before.count(c.id)) exposed[c.id] = true;
  for (const auto& e : events)
    if (e.churned_day >= from_day && e.churned_day < to_day && exposed.count(e.customer_id)) ++cell.churned;
  cell.exposed = static_cast<int64_t>(exposed.size());
  cell.rate = cell.exposed ? static_cast<double>(cell.churned) / static_cast<double>(cell.exposed) : 0.0;
  return cell;
}

RetentionResult RetentionEconomics(const RetentionInput& in) {
  RetentionResult r;
  r.customers = in.customers;
  for (int64_t v : in.lost_profit_minor) r.lost_profit_minor += v;
  r.saved_profit_minor = static_cast<int64_t>(std::llround(static_cast<double>(r.lost_profit_minor) * in.success_rate));
  r.cost_minor = in.customers * in.action_cost_minor;
  r.net_minor = r.saved_profit_minor - r.cost_minor;
  r.retain = r.net_minor > 0;
  return r;
}

}  // namespace kehu::orders
