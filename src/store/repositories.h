#pragma once
// Factories for the repository implementations over a Database (SQLite or PostgreSQL). The
// Database must outlive the repositories.

#include <memory>

#include "domain/customers/customer_repository.h"
#include "domain/identity/identity_repository.h"
#include "store/db.h"

namespace kehu::store {

std::unique_ptr<identity::IdentityRepository> MakeIdentityRepository(Database& db);
std::unique_ptr<customers::CustomerRepository> MakeCustomerRepository(Database& db);

// Appends an audit entry on an open write transaction (used by every repository that writes
// audited objects, so the entry commits or rolls back with the change).
Status AppendAuditEntry(Connection& c, const identity::AuditEntry& e);

}  // namespace kehu::store
