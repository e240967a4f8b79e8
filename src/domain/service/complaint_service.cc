#include "domain/service/complaint_service.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/strings.h"

namespace kehu::service {

using identity::Principal;
using identity::Role;

namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 86'400'000;

constexpr const char* kDefaultCategories[][3] = {
    {"product_quality", "产品质量", "Product quality"},
    {"logistics", "物流配送", "Logistics"},
    {"counterfeit", "疑似假冒", "Counterfeit suspicion"},
    {"service_attitude", "服务态度", "Service attitude"},
    {"pricing", "价格问题", "Pricing"},
    {"other", "其他", "Other"},
};

// Business minutes: {response, resolution} by severity 1..4 (VIP: half).
constexpr int kDefaultTargets[4][2] = {{60, 480}, {120, 1080}, {240, 1620}, {480, 2700}};

Error Denied() { return MakeError(ErrorCode::kPermissionDenied, "your role may not work complaints"); }

bool ValidEmailShape(const std::string& e) {
  size_t at = e.find('@');
  return e.size() >= 3 && e.size() <= 254 && at != std::string::npos && at > 0 &&
         e.find('.', at) != std::string::npos && e.find(' ') == std::string::npos &&
         e.find('\r') == std::string::npos && e.find('\n') == std::string::npos;
}

std::string LocalDate(UnixMillis t, int offset_minutes) {
  int64_t local = t + offset_minutes * kMinuteMs;
  int64_t days = local / kDayMs - ((local % kDayMs) < 0);
  return FormatDate(CivilFromDays(days));
}

const SlaPolicy* FindPolicy(const std::vector<SlaPolicy>& ps, int severity, const std::string& cat, bool vip) {
  auto find = [&](const std::string& c, bool v) -> const SlaPolicy* {
    for (const auto& p : ps)
      if (p.severity == severity && p.customer_category == c && p.vip == v) return &p;
    return nullptr;
  };
  if (auto* p = find(cat, vip)) return p;
  if (vip)
    if (auto* p = find("*", true)) return p;
  if (auto* p = find(cat, false)) return p;
  return find("*", false);
}

}  // namespace

bool CanWorkComplaints(const Principal& p) {
  return p.role == Role::kAdmin || p.role == Role::kManager || p.role == Role::kService;
}

const char* Name(Strategy s) { return s == Strategy::kRoundRobin ? "round_robin" : "least_loaded"; }
std::optional<Strategy> ParseStrategy(std::string_view s) {
  if (s == "round_robin") return Strategy::kRoundRobin;
  if (s == "least_loaded") return Strategy::kLeastLoaded;
  return std::nullopt;
}

Status ComplaintService::EnsureDefaults(int64_t org_id) {
  const UnixMillis now = clock_.Now();
  KEHU_ASSIGN_OR_RETURN(auto cats, repo_.ListCategories(org_id));
  if (cats.empty())
    for (const auto& d : kDefaultCategories) {
      auto r = repo_.CreateCategory({.org_id = org_id, .key = d[0], .name_zh = d[1], .name_en = d[2]}, now);
      if (!r.ok() && r.error().code != ErrorCode::kAlreadyExists) return r.error();
    }
  KEHU_ASSIGN_OR_RETURN(auto policies, repo_.ListPolicies(org_id));
  if (policies.empty()) {
    std::vector<SlaPolicy> ps;
    for (int s = 1; s <= 4; ++s)
      for (bool vip : {false, true})
        ps.push_back({.severity = s, .customer_category = "*", .vip = vip,
                      .response_minutes = kDefaultTargets[s - 1][0] / (vip ? 2 : 1),
                      .resolution_minutes = kDefaultTargets[s - 1][1] / (vip ? 2 : 1)});
    identity::AuditEntry a{.org_id = org_id, .at = now, .actor_name = "system", .action = "seed",
                           .entity = "sla_policy"};
    KEHU_RETURN_IF_ERROR(repo_.PutPolicies(org_id, ps, a, now));
  }
  for (int year : ShippedCalendarYears()) {
    KEHU_ASSIGN_OR_RETURN(bool seeded, repo_.SeedCalendarYear(org_id, year, ShippedCalendarDays(year), now));
    (void)seeded;
  }
  return Status::Ok();
}

void ComplaintService::SetSurveySecret(std::string secret) {
  std::lock_guard lock(secret_mu_);
  secret_ = std::move(secret);
}

Result<std::string> ComplaintService::Secret() {
  {
    std::lock_guard lock(secret_mu_);
    if (!secret_.empty()) return secret_;
  }
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  KEHU_ASSIGN_OR_RETURN(std::string s, repo_.SurveySecret(0, hex));
  std::lock_guard lock(secret_mu_);
  secret_ = s;
  return s;
}

Result<Calendar> ComplaintService::LoadCalendar(int64_t org_id) {
  KEHU_ASSIGN_OR_RETURN(auto hours, repo_.GetWorkingHours(org_id));
  KEHU_ASSIGN_OR_RETURN(auto days, repo_.ListCalendarDays(org_id, 0));
  return Calendar(hours, days);
}

Result<Complaint> ComplaintService::LoadVisible(const Principal& p, int64_t id) {
  KEHU_ASSIGN_OR_RETURN(auto c, repo_.GetComplaint(p.org_id, id));
  if (!c) return NotFound("no such complaint");
  if (auto st = customers_.CheckVisible(p, c->customer_id); !st.ok()) return NotFound("no such complaint");
  return *c;
}

std::map<int64_t, double> ComplaintService::ValuePercentiles(int64_t org_id, const std::vector<int64_t>& customer_ids) {
  if (ranking_ == nullptr || customer_ids.empty()) return {};
  auto r = ranking_->Percentiles(org_id, customer_ids);
  if (!r.ok()) return {};
  return std::move(*r);
}

std::optional<double> ComplaintService::ValuePercentile(int64_t org_id, int64_t customer_id) {
  auto m = ValuePercentiles(org_id, {customer_id});
  if (auto it = m.find(customer_id); it != m.end()) return it->second;
  return std::nullopt;
}

