#pragma once
// The port of the customer-value capability; store/value_repository.cc implements it over the
// driver seam for SQLite and PostgreSQL.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/value/value.h"

namespace kehu::value {

// Everything a run reads, as columns, from one read transaction (one snapshot).
struct Snapshot {
  // orders with status placed or paid, ordered_at <= cutoff_ms
  std::vector<int64_t> order_customer{};
  std::vector<int32_t> order_day{};       // Asia/Shanghai business day, days since epoch
  std::vector<int64_t> order_amount{};    // minor units
  std::vector<int64_t> order_margin{};    // amount - cost (0 when the cost is unknown)
  std::vector<uint8_t> order_has_cost{};  // 1 when cost_minor is known
  std::vector<uint8_t> order_channel{};   // index into kChannels (value_service.cc)
  // live customers (not deleted, not merged)
  std::vector<int64_t> customer_id{};  // ascending
  std::vector<std::string> customer_category{};
  std::vector<std::string> customer_level{};
  std::vector<int32_t> customer_created_day{};
  // churn records (churned_on <= as_of), not won back
  std::vector<int64_t> churn_customer{};
  std::vector<int32_t> churn_day{};
  // optional CRM tables (present when another capability has created them)
  std::vector<std::string> optional_tables{};
  std::vector<std::vector<std::pair<int64_t, int64_t>>> optional_counts{};  // (customer, count)
};

struct ChurnRatePoint {
  std::string month{};  // "2026-11"
  int64_t churned{0};
};

// Orders and churn records written in bulk (demo data, tests, benchmarks). The orders
// capability owns these tables; this is a fast path for generated data only.
struct BulkOrder {
  int64_t customer_id{0};
  UnixMillis ordered_at{0};
  std::string channel{};
  int64_t amount_minor{0};
  std::optional<int64_t> cost_minor{};
  std::string status{"paid"};
};

struct BulkChurn {
  int64_t customer_id{0};
  std::string churned_on{};  // YYYY-MM-DD
  std::string reason{};
  std::optional<int64_t> lost_profit_minor{};
  std::string lost_profit_basis{};  // as orders::ChurnRecord's
  std::optional<UnixMillis> won_back_at{};
};

class ValueRepository {
 public:
  virtual ~ValueRepository() = default;

  // Reads the snapshot in one read transaction. `cutoff_ms`: orders placed at or before it.
  // `between_reads` (tests) is called between the orders query and the customers query.
  virtual Result<Snapshot> ReadSnapshot(int64_t org_id, UnixMillis cutoff_ms,
                                        const std::string& as_of_date,
                                        const std::function<void()>& between_reads = {}) = 0;

  // Creates a run row with status running. Errors: kAlreadyExists when the org has a run
  // with status running (never two at once).
  virtual Result<Run> CreateRun(const Run& run) = 0;
  virtual Status UpdateProgress(int64_t org_id, int64_t run_id, const std::string& stage,
                                double progress) = 0;
  // Writes one batch of results (one transaction).
  virtual Status InsertValues(int64_t org_id, int64_t run_id,
                              const std::vector<CustomerValue>& batch) = 0;
  // Marks the run succeeded (the swap: readers see the new results from now on) with its
  // counts and diagnostics, and deletes the results of older runs but the previous one.
  virtual Status FinishRun(const Run& run) = 0;
  virtual Status FailRun(int64_t org_id, int64_t run_id, const std::string& error,
                         UnixMillis finished_at) = 0;
  // Marks runs left running by a stopped process as failed (at start-up).
  virtual Status FailStaleRuns(int64_t org_id, UnixMillis now) = 0;

  virtual Result<std::optional<Run>> GetRun(int64_t org_id, int64_t run_id) = 0;
  virtual Result<std::vector<Run>> ListRuns(int64_t org_id, int limit) = 0;
  virtual Result<std::optional<Run>> LatestSucceeded(int64_t org_id) = 0;
  virtual Result<std::optional<Run>> LatestStarted(int64_t org_id) = 0;

  virtual Result<std::optional<CustomerValue>> GetValue(int64_t org_id, int64_t run_id,
                                                        int64_t customer_id) = 0;
  // Every result row of a run (for the org-level views).
  virtual Result<std::vector<CustomerValue>> ListValues(int64_t org_id, int64_t run_id) = 0;
  // The value percentiles a run gave these customers (those without one are left out).
  virtual Result<std::map<int64_t, double>> GetPercentiles(int64_t org_id, int64_t run_id,
                                                           const std::vector<int64_t>& customer_ids) = 0;
  virtual Result<std::vector<ChurnRatePoint>> ChurnByMonth(int64_t org_id) = 0;
  // Customers with an open churn record (lost, not won back), ascending.
  virtual Result<std::vector<int64_t>> OpenChurnCustomers(int64_t org_id) = 0;

  // One transaction per call.
  virtual Status InsertOrders(int64_t org_id, const std::vector<BulkOrder>& orders,
                              UnixMillis now) = 0;
  virtual Status InsertChurnRecords(int64_t org_id, const std::vector<BulkChurn>& records,
                                    UnixMillis now) = 0;

  virtual Result<std::optional<std::string>> LoadSettings(int64_t org_id) = 0;
  virtual Status SaveSettings(int64_t org_id, const std::string& json, UnixMillis now) = 0;
};

}  // namespace kehu::value
