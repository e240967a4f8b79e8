#pragma once
// The PostgreSQL driver behind store/db.h (libpq).
//
// A pool of connections, opened as they are first needed, serves both Read (BEGIN ISOLATION
// LEVEL REPEATABLE READ READ ONLY, one snapshot) and Write (BEGIN ... COMMIT, read committed).
// Statements are prepared once per connection (PQprepare) under generated names and run with
// text-format parameters. A pooled connection found broken is reconnected on its next use.
// Every connection runs with client_min_messages=warning and TimeZone=UTC.
//
// Unlike SQLite, a failed statement aborts the whole PostgreSQL transaction: after an error
// inside Write, return it (or another error) rather than carrying on.
//
// Callers use store::Open("postgresql://..."); this header is for the driver's own extras.

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/db.h"

namespace kehu::store::postgres {

// Connects with a libpq connection string ("host=... dbname=..." or a postgres[ql]:// URI).
// The pool holds up to pool_size connections (at least 1); the first is opened here to check
// that the server answers. A connect_timeout of 10 s applies unless the string sets its own.
// Errors: kInvalidArgument for a pool_size below 1; kUnavailable when it cannot connect
// (message carries libpq's reason).
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& conninfo, int pool_size);

// Rewrites '?' placeholders to $1..$n, left to right, leaving alone any '?' inside a
// single-quoted string literal (including E'' strings with backslash escapes), a double-quoted
// identifier, a dollar-quoted string, or a -- or /* */ comment. *count (when not null) receives n.
std::string RewritePlaceholders(std::string_view sql, int* count = nullptr);

}  // namespace kehu::store::postgres
