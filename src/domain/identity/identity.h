#pragma once
// Identity and access: users, roles, teams, sessions, API keys, who may see which customer,
// and the audit log. The only header other capabilities include from identity/.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace kehu::identity {

enum class Role { kAdmin, kManager, kSales, kService, kMarketing };
const char* RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct User {
  int64_t id{0};
  int64_t org_id{0};
  std::string username{};
  std::string display_name{};
  Role role{Role::kSales};
  std::vector<int64_t> team_ids{};
  bool active{true};
  UnixMillis created_at{0};
};

struct Team {
  int64_t id{0};
  int64_t org_id{0};
  std::string name{};
  std::optional<int64_t> lead_user_id{};
  std::vector<int64_t> member_ids{};
};

// Who is calling: resolved from a session token or an API key on every request.
struct Principal {
  int64_t org_id{0};
  int64_t user_id{0};         // for an API key: the admin who created it
  std::string name{};         // display name, or "api-key:<name>"
  Role role{Role::kSales};
  std::vector<int64_t> team_ids{};
  int64_t api_key_id{0};      // non-zero when authenticated by an API key
  std::string csrf_token{};   // the session's CSRF token (empty for API keys)
};

// Which customers a principal may see, as data a repository turns into a WHERE clause.
// all: the whole org. Otherwise: customers owned by user_id or by any member of
// managed_team_ids, or shared with user_id; include_unowned adds customers without an owner.
struct Visibility {
  bool all{false};
  int64_t user_id{0};
  std::vector<int64_t> managed_team_ids{};
  bool include_unowned{false};
};

// Access rules (see docs/access.md):
//   admin: everything in the org.
//   manager: customers owned by members of the teams they belong to or lead, their own, shared
//            with them, and unowned ones; may write those.
//   sales: customers they own or that are shared with them; may write those; new customers
//          default to owner = self.
//   service, marketing: read every customer in the org; no writes to customers.
Visibility CustomerVisibility(const Principal& p);
bool CanWriteCustomers(const Principal& p);
bool IsAdmin(const Principal& p);

// One changed field of an audited object; before/after are JSON texts ("null", "\"x\"", "3").
struct FieldChange {
  std::string field{};
  std::string before{};
  std::string after{};
};

struct AuditEntry {
  int64_t id{0};
  int64_t org_id{0};
  UnixMillis at{0};
  std::optional<int64_t> actor_id{};
  std::string actor_name{};
  std::string action{};    // create, update, delete, merge, erase
  std::string entity{};    // "customer", "contact", "user", ...
  int64_t entity_id{0};
  std::vector<FieldChange> changes{};
};

}  // namespace kehu::identity