ComplaintView ComplaintService::View(const Complaint& c, const Calendar& cal, UnixMillis now, bool staff,
                                     std::optional<double> value_percentile) {
  ComplaintView v;
  v.value_percentile = value_percentile;
  v.complaint = c;
  v.allowed = AllowedTransitions(c.status);
  if (!c.assignee_id)
    v.allowed.erase(std::remove(v.allowed.begin(), v.allowed.end(), ComplaintStatus::kAssigned), v.allowed.end());
  v.sla.elapsed_ms = ElapsedMillis(c, cal, now);
  v.sla.running = c.sla_running_since.has_value();
  v.sla.response_target_ms = c.response_target_ms;
  v.sla.resolution_target_ms = c.resolution_target_ms;
  const int64_t resp_used = c.response_elapsed_ms.value_or(v.sla.elapsed_ms);
  v.sla.response_breached = c.response_target_ms > 0 && resp_used > c.response_target_ms;
  const int64_t res_used = IsOpen(c.status) ? v.sla.elapsed_ms : c.resolution_elapsed_ms.value_or(v.sla.elapsed_ms);
  v.sla.resolution_breached = c.resolution_target_ms > 0 && res_used > c.resolution_target_ms;
  if (c.sla_running_since) {
    if (TargetActive(c, Target::kResponse) && c.response_target_ms > 0)
      v.sla.response_due_at = cal.AddBusinessMillis(*c.sla_running_since, std::max<int64_t>(0, c.response_target_ms - c.sla_elapsed_ms));
    if (TargetActive(c, Target::kResolution) && c.resolution_target_ms > 0)
      v.sla.resolution_due_at = cal.AddBusinessMillis(*c.sla_running_since, std::max<int64_t>(0, c.resolution_target_ms - c.sla_elapsed_ms));
  }
  std::optional<double> frac;
  for (Target t : {Target::kResponse, Target::kResolution})
    if (TargetActive(c, t) && TargetMillis(c, t) > 0) {
      double f = static_cast<double>(v.sla.elapsed_ms) / static_cast<double>(TargetMillis(c, t));
      if (!frac || f > *frac) frac = f;
    }
  v.priority = PriorityScore({.customer_category = c.customer_category, .vip = c.vip,
                              .value_percentile = value_percentile, .severity = c.severity,
                              .sla_fraction_used = frac});
  if (staff && c.status == ComplaintStatus::kClosed && c.survey_expires_at && !c.survey_answered_at) {
    auto s = Secret();
    if (s.ok()) v.survey_token = SignSurveyToken(*s, c.org_id, c.id, *c.survey_expires_at);
  }
  return v;
}

Result<ComplaintView> ComplaintService::Save(const Principal& p, Complaint c, int64_t expected_version,
                                             std::vector<Event> events, const Calendar& cal,
                                             const std::string& action, std::vector<Notification> notes) {
  const UnixMillis now = clock_.Now();
  c.updated_at = now;
  c.next_escalation_at = NextEscalationAt(c, cal);
  for (auto& e : events) {
    e.org_id = c.org_id;
    e.complaint_id = c.id;
    e.at = now;
    e.actor_id = p.user_id;
    e.actor_name = p.name;
  }
  std::vector<identity::FieldChange> changes;
  for (const auto& e : events)
    changes.push_back({e.kind, JsonQuote(e.from_status), JsonQuote(e.to_status.empty() ? e.body : e.to_status)});
  ComplaintWrite w{.complaint = c, .expected_version = expected_version, .events = std::move(events),
                   .audit = customers::Audit(p, action, "complaint", c.id, std::move(changes), now),
                   .notifications = std::move(notes)};
  KEHU_ASSIGN_OR_RETURN(auto saved, repo_.WriteComplaint(std::move(w)));
  return View(saved, cal, now, true, ValuePercentile(saved.org_id, saved.customer_id));
}

