#pragma once
// Orders, the raw material of customer value, and churn (exit) records: value types, enums and
// the pure rules (status transitions, purchase cycle, churn rate, retention economics). No I/O.
// The only header of domain/orders other capabilities include (with order_service.h for the use
// cases and value_estimator.h for the analytics side).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace kehu::orders {

enum class Channel { kOnline, kStore, kGroupPurchase, kDistributor, kConsignment };
enum class OrderStatus { kPlaced, kPaid, kReturned, kCancelled };
enum class ChurnReason { kPrice, kOffer, kService, kMarket, kReputation, kOther };

const char* Name(Channel v);
const char* Name(OrderStatus v);
const char* Name(ChurnReason v);
std::optional<Channel> ParseChannel(std::string_view s);
std::optional<OrderStatus> ParseStatus(std::string_view s);
// Accepts "relocation" as "market" (the plan names the reason "market or relocation").
std::optional<ChurnReason> ParseChurnReason(std::string_view s);

// Valid status changes: placed → paid | cancelled; paid → returned. Returned and cancelled are
// final. Same-status is not a transition (and is always allowed as "no change").
bool CanTransition(OrderStatus from, OrderStatus to);
std::vector<std::string> AllowedTransitions(OrderStatus from);
// Orders that count as purchases (value, purchase cycle, margin): placed and paid.
bool CountsAsPurchase(OrderStatus s);

struct OrderLine {
  int line_no{0};
  std::string sku{};
  std::string name{};
  int64_t quantity{0};
  int64_t unit_price_minor{0};
  int64_t amount_minor{0};
  std::optional<int64_t> cost_minor{};
  bool operator==(const OrderLine&) const = default;
};

struct Order {
  int64_t id{0};
  int64_t org_id{0};
  int64_t customer_id{0};
  std::string customer_name{};  // read with the order, never written with it
  std::optional<std::string> external_id{};
  UnixMillis ordered_at{0};
  Channel channel{Channel::kOnline};
  std::string currency{"CNY"};
  int64_t amount_minor{0};
  std::optional<int64_t> cost_minor{};
  OrderStatus status{OrderStatus::kPlaced};
  std::string note{};
  std::vector<OrderLine> lines{};
  std::optional<int64_t> created_by{};
  UnixMillis created_at{0};
  UnixMillis updated_at{0};
  int64_t version{1};
};

struct ChurnRecord {
  int64_t id{0};
  int64_t org_id{0};
  int64_t customer_id{0};
  CivilDate churned_on{};
  ChurnReason reason{ChurnReason::kOther};
  std::string note{};
  std::optional<int64_t> recorded_by{};
  std::string recorded_by_name{};
  std::optional<int64_t> lost_profit_minor{};
  std::string lost_profit_basis{};  // "clv", "trailing_margin" or "" (unknown: no cost data)
  std::optional<UnixMillis> won_back_at{};
  UnixMillis created_at{0};
  UnixMillis updated_at{0};
  int64_t version{1};
  // Read-only, from the customer (lists and stats).
  std::string customer_name{};
  std::string category{};
  std::string relationship_level{};
};

// ---- Purchase cycle (at-risk rule 2) ---------------------------------------------------------

struct PurchaseCycle {
  int64_t purchase_days{0};                    // distinct purchase days
  std::optional<UnixMillis> last_order_at{};
  std::optional<double> typical_gap_days{};    // median gap between purchase days (>= 2 days)
  std::optional<CivilDate> next_expected_on{};  // last purchase day + typical gap (rounded)
  std::optional<CivilDate> overdue_after{};     // last purchase day + k × typical gap
  bool overdue{false};                          // today is past overdue_after
};

// Business days are counted in the business zone (kBusinessOffsetMillis, core/time.h).
int64_t BusinessDay(UnixMillis t);

// Purchase cycle over a customer's purchase times (any order). Same-day purchases are one.
// With fewer than two purchase days there is no typical gap and the customer is never overdue.
// k > 0 is the org's factor (default 2).
PurchaseCycle ComputePurchaseCycle(std::vector<UnixMillis> purchases, UnixMillis now, double k);

// ---- Churn rate -------------------------------------------------------------------------------

// One customer as the churn statistics see it.
struct CustomerFacts {
  int64_t id{0};
  std::string name{};
  std::string category{};
  std::string relationship_level{};
  std::string lifecycle_stage{};
  int64_t since_day{0};  // first business day of the relationship: min(created, first order)
};

struct ChurnEvent {
  int64_t customer_id{0};
  int64_t churned_day{0};                 // days since 1970-01-01
  std::optional<int64_t> won_back_day{};
  ChurnReason reason{ChurnReason::kOther};
};

struct RateCell {
  std::string key{};      // period start "2026-01-01", category key, or "category/level"
  int64_t exposed{0};     // customers on the books at some time in the period
  int64_t churned{0};     // churn records dated in the period
  double rate{0};         // churned / exposed (0 when exposed is 0)
};

// Customers exposed in [from_day, to_day): their relationship started before to_day and they
// had not left (without being won back) before from_day. Churned: records dated in the range.
RateCell ChurnRate(const std::vector<CustomerFacts>& customers, const std::vector<ChurnEvent>& events,
                   int64_t from_day, int64_t to_day);

// ---- Retention economics ------------------------------------------------------------------

struct RetentionInput {
  std::vector<int64_t> lost_profit_minor{};  // per customer at risk (unknown ones excluded)
  int64_t customers{0};                      // customers at risk in the group (cost applies to all)
  int64_t action_cost_minor{0};              // per customer
  double success_rate{0};                    // 0..1
};

struct RetentionResult {
  int64_t customers{0};
  int64_t lost_profit_minor{0};     // sum of their lost profit
  int64_t saved_profit_minor{0};    // lost profit × success rate (rounded to the minor unit)
  int64_t cost_minor{0};            // customers × action cost
  int64_t net_minor{0};             // saved − cost
  bool retain{false};               // net > 0
};

RetentionResult RetentionEconomics(const RetentionInput& in);

}  // namespace kehu::orders
