#include "domain/identity/identity.h"

#include <algorithm>

namespace kehu::identity {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kManager: return "manager";
    case Role::kSales: return "sales";
    case Role::kService: return "service";
    case Role::kMarketing: return "marketing";
  }
  return "sales";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kAdmin, Role::kManager, Role::kSales, Role::kService, Role::kMarketing})
    if (name == RoleName(r)) return r;
  return std::nullopt;
}

Visibility CustomerVisibility(const Principal& p) {
  switch (p.role) {
    case Role::kAdmin:
    case Role::kService:
    case Role::kMarketing:
      return Visibility{.all = true};
    case Role::kManager:
      return Visibility{.all = false, .user_id = p.user_id, .managed_team_ids = p.team_ids,
                        .include_unowned = true};
    case Role::kSales:
      return Visibility{.all = false, .user_id = p.user_id};
  }
  return Visibility{.all = false, .user_id = p.user_id};
}

bool CanWriteCustomers(const Principal& p) {
  return p.role == Role::kAdmin || p.role == Role::kManager || p.role == Role::kSales;
}

bool IsAdmin(const Principal& p) { return p.role == Role::kAdmin; }

}  // namespace kehu::identity