Result<ComplaintView> ComplaintService::Create(const Principal& p, const NewComplaint& in) {
  if (!CanWorkComplaints(p)) return Denied();
  std::vector<FieldError> errs;
  if (in.customer_id <= 0) errs.push_back({"customer_id", "is required"});
  if (!ValidChannel(in.channel))
    errs.push_back({"channel", "must be one of hotline, letter, visit, web, wechat, survey, service_center"});
  if (in.severity < 1 || in.severity > 4) errs.push_back({"severity", "must be 1 (most severe) to 4"});
  std::string desc(Trim(in.description));
  if (desc.empty()) errs.push_back({"description", "is required"});
  if (desc.size() > kMaxDescriptionBytes) errs.push_back({"description", "is too long (at most 4000 bytes)"});
  KEHU_ASSIGN_OR_RETURN(auto cats, repo_.ListCategories(p.org_id));
  if (std::none_of(cats.begin(), cats.end(), [&](const auto& k) { return k.key == in.category; }))
    errs.push_back({"category", "is not a complaint category"});
  if (!errs.empty()) return InvalidArgument("invalid complaint", std::move(errs));
  auto cust = customers_.Get(p, in.customer_id);
  if (!cust.ok()) {
    if (cust.error().code == ErrorCode::kNotFound) return NotFound("no such customer");
    return cust.error();
  }
  const UnixMillis now = clock_.Now();
  KEHU_ASSIGN_OR_RETURN(auto cal, LoadCalendar(p.org_id));
  KEHU_ASSIGN_OR_RETURN(auto policies, repo_.ListPolicies(p.org_id));
  Complaint c;
  c.org_id = p.org_id;
  c.number = "TS-" + LocalDate(now, cal.hours().utc_offset_minutes).substr(0, 4) + "-";
  c.customer_id = cust->id;
  c.customer_name = cust->name;
  c.channel = in.channel;
  c.category = in.category;
  c.severity = in.severity;
  c.description = desc;
  c.customer_category = cust->category;
  c.vip = cust->vip;
  c.created_by = p.user_id;
  c.created_at = now;
  if (const SlaPolicy* pol = FindPolicy(policies, c.severity, c.customer_category, c.vip)) {
    c.response_target_ms = pol->response_minutes * kMinuteMs;
    c.resolution_target_ms = pol->resolution_minutes * kMinuteMs;
  }
  StartClock(c, now);
  std::vector<Event> events{{.kind = "created", .to_status = "new", .body = desc}};

  // Assignment: explicit, or routed by the customer's category to its specialist team.
  std::optional<TeamSetting> moved;
  KEHU_ASSIGN_OR_RETURN(auto users, identity_.ListUsers(p.org_id));
  auto workable = [&](int64_t uid) {
    return std::any_of(users.begin(), users.end(), [&](const identity::User& u) {
      return u.id == uid && u.active && (u.role == Role::kService || u.role == Role::kManager || u.role == Role::kAdmin);
    });
  };
  if (in.assignee_id) {
    if (!workable(*in.assignee_id))
      return InvalidArgument("invalid complaint", {{"assignee_id", "must be an active service, manager or admin user"}});
    c.assignee_id = in.assignee_id;
  } else {
    KEHU_ASSIGN_OR_RETURN(auto routes, repo_.ListRoutes(p.org_id));
    for (const auto& r : routes) {
      if (r.customer_category != c.customer_category) continue;
      KEHU_ASSIGN_OR_RETURN(auto team, identity_.GetTeam(p.org_id, r.team_id));
      if (!team) break;
      c.team_id = team->id;
      std::vector<int64_t> members;
      for (int64_t m : team->member_ids)
        if (workable(m)) members.push_back(m);
      std::sort(members.begin(), members.end());
      if (members.empty()) break;
      KEHU_ASSIGN_OR_RETURN(auto settings, repo_.ListTeamSettings(p.org_id));
      TeamSetting ts{.team_id = team->id};
      for (const auto& s : settings)
        if (s.team_id == team->id) ts = s;
      if (ts.strategy == Strategy::kLeastLoaded) {
        KEHU_ASSIGN_OR_RETURN(auto counts, repo_.OpenCounts(p.org_id, members));
        int64_t best = members.front(), best_n = INT64_MAX;
        for (int64_t m : members) {
          int64_t n = counts.count(m) ? counts[m] : 0;
          if (n < best_n) best = m, best_n = n;
        }
        c.assignee_id = best;
      } else {
        auto it = ts.last_assignee_id ? std::upper_bound(members.begin(), members.end(), *ts.last_assignee_id)
                                      : members.begin();
        c.assignee_id = it == members.end() ? members.front() : *it;
      }
      ts.last_assignee_id = c.assignee_id;
      moved = ts;
      break;
    }
  }
  std::vector<Notification> notes;
  if (c.assignee_id) {
    c.status = ComplaintStatus::kAssigned;
    events.push_back({.kind = "assignment", .from_status = "new", .to_status = "assigned", .assignee_id = c.assignee_id});
    notes.push_back({.org_id = p.org_id, .user_id = *c.assignee_id, .kind = "assignment",
                     .title = "新投诉已分配给您 / New complaint assigned", .body = Clip(desc, 200), .created_at = now});
  }
  c.next_escalation_at = NextEscalationAt(c, cal);
  c.updated_at = now;
  for (auto& e : events) {
    e.org_id = p.org_id;
    e.at = now;
    e.actor_id = p.user_id;
    e.actor_name = p.name;
  }
  ComplaintWrite w{.complaint = c, .expected_version = 0, .events = std::move(events),
                   .audit = customers::Audit(p, "create", "complaint", 0,
                                             {{"number", "null", "\"\""}, {"customer_id", "null", std::to_string(c.customer_id)}}, now),
                   .notifications = std::move(notes), .team_setting = moved};
  KEHU_ASSIGN_OR_RETURN(auto saved, repo_.WriteComplaint(std::move(w)));
  return View(saved, cal, now, true, ValuePercentile(saved.org_id, saved.customer_id));
}

Result<ComplaintView> ComplaintService::Get(const Principal& p, int64_t id) {
  KEHU_ASSIGN_OR_RETURN(auto c, LoadVisible(p, id));
  KEHU_ASSIGN_OR_RETURN(auto cal, LoadCalendar(p.org_id));
  return View(c, cal, clock_.Now(), CanWorkComplaints(p), ValuePercentile(c.org_id, c.customer_id));
}

Result<std::vector<Event>> ComplaintService::Events(const Principal& p, int64_t id) {
  KEHU_ASSIGN_OR_RETURN(auto c, LoadVisible(p, id));
  return repo_.ListEvents(p.org_id, c.id);
}

Result<std::vector<ComplaintView>> ComplaintService::ListForCustomer(const Principal& p, int64_t customer_id) {
  if (auto st = customers_.CheckVisible(p, customer_id); !st.ok()) return NotFound("no such customer");
  KEHU_ASSIGN_OR_RETURN(auto list, repo_.ListComplaints({.org_id = p.org_id, .customer_id = customer_id, .any_team = true}));
  std::vector<ComplaintView> out;
  if (list.empty()) return out;  // most customers (and screen pops): no calendar needed
  KEHU_ASSIGN_OR_RETURN(auto cal, LoadCalendar(p.org_id));
  const UnixMillis now = clock_.Now();
  const auto pct = ValuePercentile(p.org_id, customer_id);
  for (const auto& c : list) out.push_back(View(c, cal, now, CanWorkComplaints(p), pct));
  return out;
}

Result<std::vector<ComplaintView>> ComplaintService::Queue(const Principal& p, const std::string& scope) {
  if (!CanWorkComplaints(p)) return Denied();
  ComplaintQuery q{.org_id = p.org_id, .open_only = true};
  if (scope == "mine") {
    q.assignee_id = p.user_id;
    q.any_team = true;
  } else if (scope == "team") {
    q.team_ids = p.team_ids;
    KEHU_ASSIGN_OR_RETURN(auto led, identity_.TeamsLedBy(p.org_id, p.user_id));
    q.team_ids.insert(q.team_ids.end(), led.begin(), led.end());
    if (p.role == Role::kAdmin) {
      q.team_ids.clear();
      q.any_team = true;
    } else if (q.team_ids.empty()) {
      return std::vector<ComplaintView>{};
    }
  } else {
    return InvalidArgument("invalid scope", {{"scope", "must be mine or team"}});
  }
  KEHU_ASSIGN_OR_RETURN(auto cal, LoadCalendar(p.org_id));
  KEHU_ASSIGN_OR_RETURN(auto list, repo_.ListComplaints(q));
  std::vector<ComplaintView> out;
  const UnixMillis now = clock_.Now();
  std::vector<int64_t> customer_ids;
  for (const auto& c : list) customer_ids.push_back(c.customer_id);
  std::sort(customer_ids.begin(), customer_ids.end());
  customer_ids.erase(std::unique(customer_ids.begin(), customer_ids.end()), customer_ids.end());
  const auto pct = ValuePercentiles(p.org_id, customer_ids);
  for (const auto& c : list) {
    if (auto st = customers_.CheckVisible(p, c.customer_id); !st.ok()) continue;
    auto it = pct.find(c.customer_id);
    out.push_back(View(c, cal, now, true, it == pct.end() ? std::nullopt : std::optional<double>(it->second)));
  }
  std::stable_sort(out.begin(), out.end(), [](const ComplaintView& a, const ComplaintView& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.complaint.created_at < b.complaint.created_at;
  });
  return out;
}

