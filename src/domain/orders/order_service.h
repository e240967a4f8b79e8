#pragma once
// Order and churn (exit) use cases. Every call checks the principal's org and role through the
// customers capability: an order or churn record of a customer the principal may not see is
// kNotFound; writes need a role that may write customers (kPermissionDenied otherwise).
// Validation errors are kInvalidArgument with one FieldError per bad field.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/customers/customer_service.h"
#include "domain/identity/identity.h"
#include "domain/orders/order_repository.h"
#include "domain/orders/orders.h"
#include "domain/orders/value_estimator.h"

namespace kehu::orders {

struct LineInput {
  std::optional<std::string> sku{};
  std::optional<std::string> name{};
  std::optional<int64_t> quantity{};
  std::optional<int64_t> unit_price_minor{};
  std::optional<int64_t> amount_minor{};  // default quantity × unit price; authoritative when given
  std::optional<int64_t> cost_minor{};
};

// A partial order: for create, customer_id and ordered_at are required and amount_minor is
// required unless lines are given (then it is their sum, and must equal it when also given).
struct OrderPatch {
  std::optional<int64_t> customer_id{};
  std::optional<std::string> ordered_at{};  // RFC 3339 or YYYY-MM-DD
  std::optional<std::string> channel{};
  std::optional<std::string> currency{};
  std::optional<int64_t> amount_minor{};
  std::optional<std::optional<int64_t>> cost_minor{};
  std::optional<std::string> status{};
  std::optional<std::optional<std::string>> external_id{};
  std::optional<std::string> note{};
  std::optional<std::vector<LineInput>> lines{};
};

struct ListRequest {
  std::optional<int64_t> customer_id{};
  std::optional<std::string> channel{};
  std::optional<std::string> status{};
  std::optional<std::string> from{};  // RFC 3339 or date, inclusive
  std::optional<std::string> to{};    // exclusive
  std::string cursor{};
  int limit{50};
};

struct Page {
  std::vector<Order> items{};
  std::optional<std::string> next_cursor{};
};

struct ChurnInput {
  std::optional<std::string> churned_on{};  // YYYY-MM-DD, default today (Asia/Shanghai)
  std::optional<std::string> reason{};      // required
  std::string note{};
};

struct ChurnListRequest {
  std::optional<int64_t> customer_id{};
  std::optional<std::string> reason{};
  std::optional<std::string> category{};
  std::optional<std::string> relationship_level{};
  std::optional<std::string> from{};
  std::optional<std::string> to{};
  std::optional<bool> won_back{};
};

struct ChurnStatsRequest {
  std::string period{"month"};  // month or quarter
  std::optional<std::string> from{};  // YYYY-MM-DD; default: 12 months before to
  std::optional<std::string> to{};    // exclusive; default: first day of next month
  std::optional<std::string> category{};
  std::optional<std::string> relationship_level{};
};

struct ReasonShare {
  std::string reason{};
  int64_t count{0};
  double share{0};
};

struct ChurnStats {
  std::string period{};
  CivilDate from{};
  CivilDate to{};
  CivilDate as_of{};  // the org's today: a period that ends after it is not over yet
  RateCell overall{};
  std::vector<RateCell> periods{};
  std::vector<RateCell> by_category{};
  std::vector<RateCell> by_segment{};  // "category/relationship_level"
  std::vector<ReasonShare> reasons{};
  int64_t customers_with_orders{0};
  int64_t repeat_customers{0};         // with purchases on two or more days
  double repeat_purchase_rate{0};
  int64_t lost_profit_minor{0};        // sum over the records in the range with a known value
};

struct LostProfit {
  std::optional<int64_t> minor{};
  std::string basis{};  // "clv", "trailing_margin", or "" when unknown (no cost data)
};

struct RetentionRequest {
  std::string population{"at_risk"};  // at_risk (stage at_risk or overdue) or churned (not won back)
  std::optional<std::string> category{};
  std::optional<std::string> relationship_level{};
  std::optional<std::string> reason{};  // churned population only
  std::optional<int64_t> action_cost_minor{};
  std::optional<double> success_rate{};
};

struct RetentionCustomer {
  int64_t customer_id{0};
  std::string name{};
  std::string why{};  // "at_risk", "overdue", "churned:price", ...
  LostProfit lost_profit{};
};

struct RetentionReport {
  RetentionResult result{};
  int64_t action_cost_minor{0};
  double success_rate{0};
  int64_t unknown_value{0};  // customers without a lost-profit figure (counted in the cost)
  std::string recommendation{};  // "retain" or "do_not_retain"
  std::string explanation{};
  std::vector<RetentionCustomer> customers{};
};

struct CyclePage {
  PurchaseCycle cycle{};
  double overdue_factor{2.0};
};

// ---- Import -----------------------------------------------------------------------------------

struct OrderImportOptions {
  std::string mapping{"default"};  // default (CSV with a header) or cdnow
  bool dry_run{false};
  bool create_customers{false};   // a minimal customer for each unknown customer external id
  std::string sheet{};            // an XLSX workbook's worksheet; empty: the first
};

struct OrderImportReport {
  std::string mapping{};
  std::string sheet{};                // a workbook's worksheet read, and the visible ones to choose from
  std::vector<std::string> sheets{};
  int64_t rows{0};
  int64_t created{0};
  int64_t updated{0};
  int64_t unchanged{0};
  int64_t customers_created{0};
  int64_t amount_minor{0};  // sum of the amounts of the rows read
  int64_t error_count{0};
  std::vector<customers::ImportIssue> errors{};  // at most customers::kMaxReportedErrors
  bool dry_run{false};
  bool applied{false};
};

class OrderService {
 public:
  OrderService(OrderRepository& repo, customers::CustomerService& customers, const Clock& clock)
      : repo_(repo), customers_(customers), clock_(clock) {}

