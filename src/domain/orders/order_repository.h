#pragma once
// The orders port: store/ implements it for SQLite and PostgreSQL. The domain decides what to
// write (complete new state and its audit entry); the repository writes it atomically and
// restricts every read to the org and, where given, to the customers a principal may see.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/identity/identity.h"
#include "domain/orders/orders.h"

namespace kehu::orders {

// One order write inside a transaction.
struct OrderWrite {
  Order order{};
  int64_t expected_version{0};  // 0 when creating
  identity::AuditEntry audit{};
};

struct OrderQuery {
  int64_t org_id{0};
  identity::Visibility visibility{};
  std::optional<int64_t> customer_id{};
  std::optional<std::string> channel{};
  std::optional<std::string> status{};
  std::optional<UnixMillis> from{};  // ordered_at >= from
  std::optional<UnixMillis> to{};    // ordered_at < to
  // Keyset pagination, newest first: rows strictly before (after_at, after_id).
  std::optional<UnixMillis> after_at{};
  int64_t after_id{0};
  int limit{50};
};

struct ChurnQuery {
  int64_t org_id{0};
  identity::Visibility visibility{};
  std::optional<int64_t> customer_id{};
  std::optional<std::string> reason{};
  std::optional<std::string> category{};
  std::optional<std::string> relationship_level{};
  std::optional<std::string> from{};  // churned_on >= from (YYYY-MM-DD)
  std::optional<std::string> to{};    // churned_on < to
  std::optional<bool> won_back{};
};

struct Settings {
  double overdue_factor{2.0};   // k of the purchase-cycle rule
  int horizon_months{12};       // lost-profit horizon
};

class OrderRepository {
 public:
  virtual ~OrderRepository() = default;

  // Creates (expected_version 0) or updates every order in one transaction, with their lines and
  // audit entries: all or nothing. Errors: kAlreadyExists with conflict_id when an external id
  // is taken; kAborted when a row's version is not expected_version; kNotFound.
  virtual Result<std::vector<Order>> Write(std::vector<OrderWrite> writes) = 0;
  // Any order of the org, with its lines.
  virtual Result<std::optional<Order>> Get(int64_t org_id, int64_t id) = 0;
  // Orders whose customer the visibility admits, newest first, with their lines.
  virtual Result<std::vector<Order>> List(const OrderQuery& q) = 0;
  // The orders holding these external ids (with lines), by external id.
  virtual Result<std::map<std::string, Order>> FindByExternalIds(int64_t org_id,
                                                                 const std::vector<std::string>& ids) = 0;
  // Purchase times (placed or paid orders) per customer; all visible customers when ids is empty.
  virtual Result<std::map<int64_t, std::vector<UnixMillis>>> PurchaseTimes(
      int64_t org_id, const identity::Visibility& v, const std::vector<int64_t>& customer_ids) = 0;
  // For each visible customer with placed or paid orders: on how many business days (Beijing
  // time, as BusinessDay) they bought. Counted by the database, not from every purchase time.
  virtual Result<std::map<int64_t, int64_t>> PurchaseDayCounts(int64_t org_id, const identity::Visibility& v) = 0;
  // Sum of (amount − cost) of placed/paid orders with a known cost in [from, to); nullopt when
  // no such order has a known cost.
  virtual Result<std::optional<int64_t>> Margin(int64_t org_id, int64_t customer_id, UnixMillis from,
                                                UnixMillis to) = 0;
  // Live customers of the org the visibility admits (optionally filtered), with the first order.
  virtual Result<std::vector<CustomerFacts>> Customers(int64_t org_id, const identity::Visibility& v,
                                                       const std::optional<std::string>& category,
                                                       const std::optional<std::string>& level) = 0;
  // Live customers holding these external ids: external id → customer id.
  virtual Result<std::map<std::string, int64_t>> CustomerIdsByExternalId(
      int64_t org_id, const std::vector<std::string>& external_ids) = 0;

  virtual Result<ChurnRecord> WriteChurn(const ChurnRecord& r, int64_t expected_version,
                                         const identity::AuditEntry& audit) = 0;
  // Removes a churn record that was just written (the compensation when the lifecycle change
  // that goes with it fails).
  virtual Status DeleteChurn(int64_t org_id, int64_t id, const identity::AuditEntry& audit) = 0;
  virtual Result<std::optional<ChurnRecord>> GetChurn(int64_t org_id, int64_t id) = 0;
  // Records newest first (churned_on desc, id desc), with the customer's name and segment.
  virtual Result<std::vector<ChurnRecord>> ListChurn(const ChurnQuery& q) = 0;

  virtual Result<Settings> GetSettings(int64_t org_id) = 0;
  virtual Status PutSettings(int64_t org_id, const Settings& s, const identity::AuditEntry& audit) = 0;
};

}  // namespace kehu::orders