Result<ComplaintView> ComplaintService::Transition(const Principal& p, int64_t id, const std::string& to,
                                                   const std::string& note, std::optional<int64_t> expected_version) {
  if (!CanWorkComplaints(p)) return Denied();
  KEHU_ASSIGN_OR_RETURN(auto c, LoadVisible(p, id));
  if (expected_version && *expected_version != c.version)
    return MakeError(ErrorCode::kAborted, "the complaint changed; current version " + std::to_string(c.version));
  auto target = ParseStatus(to);
  if (!target) return InvalidArgument("invalid status", {{"to", "is not a status"}});
  if (note.size() > kMaxDescriptionBytes) return InvalidArgument("invalid note", {{"note", "is too long"}});
  KEHU_ASSIGN_OR_RETURN(auto cal, LoadCalendar(p.org_id));
  const UnixMillis now = clock_.Now();
  ComplaintView before = View(c, cal, now, true);
  if (std::find(before.allowed.begin(), before.allowed.end(), *target) == before.allowed.end()) {
    Error e = MakeError(ErrorCode::kFailedPrecondition,
                        std::string("a complaint in status ") + Name(c.status) + " cannot move to " + to);
    for (ComplaintStatus s : before.allowed) e.allowed.push_back(Name(s));
    return e;
  }
  const ComplaintStatus from = c.status;
  // Back to work from resolved or closed; resolved -> closed is the normal end, not a reopen.
  const bool reopen = (from == ComplaintStatus::kResolved || from == ComplaintStatus::kClosed) &&
                      *target == ComplaintStatus::kInProgress;
  if (!c.first_response_at && (from == ComplaintStatus::kNew || from == ComplaintStatus::kAssigned) && *target != ComplaintStatus::kAssigned) {
    c.first_response_at = now;
    c.response_elapsed_ms = ElapsedMillis(c, cal, now);
  }
  switch (*target) {
    case ComplaintStatus::kWaitingCustomer: PauseClock(c, cal, now); break;
    case ComplaintStatus::kInProgress: StartClock(c, now); break;
    case ComplaintStatus::kResolved:
      c.resolution_elapsed_ms = ElapsedMillis(c, cal, now);
      c.resolved_at = now;
      PauseClock(c, cal, now);
      break;
    case ComplaintStatus::kClosed:
      c.closed_at = now;
      if (!c.survey_answered_at) c.survey_expires_at = now + kSurveyValidityMs;
      break;
    case ComplaintStatus::kNew:
    case ComplaintStatus::kAssigned: break;
  }
  if (reopen) {
    c.closed_at.reset();
    c.resolution_elapsed_ms.reset();
  }
  c.status = *target;
  std::vector<Event> events{{.kind = reopen ? "reopen" : "status", .from_status = Name(from), .to_status = to, .body = note}};
  return Save(p, c, c.version, std::move(events), cal, "transition");
}

Result<ComplaintView> ComplaintService::Assign(const Principal& p, int64_t id, int64_t assignee_id,
                                               std::optional<int64_t> team_id) {
  if (!CanWorkComplaints(p)) return Denied();
  KEHU_ASSIGN_OR_RETURN(auto c, LoadVisible(p, id));
  if (!IsOpen(c.status)) {
    Error e = MakeError(ErrorCode::kFailedPrecondition, "a resolved or closed complaint cannot be reassigned");
    for (ComplaintStatus s : AllowedTransitions(c.status)) e.allowed.push_back(Name(s));
    return e;
  }
  KEHU_ASSIGN_OR_RETURN(auto u, identity_.GetUser(p.org_id, assignee_id));
  if (!u || !u->active || !(u->role == Role::kService || u->role == Role::kManager || u->role == Role::kAdmin))
    return InvalidArgument("invalid assignee", {{"assignee_id", "must be an active service, manager or admin user"}});
  if (team_id) {
    KEHU_ASSIGN_OR_RETURN(auto t, identity_.GetTeam(p.org_id, *team_id));
    if (!t) return InvalidArgument("invalid team", {{"team_id", "no such team"}});
    c.team_id = team_id;
  }
  KEHU_ASSIGN_OR_RETURN(auto cal, LoadCalendar(p.org_id));
  const ComplaintStatus from = c.status;
  c.assignee_id = assignee_id;
  if (c.status == ComplaintStatus::kNew) c.status = ComplaintStatus::kAssigned;
  std::vector<Event> events{{.kind = "assignment", .from_status = Name(from), .to_status = Name(c.status),
                             .body = u->display_name, .assignee_id = assignee_id}};
  std::vector<Notification> notes{{.org_id = p.org_id, .user_id = assignee_id, .kind = "assignment",
                                   .title = "投诉 " + c.number + " 已分配给您 / assigned to you",
                                   .body = Clip(c.description, 200), .complaint_id = c.id,
                                   .created_at = clock_.Now()}};
  return Save(p, c, c.version, std::move(events), cal, "assign", std::move(notes));
}

