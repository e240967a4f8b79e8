#pragma once
// SQL fragments shared by the repositories (store-internal: nothing outside src/store includes
// this). Parameters are always bound; the fragments only hold placeholders.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/identity/identity.h"
#include "store/db.h"

namespace kehu::store {

// "?, ?, ?" for an IN list of n values.
std::string Placeholders(size_t n);

// " AND (...)" restricting the customers aliased `c` to what a principal may see
// (identity::Visibility); nothing when it sees the whole org. The one SQL form of the rule, used
// by every repository that lists objects through their customer.
void AppendVisibility(const identity::Visibility& v, int64_t org_id, std::string& sql,
                      std::vector<Value>& params);

}  // namespace kehu::store
