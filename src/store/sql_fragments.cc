#include "store/sql_fragments.h"

namespace kehu::store {

std::string Placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

void AppendVisibility(const identity::Visibility& v, int64_t org_id, std::string& sql,
                      std::vector<Value>& params) {
  if (v.all) return;
  sql += " AND (c.owner_id = ? OR c.id IN (SELECT customer_id FROM customer_shares WHERE org_id = ? "
         "AND user_id = ?)";
  params.push_back(v.user_id);
  params.push_back(org_id);
  params.push_back(v.user_id);
  if (!v.managed_team_ids.empty()) {
    sql += " OR c.owner_id IN (SELECT user_id FROM team_members WHERE org_id = ? AND team_id IN (";
    sql += Placeholders(v.managed_team_ids.size());
    sql += "))";
    params.push_back(org_id);
    for (int64_t team : v.managed_team_ids) params.push_back(team);
  }
  if (v.include_unowned) sql += " OR c.owner_id IS NULL";
  sql += ")";
}

}  // namespace kehu::store