Result<ComplaintView> ComplaintService::AddNote(const Principal& p, int64_t id, const std::string& body,
                                                bool to_customer) {
  if (!CanWorkComplaints(p)) return Denied();
  std::string text(Trim(body));
  if (text.empty()) return InvalidArgument("invalid note", {{"body", "is required"}});
  if (text.size() > kMaxDescriptionBytes) return InvalidArgument("invalid note", {{"body", "is too long"}});
  KEHU_ASSIGN_OR_RETURN(auto c, LoadVisible(p, id));
  KEHU_ASSIGN_OR_RETURN(auto cal, LoadCalendar(p.org_id));
  const UnixMillis now = clock_.Now();
  if (to_customer && !c.first_response_at) {
    c.first_response_at = now;
    c.response_elapsed_ms = ElapsedMillis(c, cal, now);
  }
  std::vector<Event> events{{.kind = "note", .body = text, .to_customer = to_customer}};
  return Save(p, c, c.version, std::move(events), cal, "note");
}

Result<ComplaintView> ComplaintService::Resolve(const Principal& p, int64_t id, const ResolutionInput& in) {
  if (!CanWorkComplaints(p)) return Denied();
  std::vector<FieldError> errs;
  auto check = [&](const std::optional<std::string>& s, const char* f) {
    if (s && s->size() > kMaxDescriptionBytes) errs.push_back({f, "is too long"});
  };
  check(in.root_cause, "root_cause");
  check(in.resolution_note, "resolution_note");
  check(in.compensation_text, "compensation_text");
  if (in.compensation_minor && *in.compensation_minor && **in.compensation_minor < 0)
    errs.push_back({"compensation_minor", "must not be negative"});
  if (in.compensation_currency && (in.compensation_currency->size() != 3 ||
                                   !std::all_of(in.compensation_currency->begin(), in.compensation_currency->end(),
                                                [](char ch) { return ch >= 'A' && ch <= 'Z'; })))
    errs.push_back({"compensation_currency", "must be an ISO 4217 code such as CNY"});
  if (!errs.empty()) return InvalidArgument("invalid resolution", std::move(errs));
  KEHU_ASSIGN_OR_RETURN(auto c, LoadVisible(p, id));
  KEHU_ASSIGN_OR_RETURN(auto cal, LoadCalendar(p.org_id));
  if (in.root_cause) c.root_cause = *in.root_cause;
  if (in.resolution_note) c.resolution_note = *in.resolution_note;
  if (in.compensation_minor) c.compensation_minor = *in.compensation_minor;
  if (in.compensation_currency) c.compensation_currency = *in.compensation_currency;
  if (in.compensation_text) c.compensation_text = *in.compensation_text;
  // The event says what was written, in the agent's own words (a fixed English phrase showed as
  // such in the Chinese workspace); the reward's state is on the complaint.
  std::string body;
  for (const auto* text : {&in.root_cause, &in.resolution_note, &in.compensation_text})
    if (*text && !Trim(**text).empty()) body += (body.empty() ? "" : " · ") + std::string(Trim(**text));
  if (in.reward && c.reward_status != "granted") {
    if (reward_) {
      KEHU_ASSIGN_OR_RETURN(c.reward_reference, reward_->Grant(c.org_id, c.customer_id, c.id));
      c.reward_status = "granted";
    } else {
      c.reward_status = "pending_loyalty";
    }
  }
  std::vector<Event> events{{.kind = "resolution", .body = body}};
  return Save(p, c, c.version, std::move(events), cal, "resolution");
}

Result<SurveyView> ComplaintService::GetSurvey(const std::string& token) {
  KEHU_ASSIGN_OR_RETURN(auto secret, Secret());
  KEHU_ASSIGN_OR_RETURN(auto claim, VerifySurveyToken(secret, token, clock_.Now()));
  KEHU_ASSIGN_OR_RETURN(auto c, repo_.GetComplaint(claim.org_id, claim.complaint_id));
  if (!c) return NotFound("no such survey");
  KEHU_ASSIGN_OR_RETURN(auto cats, repo_.ListCategories(claim.org_id));
  std::string cat = c->category;
  for (const auto& k : cats)
    if (k.key == c->category) cat = k.name_zh;
  return SurveyView{.number = c->number, .category = cat, .answered = c->survey_answered_at.has_value(),
                    .expires_at = claim.expires_at};
}

Result<SurveyView> ComplaintService::AnswerSurvey(const std::string& token, int csat, int nps, const std::string& comment) {
  KEHU_ASSIGN_OR_RETURN(auto secret, Secret());
  const UnixMillis now = clock_.Now();
  KEHU_ASSIGN_OR_RETURN(auto claim, VerifySurveyToken(secret, token, now));
  std::vector<FieldError> errs;
  if (csat < 1 || csat > 5) errs.push_back({"csat", "must be 1 to 5"});
  if (nps < 0 || nps > 10) errs.push_back({"nps", "must be 0 to 10"});
  if (comment.size() > kMaxDescriptionBytes) errs.push_back({"comment", "is too long"});
  if (!errs.empty()) return InvalidArgument("invalid answer", std::move(errs));
  // A staff edit between our read and write makes the write stale (kAborted): read again, a few
  // times, so the customer's answer is not lost to an unrelated edit; a second answer is 409.
  for (int attempt = 0;; ++attempt) {
    KEHU_ASSIGN_OR_RETURN(auto c, repo_.GetComplaint(claim.org_id, claim.complaint_id));
    if (!c) return NotFound("no such survey");
    if (c->survey_answered_at) return MakeError(ErrorCode::kAlreadyExists, "this survey was already answered");
    c->csat = csat;
    c->nps = nps;
    c->survey_comment = std::string(Trim(comment));
    c->survey_answered_at = now;
    c->updated_at = now;
    Event e{.org_id = c->org_id, .complaint_id = c->id, .at = now, .actor_name = "customer", .kind = "survey",
            .body = "CSAT " + std::to_string(csat) + ", NPS " + std::to_string(nps)};
    ComplaintWrite w{.complaint = *c, .expected_version = c->version, .events = {e}};
    auto saved = repo_.WriteComplaint(std::move(w));
    if (saved.ok())
      return SurveyView{.number = c->number, .category = c->category, .answered = true, .expires_at = claim.expires_at};
    if (saved.error().code != ErrorCode::kAborted || attempt >= 3) return saved.error();
  }
}

