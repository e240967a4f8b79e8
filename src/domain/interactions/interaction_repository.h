#pragma once
// The interactions port: store/ implements it once for SQLite and PostgreSQL. Every method is
// scoped to an org. Writes that are audited take the audit entry and commit it in the same
// transaction (its entity_id is filled in for creations).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/identity/identity.h"
#include "domain/interactions/interaction.h"

namespace kehu::interactions {

// Keyset position for newest-first lists: rows strictly older than (at, id), i.e.
// occurred_at < at OR (occurred_at = at AND id < id).
struct Before {
  UnixMillis at{0};
  int64_t id{0};
};

struct InteractionQuery {
  int64_t org_id{0};
  std::optional<int64_t> customer_id{};
  std::optional<Type> type{};
  std::optional<UnixMillis> from{};         // occurred_at >= from
  std::optional<UnixMillis> to{};           // occurred_at < to
  std::optional<int64_t> involving_user{};  // created by or with this user as a participant
  std::optional<Before> before{};
  int limit{50};
};

struct TaskQuery {
  int64_t org_id{0};
  std::optional<int64_t> assignee_id{};
  std::optional<TaskStatus> status{};
  std::optional<UnixMillis> due_from{};    // due_at >= due_from
  std::optional<UnixMillis> due_before{};  // due_at < due_before
  std::optional<int64_t> customer_id{};
  std::optional<UnixMillis> remind_before{};  // remind_at <= remind_before, not dismissed
  // Keyset, ascending by (due_at, id): rows strictly after.
  std::optional<std::pair<UnixMillis, int64_t>> after{};
  int limit{50};
};

// What one telephony event does to a call: the call to store and, optionally, an interaction
// to create (its id goes into call.interaction_id) or the stored interaction's new duration and
// outcome (when the call's interaction exists already).
struct CallWrite {
  Call call{};
  bool changed{false};
  std::optional<Interaction> create_interaction{};
  identity::AuditEntry interaction_audit{};  // written with create_interaction
  std::optional<std::pair<int64_t, std::string>> update_interaction{};  // duration_seconds, outcome
};
using CallDecision = std::function<Result<CallWrite>(const std::optional<Call>& stored)>;

class InteractionRepository {
 public:
  virtual ~InteractionRepository() = default;

  // Interactions.
  virtual Result<Interaction> Create(const Interaction& in, identity::AuditEntry audit) = 0;
  virtual Result<std::optional<Interaction>> Get(int64_t org_id, int64_t id) = 0;
  // kAborted when expected_version is stale.
  virtual Result<Interaction> Update(const Interaction& in, int64_t expected_version,
                                     identity::AuditEntry audit) = 0;
  virtual Status Delete(int64_t org_id, int64_t id, identity::AuditEntry audit) = 0;
  // Newest first (occurred_at desc, id desc).
  virtual Result<std::vector<Interaction>> List(const InteractionQuery& q) = 0;

  // The audit entries of one customer (entity "customer"), newest first (at desc, id desc),
  // strictly before `before` when given.
  virtual Result<std::vector<identity::AuditEntry>> CustomerAudit(
      int64_t org_id, int64_t customer_id, const std::optional<Before>& before, int limit) = 0;

  // Tasks.
  // `audit` is written in the same transaction (its entity_id filled in on create).
  virtual Result<Task> CreateTask(const Task& t, identity::AuditEntry audit) = 0;
  virtual Result<std::optional<Task>> GetTask(int64_t org_id, int64_t id) = 0;
  // kAborted when expected_version is stale.
  virtual Result<Task> UpdateTask(const Task& t, int64_t expected_version, identity::AuditEntry audit) = 0;
  virtual Result<std::vector<Task>> ListTasks(const TaskQuery& q) = 0;

  // Telephony.
  virtual Result<std::optional<std::string>> GetTelephonySecret(int64_t org_id) = 0;
  virtual Status SetTelephonySecret(int64_t org_id, const std::string& secret, int64_t by,
                                    UnixMillis now) = 0;
  // In one transaction: records `signature` as seen (kAlreadyExists when it was seen already;
  // signatures seen before `forget_before` are dropped first), loads the call `call_id`, asks
  // `decide` what to do and writes it. Returns the call as stored.
  virtual Result<Call> ApplyCallEvent(int64_t org_id, const std::string& signature, UnixMillis now,
                                      UnixMillis forget_before, const std::string& call_id,
                                      const CallDecision& decide) = 0;
  // As ApplyCallEvent, calling done with the result once the transaction has committed or
  // failed, on whichever thread ran it (done must be quick and must not write; decide runs on
  // the writer's thread). With AsyncWrites() the caller does not wait; the default runs
  // ApplyCallEvent and then calls done on the calling thread.
  using CallDone = std::function<void(Result<Call>)>;
  virtual void ApplyCallEventAsync(int64_t org_id, std::string signature, UnixMillis now, UnixMillis forget_before,
                                   std::string call_id, CallDecision decide, CallDone done) {
    done(ApplyCallEvent(org_id, signature, now, forget_before, call_id, decide));
  }
  virtual bool AsyncWrites() const { return false; }
  virtual Result<std::optional<Call>> GetCall(int64_t org_id, const std::string& call_id) = 0;
};

}  // namespace kehu::interactions
