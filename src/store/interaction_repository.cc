// InteractionRepository over the driver seam: interactions with their customers and
// participants, the customer audit feed, follow-up tasks, and contact-center calls. One SQL text
// for SQLite and PostgreSQL.

#include "domain/interactions/interaction_repository.h"

#include <algorithm>
#include <memory>
#include <atomic>
#include <boost/json.hpp>

#include "store/repositories.h"

namespace kehu::store {

namespace {

using interactions::Before;
using interactions::Call;
using interactions::Interaction;
using interactions::Task;

Value Opt(const std::optional<int64_t>& v) { return v ? Value(*v) : Value(Null{}); }
Value Opt(const std::optional<std::string>& v) { return v ? Value(*v) : Value(Null{}); }
std::optional<int64_t> OptInt(const Row& r, size_t i) {
  return r.IsNull(i) ? std::nullopt : std::optional(r.Int(i));
}

constexpr const char* kInteractionCols =
    "i.id, i.org_id, i.type, i.subtype, i.direction, i.channel, i.subject, i.body, i.outcome, "
    "i.duration_seconds, i.occurred_at, i.call_id, i.created_by, i.created_by_name, i.created_at, "
    "i.updated_at, i.version";

Interaction InteractionFromRow(const Row& r) {
  Interaction i;
  i.id = r.Int(0);
  i.org_id = r.Int(1);
  i.type = interactions::ParseType(r.Text(2)).value_or(interactions::Type::kNote);
  i.subtype = r.Text(3);
  i.direction =
      interactions::ParseDirection(r.Text(4)).value_or(interactions::Direction::kInternal);
  i.channel = r.Text(5);
  i.subject = r.Text(6);
  i.body = r.Text(7);
  i.outcome = r.Text(8);
  i.duration_seconds = r.Int(9);
  i.occurred_at = r.Int(10);
  if (!r.IsNull(11)) i.call_id = r.Text(11);
  i.created_by = OptInt(r, 12);
  i.created_by_name = r.Text(13);
  i.created_at = r.Int(14);
  i.updated_at = r.Int(15);
  i.version = r.Int(16);
  return i;
}

constexpr const char* kTaskCols =
    "id, org_id, title, note, customer_id, interaction_id, due_at, remind_at, "
    "reminder_dismissed_at, "
    "assignee_id, status, created_by, created_at, updated_at, completed_at, version, "
    "(SELECT cu.name FROM customers cu WHERE cu.id = tasks.customer_id AND cu.org_id = tasks.org_id)";

Task TaskFromRow(const Row& r) {
  Task t;
  t.id = r.Int(0);
  t.org_id = r.Int(1);
  t.title = r.Text(2);
  t.note = r.Text(3);
  t.customer_id = OptInt(r, 4);
  t.interaction_id = OptInt(r, 5);
  t.due_at = r.Int(6);
  t.remind_at = OptInt(r, 7);
  t.reminder_dismissed_at = OptInt(r, 8);
  t.assignee_id = r.Int(9);
  t.status = interactions::ParseTaskStatus(r.Text(10)).value_or(interactions::TaskStatus::kOpen);
  t.created_by = OptInt(r, 11);
  t.created_at = r.Int(12);
  t.updated_at = r.Int(13);
  t.completed_at = OptInt(r, 14);
  t.version = r.Int(15);
  t.customer_name = r.Text(16);
  return t;
}

// A written task's customer name, as a read gives it.
Status ReadCustomerName(Connection& c, Task& t) {
  t.customer_name.clear();
  if (!t.customer_id) return Status::Ok();
  KEHU_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT name FROM customers WHERE org_id = ? AND id = ?",
                                           {t.org_id, *t.customer_id}));
  if (!rows.empty()) t.customer_name = rows[0].Text(0);
  return Status::Ok();
}

constexpr const char* kCallCols =
    "id, org_id, call_id, state, from_number, to_number, direction, agent_id, customer_id, "
    "ringing_at, "
    "answered_at, hangup_at, interaction_id, created_at, updated_at";

Call CallFromRow(const Row& r) {
  Call c;
  c.id = r.Int(0);
  c.org_id = r.Int(1);
  c.call_id = r.Text(2);
  c.state = interactions::ParseCallState(r.Text(3)).value_or(interactions::CallState::kRinging);
  c.from_number = r.Text(4);
  c.to_number = r.Text(5);
  c.direction = interactions::ParseDirection(r.Text(6)).value_or(interactions::Direction::kInbound);
  c.agent_id = OptInt(r, 7);
  c.customer_id = OptInt(r, 8);
  c.ringing_at = OptInt(r, 9);
  c.answered_at = OptInt(r, 10);
  c.hangup_at = OptInt(r, 11);
  c.interaction_id = OptInt(r, 12);
  c.created_at = r.Int(13);
  c.updated_at = r.Int(14);
  return c;
}