Result<std::vector<Complaint>> ComplaintService::Satisfaction(const Principal& p, int64_t customer_id) {
  if (auto st = customers_.CheckVisible(p, customer_id); !st.ok()) return NotFound("no such customer");
  KEHU_ASSIGN_OR_RETURN(auto list, repo_.ListComplaints({.org_id = p.org_id, .customer_id = customer_id, .any_team = true}));
  std::vector<Complaint> out;
  for (auto& c : list)
    if (c.survey_answered_at) out.push_back(std::move(c));
  return out;
}

Result<int> ComplaintService::UtcOffsetMinutes(const Principal& p) {
  KEHU_ASSIGN_OR_RETURN(auto cal, LoadCalendar(p.org_id));
  return cal.hours().utc_offset_minutes;
}

Result<Stats> ComplaintService::ServiceStats(const Principal& p, UnixMillis from, UnixMillis to) {
  if (!CanWorkComplaints(p)) return Denied();
  if (to <= from) return InvalidArgument("invalid range", {{"to", "must be after from"}});
  KEHU_ASSIGN_OR_RETURN(auto cal, LoadCalendar(p.org_id));
  // Counted and summed in the database; here only team ids become names and day numbers dates.
  KEHU_ASSIGN_OR_RETURN(auto a, repo_.AggregateComplaints(p.org_id, from, to, cal.hours().utc_offset_minutes));
  KEHU_ASSIGN_OR_RETURN(auto teams, identity_.ListTeams(p.org_id));
  Stats s;
  s.total = a.total;
  s.by_category = std::move(a.by_category);
  s.by_channel = std::move(a.by_channel);
  for (const auto& [team_id, n] : a.by_team) {
    std::string team = "none";
    if (team_id) {
      team = std::to_string(*team_id);
      for (const auto& t : teams)
        if (t.id == *team_id) team = t.name;
    }
    s.by_team[team] += n;  // two teams of one name share a row
  }
  for (const auto& [day, n] : a.by_day) s.per_day[FormatDate(CivilFromDays(day))] += n;
  s.sla_measured = a.sla_measured;
  s.survey_answers = a.survey_count;
  if (s.sla_measured)
    s.sla_compliance = 100.0 * static_cast<double>(a.sla_met) / static_cast<double>(s.sla_measured);
  if (a.response_count)
    s.mean_first_response_ms = static_cast<double>(a.response_sum_ms) / static_cast<double>(a.response_count);
  if (a.resolution_count)
    s.mean_resolution_ms = static_cast<double>(a.resolution_sum_ms) / static_cast<double>(a.resolution_count);
  if (s.survey_answers) {
    s.csat_average = static_cast<double>(a.csat_sum) / static_cast<double>(s.survey_answers);
    s.nps = 100.0 * static_cast<double>(a.promoters - a.detractors) / static_cast<double>(s.survey_answers);
  }
  return s;
}

Result<std::vector<ComplaintCategory>> ComplaintService::ListCategories(const Principal& p) {
  return repo_.ListCategories(p.org_id);
}

