#include "domain/interactions/interaction_service.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/cursor.h"
#include "core/strings.h"

namespace kehu::interactions {

namespace {

using identity::Principal;
using identity::Role;

bool IsManagerOrAdmin(const Principal& p) {
  return p.role == Role::kAdmin || p.role == Role::kManager;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// "at|id" keyset cursors.
std::string KeyCursor(int64_t a, int64_t b) {
  return EncodeCursor(std::to_string(a) + "|" + std::to_string(b));
}
std::optional<std::pair<int64_t, int64_t>> ParseKeyCursor(const std::string& cursor) {
  auto key = DecodeCursor(cursor);
  if (!key) return std::nullopt;
  size_t bar = key->find('|');
  if (bar == std::string::npos) return std::nullopt;
  auto a = ParseInt(std::string_view(*key).substr(0, bar));
  auto b = ParseInt(std::string_view(*key).substr(bar + 1));
  if (!a || !b) return std::nullopt;
  return std::pair{*a, *b};
}

void CheckText(const std::optional<std::string>& v, const char* field, size_t max,
               std::vector<FieldError>& errs) {
  if (v && v->size() > max)
    errs.push_back({field, "must be at most " + std::to_string(max) + " bytes"});
}

std::string J(const std::string& s) { return JsonQuote(s); }
std::string J(int64_t v) { return std::to_string(v); }

}  // namespace

std::vector<identity::FieldChange> DiffInteraction(const Interaction* before,
                                                   const Interaction& after) {
  std::vector<identity::FieldChange> out;
  auto add = [&](const char* field, const std::string& b, const std::string& a) {
    if (!before)
      out.push_back({field, "null", a});
    else if (a != b)
      out.push_back({field, b, a});
  };
  const Interaction empty;
  const Interaction& b = before ? *before : empty;
  add("type", J(Name(b.type)), J(Name(after.type)));
  add("subtype", J(b.subtype), J(after.subtype));
  add("direction", J(Name(b.direction)), J(Name(after.direction)));
  add("channel", J(b.channel), J(after.channel));
  add("subject", J(b.subject), J(after.subject));
  add("body", J(b.body), J(after.body));
  add("outcome", J(b.outcome), J(after.outcome));
  add("duration_seconds", J(b.duration_seconds), J(after.duration_seconds));
  add("occurred_at", J(FormatTimestamp(b.occurred_at)), J(FormatTimestamp(after.occurred_at)));
  add("customer_ids", JsonIntArray(b.customer_ids), JsonIntArray(after.customer_ids));
  auto parts = [](const Interaction& i) {
    std::vector<std::string> v;
    for (const auto& x : i.participants) v.push_back(x.kind + ":" + std::to_string(x.id));
    return JsonStringArray(v);
  };
  add("participants", parts(b), parts(after));
  return out;
}

Status InteractionService::CheckAllVisible(const Principal& p, const Interaction& i) {
  for (int64_t c : i.customer_ids) {
    if (!customers_.CheckVisible(p, c).ok()) return NotFound("no such interaction");
  }
  return Status::Ok();
}

Status InteractionService::Validate(const Principal& p, const InteractionPatch& in,
                                    Interaction& out, bool creating) {
  std::vector<FieldError> errs;
  if (in.type) {
    if (auto t = ParseType(*in.type))
      out.type = *t;
    else
      errs.push_back(
          {"type",
           "must be one of call, visit, email, sms, wechat, letter, fax, meeting, event, note"});
  } else if (creating) {
    errs.push_back({"type", "is required"});
  }
  if (in.direction) {
    if (auto d = ParseDirection(*in.direction))
      out.direction = *d;
    else
      errs.push_back({"direction", "must be inbound, outbound or internal"});
  } else if (creating) {
    out.direction = out.type == Type::kCall ? Direction::kInbound : Direction::kInternal;
  }
  CheckText(in.subtype, "subtype", kMaxShortTextBytes, errs);
  CheckText(in.channel, "channel", kMaxShortTextBytes, errs);
  CheckText(in.outcome, "outcome", kMaxShortTextBytes, errs);
  CheckText(in.subject, "subject", kMaxSubjectBytes, errs);
  CheckText(in.body, "body", kMaxBodyBytes, errs);
  if (in.subtype) out.subtype = std::string(Trim(*in.subtype));
  if (in.channel) out.channel = std::string(Trim(*in.channel));
  if (in.outcome) out.outcome = std::string(Trim(*in.outcome));
  if (in.subject) out.subject = std::string(Trim(*in.subject));
  if (in.body) out.body = *in.body;
  if (in.duration_seconds) {
    if (*in.duration_seconds < 0 || *in.duration_seconds > kMaxDurationSeconds)
      errs.push_back({"duration_seconds", "must be between 0 and 604800"});
    else
      out.duration_seconds = *in.duration_seconds;
  }
  if (in.occurred_at) {
    if (auto t = ParseTimestamp(*in.occurred_at))
      out.occurred_at = *t;
    else
      errs.push_back({"occurred_at", "must be an RFC 3339 timestamp"});
  } else if (creating) {
    out.occurred_at = clock_.Now();
  }
  if (in.customer_ids) {
    std::vector<int64_t> ids;
    std::set<int64_t> seen;
    if (in.customer_ids->empty() || in.customer_ids->size() > kMaxCustomersPerInteraction)
      errs.push_back({"customer_ids", "must hold 1-20 customer ids"});
    for (size_t k = 0; k < in.customer_ids->size(); ++k) {
      int64_t id = (*in.customer_ids)[k];
      if (!seen.insert(id).second) continue;
      auto c = customers_.Get(p, id);
      if (!c.ok())
        errs.push_back({"customer_ids[" + std::to_string(k) + "]", "no such customer"});
      else
        ids.push_back(c->id);
    }
    out.customer_ids = std::move(ids);
  } else if (creating) {
    errs.push_back({"customer_ids", "is required"});
  }
  if (in.participants) {
    if (in.participants->size() > kMaxParticipants)
      errs.push_back({"participants", "must hold at most 50 entries"});
    std::vector<Participant> parts;
    for (size_t k = 0; k < in.participants->size(); ++k) {
      const Participant& x = (*in.participants)[k];
      const std::string field = "participants[" + std::to_string(k) + "]";
      if (std::find(parts.begin(), parts.end(), x) != parts.end()) continue;
      if (x.kind == "user") {
        auto u = users_.GetUser(p.org_id, x.id);
        if (!u.ok()) return u.error();
        if (!*u) errs.push_back({field + ".id", "no such user"});
      } else if (x.kind == "contact") {
        bool found = false;
        for (int64_t c : out.customer_ids) {
          auto contacts = customers_.ListContacts(p, c);
          if (contacts.ok())
            for (const auto& ct : *contacts) found = found || ct.id == x.id;
        }
        if (!found)
          errs.push_back({field + ".id", "no such contact of the interaction's customers"});
      } else {
        errs.push_back({field + ".kind", "must be user or contact"});
      }
      parts.push_back(x);
    }
    out.participants = std::move(parts);
  }
  if (!errs.empty()) return InvalidArgument("invalid interaction", std::move(errs));
  return Status::Ok();
}

Result<Interaction> InteractionService::Create(const Principal& p, const InteractionPatch& in) {
  Interaction i;
  i.org_id = p.org_id;
  KEHU_RETURN_IF_ERROR(Validate(p, in, i, true));
  if (!in.participants && p.user_id) i.participants.push_back({"user", p.user_id});
  return CreateUnchecked(p, std::move(i));
}

Result<Interaction> InteractionService::CreateUnchecked(const Principal& p, Interaction i) {
  const UnixMillis now = clock_.Now();
  i.org_id = p.org_id;
  i.created_by = p.user_id ? std::optional<int64_t>(p.user_id) : std::nullopt;
  i.created_by_name = p.name;
  i.created_at = i.updated_at = now;
  i.version = 1;
  auto audit = customers::Audit(p, "create", "interaction", 0, DiffInteraction(nullptr, i), now);
  return repo_.Create(i, std::move(audit));
}

Result<Interaction> InteractionService::Get(const Principal& p, int64_t id) {
  KEHU_ASSIGN_OR_RETURN(auto found, repo_.Get(p.org_id, id));
  if (!found) return NotFound("no such interaction");
  KEHU_RETURN_IF_ERROR(CheckAllVisible(p, *found));
  return *found;
}

Result<Interaction> InteractionService::Update(const Principal& p, int64_t id,
                                               int64_t expected_version,
                                               const InteractionPatch& patch) {
  KEHU_ASSIGN_OR_RETURN(Interaction before, Get(p, id));
  if (!IsManagerOrAdmin(p) && before.created_by != p.user_id)
    return MakeError(ErrorCode::kPermissionDenied,
                     "only its author, an admin or a manager may change an interaction");
  Interaction after = before;
  KEHU_RETURN_IF_ERROR(Validate(p, patch, after, false));
  after.updated_at = clock_.Now();
  auto changes = DiffInteraction(&before, after);
  if (changes.empty() && expected_version == before.version) return before;
  auto audit =
      customers::Audit(p, "update", "interaction", id, std::move(changes), after.updated_at);
  return repo_.Update(after, expected_version, std::move(audit));
}

Status InteractionService::Delete(const Principal& p, int64_t id) {
  KEHU_ASSIGN_OR_RETURN(Interaction before, Get(p, id));
  if (!IsManagerOrAdmin(p) && before.created_by != p.user_id)
    return MakeError(ErrorCode::kPermissionDenied,
                     "only its author, an admin or a manager may delete an interaction");
  auto audit = customers::Audit(p, "delete", "interaction", id, {}, clock_.Now());
  return repo_.Delete(p.org_id, id, std::move(audit));
}

Result<ListPage<Interaction>> InteractionService::List(const Principal& p,
                                                       const InteractionListRequest& req) {
  std::vector<FieldError> errs;
  InteractionQuery q{.org_id = p.org_id};
  q.limit = req.limit <= 0 ? 50 : std::min(req.limit, 500);
  if (req.customer_id) {
    if (!customers_.CheckVisible(p, *req.customer_id).ok())
      errs.push_back({"customer_id", "no such customer"});
    q.customer_id = req.customer_id;
  }
  if (req.type) {
    if (auto t = ParseType(*req.type))
      q.type = *t;
    else
      errs.push_back({"type", "is not an interaction type"});
  }
  if (req.from) {
    if (auto t = ParseTimestamp(*req.from))
      q.from = *t;
    else
      errs.push_back({"from", "must be an RFC 3339 timestamp or a date"});
  }
  if (req.to) {
    if (auto t = ParseTimestamp(*req.to))
      q.to = *t;
    else
      errs.push_back({"to", "must be an RFC 3339 timestamp or a date"});
  }
  if (req.mine) q.involving_user = p.user_id;
  if (!req.cursor.empty()) {
    if (auto k = ParseKeyCursor(req.cursor))
      q.before = Before{k->first, k->second};
    else
      errs.push_back({"cursor", "is not a cursor this list gave out"});
  }
  if (!errs.empty()) return InvalidArgument("invalid list query", std::move(errs));
  ListPage<Interaction> page;
  // Rows the caller may not see are skipped; a page may then hold fewer than `limit` items,
  // and the cursor still moves past every row read.
  KEHU_ASSIGN_OR_RETURN(auto rows, repo_.List(q));
  for (auto& i : rows)
    if (CheckAllVisible(p, i).ok()) page.items.push_back(std::move(i));
  if (static_cast<int>(rows.size()) == q.limit && !rows.empty())
    page.next_cursor = KeyCursor(rows.back().occurred_at, rows.back().id);
  return page;
}

Result<std::vector<Interaction>> InteractionService::ForCustomer(
    const Principal& p, int64_t customer_id, const std::optional<Before>& before, int limit) {
  std::vector<Interaction> out;
  InteractionQuery q{
      .org_id = p.org_id, .customer_id = customer_id, .before = before, .limit = limit};
  for (int rounds = 0; rounds < 20 && static_cast<int>(out.size()) < limit; ++rounds) {
    KEHU_ASSIGN_OR_RETURN(auto rows, repo_.List(q));
    for (auto& i : rows) {
      if (static_cast<int>(out.size()) >= limit) break;
      if (CheckAllVisible(p, i).ok()) out.push_back(std::move(i));
    }
    if (static_cast<int>(rows.size()) < q.limit) break;
    q.before = Before{rows.back().occurred_at, rows.back().id};
  }
  return out;
}

// ---- Tasks ----

bool InteractionService::CanSeeTask(const Principal& p, const Task& t) {
  if (!IsManagerOrAdmin(p) && t.assignee_id != p.user_id && t.created_by != p.user_id) return false;
  if (t.customer_id && !customers_.CheckVisible(p, *t.customer_id).ok()) return false;
  return true;
}

Status InteractionService::ValidateTask(const Principal& p, const TaskPatch& in, Task& out,
                                        bool creating) {
  std::vector<FieldError> errs;
  if (in.title) {
    std::string t(Trim(*in.title));
    if (t.empty() || t.size() > kMaxSubjectBytes) errs.push_back({"title", "must be 1-200 bytes"});
    out.title = t;
  } else if (creating) {
    errs.push_back({"title", "is required"});
  }
  CheckText(in.note, "note", kMaxBodyBytes, errs);
  if (in.note) out.note = *in.note;
  if (in.customer_id) {
    if (*in.customer_id && !customers_.CheckVisible(p, **in.customer_id).ok())
      errs.push_back({"customer_id", "no such customer"});
    out.customer_id = *in.customer_id;
  }
  if (in.interaction_id) {
    if (*in.interaction_id && !Get(p, **in.interaction_id).ok())
      errs.push_back({"interaction_id", "no such interaction"});
    out.interaction_id = *in.interaction_id;
  }
  if (in.due_at) {
    if (auto t = ParseTimestamp(*in.due_at))
      out.due_at = *t;
    else
      errs.push_back({"due_at", "must be an RFC 3339 timestamp"});
  } else if (creating) {
    errs.push_back({"due_at", "is required"});
  }
  if (in.remind_at) {
    if (!*in.remind_at) {
      out.remind_at.reset();
    } else if (auto t = ParseTimestamp(**in.remind_at)) {
      if (!out.remind_at || *out.remind_at != *t) out.reminder_dismissed_at.reset();
      out.remind_at = *t;
    } else {
      errs.push_back({"remind_at", "must be an RFC 3339 timestamp or null"});
    }
  }
  if (in.assignee_id) {
    auto u = users_.GetUser(p.org_id, *in.assignee_id);
    if (!u.ok()) return u.error();
    if (!*u || !(*u)->active)
      errs.push_back({"assignee_id", "no such active user"});
    else if (p.role == Role::kSales && *in.assignee_id != p.user_id &&
             out.assignee_id != *in.assignee_id)
      errs.push_back({"assignee_id", "sales may assign tasks only to themselves"});
    out.assignee_id = *in.assignee_id;
  } else if (creating) {
    out.assignee_id = p.user_id;
  }
  if (in.status) {
    if (auto s = ParseTaskStatus(*in.status)) {
      if (*s != out.status)
        out.completed_at = *s == TaskStatus::kOpen ? std::nullopt : std::optional(clock_.Now());
      out.status = *s;
    } else {
      errs.push_back({"status", "must be open, done or cancelled"});
    }
  }
  if (!errs.empty()) return InvalidArgument("invalid task", std::move(errs));
  return Status::Ok();
}

namespace {

// The audited fields of a task (the reminder's dismissal is bookkeeping, not history).
std::vector<identity::FieldChange> DiffTask(const Task* before, const Task& after) {
  std::vector<identity::FieldChange> out;
  auto add = [&](const char* field, const std::string& b, const std::string& a) {
    if (!before)
      out.push_back({field, "null", a});
    else if (a != b)
      out.push_back({field, b, a});
  };
  auto opt_id = [](const std::optional<int64_t>& v) { return v ? std::to_string(*v) : std::string("null"); };
  auto opt_time = [](const std::optional<UnixMillis>& v) { return v ? J(FormatTimestamp(*v)) : std::string("null"); };
  const Task empty;
  const Task& b = before ? *before : empty;
  add("title", J(b.title), J(after.title));
  add("note", J(b.note), J(after.note));
  add("customer_id", opt_id(b.customer_id), opt_id(after.customer_id));
  add("interaction_id", opt_id(b.interaction_id), opt_id(after.interaction_id));
  add("due_at", J(FormatTimestamp(b.due_at)), J(FormatTimestamp(after.due_at)));
  add("remind_at", opt_time(b.remind_at), opt_time(after.remind_at));
  add("assignee_id", std::to_string(b.assignee_id), std::to_string(after.assignee_id));
  add("status", J(Name(b.status)), J(Name(after.status)));
  return out;
}

}  // namespace

Result<Task> InteractionService::CreateTask(const Principal& p, const TaskPatch& in) {
  Task t;
  t.org_id = p.org_id;
  KEHU_RETURN_IF_ERROR(ValidateTask(p, in, t, true));
  const UnixMillis now = clock_.Now();
  t.created_by = p.user_id;
  t.created_at = t.updated_at = now;
  t.version = 1;
  return repo_.CreateTask(t, customers::Audit(p, "create", "task", 0, DiffTask(nullptr, t), now));
}

Result<Task> InteractionService::GetTask(const Principal& p, int64_t id) {
  KEHU_ASSIGN_OR_RETURN(auto t, repo_.GetTask(p.org_id, id));
  if (!t || !CanSeeTask(p, *t)) return NotFound("no such task");
  return *t;
}

Result<Task> InteractionService::UpdateTask(const Principal& p, int64_t id,
                                            int64_t expected_version, const TaskPatch& patch) {
  KEHU_ASSIGN_OR_RETURN(Task t, GetTask(p, id));
  const Task before = t;
  KEHU_RETURN_IF_ERROR(ValidateTask(p, patch, t, false));
  t.updated_at = clock_.Now();
  return repo_.UpdateTask(t, expected_version,
                          customers::Audit(p, "update", "task", t.id, DiffTask(&before, t), t.updated_at));
}

Result<ListPage<Task>> InteractionService::ListTasks(const Principal& p,
                                                     const TaskListRequest& req) {
  std::vector<FieldError> errs;
  TaskQuery q{.org_id = p.org_id};
  q.limit = req.limit <= 0 ? 50 : std::min(req.limit, 500);
  if (req.assignee) {
    if (*req.assignee == "me")
      q.assignee_id = p.user_id;
    else if (auto id = ParseInt(*req.assignee); id && *id > 0)
      q.assignee_id = *id;
    else
      errs.push_back({"assignee", "must be me or a user id"});
  } else if (!IsManagerOrAdmin(p)) {
    q.assignee_id = p.user_id;
  }
  if (q.assignee_id && *q.assignee_id != p.user_id && !IsManagerOrAdmin(p))
    errs.push_back({"assignee", "you may list only your own tasks"});
  if (req.status) {
    if (auto s = ParseTaskStatus(*req.status))
      q.status = *s;
    else
      errs.push_back({"status", "must be open, done or cancelled"});
  }
  const UnixMillis now = clock_.Now();
  if (req.due) {
    if (*req.due == "today") {
      q.due_from = OrgDayStart(now);
      q.due_before = OrgDayStart(now) + kDayMillis;
    } else if (*req.due == "overdue") {
      q.due_before = now;
      if (!q.status) q.status = TaskStatus::kOpen;
    } else {
      errs.push_back({"due", "must be today or overdue"});
    }
  }
  if (req.customer_id) {
    if (!customers_.CheckVisible(p, *req.customer_id).ok())
      errs.push_back({"customer_id", "no such customer"});
    q.customer_id = req.customer_id;
  }
  if (!req.cursor.empty()) {
    if (auto k = ParseKeyCursor(req.cursor))
      q.after = *k;
    else
      errs.push_back({"cursor", "is not a cursor this list gave out"});
  }
  if (!errs.empty()) return InvalidArgument("invalid list query", std::move(errs));
  KEHU_ASSIGN_OR_RETURN(auto rows, repo_.ListTasks(q));
  ListPage<Task> page;
  for (auto& t : rows)
    if (CanSeeTask(p, t)) page.items.push_back(std::move(t));
  if (static_cast<int>(rows.size()) == q.limit && !rows.empty())
    page.next_cursor = KeyCursor(rows.back().due_at, rows.back().id);
  return page;
}

Result<TodayTasks> InteractionService::MyTasksToday(const Principal& p) {
  const UnixMillis now = clock_.Now();
  TaskQuery q{.org_id = p.org_id,
              .assignee_id = p.user_id,
              .status = TaskStatus::kOpen,
              .due_before = OrgDayStart(now) + kDayMillis,
              .limit = 500};
  KEHU_ASSIGN_OR_RETURN(auto rows, repo_.ListTasks(q));
  TodayTasks out;
  for (auto& t : rows) {
    if (t.customer_id && !customers_.CheckVisible(p, *t.customer_id).ok()) continue;
    (t.due_at < now ? out.overdue : out.today).push_back(std::move(t));
  }
  return out;
}

Result<std::vector<Task>> InteractionService::MyReminders(const Principal& p) {
  TaskQuery q{.org_id = p.org_id,
              .assignee_id = p.user_id,
              .status = TaskStatus::kOpen,
              .remind_before = clock_.Now(),
              .limit = 100};
  KEHU_ASSIGN_OR_RETURN(auto rows, repo_.ListTasks(q));
  std::vector<Task> out;
  for (auto& t : rows)
    if (!t.customer_id || customers_.CheckVisible(p, *t.customer_id).ok())
      out.push_back(std::move(t));
  return out;
}

Result<Task> InteractionService::DismissReminder(const Principal& p, int64_t id) {
  KEHU_ASSIGN_OR_RETURN(Task t, GetTask(p, id));
  if (t.assignee_id != p.user_id)
    return MakeError(ErrorCode::kPermissionDenied, "only the assignee may dismiss a reminder");
  if (t.reminder_dismissed_at) return t;
  const int64_t version = t.version;
  t.reminder_dismissed_at = clock_.Now();
  t.updated_at = clock_.Now();
  return repo_.UpdateTask(t, version, identity::AuditEntry{});  // no audited field changes
}

}  // namespace kehu::interactions
