#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/db.h"
#include "store/repositories.h"

namespace kehu::store {
namespace {

using identity::FieldChange;

// Each change as "field before after", for comparing lists.
std::vector<std::string> Flat(const std::vector<FieldChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.field + " " + c.before + " " + c.after);
  return out;
}

// What AppendAuditEntry stores: a change from nothing as the pair [field, after], a change from a
// value as {field, before, after}; read back, both are the changes that were written.
TEST(StoreAuditChangesTest, ChangesFromNothingAreStoredAsPairsAndReadBackWhole) {
  auto db = Open("sqlite::memory:", 1);
  ASSERT_TRUE(db.ok()) << db.error().message;
  identity::AuditEntry e{.org_id = 1, .at = 5, .actor_name = "admin", .action = "create", .entity = "customer",
                         .entity_id = 7};
  e.changes = {{"name", "null", "\"王芳\""}, {"tags", "", "[\"复购\"]"}, {"vip", "false", "true"},
               {"owner_id", "null", ""}};
  std::string stored;
  ASSERT_TRUE((*db)->Write([&](Connection& c) -> Status {
                  KEHU_RETURN_IF_ERROR(c.ExecScript(
                      "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, at INTEGER NOT NULL, "
                      "actor_id INTEGER, actor_name TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL, "
                      "entity_id INTEGER NOT NULL, changes TEXT NOT NULL)"));
                  KEHU_RETURN_IF_ERROR(AppendAuditEntry(c, e));
                  KEHU_RETURN_IF_ERROR(AppendAuditEntries(c, {e, e}));
                  KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT DISTINCT changes FROM audit_log", {}));
                  EXPECT_EQ(rows.size(), 1u);  // one form, single and bulk
                  stored = rows.at(0).Text(0);
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(stored,
            "[[\"name\",\"王芳\"],[\"tags\",[\"复购\"]],{\"field\":\"vip\",\"before\":false,\"after\":true},"
            "[\"owner_id\",null]]");
  const std::vector<FieldChange> want = {{"name", "null", "\"王芳\""}, {"tags", "null", "[\"复购\"]"},
                                         {"vip", "false", "true"}, {"owner_id", "null", "null"}};
  EXPECT_EQ(Flat(ParseAuditChanges(stored)), Flat(want));
}

// Entries written by earlier versions read the same: objects with a null "before", or none.
TEST(StoreAuditChangesTest, EarlierStoredFormsReadTheSame) {
  const std::vector<FieldChange> want = {{"name", "null", "\"王芳\""}, {"vip", "false", "true"}};
  EXPECT_EQ(Flat(ParseAuditChanges(R"([{"field":"name","before":null,"after":"王芳"},{"field":"vip","before":false,"after":true}])")),
            Flat(want));
  EXPECT_EQ(Flat(ParseAuditChanges(R"([{"field":"name","after":"王芳"},{"field":"vip","before":false,"after":true}])")),
            Flat(want));
  EXPECT_TRUE(ParseAuditChanges("not json").empty());
  EXPECT_TRUE(ParseAuditChanges(R"({"field":"name"})").empty());
  EXPECT_TRUE(ParseAuditChanges(R"([["too","many","items"], 3])").empty());
}

}  // namespace
}  // namespace kehu::store
