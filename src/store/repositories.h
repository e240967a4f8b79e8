#pragma once
// Factories for the repository implementations over a Database (SQLite or PostgreSQL). The
// Database must outlive the repositories.

#include <memory>
#include <string_view>
#include <string>

#include "domain/customers/customer_repository.h"
#include "domain/identity/identity_repository.h"
#include "domain/orders/order_repository.h"
#include "domain/interactions/interaction_repository.h"
#include "domain/value/value_repository.h"
#include "domain/service/service_repository.h"
#include "store/db.h"

namespace kehu::store {

std::unique_ptr<identity::IdentityRepository> MakeIdentityRepository(Database& db);
// How a SQLite search with many matches is run (docs/search.md, "How a search runs"); tests make
// them small to take every road on a few thousand rows.
struct SearchTuning {
  size_t few_matches{2000};   // fewer hits than this: read them all and sort
  int64_t walk_budget{4096};  // rows walked before "fetch the rest of the hits" is considered
};
std::unique_ptr<customers::CustomerRepository> MakeCustomerRepository(Database& db, SearchTuning tuning = {});
// Registers orders and churn_records with RegisterCustomerReference.
std::unique_ptr<orders::OrderRepository> MakeOrderRepository(Database& db);
// Registers interaction_customers, tasks and calls with RegisterCustomerReference.
std::unique_ptr<interactions::InteractionRepository> MakeInteractionRepository(Database& db);
// Customer value (analytics runs and results); registers customer_values as a customer reference.
std::unique_ptr<value::ValueRepository> MakeValueRepository(Database& db);
// Registers the complaint tables with RegisterCustomerReference.
std::unique_ptr<service::ServiceRepository> MakeServiceRepository(Database& db);

// Appends an audit entry on an open write transaction (used by every repository that writes
// audited objects, so the entry commits or rolls back with the change).
Status AppendAuditEntry(Connection& c, const identity::AuditEntry& e);
// The same for many entries, in multi-row INSERTs (bulk writes such as imports).
Status AppendAuditEntries(Connection& c, const std::vector<identity::AuditEntry>& entries);
// An entry's stored changes (audit_log.changes) read back; a text that is not the stored form
// gives no changes. See ChangesJson in identity_repository.cc for the form.
std::vector<identity::FieldChange> ParseAuditChanges(std::string_view stored);

// Tables whose rows point at a customer: merging customer B into A re-points them to A in the
// merge's transaction. Each capability's repository factory registers its tables (idempotent,
// call at start-up before serving). `column` holds the customer id; every such table has org_id.
void RegisterCustomerReference(const std::string& table, const std::string& column = "customer_id");

// Free text other capabilities keep about a customer (complaint descriptions, interaction
// bodies, notes): erasing the customer (PIPL/GDPR) blanks it in the erasure's transaction.
// `sql` is an UPDATE whose parameters are pairs of org id then customer id (one pair or more),
// written by the registering repository (constant text, never input). Call at start-up, like the above.
void RegisterCustomerErasure(const std::string& sql);

}  // namespace kehu::store
