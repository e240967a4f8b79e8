// Routes of the complaint desk: complaints, their events and resolution, the priority queue,
// routing, SLA policies, the business calendar, notifications and the outbox, the public survey,
// service analytics, and (with `serve --manual-clock`) the test-only clock.

#include <boost/json.hpp>

#include <cmath>

#include "core/time.h"
#include "http/api.h"
#include "http/json_io.h"
#include "http/problem.h"

namespace kehu::http {

namespace {

namespace json = boost::json;
using service::Complaint;
using service::ComplaintView;

json::value OptTime(const std::optional<UnixMillis>& t) {
  return t ? json::value(FormatTimestamp(*t)) : json::value(nullptr);
}
json::value OptInt(const std::optional<int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value OptNum(const std::optional<double>& v) {
  if (!v) return nullptr;
  return std::round(*v * 100.0) / 100.0;
}

json::object EncodeComplaint(const Complaint& c) {
  return {{"id", c.id},
          {"number", c.number},
          {"customer_id", c.customer_id},
          {"customer_name", c.customer_name},
          {"channel", c.channel},
          {"category", c.category},
          {"severity", c.severity},
          {"description", c.description},
          {"status", service::Name(c.status)},
          {"assignee_id", OptInt(c.assignee_id)},
          {"team_id", OptInt(c.team_id)},
          {"customer_category", c.customer_category},
          {"vip", c.vip},
          {"created_at", FormatTimestamp(c.created_at)},
          {"updated_at", FormatTimestamp(c.updated_at)},
          {"version", c.version},
          {"first_response_at", OptTime(c.first_response_at)},
          {"resolved_at", OptTime(c.resolved_at)},
          {"closed_at", OptTime(c.closed_at)},
          {"next_escalation_at", OptTime(c.next_escalation_at)},
          {"escalation", json::object{{"response_level", c.response_level}, {"resolution_level", c.resolution_level}}},
          {"resolution", json::object{{"root_cause", c.root_cause},
                                      {"note", c.resolution_note},
                                      {"compensation_minor", OptInt(c.compensation_minor)},
                                      {"compensation_currency", c.compensation_currency},
                                      {"compensation_text", c.compensation_text},
                                      {"reward_status", c.reward_status.empty() ? json::value(nullptr) : json::value(c.reward_status)},
                                      {"reward_reference", c.reward_reference}}},
          {"survey", json::object{{"expires_at", OptTime(c.survey_expires_at)},
                                  {"answered_at", OptTime(c.survey_answered_at)},
                                  {"csat", c.csat ? json::value(*c.csat) : json::value(nullptr)},
                                  {"nps", c.nps ? json::value(*c.nps) : json::value(nullptr)},
                                  {"comment", c.survey_comment}}}};
}

json::object EncodeView(const ComplaintView& v) {
  json::object o = EncodeComplaint(v.complaint);
  json::array allowed;
  for (auto s : v.allowed) allowed.push_back(json::string(service::Name(s)));
  o["allowed_transitions"] = std::move(allowed);
  o["priority"] = std::round(v.priority * 10.0) / 10.0;
  if (v.value_percentile) o["value_percentile"] = std::round(*v.value_percentile * 1000.0) / 1000.0;
  else o["value_percentile"] = nullptr;
  o["sla"] = json::object{{"elapsed_ms", v.sla.elapsed_ms},
                          {"running", v.sla.running},
                          {"response_target_ms", v.sla.response_target_ms},
                          {"resolution_target_ms", v.sla.resolution_target_ms},
                          {"response_due_at", OptTime(v.sla.response_due_at)},
                          {"resolution_due_at", OptTime(v.sla.resolution_due_at)},
                          {"response_breached", v.sla.response_breached},
                          {"resolution_breached", v.sla.resolution_breached}};
  if (!v.survey_token.empty()) {
    o["survey_token"] = v.survey_token;
    o["survey_url"] = "/survey/" + v.survey_token;
  }
  return o;
}

json::object EncodeEvent(const service::Event& e) {
  json::object o{{"id", e.id}, {"at", FormatTimestamp(e.at)}, {"actor_id", OptInt(e.actor_id)},
                 {"actor_name", e.actor_name}, {"kind", e.kind}, {"from_status", e.from_status},
                 {"to_status", e.to_status}, {"body", e.body}, {"to_customer", e.to_customer}};
  if (e.kind == "escalation") {
    o["target"] = e.target;
    o["step"] = e.step;
  }
  if (e.assignee_id) o["assignee_id"] = *e.assignee_id;
  return o;
}

json::object EncodeNotification(const service::Notification& n) {
  return {{"id", n.id}, {"kind", n.kind}, {"title", n.title}, {"body", n.body},
          {"complaint_id", OptInt(n.complaint_id)}, {"created_at", FormatTimestamp(n.created_at)},
          {"read", n.read_at.has_value()}, {"read_at", OptTime(n.read_at)}};
}

json::object EncodeEmail(const service::Email& e) {
  return {{"id", e.id}, {"user_id", OptInt(e.user_id)}, {"to", e.to_address}, {"subject", e.subject},
          {"body", e.body}, {"status", e.status}, {"attempts", e.attempts}, {"last_error", e.last_error},
          {"created_at", FormatTimestamp(e.created_at)}, {"sent_at", OptTime(e.sent_at)}};
}

std::string Hhmm(int minute) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60 % 100, minute % 60);
  return buf;
}
std::optional<int> ParseHhmm(const std::string& s) {
  if (s.size() != 5 || s[2] != ':' || !isdigit(s[0]) || !isdigit(s[1]) || !isdigit(s[3]) || !isdigit(s[4]))
    return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

json::object EncodeCalendar(const service::CalendarView& v) {
  json::array weekdays, days, years;
  for (int d = 0; d < 7; ++d)
    if ((v.hours.weekdays >> d) & 1) weekdays.push_back(d);
  for (const auto& d : v.days)
    days.push_back(json::object{{"date", FormatDate(d.date)},
                                {"kind", d.kind == service::DayKind::kWorkday ? "workday" : "holiday"},
                                {"name", d.name}});
  for (int y : v.shipped_years) years.push_back(y);
  return {{"hours", json::object{{"time_zone", v.hours.time_zone}, {"utc_offset_minutes", v.hours.utc_offset_minutes},
                                 {"weekdays", std::move(weekdays)}, {"start", Hhmm(v.hours.start_minute)},
                                 {"end", Hhmm(v.hours.end_minute)}}},
          {"days", std::move(days)},
          {"shipped_years", std::move(years)}};
}

json::object EncodeRouting(const service::RoutingView& v) {
  json::array routes, teams;
  for (const auto& r : v.routes) routes.push_back(json::object{{"customer_category", r.customer_category}, {"team_id", r.team_id}});
  for (const auto& t : v.teams)
    teams.push_back(json::object{{"team_id", t.team_id}, {"strategy", service::Name(t.strategy)},
                                 {"last_assignee_id", OptInt(t.last_assignee_id)}});
  return {{"routes", std::move(routes)}, {"teams", std::move(teams)}};
}

json::object EncodePolicy(const service::SlaPolicy& p) {
  return {{"severity", p.severity}, {"customer_category", p.customer_category}, {"vip", p.vip},
          {"response_minutes", p.response_minutes}, {"resolution_minutes", p.resolution_minutes}};
}

Response Json(int status, const json::value& v) { return JsonResponse(status, json::serialize(v)); }

template <typename T, typename F>
Response List(const Result<std::vector<T>>& r, F encode) {
  if (!r.ok()) return ErrorResponse(r.error());
  return JsonResponse(200, ItemsJson(*r, encode));
}

Response NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Error Fields(std::vector<FieldError> f) { return InvalidArgument("invalid request", std::move(f)); }

// Reads an array of objects from `key`, calling fn(reader, index) for each.
template <typename F>
void EachObject(ObjectReader& in, const char* key, bool required, size_t max, F fn) {
  const json::value* a = in.Raw(key);
  if (!a) {
    if (required) in.AddError(key, "is required");
    return;
  }
  if (!a->is_array() || a->as_array().size() > max) {
    in.AddError(key, "must be an array of at most " + std::to_string(max) + " objects");
    return;
  }
  const auto& arr = a->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string prefix = std::string(key) + "[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) {
      in.AddError(prefix, "must be an object");
      continue;
    }
    ObjectReader r(arr[i].as_object(), prefix + ".");
    fn(r, i);
    if (auto st = r.Finish(); !st.ok())
      for (const auto& e : st.error().fields) in.errors().push_back(e);
  }
}