Result<ComplaintCategory> ComplaintService::CreateCategory(const Principal& p, const ComplaintCategory& in) {
  if (p.role != Role::kAdmin && p.role != Role::kManager)
    return MakeError(ErrorCode::kPermissionDenied, "only admins and managers edit complaint categories");
  std::vector<FieldError> errs;
  if (in.key.empty() || in.key.size() > 40 ||
      !std::all_of(in.key.begin(), in.key.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'; }))
    errs.push_back({"key", "must be 1-40 characters a-z, 0-9 or _"});
  if (in.name_zh.empty() || in.name_zh.size() > 200) errs.push_back({"name_zh", "is required"});
  if (in.name_en.empty() || in.name_en.size() > 200) errs.push_back({"name_en", "is required"});
  if (!errs.empty()) return InvalidArgument("invalid category", std::move(errs));
  ComplaintCategory c = in;
  c.org_id = p.org_id;
  return repo_.CreateCategory(c, clock_.Now());
}

Result<RoutingView> ComplaintService::GetRouting(const Principal& p) {
  if (!CanWorkComplaints(p)) return Denied();
  KEHU_ASSIGN_OR_RETURN(auto routes, repo_.ListRoutes(p.org_id));
  KEHU_ASSIGN_OR_RETURN(auto teams, repo_.ListTeamSettings(p.org_id));
  return RoutingView{std::move(routes), std::move(teams)};
}

Result<RoutingView> ComplaintService::PutRouting(const Principal& p, const RoutingView& in) {
  if (p.role != Role::kAdmin && p.role != Role::kManager)
    return MakeError(ErrorCode::kPermissionDenied, "only admins and managers edit routing");
  std::vector<FieldError> errs;
  KEHU_ASSIGN_OR_RETURN(auto cats, customers_.ListCategories(p));
  KEHU_ASSIGN_OR_RETURN(auto teams, identity_.ListTeams(p.org_id));
  auto team_ok = [&](int64_t id) { return std::any_of(teams.begin(), teams.end(), [&](const auto& t) { return t.id == id; }); };
  std::set<std::string> seen;
  for (size_t i = 0; i < in.routes.size(); ++i) {
    const auto& r = in.routes[i];
    std::string f = "routes[" + std::to_string(i) + "]";
    if (std::none_of(cats.begin(), cats.end(), [&](const auto& k) { return k.key == r.customer_category; }))
      errs.push_back({f + ".customer_category", "is not a customer category"});
    else if (!seen.insert(r.customer_category).second)
      errs.push_back({f + ".customer_category", "appears twice"});
    if (!team_ok(r.team_id)) errs.push_back({f + ".team_id", "no such team"});
  }
  for (size_t i = 0; i < in.teams.size(); ++i)
    if (!team_ok(in.teams[i].team_id)) errs.push_back({"teams[" + std::to_string(i) + "].team_id", "no such team"});
  if (!errs.empty()) return InvalidArgument("invalid routing", std::move(errs));
  KEHU_ASSIGN_OR_RETURN(auto current, repo_.ListTeamSettings(p.org_id));
  std::vector<TeamSetting> ts = in.teams;
  for (auto& t : ts)
    for (const auto& c : current)
      if (c.team_id == t.team_id) t.last_assignee_id = c.last_assignee_id;
  KEHU_RETURN_IF_ERROR(repo_.PutRouting(p.org_id, in.routes, ts,
                                        customers::Audit(p, "update", "service_routing", 0, {}, clock_.Now())));
  return GetRouting(p);
}

Result<std::vector<SlaPolicy>> ComplaintService::ListPolicies(const Principal& p) {
  return repo_.ListPolicies(p.org_id);
}

Result<std::vector<SlaPolicy>> ComplaintService::PutPolicies(const Principal& p, const std::vector<SlaPolicy>& in) {
  if (p.role != Role::kAdmin && p.role != Role::kManager)
    return MakeError(ErrorCode::kPermissionDenied, "only admins and managers edit SLA policies");
  std::vector<FieldError> errs;
  KEHU_ASSIGN_OR_RETURN(auto cats, customers_.ListCategories(p));
  std::set<std::tuple<int, std::string, bool>> seen;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto& x = in[i];
    std::string f = "[" + std::to_string(i) + "].";
    if (x.severity < 1 || x.severity > 4) errs.push_back({f + "severity", "must be 1 to 4"});
    if (x.customer_category != "*" &&
        std::none_of(cats.begin(), cats.end(), [&](const auto& k) { return k.key == x.customer_category; }))
      errs.push_back({f + "customer_category", "must be * or a customer category"});
    if (x.response_minutes < 1 || x.response_minutes > 100000) errs.push_back({f + "response_minutes", "must be 1 to 100000"});
    if (x.resolution_minutes < x.response_minutes || x.resolution_minutes > 1000000)
      errs.push_back({f + "resolution_minutes", "must be at least response_minutes and at most 1000000"});
    if (!seen.insert({x.severity, x.customer_category, x.vip}).second)
      errs.push_back({f + "severity", "duplicate severity/category/vip"});
  }
  if (!errs.empty()) return InvalidArgument("invalid SLA policies", std::move(errs));
  KEHU_RETURN_IF_ERROR(repo_.PutPolicies(p.org_id, in, customers::Audit(p, "update", "sla_policy", 0, {}, clock_.Now()),
                                         clock_.Now()));
  return repo_.ListPolicies(p.org_id);
}

Result<CalendarView> ComplaintService::GetCalendar(const Principal& p, int year) {
  if (year < 0 || year > 9999) return InvalidArgument("invalid year", {{"year", "must be a year"}});
  KEHU_ASSIGN_OR_RETURN(auto hours, repo_.GetWorkingHours(p.org_id));
  KEHU_ASSIGN_OR_RETURN(auto days, repo_.ListCalendarDays(p.org_id, year));
  return CalendarView{hours, std::move(days), ShippedCalendarYears()};
}

Result<CalendarView> ComplaintService::PutWorkingHours(const Principal& p, const WorkingHours& h) {
  if (p.role != Role::kAdmin) return MakeError(ErrorCode::kPermissionDenied, "only admins edit the calendar");
  std::vector<FieldError> errs;
  for (auto& [f, m] : ValidateWorkingHours(h)) errs.push_back({f, m});
  if (!errs.empty()) return InvalidArgument("invalid working hours", std::move(errs));
  KEHU_RETURN_IF_ERROR(repo_.PutWorkingHours(p.org_id, h, customers::Audit(p, "update", "calendar", 0, {}, clock_.Now())));
  return GetCalendar(p, 0);
}

Result<CalendarView> ComplaintService::PutCalendarYear(const Principal& p, int year, const std::vector<CalendarDay>& days) {
  if (p.role != Role::kAdmin) return MakeError(ErrorCode::kPermissionDenied, "only admins edit the calendar");
  if (year < 1970 || year > 9999) return InvalidArgument("invalid year", {{"year", "must be a year"}});
  std::vector<FieldError> errs;
  std::set<int64_t> seen;
  for (size_t i = 0; i < days.size(); ++i) {
    std::string f = "days[" + std::to_string(i) + "]";
    if (days[i].date.year != year) errs.push_back({f + ".date", "must be in " + std::to_string(year)});
    else if (!seen.insert(DaysFromCivil(days[i].date)).second) errs.push_back({f + ".date", "appears twice"});
    if (days[i].name.size() > 100) errs.push_back({f + ".name", "is too long"});
  }
  if (days.size() > 366) errs.push_back({"days", "at most 366 days"});
  if (!errs.empty()) return InvalidArgument("invalid calendar", std::move(errs));
  KEHU_RETURN_IF_ERROR(repo_.ReplaceCalendarYear(p.org_id, year, days,
                                                 customers::Audit(p, "update", "calendar", year, {}, clock_.Now())));
  return GetCalendar(p, year);
}

Result<std::vector<Notification>> ComplaintService::Notifications(const Principal& p) {
  return repo_.ListNotifications(p.org_id, p.user_id, 100);
}

Status ComplaintService::MarkRead(const Principal& p, int64_t id) {
  return repo_.MarkNotificationRead(p.org_id, p.user_id, id, clock_.Now());
}

Status ComplaintService::SetMyEmail(const Principal& p, const std::string& email) {
  std::string e = AsciiLower(Trim(email));
  if (!e.empty() && !ValidEmailShape(e)) return InvalidArgument("invalid email", {{"email", "is not an email address"}});
  return repo_.SetUserEmail(p.org_id, p.user_id, e);
}

Result<std::vector<Email>> ComplaintService::Outbox(const Principal& p) {
  if (p.role != Role::kAdmin) return MakeError(ErrorCode::kPermissionDenied, "only admins see the email outbox");
  return repo_.ListOutbox(p.org_id, 200);
}

Result<std::vector<StepRecord>> ComplaintService::StepsFor(const Complaint& c, const std::vector<DueStep>& due,
                                                           OrgCache& org) {
  const auto& users = org.users;
  auto& emails = org.emails;
  std::optional<identity::Team> team;
  if (c.team_id) {
    auto it = org.teams.find(*c.team_id);
    if (it == org.teams.end()) {
      KEHU_ASSIGN_OR_RETURN(auto t, identity_.GetTeam(c.org_id, *c.team_id));
      it = org.teams.emplace(*c.team_id, std::move(t)).first;
    }
    team = it->second;
  }
  auto with_role = [&](Role r, const std::vector<int64_t>* among) {
    std::vector<int64_t> out;
    for (const auto& u : users)
      if (u.active && u.role == r && (!among || std::count(among->begin(), among->end(), u.id))) out.push_back(u.id);
    return out;
  };
  auto managers = [&]() {
    std::vector<int64_t> m;
    if (team) m = with_role(Role::kManager, &team->member_ids);
    if (m.empty()) m = with_role(Role::kManager, nullptr);
    if (m.empty()) m = with_role(Role::kAdmin, nullptr);
    return m;
  };
  auto lead = [&]() {
    if (team && team->lead_user_id) return std::vector<int64_t>{*team->lead_user_id};
    return managers();
  };
  const UnixMillis now = clock_.Now();
  std::vector<StepRecord> out;
  for (const auto& d : due) {
    std::vector<int64_t> to;
    std::string who;
    if (d.step == 75) {
      who = "assignee";
      to = c.assignee_id ? std::vector<int64_t>{*c.assignee_id} : lead();
    } else if (d.step == 100) {
      who = "team lead";
      to = lead();
    } else {
      who = "manager";
      to = managers();
    }
    const std::string tname = d.target == Target::kResponse ? "响应" : "解决";
    std::string title = "投诉 " + c.number + " " + tname + "时限已用 " + std::to_string(d.step) + "% / " +
                        Name(d.target) + " SLA at " + std::to_string(d.step) + "%";
    std::string body = Clip(c.description, 300);
    StepRecord r{.target = d.target, .step = d.step};
    r.event = {.org_id = c.org_id, .complaint_id = c.id, .at = now, .actor_name = "system", .kind = "escalation",
               .body = title + " → " + who, .target = Name(d.target), .step = d.step};
    for (int64_t uid : to) {
      r.notifications.push_back({.org_id = c.org_id, .user_id = uid, .kind = "escalation", .title = title,
                                 .body = body, .complaint_id = c.id, .created_at = now});
      Email e{.org_id = c.org_id, .user_id = uid, .subject = "[Kehu] " + title, .body = title + "\n\n" + body,
              .created_at = now};
      auto it = emails.find(uid);
      if (it != emails.end() && !it->second.empty()) {
        e.to_address = it->second;
      } else {
        e.status = "no_address";
      }
      r.emails.push_back(std::move(e));
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<int> ComplaintService::RunEscalationPass(int limit) {
  const UnixMillis now = clock_.Now();
  KEHU_ASSIGN_OR_RETURN(auto due, repo_.DueComplaints(now, limit));
  std::map<int64_t, OrgCache> orgs;
  std::vector<EscalationWrite> writes;
  int fired = 0;
  for (auto& c : due) {
    auto it = orgs.find(c.org_id);
    if (it == orgs.end()) {
      OrgCache o;
      KEHU_ASSIGN_OR_RETURN(o.calendar, LoadCalendar(c.org_id));
      KEHU_ASSIGN_OR_RETURN(o.users, identity_.ListUsers(c.org_id));
      KEHU_ASSIGN_OR_RETURN(o.emails, repo_.UserEmails(c.org_id));
      it = orgs.emplace(c.org_id, std::move(o)).first;
    }
    const Calendar& cal = it->second.calendar;
    auto steps = DueSteps(c, cal, now);
    KEHU_ASSIGN_OR_RETURN(auto records, StepsFor(c, steps, it->second));
    for (const auto& s : steps) {
      const int level = 1 + static_cast<int>(std::find(std::begin(kSteps), std::end(kSteps), s.step) - std::begin(kSteps));
      Level(c, s.target) = std::max(Level(c, s.target), level);
    }
    c.next_escalation_at = NextEscalationAt(c, cal);
    writes.push_back({std::move(c), std::move(records)});
    if (writes.size() == 500) {  // a few transactions per pass, not one per complaint
      KEHU_ASSIGN_OR_RETURN(int n, repo_.ApplyEscalations(writes));
      fired += n;
      writes.clear();
    }
  }
  if (!writes.empty()) {
    KEHU_ASSIGN_OR_RETURN(int n, repo_.ApplyEscalations(writes));
    fired += n;
  }
  return fired;
}

Result<int> ComplaintService::DeliverEmails(EmailTransport& t, int limit) {
  KEHU_ASSIGN_OR_RETURN(auto queued, repo_.QueuedEmails(limit));
  int sent = 0;
  for (const auto& e : queued) {
    Status st = t.Send(e.to_address, e.subject, e.body);
    if (st.ok()) {
      ++sent;
      KEHU_RETURN_IF_ERROR(repo_.MarkEmail(e.id, "sent", "", clock_.Now()));
    } else {
      // Retried on later passes (up to 5 attempts), then left failed for an admin to see.
      KEHU_RETURN_IF_ERROR(repo_.MarkEmail(e.id, e.attempts + 1 >= 5 ? "failed" : "queued", st.error().message,
                                           clock_.Now()));
    }
  }
  return sent;
}

Result<std::vector<timeline::Entry>> ComplaintService::Timeline::Page(const Principal& who, int64_t customer_id,
                                                                      const std::optional<timeline::Cursor>& after,
                                                                      int limit) {
  KEHU_ASSIGN_OR_RETURN(auto rows, repo_.TimelineEvents(who.org_id, customer_id, after, limit));
  std::vector<timeline::Entry> out;
  for (const auto& [e, number] : rows) {
    timeline::Entry t;
    t.kind = "complaint";
    t.id = e.id;
    t.occurred_at = e.at;
    t.title = "投诉 " + number + " · " + e.kind + (e.to_status.empty() ? "" : " → " + e.to_status);
    t.summary = Clip(e.body, 300);
    t.actor = e.actor_name;
    t.data_json = "{\"complaint_id\":" + std::to_string(e.complaint_id) + ",\"number\":" + JsonQuote(number) +
                  ",\"event\":" + JsonQuote(e.kind) +
                  ",\"to_status\":" + (e.to_status.empty() ? std::string("null") : JsonQuote(e.to_status)) + "}";
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace kehu::service