class SqlInteractionRepository final : public interactions::InteractionRepository {
 public:
  explicit SqlInteractionRepository(Database& db) : db_(db) {}

  Result<Interaction> Create(const Interaction& in, identity::AuditEntry audit) override {
    Interaction out = in;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(out, InsertInteraction(c, in));
      audit.entity_id = out.id;
      return AppendAuditEntry(c, audit);
    }));
    return out;
  }

  Result<std::optional<Interaction>> Get(int64_t org_id, int64_t id) override {
    std::optional<Interaction> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows,
                            c.Query(std::string("SELECT ") + kInteractionCols +
                                        " FROM interactions i WHERE i.org_id = ? AND i.id = ? AND "
                                        "i.deleted_at IS NULL",
                                    {org_id, id}));
      if (rows.empty()) return Status::Ok();
      std::vector<Interaction> v{InteractionFromRow(rows[0])};
      KEHU_RETURN_IF_ERROR(LoadLinks(c, org_id, v));
      out = std::move(v[0]);
      return Status::Ok();
    }));
    return out;
  }

  Result<Interaction> Update(const Interaction& in, int64_t expected_version,
                             identity::AuditEntry audit) override {
    Interaction out = in;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(
          auto n, c.Exec("UPDATE interactions SET type = ?, subtype = ?, direction = ?, channel = "
                         "?, subject = ?, body = ?, "
                         "outcome = ?, duration_seconds = ?, occurred_at = ?, updated_at = ?, "
                         "version = version + 1 "
                         "WHERE org_id = ? AND id = ? AND version = ? AND deleted_at IS NULL",
                         {std::string(Name(in.type)), in.subtype, std::string(Name(in.direction)),
                          in.channel, in.subject, in.body, in.outcome, in.duration_seconds,
                          in.occurred_at, in.updated_at, in.org_id, in.id, expected_version}));
      if (n == 0)
        return MakeError(ErrorCode::kAborted, "the interaction was changed by someone else");
      KEHU_RETURN_IF_ERROR(WriteLinks(c, in, true));
      out.version = expected_version + 1;
      return AppendAuditEntry(c, audit);
    }));
    return out;
  }

  Status Delete(int64_t org_id, int64_t id, identity::AuditEntry audit) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto n,
                            c.Exec("UPDATE interactions SET deleted_at = ?, version = version + 1 "
                                   "WHERE org_id = ? AND id = ? AND deleted_at IS NULL",
                                   {audit.at, org_id, id}));
      if (n == 0) return NotFound("no such interaction");
      KEHU_RETURN_IF_ERROR(
          c.Exec("DELETE FROM interaction_customers WHERE org_id = ? AND interaction_id = ?",
                 {org_id, id}));
      return AppendAuditEntry(c, audit);
    });
  }

  Result<std::vector<Interaction>> List(const interactions::InteractionQuery& q) override {
    std::vector<Interaction> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      std::string sql = std::string("SELECT ") + kInteractionCols + " FROM interactions i";
      std::vector<Value> params;
      std::string at = "i.occurred_at", id = "i.id";
      if (q.customer_id) {
        // One index range of the customer's links; DISTINCT because a merge may link twice.
        sql = std::string("SELECT DISTINCT ") + kInteractionCols +
              " FROM interaction_customers ic JOIN interactions i ON i.id = ic.interaction_id "
              "WHERE ic.org_id = ? AND ic.customer_id = ? AND i.org_id = ?";
        params = {q.org_id, *q.customer_id, q.org_id};
        at = "ic.occurred_at";
        id = "ic.interaction_id";
      } else {
        sql += " WHERE i.org_id = ?";
        params = {q.org_id};
      }
      sql += " AND i.deleted_at IS NULL";
      if (q.type) {
        sql += " AND i.type = ?";
        params.push_back(std::string(Name(*q.type)));
      }
      if (q.from) {
        sql += " AND " + at + " >= ?";
        params.push_back(*q.from);
      }
      if (q.to) {
        sql += " AND " + at + " < ?";
        params.push_back(*q.to);
      }
      if (q.involving_user) {
        sql +=
            " AND (i.created_by = ? OR EXISTS (SELECT 1 FROM interaction_participants ip WHERE "
            "ip.interaction_id = i.id AND ip.org_id = ? AND ip.kind = 'user' AND ip.ref_id = ?))";
        params.insert(params.end(), {*q.involving_user, q.org_id, *q.involving_user});
      }
      if (q.before) {
        sql += " AND (" + at + " < ? OR (" + at + " = ? AND " + id + " < ?))";
        params.insert(params.end(), {q.before->at, q.before->at, q.before->id});
      }
      sql += " ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?";
      params.push_back(int64_t{q.limit});
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      for (const auto& r : rows) out.push_back(InteractionFromRow(r));
      return LoadLinks(c, q.org_id, out);
    }));
    return out;
  }

  Result<std::vector<identity::AuditEntry>> CustomerAudit(int64_t org_id, int64_t customer_id,
                                                          const std::optional<Before>& before,
                                                          int limit) override {
    std::vector<identity::AuditEntry> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      std::string sql =
          "SELECT id, at, actor_id, actor_name, action, entity, entity_id, changes FROM audit_log "
          "WHERE org_id = ? AND entity = 'customer' AND entity_id = ?";
      std::vector<Value> params{org_id, customer_id};
      if (before) {
        sql += " AND (at < ? OR (at = ? AND id < ?))";
        params.insert(params.end(), {before->at, before->at, before->id});
      }
      sql += " ORDER BY at DESC, id DESC LIMIT ?";
      params.push_back(int64_t{limit});
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      for (const auto& r : rows) {
        identity::AuditEntry e;
        e.id = r.Int(0);
        e.org_id = org_id;
        e.at = r.Int(1);
        e.actor_id = OptInt(r, 2);
        e.actor_name = r.Text(3);
        e.action = r.Text(4);
        e.entity = r.Text(5);
        e.entity_id = r.Int(6);
        e.changes = ParseAuditChanges(r.Text(7));
        out.push_back(std::move(e));
      }
      return Status::Ok();
    }));
    return out;
  }

  Result<Task> CreateTask(const Task& t, identity::AuditEntry audit) override {
    Task out = t;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(
          auto rows, c.Query("INSERT INTO tasks(org_id, title, note, customer_id, interaction_id, "
                             "due_at, remind_at, "
                             "reminder_dismissed_at, assignee_id, status, created_by, created_at, "
                             "updated_at, completed_at, version) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
                             {t.org_id, t.title, t.note, Opt(t.customer_id), Opt(t.interaction_id),
                              t.due_at, Opt(t.remind_at), Opt(t.reminder_dismissed_at),
                              t.assignee_id, std::string(Name(t.status)), Opt(t.created_by),
                              t.created_at, t.updated_at, Opt(t.completed_at)}));
      out.id = rows.at(0).Int(0);
      out.version = 1;
      KEHU_RETURN_IF_ERROR(ReadCustomerName(c, out));
      audit.entity_id = out.id;
      return AppendAuditEntry(c, audit);
    }));
    return out;
  }

  Result<std::optional<Task>> GetTask(int64_t org_id, int64_t id) override {
    std::optional<Task> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kTaskCols +
                                                   " FROM tasks WHERE org_id = ? AND id = ?",
                                               {org_id, id}));
      if (!rows.empty()) out = TaskFromRow(rows[0]);
      return Status::Ok();
    }));
    return out;
  }

  Result<Task> UpdateTask(const Task& t, int64_t expected_version, identity::AuditEntry audit) override {
    Task out = t;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(
          auto n, c.Exec("UPDATE tasks SET title = ?, note = ?, customer_id = ?, interaction_id = "
                         "?, due_at = ?, remind_at = ?, "
                         "reminder_dismissed_at = ?, assignee_id = ?, status = ?, updated_at = ?, "
                         "completed_at = ?, "
                         "version = version + 1 WHERE org_id = ? AND id = ? AND version = ?",
                         {t.title, t.note, Opt(t.customer_id), Opt(t.interaction_id), t.due_at,
                          Opt(t.remind_at), Opt(t.reminder_dismissed_at), t.assignee_id,
                          std::string(Name(t.status)), t.updated_at, Opt(t.completed_at), t.org_id,
                          t.id, expected_version}));
      if (n == 0) return MakeError(ErrorCode::kAborted, "the task was changed by someone else");
      out.version = expected_version + 1;
      KEHU_RETURN_IF_ERROR(ReadCustomerName(c, out));
      return audit.changes.empty() ? Status::Ok() : AppendAuditEntry(c, audit);
    }));
    return out;
  }

  Result<std::vector<Task>> ListTasks(const interactions::TaskQuery& q) override {
    std::vector<Task> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      std::string sql = std::string("SELECT ") + kTaskCols + " FROM tasks WHERE org_id = ?";
      std::vector<Value> params{q.org_id};
      if (q.assignee_id) {
        sql += " AND assignee_id = ?";
        params.push_back(*q.assignee_id);
      }
      if (q.status) {
        sql += " AND status = ?";
        params.push_back(std::string(Name(*q.status)));
      }
      if (q.due_from) {
        sql += " AND due_at >= ?";
        params.push_back(*q.due_from);
      }
      if (q.due_before) {
        sql += " AND due_at < ?";
        params.push_back(*q.due_before);
      }
      if (q.customer_id) {
        sql += " AND customer_id = ?";
        params.push_back(*q.customer_id);
      }
      if (q.remind_before) {
        sql += " AND remind_at IS NOT NULL AND remind_at <= ? AND reminder_dismissed_at IS NULL";
        params.push_back(*q.remind_before);
      }
      if (q.after) {
        sql += " AND (due_at > ? OR (due_at = ? AND id > ?))";
        params.insert(params.end(), {q.after->first, q.after->first, q.after->second});
      }
      sql += " ORDER BY due_at, id LIMIT ?";
      params.push_back(int64_t{q.limit});
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
      for (const auto& r : rows) out.push_back(TaskFromRow(r));
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<std::string>> GetTelephonySecret(int64_t org_id) override {
    std::optional<std::string> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(
          auto rows, c.Query("SELECT secret FROM telephony_secrets WHERE org_id = ?", {org_id}));
      if (!rows.empty()) out = rows[0].Text(0);
      return Status::Ok();
    }));
    return out;
  }

  Status SetTelephonySecret(int64_t org_id, const std::string& secret, int64_t by,
                            UnixMillis now) override {
    return db_.Write([&](Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec("DELETE FROM telephony_secrets WHERE org_id = ?", {org_id}));
      KEHU_RETURN_IF_ERROR(
          c.Exec("INSERT INTO telephony_secrets(org_id, secret, created_by, created_at) "
                 "VALUES (?, ?, ?, ?)",
                 {org_id, secret, by ? Value(by) : Value(Null{}), now}));
      return AppendAuditEntry(
          c, identity::AuditEntry{.org_id = org_id,
                                  .at = now,
                                  .actor_id = by ? std::optional(by) : std::nullopt,
                                  .action = "rotate",
                                  .entity = "telephony_secret",
                                  .entity_id = org_id});
    });
  }

  Result<std::optional<Call>> GetCall(int64_t org_id, const std::string& call_id) override {
    std::optional<Call> out;
    KEHU_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
      KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kCallCols +
                                                   " FROM calls WHERE org_id = ? AND call_id = ?",
                                               {org_id, call_id}));
      if (!rows.empty()) out = CallFromRow(rows[0]);
      return Status::Ok();
    }));
    return out;
  }

  Result<Call> ApplyCallEvent(int64_t org_id, const std::string& signature, UnixMillis now,
                              UnixMillis forget_before, const std::string& call_id,
                              const interactions::CallDecision& decide) override {
    Call out;
    KEHU_RETURN_IF_ERROR(db_.Write([&](Connection& c) -> Status {
      return ApplyCallEventIn(c, org_id, signature, now, forget_before, call_id, decide, out);
    }));
    return out;
  }

  void ApplyCallEventAsync(int64_t org_id, std::string signature, UnixMillis now, UnixMillis forget_before,
                           std::string call_id, interactions::CallDecision decide, CallDone done) override {
    struct State {
      std::string signature, call_id;
      interactions::CallDecision decide;
      CallDone done;
      Call out{};
    };
    auto state = std::make_shared<State>(State{.signature = std::move(signature),
                                               .call_id = std::move(call_id),
                                               .decide = std::move(decide),
                                               .done = std::move(done)});
    db_.WriteAsync(
        [this, state, org_id, now, forget_before](Connection& c) {
          return ApplyCallEventIn(c, org_id, state->signature, now, forget_before, state->call_id, state->decide,
                                  state->out);
        },
        [state](Status st) {
          if (!st.ok()) return state->done(st.error());
          state->done(std::move(state->out));
        });
  }
  bool AsyncWrites() const override { return db_.AsyncWrites(); }

 private:
  Status ApplyCallEventIn(Connection& c, int64_t org_id, const std::string& signature, UnixMillis now,
                          UnixMillis forget_before, const std::string& call_id,
                          const interactions::CallDecision& decide, Call& out) {
    {
      if (now - last_purge_.load() > 60000) {
        last_purge_ = now;
        KEHU_RETURN_IF_ERROR(
            c.Exec("DELETE FROM telephony_signatures WHERE seen_at < ?", {forget_before}));
      }
      KEHU_ASSIGN_OR_RETURN(auto n,
                            c.Exec("INSERT INTO telephony_signatures(org_id, signature, seen_at) "
                                   "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                   {org_id, signature, now}));
      if (n == 0) return MakeError(ErrorCode::kAlreadyExists, "signature seen already");
      // Two first events of one call may race (PostgreSQL runs writers concurrently): the row is
      // locked when it exists, created with ON CONFLICT DO NOTHING when not, and a lost race
      // re-reads the winner's row and decides again.
      const std::string select = std::string("SELECT ") + kCallCols +
                                 " FROM calls WHERE org_id = ? AND call_id = ?" +
                                 (c.dialect() == Dialect::kPostgres ? " FOR UPDATE" : "");
      for (int attempt = 0; attempt < 3; ++attempt) {
        KEHU_ASSIGN_OR_RETURN(auto rows, c.Query(select, {org_id, call_id}));
        std::optional<Call> stored;
        if (!rows.empty()) stored = CallFromRow(rows[0]);
        KEHU_ASSIGN_OR_RETURN(auto w, decide(stored));
        Call& call = w.call;
        if (!w.changed) {
          out = call;
          return Status::Ok();
        }
        const auto values = [&]() -> std::vector<Value> {
          return {std::string(Name(call.state)),
                  call.from_number,
                  call.to_number,
                  std::string(Name(call.direction)),
                  Opt(call.agent_id),
                  Opt(call.customer_id),
                  Opt(call.ringing_at),
                  Opt(call.answered_at),
                  Opt(call.hangup_at),
                  Opt(call.interaction_id),
                  call.updated_at};
        };
        if (!stored) {  // the whole row in one statement
          std::vector<Value> params{org_id, call_id, call.created_at};
          for (auto& v : values()) params.push_back(std::move(v));
          KEHU_ASSIGN_OR_RETURN(
              auto ids,
              c.Query(
                  "INSERT INTO calls(org_id, call_id, created_at, state, from_number, to_number, "
                  "direction, agent_id, "
                  "customer_id, ringing_at, answered_at, hangup_at, interaction_id, updated_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, call_id) "
                  "DO NOTHING RETURNING id",
                  params));
          if (ids.empty()) continue;  // created meanwhile by another event of the same call
          call.id = ids[0].Int(0);
        }
        bool dirty = stored.has_value();
        if (w.create_interaction) {
          KEHU_ASSIGN_OR_RETURN(auto i, InsertInteraction(c, *w.create_interaction));
          call.interaction_id = i.id;
          w.interaction_audit.entity_id = i.id;
          KEHU_RETURN_IF_ERROR(AppendAuditEntry(c, w.interaction_audit));
          dirty = true;
        }
        if (w.update_interaction && call.interaction_id) {
          KEHU_RETURN_IF_ERROR(
              c.Exec("UPDATE interactions SET duration_seconds = ?, outcome = ?, updated_at = ?, "
                     "version = version + 1 WHERE org_id = ? AND id = ?",
                     {w.update_interaction->first, w.update_interaction->second, now, org_id,
                      *call.interaction_id}));
        }
        if (dirty) {
          std::vector<Value> params = values();
          params.push_back(org_id);
          params.push_back(call.id);
          KEHU_RETURN_IF_ERROR(
              c.Exec("UPDATE calls SET state = ?, from_number = ?, to_number = ?, direction = ?, "
                     "agent_id = ?, "
                     "customer_id = ?, ringing_at = ?, answered_at = ?, hangup_at = ?, "
                     "interaction_id = ?, updated_at = ? "
                     "WHERE org_id = ? AND id = ?",
                     params));
        }
        out = call;
        return Status::Ok();
      }
      return MakeError(ErrorCode::kUnavailable, "the call changed concurrently; retry");
    }
  }

  Result<Interaction> InsertInteraction(Connection& c, const Interaction& in) {
    Interaction out = in;
    KEHU_ASSIGN_OR_RETURN(
        auto rows, c.Query("INSERT INTO interactions(org_id, type, subtype, direction, channel, "
                           "subject, body, outcome, "
                           "duration_seconds, occurred_at, call_id, created_by, created_by_name, "
                           "created_at, updated_at, version) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
                           {in.org_id, std::string(Name(in.type)), in.subtype,
                            std::string(Name(in.direction)), in.channel, in.subject, in.body,
                            in.outcome, in.duration_seconds, in.occurred_at, Opt(in.call_id),
                            Opt(in.created_by), in.created_by_name, in.created_at, in.updated_at}));
    out.id = rows.at(0).Int(0);
    out.version = 1;
    KEHU_RETURN_IF_ERROR(WriteLinks(c, out, false));
    return out;
  }

  Status WriteLinks(Connection& c, const Interaction& i, bool replace) {
    if (replace) {
      KEHU_RETURN_IF_ERROR(
          c.Exec("DELETE FROM interaction_customers WHERE org_id = ? AND interaction_id = ?",
                 {i.org_id, i.id}));
      KEHU_RETURN_IF_ERROR(
          c.Exec("DELETE FROM interaction_participants WHERE org_id = ? AND interaction_id = ?",
                 {i.org_id, i.id}));
    }
    for (int64_t cu : i.customer_ids)
      KEHU_RETURN_IF_ERROR(c.Exec(
          "INSERT INTO interaction_customers(org_id, interaction_id, customer_id, occurred_at) "
          "VALUES (?, ?, ?, ?)",
          {i.org_id, i.id, cu, i.occurred_at}));
    for (const auto& p : i.participants)
      KEHU_RETURN_IF_ERROR(
          c.Exec("INSERT INTO interaction_participants(org_id, interaction_id, kind, ref_id) "
                 "VALUES (?, ?, ?, ?)",
                 {i.org_id, i.id, p.kind, p.id}));
    return Status::Ok();
  }

  Status LoadLinks(Connection& c, int64_t org_id, std::vector<Interaction>& v) {
    if (v.empty()) return Status::Ok();
    std::string in = "(";
    std::vector<Value> params{org_id};
    for (size_t k = 0; k < v.size(); ++k) {
      in += k ? ", ?" : "?";
      params.push_back(v[k].id);
    }
    in += ")";
    auto find = [&](int64_t id) -> Interaction* {
      for (auto& i : v)
        if (i.id == id) return &i;
      return nullptr;
    };
    KEHU_ASSIGN_OR_RETURN(
        auto rows, c.Query("SELECT interaction_id, customer_id FROM interaction_customers WHERE "
                           "org_id = ? AND interaction_id IN " +
                               in + " ORDER BY interaction_id, customer_id",
                           params));
    for (const auto& r : rows)
      if (Interaction* i = find(r.Int(0))) {
        const int64_t cu = r.Int(1);
        if (std::find(i->customer_ids.begin(), i->customer_ids.end(), cu) == i->customer_ids.end())
          i->customer_ids.push_back(cu);
      }
    KEHU_ASSIGN_OR_RETURN(
        auto parts, c.Query("SELECT interaction_id, kind, ref_id FROM interaction_participants "
                            "WHERE org_id = ? AND interaction_id IN " +
                                in + " ORDER BY interaction_id, kind, ref_id",
                            params));
    for (const auto& r : parts)
      if (Interaction* i = find(r.Int(0))) i->participants.push_back({r.Text(1), r.Int(2)});
    return Status::Ok();
  }

  Database& db_;
  std::atomic<int64_t> last_purge_{0};
};

}  // namespace

std::unique_ptr<interactions::InteractionRepository> MakeInteractionRepository(Database& db) {
  RegisterCustomerReference("interaction_customers", "customer_id");
  RegisterCustomerReference("tasks", "customer_id");
  RegisterCustomerReference("calls", "customer_id");
  // Erasure blanks the free text of the customer's interactions (also when shared with another
  // customer: the text may name the erased person) and of the tasks about them.
  RegisterCustomerErasure(
      "UPDATE interactions SET subject = '', body = '', outcome = '' WHERE id IN "
      "(SELECT interaction_id FROM interaction_customers WHERE org_id = ? AND customer_id = ?)");
  RegisterCustomerErasure("UPDATE tasks SET title = '(erased)', note = '' WHERE org_id = ? AND customer_id = ?");
  return std::make_unique<SqlInteractionRepository>(db);
}

}  // namespace kehu::store