std::optional<int64_t> QueryId(const Ctx& c, const char* name, std::vector<FieldError>& errs) {
  auto v = c.Query(name);
  if (!v) return std::nullopt;
  if (v->empty() || v->size() > 18 || !std::all_of(v->begin(), v->end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    errs.push_back({name, "must be a positive integer"});
    return std::nullopt;
  }
  return std::stoll(*v);
}

}  // namespace

void AddServiceRoutes(Api& api) {
  Services s = api.services();
  service::ComplaintService* svc = s.complaints;  // null only for `kehu routes` (listing, no calls)

  api.Add("POST", "/api/v1/complaints", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    service::NewComplaint n;
    n.customer_id = in.Int("customer_id", true).value_or(0);
    n.channel = in.String("channel", true).value_or("");
    n.category = in.String("category", true).value_or("");
    n.severity = static_cast<int>(in.Int("severity", true).value_or(0));
    n.description = in.String("description", true).value_or("");
    if (auto a = in.NullableInt("assignee_id"); a && *a) n.assignee_id = **a;
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = svc->Create(*c.principal, n);
    if (!r.ok()) return ErrorResponse(r.error());
    Response res = Json(201, EncodeView(*r));
    res.SetHeader("Location", "/api/v1/complaints/" + std::to_string(r->complaint.id));
    return res;
  });

  api.Add("GET", "/api/v1/complaints", [svc](Ctx& c) {
    std::vector<FieldError> errs;
    auto cid = QueryId(c, "customer_id", errs);
    if (!cid && errs.empty()) errs.push_back({"customer_id", "is required (use /complaints/queue for queues)"});
    if (!errs.empty()) return ErrorResponse(Fields(errs));
    return List(svc->ListForCustomer(*c.principal, *cid), EncodeView);
  });

  api.Add("GET", "/api/v1/customers/{id}/complaints", [svc](Ctx& c) {
    return List(svc->ListForCustomer(*c.principal, c.Id("id")), EncodeView);
  });

  api.Add("GET", "/api/v1/complaints/queue", [svc](Ctx& c) {
    std::string scope = c.Query("scope").value_or("mine");
    return List(svc->Queue(*c.principal, scope), EncodeView);
  });

  api.Add("GET", "/api/v1/complaints/{id}", [svc](Ctx& c) {
    auto r = svc->Get(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeView(*r));
  });

  api.Add("GET", "/api/v1/complaints/{id}/events", [svc](Ctx& c) {
    return List(svc->Events(*c.principal, c.Id("id")), EncodeEvent);
  });

  api.Add("POST", "/api/v1/complaints/{id}/transition", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    std::string to = in.String("to", true).value_or("");
    std::string note = in.String("note").value_or("");
    auto version = in.Int("version");
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = svc->Transition(*c.principal, c.Id("id"), to, note, version);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeView(*r));
  });

  api.Add("POST", "/api/v1/complaints/{id}/assign", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    int64_t assignee = in.Int("assignee_id", true).value_or(0);
    std::optional<int64_t> team;
    if (auto t = in.NullableInt("team_id"); t && *t) team = **t;
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = svc->Assign(*c.principal, c.Id("id"), assignee, team);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeView(*r));
  });

  api.Add("POST", "/api/v1/complaints/{id}/notes", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    std::string text = in.String("body", true).value_or("");
    bool to_customer = in.Bool("to_customer").value_or(false);
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = svc->AddNote(*c.principal, c.Id("id"), text, to_customer);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(201, EncodeView(*r));
  });

  api.Add("PUT", "/api/v1/complaints/{id}/resolution", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    service::ResolutionInput r;
    r.root_cause = in.String("root_cause");
    r.resolution_note = in.String("note");
    r.compensation_minor = in.NullableInt("compensation_minor");
    r.compensation_currency = in.String("compensation_currency");
    r.compensation_text = in.String("compensation_text");
    r.reward = in.Bool("reward").value_or(false);
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto out = svc->Resolve(*c.principal, c.Id("id"), r);
    if (!out.ok()) return ErrorResponse(out.error());
    return Json(200, EncodeView(*out));
  });

  api.Add("GET", "/api/v1/complaint-categories", [svc](Ctx& c) {
    return List(svc->ListCategories(*c.principal), [](const service::ComplaintCategory& k) {
      return json::object{{"id", k.id}, {"key", k.key}, {"name_zh", k.name_zh}, {"name_en", k.name_en}};
    });
  });

  api.Add("POST", "/api/v1/complaint-categories", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    service::ComplaintCategory k;
    k.key = in.String("key", true).value_or("");
    k.name_zh = in.String("name_zh", true).value_or("");
    k.name_en = in.String("name_en", true).value_or("");
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = svc->CreateCategory(*c.principal, k);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(201, json::object{{"id", r->id}, {"key", r->key}, {"name_zh", r->name_zh}, {"name_en", r->name_en}});
  });

  api.Add("GET", "/api/v1/service/routing", [svc](Ctx& c) {
    auto r = svc->GetRouting(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeRouting(*r));
  });

  api.Add("PUT", "/api/v1/service/routing", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    service::RoutingView v;
    EachObject(in, "routes", true, 50, [&](ObjectReader& r, size_t) {
      v.routes.push_back({r.String("customer_category", true).value_or(""), r.Int("team_id", true).value_or(0)});
    });
    EachObject(in, "teams", false, 200, [&](ObjectReader& r, size_t i) {
      service::TeamSetting t{.team_id = r.Int("team_id", true).value_or(0)};
      std::string strategy = r.String("strategy", true).value_or("round_robin");
      if (auto st = service::ParseStrategy(strategy)) t.strategy = *st;
      else in.AddError("teams[" + std::to_string(i) + "].strategy", "must be round_robin or least_loaded");
      v.teams.push_back(t);
    });
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = svc->PutRouting(*c.principal, v);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeRouting(*r));
  });

  api.Add("GET", "/api/v1/service/sla-policies", [svc](Ctx& c) {
    return List(svc->ListPolicies(*c.principal), EncodePolicy);
  });

  api.Add("PUT", "/api/v1/service/sla-policies", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    std::vector<service::SlaPolicy> ps;
    EachObject(in, "items", true, 500, [&](ObjectReader& r, size_t) {
      service::SlaPolicy p;
      p.severity = static_cast<int>(r.Int("severity", true).value_or(0));
      p.customer_category = r.String("customer_category").value_or("*");
      p.vip = r.Bool("vip").value_or(false);
      p.response_minutes = static_cast<int>(std::clamp<int64_t>(r.Int("response_minutes", true).value_or(0), -1, 10'000'000));
      p.resolution_minutes = static_cast<int>(std::clamp<int64_t>(r.Int("resolution_minutes", true).value_or(0), -1, 10'000'000));
      ps.push_back(p);
    });
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = svc->PutPolicies(*c.principal, ps);
    if (!r.ok()) {
      Error e = r.error();
      for (auto& f : e.fields) f.field = "items" + f.field;
      return ErrorResponse(e);
    }
    return JsonResponse(200, ItemsJson(*r, EncodePolicy));
  });

  api.Add("GET", "/api/v1/service/calendar", [svc](Ctx& c) {
    int year = 0;
    if (auto y = c.Query("year")) {
      if (y->size() != 4 || !std::all_of(y->begin(), y->end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
        return ErrorResponse(Fields({{"year", "must be a four-digit year"}}));
      year = std::stoi(*y);
    }
    auto r = svc->GetCalendar(*c.principal, year);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeCalendar(*r));
  });

  api.Add("PUT", "/api/v1/service/calendar/hours", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    service::WorkingHours h;
    h.time_zone = in.String("time_zone").value_or("Asia/Shanghai");
    h.utc_offset_minutes = static_cast<int>(std::clamp<int64_t>(in.Int("utc_offset_minutes").value_or(480), -100000, 100000));
    auto wd = in.Ints("weekdays");
    if (wd) {
      h.weekdays = 0;
      for (int64_t d : *wd) {
        if (d < 0 || d > 6) in.AddError("weekdays", "must be weekday numbers 0 (Sunday) to 6");
        else h.weekdays |= 1 << d;
      }
    }
    auto start = in.String("start", true), end = in.String("end", true);
    if (start) {
      if (auto m = ParseHhmm(*start)) h.start_minute = *m;
      else in.AddError("start", "must be HH:MM");
    }
    if (end) {
      if (auto m = ParseHhmm(*end)) h.end_minute = *m;
      else in.AddError("end", "must be HH:MM");
    }
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = svc->PutWorkingHours(*c.principal, h);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeCalendar(*r));
  });

  api.Add("PUT", "/api/v1/service/calendar/{year}", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    std::vector<service::CalendarDay> days;
    EachObject(in, "days", true, 366, [&](ObjectReader& r, size_t i) {
      service::CalendarDay d;
      std::string prefix = "days[" + std::to_string(i) + "].";
      auto date = ParseDate(r.String("date", true).value_or(""));
      if (!date) in.AddError(prefix + "date", "must be a date YYYY-MM-DD");
      else d.date = *date;
      std::string kind = r.String("kind", true).value_or("");
      if (kind == "holiday") d.kind = service::DayKind::kHoliday;
      else if (kind == "workday") d.kind = service::DayKind::kWorkday;
      else in.AddError(prefix + "kind", "must be holiday or workday");
      d.name = r.String("name").value_or("");
      days.push_back(d);
    });
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    int64_t year = c.Id("year");
    auto r = svc->PutCalendarYear(*c.principal, static_cast<int>(std::min<int64_t>(year, 100000)), days);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeCalendar(*r));
  });

  api.Add("GET", "/api/v1/service/stats", [svc](Ctx& c) {
    std::vector<FieldError> errs;
    auto from = ParseTimestamp(c.Query("from").value_or(""));
    auto to = ParseTimestamp(c.Query("to").value_or(""));
    if (!from) errs.push_back({"from", "must be a date or an RFC 3339 time"});
    if (!to) errs.push_back({"to", "must be a date or an RFC 3339 time"});
    if (!errs.empty()) return ErrorResponse(Fields(errs));
    // A bare date is the org's local day (the per-day counts are in local dates too).
    auto offset = svc->UtcOffsetMinutes(*c.principal);
    if (!offset.ok()) return ErrorResponse(offset.error());
    if (c.Query("from")->size() == 10) *from -= int64_t{*offset} * 60'000;
    if (c.Query("to")->size() == 10) *to -= int64_t{*offset} * 60'000;
    auto r = svc->ServiceStats(*c.principal, *from, *to);
    if (!r.ok()) return ErrorResponse(r.error());
    auto counts = [](const std::map<std::string, int64_t>& m) {
      json::object o;
      for (const auto& [k, v] : m) o[k] = v;
      return o;
    };
    json::array per_day;
    for (const auto& [d, n] : r->per_day) per_day.push_back(json::object{{"date", d}, {"count", n}});
    return Json(200, json::object{{"from", FormatTimestamp(*from)},
                                  {"to", FormatTimestamp(*to)},
                                  {"total", r->total},
                                  {"by_category", counts(r->by_category)},
                                  {"by_channel", counts(r->by_channel)},
                                  {"by_team", counts(r->by_team)},
                                  {"sla_compliance_pct", OptNum(r->sla_compliance)},
                                  {"sla_measured", r->sla_measured},
                                  {"mean_first_response_ms", OptNum(r->mean_first_response_ms)},
                                  {"mean_resolution_ms", OptNum(r->mean_resolution_ms)},
                                  {"csat_average", OptNum(r->csat_average)},
                                  {"nps", OptNum(r->nps)},
                                  {"survey_answers", r->survey_answers},
                                  {"requests_per_day", std::move(per_day)}});
  });

  api.Add("GET", "/api/v1/notifications", [svc](Ctx& c) {
    auto r = svc->Notifications(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    int64_t unread = 0;
    json::array items;
    for (const auto& n : *r) {
      if (!n.read_at) ++unread;
      items.push_back(EncodeNotification(n));
    }
    return Json(200, json::object{{"items", std::move(items)}, {"unread", unread}, {"next_cursor", nullptr}});
  });

  api.Add("POST", "/api/v1/notifications/{id}/read", [svc](Ctx& c) {
    auto st = svc->MarkRead(*c.principal, c.Id("id"));
    if (!st.ok()) return ErrorResponse(st.error());
    return NoContent();
  });

  api.Add("PUT", "/api/v1/notifications/email", [svc](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    std::string email = in.String("email", true).value_or("");
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto st = svc->SetMyEmail(*c.principal, email);
    if (!st.ok()) return ErrorResponse(st.error());
    return NoContent();
  });

  api.Add("GET", "/api/v1/service/outbox", [svc](Ctx& c) {
    return List(svc->Outbox(*c.principal), EncodeEmail);
  });

  api.Add("GET", "/api/v1/customers/{id}/satisfaction", [svc](Ctx& c) {
    return List(svc->Satisfaction(*c.principal, c.Id("id")), [](const Complaint& k) {
      return json::object{{"complaint_id", k.id}, {"number", k.number},
                          {"csat", k.csat ? json::value(*k.csat) : json::value(nullptr)},
                          {"nps", k.nps ? json::value(*k.nps) : json::value(nullptr)},
                          {"comment", k.survey_comment}, {"answered_at", OptTime(k.survey_answered_at)}};
    });
  });

  // The public survey: no session; the signed token is the only credential.
  auto encode_survey = [](const service::SurveyView& v) {
    return json::object{{"number", v.number}, {"category", v.category}, {"answered", v.answered},
                        {"expires_at", FormatTimestamp(v.expires_at)}};
  };
  api.Add("GET", "/api/v1/surveys/{token}", [svc, encode_survey](Ctx& c) {
    auto r = svc->GetSurvey(c.params["token"]);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, encode_survey(*r));
  }, false);
  api.Add("POST", "/api/v1/surveys/{token}", [svc, encode_survey](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    int64_t csat = in.Int("csat", true).value_or(0), nps = in.Int("nps", true).value_or(-1);
    std::string comment = in.String("comment").value_or("");
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = svc->AnswerSurvey(c.params["token"], static_cast<int>(std::clamp<int64_t>(csat, -1, 100)),
                               static_cast<int>(std::clamp<int64_t>(nps, -1, 100)), comment);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(201, encode_survey(*r));
  }, false);

  // Test-only: exists only under `kehu serve --manual-clock` (and in the `kehu routes` listing,
  // which builds the routes without services, so the OpenAPI check sees it).
  if (s.manual_clock || !svc) {
    ManualClock* clock = s.manual_clock;
    api.Add("POST", "/api/v1/system/clock", [svc, clock](Ctx& c) {
      if (!identity::IsAdmin(*c.principal))
        return ErrorResponse(MakeError(ErrorCode::kPermissionDenied, "only admins move the clock"));
      auto body = ParseObject(c.req.body);
      if (!body.ok()) return ErrorResponse(body.error());
      ObjectReader in(*body);
      int64_t minutes = in.Int("advance_minutes", true).value_or(0);
      if (in.Has("advance_minutes") && (minutes < 0 || minutes > 10 * 366 * 24 * 60))
        in.AddError("advance_minutes", "must be 0 to 5270400");
      if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
      clock->Advance(minutes * 60'000);
      auto fired = svc->RunEscalationPass();
      if (!fired.ok()) return ErrorResponse(fired.error());
      return Json(200, json::object{{"now", FormatTimestamp(clock->Now())}, {"escalations", *fired}});
    });
  }
}

}  // namespace kehu::http