  // Registers the analytics side's estimator (nullptr: back to trailing margin). Not owned.
  void SetValueEstimator(ValueEstimator* e) { estimator_ = e; }

  // Errors: kInvalidArgument; kNotFound for an invisible customer; kAlreadyExists (conflict_id)
  // for a known external id; kPermissionDenied.
  Result<Order> Create(const identity::Principal& p, const OrderPatch& in);
  Result<Order> Get(const identity::Principal& p, int64_t id);
  Result<Page> List(const identity::Principal& p, const ListRequest& req);
  // Errors: as Create, plus kAborted (stale version) and kFailedPrecondition with `allowed`
  // for an invalid status transition. customer_id cannot change.
  Result<Order> Update(const identity::Principal& p, int64_t id, int64_t expected_version,
                       const OrderPatch& patch);

  // Imports orders (see docs/orders.md): all or nothing, row-by-row report. Errors:
  // kInvalidArgument when the file cannot be read at all; row problems are in the report.
  Result<OrderImportReport> Import(const identity::Principal& p, std::string_view bytes,
                                   const OrderImportOptions& options,
                                   const std::function<void(int64_t, int64_t)>& progress = {},
                                   const std::function<void(uint64_t, uint64_t)>& reading = {});

  Result<CyclePage> PurchaseCycleOf(const identity::Principal& p, int64_t customer_id);

  // Records that the customer left and sets its lifecycle stage to "lost" (audited through the
  // customers capability). Errors: kInvalidArgument; kNotFound; kPermissionDenied;
  // kFailedPrecondition when the customer has a churn record not yet won back.
  Result<ChurnRecord> RecordChurn(const identity::Principal& p, int64_t customer_id, const ChurnInput& in);
  Result<std::vector<ChurnRecord>> ListChurn(const identity::Principal& p, const ChurnListRequest& req);
  // Marks the record won back and sets the customer's stage to "won_back". kFailedPrecondition
  // when it is won back already.
  Result<ChurnRecord> WinBack(const identity::Principal& p, int64_t record_id);
  Result<ChurnStats> Stats(const identity::Principal& p, const ChurnStatsRequest& req);
  Result<RetentionReport> RetentionEconomicsFor(const identity::Principal& p, const RetentionRequest& req);
  // Churned customers worth winning back: not won back, reason other than market, lost profit
  // above min_lost_profit_minor; highest lost profit first.
  Result<std::vector<ChurnRecord>> WinBackCandidates(const identity::Principal& p, int64_t min_lost_profit_minor,
                                                     int limit);
  Result<LostProfit> LostProfitOf(const identity::Principal& p, int64_t customer_id);

  Result<Settings> GetSettings(const identity::Principal& p);
  // Admin only. Errors: kInvalidArgument (overdue_factor in (0, 100], horizon_months 1..120).
  Result<Settings> PutSettings(const identity::Principal& p, const Settings& s);

  // Timeline feed for a customer (kind "order"); the caller has checked visibility.
  Result<std::vector<Order>> TimelinePage(int64_t org_id, int64_t customer_id,
                                          std::optional<UnixMillis> before_at, int64_t before_id,
                                          int limit);

 private:
  LostProfit ComputeLostProfit(int64_t org_id, int64_t customer_id, int horizon_months);
  Status Apply(const OrderPatch& in, Order& o, const Order* before, std::vector<FieldError>& errs);

  OrderRepository& repo_;
  customers::CustomerService& customers_;
  const Clock& clock_;
  ValueEstimator* estimator_{nullptr};
};

// Limits.
inline constexpr size_t kMaxOrderLines = 200;
inline constexpr size_t kMaxExternalIdBytes = 100;
inline constexpr int64_t kMaxAmountMinor = int64_t{1} << 50;  // ~1.1e15: sums cannot overflow

}  // namespace kehu::orders
