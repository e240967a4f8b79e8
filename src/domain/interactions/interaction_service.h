#pragma once
// Interaction and follow-up task use cases. Access: an interaction is visible to a principal
// who may see every customer it is linked to (CustomerService::Get decides; one invisible
// customer makes the whole interaction kNotFound). Any role that sees the customers may log an
// interaction; its creator, admins and managers may change or delete it. Tasks are visible to
// their assignee and creator, to admins and managers; a task's customer must be visible.
// "Today" is the org's calendar day in Asia/Shanghai (UTC+8, see OrgDayStart).

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/customers/customer_service.h"
#include "domain/identity/identity.h"
#include "domain/identity/identity_repository.h"
#include "domain/interactions/interaction.h"
#include "domain/interactions/interaction_repository.h"

namespace kehu::interactions {

// A partial interaction: only present fields change. For create, type and customer_ids are
// required; direction defaults to internal (inbound for call) and occurred_at to now.
struct InteractionPatch {
  std::optional<std::string> type{};
  std::optional<std::string> subtype{};
  std::optional<std::string> direction{};
  std::optional<std::string> channel{};
  std::optional<std::string> subject{};
  std::optional<std::string> body{};
  std::optional<std::string> outcome{};
  std::optional<int64_t> duration_seconds{};
  std::optional<std::string> occurred_at{};  // RFC 3339
  std::optional<std::vector<int64_t>> customer_ids{};
  std::optional<std::vector<Participant>> participants{};
};

struct InteractionListRequest {
  std::optional<int64_t> customer_id{};
  std::optional<std::string> type{};
  std::optional<std::string> from{};  // RFC 3339 or date
  std::optional<std::string> to{};
  bool mine{false};
  std::string cursor{};
  int limit{50};
};

template <typename T>
struct ListPage {
  std::vector<T> items{};
  std::optional<std::string> next_cursor{};
};

struct TaskPatch {
  std::optional<std::string> title{};
  std::optional<std::string> note{};
  std::optional<std::optional<int64_t>> customer_id{};
  std::optional<std::optional<int64_t>> interaction_id{};
  std::optional<std::string> due_at{};                    // RFC 3339
  std::optional<std::optional<std::string>> remind_at{};  // RFC 3339; null clears it
  std::optional<int64_t> assignee_id{};
  std::optional<std::string> status{};
};

struct TaskListRequest {
  std::optional<std::string> assignee{};  // "me" or a user id
  std::optional<std::string> status{};
  std::optional<std::string> due{};  // "today" or "overdue"
  std::optional<int64_t> customer_id{};
  std::string cursor{};
  int limit{50};
};

struct TodayTasks {
  std::vector<Task> overdue{};  // open, due before now
  std::vector<Task> today{};    // open, due from now to the end of the org's day
};

// Looks users up for assignee checks (the identity repository's GetUser).
class InteractionService {
 public:
  InteractionService(InteractionRepository& repo, customers::CustomerService& customers,
                     identity::IdentityRepository& users, const Clock& clock)
      : repo_(repo), customers_(customers), users_(users), clock_(clock) {}

  // Errors: kInvalidArgument with one FieldError per bad field (unknown or invisible customers
  // are field errors on customer_ids[i], unknown users/contacts on participants[i]).
  Result<Interaction> Create(const identity::Principal& p, const InteractionPatch& in);
  // Errors: kNotFound (absent, deleted, or a linked customer invisible).
  Result<Interaction> Get(const identity::Principal& p, int64_t id);
  // Errors: as Create; kPermissionDenied when not the creator, an admin or a manager; kAborted
  // for a stale version.
  Result<Interaction> Update(const identity::Principal& p, int64_t id, int64_t expected_version,
                             const InteractionPatch& patch);
  Status Delete(const identity::Principal& p, int64_t id);
  // Newest first; items the principal may not see are skipped. Errors: kInvalidArgument.
  Result<ListPage<Interaction>> List(const identity::Principal& p,
                                     const InteractionListRequest& req);
  // The interactions of one visible customer, newest first, strictly before `before`, hiding
  // those linked to a customer the principal may not see (the timeline and the screen pop).
  Result<std::vector<Interaction>> ForCustomer(const identity::Principal& p, int64_t customer_id,
                                               const std::optional<Before>& before, int limit);
  // Logs an interaction without the visibility checks (the contact center's own write, with the
  // API key's principal, after it looked the customer up).
  Result<Interaction> CreateUnchecked(const identity::Principal& p, Interaction in);

  // Tasks. Errors: kInvalidArgument (field errors), kNotFound, kPermissionDenied, kAborted.
  Result<Task> CreateTask(const identity::Principal& p, const TaskPatch& in);
  Result<Task> GetTask(const identity::Principal& p, int64_t id);
  Result<Task> UpdateTask(const identity::Principal& p, int64_t id, int64_t expected_version,
                          const TaskPatch& patch);
  Result<ListPage<Task>> ListTasks(const identity::Principal& p, const TaskListRequest& req);
  // The principal's open tasks due today or overdue (org day, Asia/Shanghai).
  Result<TodayTasks> MyTasksToday(const identity::Principal& p);
  // The principal's open tasks whose remind_at has passed and that were not dismissed.
  Result<std::vector<Task>> MyReminders(const identity::Principal& p);
  Result<Task> DismissReminder(const identity::Principal& p, int64_t id);

  const Clock& clock() const { return clock_; }

 private:
  Status CheckAllVisible(const identity::Principal& p, const Interaction& i);
  Status Validate(const identity::Principal& p, const InteractionPatch& in, Interaction& out,
                  bool creating);
  Status ValidateTask(const identity::Principal& p, const TaskPatch& in, Task& out, bool creating);
  bool CanSeeTask(const identity::Principal& p, const Task& t);

  InteractionRepository& repo_;
  customers::CustomerService& customers_;
  identity::IdentityRepository& users_;
  const Clock& clock_;
};

// Audit changes between two interactions (before == nullptr: a creation).
std::vector<identity::FieldChange> DiffInteraction(const Interaction* before,
                                                   const Interaction& after);

}  // namespace kehu::interactions
