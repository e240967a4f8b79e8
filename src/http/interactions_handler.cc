// Routes for interactions, the customer timeline, follow-up tasks and the contact center
// (signed telephony events, the screen-pop stream and look-up).

#include <boost/json.hpp>
#include <charconv>

#include "core/strings.h"
#include "core/time.h"
#include "domain/interactions/timeline_feed.h"
#include "http/api.h"
#include "http/json_io.h"
#include "http/problem.h"

namespace kehu::http {

namespace {

namespace json = boost::json;
using interactions::Interaction;
using interactions::Task;

json::value ParseJsonText(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::object{};
  return v;
}

json::value OptTime(const std::optional<UnixMillis>& t) {
  return t ? json::value(FormatTimestamp(*t)) : json::value(nullptr);
}
json::value OptInt(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object EncodeTask(const Task& t) {
  return {{"id", t.id},
          {"title", t.title},
          {"note", t.note},
          {"customer_id", OptInt(t.customer_id)},
          {"customer_name", t.customer_id ? json::value(t.customer_name) : json::value(nullptr)},
          {"interaction_id", OptInt(t.interaction_id)},
          {"due_at", FormatTimestamp(t.due_at)},
          {"remind_at", OptTime(t.remind_at)},
          {"reminder_dismissed_at", OptTime(t.reminder_dismissed_at)},
          {"assignee_id", t.assignee_id},
          {"status", interactions::Name(t.status)},
          {"created_by", OptInt(t.created_by)},
          {"created_at", FormatTimestamp(t.created_at)},
          {"updated_at", FormatTimestamp(t.updated_at)},
          {"completed_at", OptTime(t.completed_at)},
          {"version", t.version}};
}

json::object EncodeCall(const interactions::Call& c) {
  return {{"call_id", c.call_id},
          {"state", interactions::Name(c.state)},
          {"from", c.from_number},
          {"to", c.to_number},
          {"direction", interactions::Name(c.direction)},
          {"agent_id", OptInt(c.agent_id)},
          {"customer_id", OptInt(c.customer_id)},
          {"ringing_at", OptTime(c.ringing_at)},
          {"answered_at", OptTime(c.answered_at)},
          {"hangup_at", OptTime(c.hangup_at)},
          {"interaction_id", OptInt(c.interaction_id)}};
}

json::object EncodePop(const interactions::Pop& pop) {
  json::object o{{"call_id", pop.call_id}, {"phone", pop.phone}, {"customer", nullptr}};
  json::array recent;
  for (const auto& i : pop.recent)
    recent.push_back(ParseJsonText(interactions::InteractionJson(i)));
  o["recent_interactions"] = std::move(recent);
  json::object sections;
  for (const auto& [name, text] : pop.sections) sections[name] = ParseJsonText(text);
  o["sections"] = std::move(sections);
  if (pop.customer) {
    const auto& c = *pop.customer;
    json::array phones;
    for (const auto& ph : c.phones) phones.push_back(json::string(ph));
    json::object card{{"id", c.id},
                      {"name", c.name},
                      {"kind", customers::Name(c.kind)},
                      {"organization", c.organization},
                      {"category", c.category},
                      {"category_name_zh",
                       pop.category ? json::value(pop.category->name_zh) : json::value(nullptr)},
                      {"category_name_en",
                       pop.category ? json::value(pop.category->name_en) : json::value(nullptr)},
                      {"relationship_level", customers::Name(c.relationship_level)},
                      {"lifecycle_stage", customers::Name(c.lifecycle_stage)},
                      {"vip", c.vip},
                      {"phones", std::move(phones)},
                      {"owner", nullptr}};
    if (pop.owner)
      card["owner"] = json::object{{"id", pop.owner->id},
                                   {"display_name", pop.owner->display_name},
                                   {"username", pop.owner->username}};
    o["customer"] = std::move(card);
  }
  return o;
}


Response RequireIfMatch(const Request& req, std::optional<int64_t>* version) {
  bool malformed = false;
  *version = IfMatchVersion(req, &malformed);
  if (malformed)
    return Problem(400, "validation", "Invalid request",
                   "If-Match must be the version, e.g. \"3\"");
  if (!*version)
    return Problem(428, "precondition-required", "Precondition required",
                   "send If-Match with the version you edited so no change is overwritten");
  return Response{.status = 0};
}

Response WithEtag(int status, json::object o, int64_t version) {
  Response r = JsonResponse(status, json::serialize(o));
  r.SetHeader("ETag", "\"" + std::to_string(version) + "\"");
  return r;
}

// Query parameters: unknown ones are a 400; limit must be an integer.
Status CheckQuery(const Ctx& c, std::initializer_list<const char*> known, int* limit) {
  std::vector<FieldError> errs;
  for (const auto& [k, v] : c.query)
    if (std::none_of(known.begin(), known.end(), [&](const char* n) { return k == n; }))
      errs.push_back({k, "is not a known query parameter"});
  if (auto l = c.Query("limit")) {
    int v = 0;
    auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), v);
    if (ec != std::errc() || p != l->data() + l->size() || v < 1 || v > 500)
      errs.push_back({"limit", "must be an integer from 1 to 500"});
    else
      *limit = v;
  }
  if (!errs.empty()) return InvalidArgument("invalid query", std::move(errs));
  return Status::Ok();
}

std::optional<int64_t> QueryId(const Ctx& c, const char* name, std::vector<FieldError>& errs) {
  auto v = c.Query(name);
  if (!v) return std::nullopt;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || out < 1) {
    errs.push_back({name, "must be a positive integer"});
    return std::nullopt;
  }
  return out;
}

// POST /telephony/events before the write: the API key, the signature, the body's fields.
struct EventCheck {
  std::optional<Response> refused{};  // the answer when a check fails
  std::string signature{};
  interactions::CallEvent event{};
};

EventCheck CheckCallEvent(const Services& s, Ctx& c) {
  EventCheck out;
  if (c.principal->api_key_id == 0) {
    Response r = Problem(401, "unauthenticated", "API key required",
                         "telephony events are sent with an API key (X-Api-Key)");
    r.SetHeader("WWW-Authenticate", "Bearer");
    out.refused = std::move(r);
    return out;
  }
  auto sig = s.telephony->Verify(*c.principal, std::string(c.req.Header("x-kehu-timestamp")),
                                 std::string(c.req.Header("x-kehu-signature")), c.req.body);
  if (!sig.ok()) {
    out.refused = ErrorResponse(sig.error());
    return out;
  }
  out.signature = std::move(*sig);
  auto obj = ParseObject(c.req.body);
  if (!obj.ok()) {
    out.refused = ErrorResponse(obj.error());
    return out;
  }
  ObjectReader in(*obj);
  interactions::CallEvent& ev = out.event;
  ev.event = in.String("event", true).value_or("");
  ev.call_id = in.String("call_id", true).value_or("");
  ev.from = in.String("from").value_or("");
  ev.to = in.String("to").value_or("");
  ev.agent = in.String("agent", true).value_or("");
  ev.at = in.String("at");
  if (auto st = in.Finish(); !st.ok()) out.refused = ErrorResponse(st.error());
  return out;
}

Response CallEventResponse(const Result<interactions::CallResult>& r) {
  if (!r.ok()) return ErrorResponse(r.error());
  json::object o = EncodeCall(r->call);
  o["changed"] = r->changed;
  return JsonResponse(200, json::serialize(o));
}

}  // namespace

Result<interactions::InteractionPatch> DecodeInteraction(const std::string& body) {
  KEHU_ASSIGN_OR_RETURN(auto obj, ParseObject(body));
  ObjectReader in(obj);
  interactions::InteractionPatch p;
  p.type = in.String("type");
  p.subtype = in.String("subtype");
  p.direction = in.String("direction");
  p.channel = in.String("channel");
  p.subject = in.String("subject");
  p.body = in.String("body");
  p.outcome = in.String("outcome");
  p.duration_seconds = in.Int("duration_seconds");
  p.occurred_at = in.String("occurred_at");
  p.customer_ids = in.Ints("customer_ids");
  if (const json::value* a = in.Raw("participants")) {
    if (!a->is_array()) {
      in.AddError("participants", "must be an array of {kind, id}");
    } else {
      std::vector<interactions::Participant> parts;
      const auto& arr = a->as_array();
      for (size_t k = 0; k < arr.size(); ++k) {
        const std::string prefix = "participants[" + std::to_string(k) + "].";
        if (!arr[k].is_object()) {
          in.AddError("participants[" + std::to_string(k) + "]", "must be an object");
          continue;
        }
        ObjectReader pr(arr[k].as_object(), prefix);
        interactions::Participant x;
        x.kind = pr.String("kind", true).value_or("");
        x.id = pr.Int("id", true).value_or(0);
        if (auto st = pr.Finish(); !st.ok())
          for (const auto& e : st.error().fields) in.errors().push_back(e);
        parts.push_back(std::move(x));
      }
      p.participants = std::move(parts);
    }
  }
  for (const char* ignored :
       {"id", "version", "created_at", "updated_at", "created_by", "created_by_name", "call_id"})
    (void)in.Raw(ignored);
  KEHU_RETURN_IF_ERROR(in.Finish());
  return p;
}

Result<interactions::TaskPatch> DecodeTask(const std::string& body) {
  KEHU_ASSIGN_OR_RETURN(auto obj, ParseObject(body));
  ObjectReader in(obj);
  interactions::TaskPatch p;
  p.title = in.String("title");
  p.note = in.String("note");
  p.customer_id = in.NullableInt("customer_id");
  p.interaction_id = in.NullableInt("interaction_id");
  p.due_at = in.String("due_at");
  p.remind_at = in.NullableString("remind_at");
  p.assignee_id = in.Int("assignee_id");
  p.status = in.String("status");
  for (const char* ignored : {"id", "version", "created_at", "updated_at", "created_by",
                              "completed_at", "reminder_dismissed_at"})
    (void)in.Raw(ignored);
  KEHU_RETURN_IF_ERROR(in.Finish());
  return p;
}

void AddInteractionRoutes(Api& api) {
  Services s = api.services();

  api.Add("POST", "/api/v1/interactions", [s](Ctx& c) {
    auto in = DecodeInteraction(c.req.body);
    if (!in.ok()) return ErrorResponse(in.error());
    auto r = s.interactions->Create(*c.principal, *in);
    if (!r.ok()) return ErrorResponse(r.error());
    Response res =
        WithEtag(201, ParseJsonText(interactions::InteractionJson(*r)).as_object(), r->version);
    res.SetHeader("Location", "/api/v1/interactions/" + std::to_string(r->id));
    return res;
  });

  api.Add("GET", "/api/v1/interactions", [s](Ctx& c) {
    interactions::InteractionListRequest req;
    if (auto st = CheckQuery(c, {"customer_id", "type", "from", "to", "mine", "cursor", "limit"},
                             &req.limit);
        !st.ok())
      return ErrorResponse(st.error());
    std::vector<FieldError> errs;
    req.customer_id = QueryId(c, "customer_id", errs);
    req.type = c.Query("type");
    req.from = c.Query("from");
    req.to = c.Query("to");
    if (auto m = c.Query("mine")) {
      if (*m == "true")
        req.mine = true;
      else if (*m != "false")
        errs.push_back({"mine", "must be true or false"});
    }
    req.cursor = c.Query("cursor").value_or("");
    if (!errs.empty()) return ErrorResponse(InvalidArgument("invalid query", errs));
    auto page = s.interactions->List(*c.principal, req);
    if (!page.ok()) return ErrorResponse(page.error());
    json::array items;
    for (const auto& i : page->items)
      items.push_back(ParseJsonText(interactions::InteractionJson(i)));
    return JsonResponse(200, json::serialize(json::object{
                                 {"items", std::move(items)},
                                 {"next_cursor", page->next_cursor ? json::value(*page->next_cursor)
                                                                   : json::value(nullptr)}}));
  });

  api.Add("GET", "/api/v1/interactions/{id}", [s](Ctx& c) {
    auto r = s.interactions->Get(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    return WithEtag(200, ParseJsonText(interactions::InteractionJson(*r)).as_object(), r->version);
  });

  api.Add("PATCH", "/api/v1/interactions/{id}", [s](Ctx& c) {
    std::optional<int64_t> version;
    if (Response pre = RequireIfMatch(c.req, &version); pre.status) return pre;
    auto in = DecodeInteraction(c.req.body);
    if (!in.ok()) return ErrorResponse(in.error());
    auto r = s.interactions->Update(*c.principal, c.Id("id"), *version, *in);
    if (!r.ok()) return ErrorResponse(r.error());
    return WithEtag(200, ParseJsonText(interactions::InteractionJson(*r)).as_object(), r->version);
  });

  api.Add("DELETE", "/api/v1/interactions/{id}", [s](Ctx& c) {
    auto st = s.interactions->Delete(*c.principal, c.Id("id"));
    if (!st.ok()) return ErrorResponse(st.error());
    Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
  });

  api.Add("GET", "/api/v1/customers/{id}/timeline", [s](Ctx& c) {
    int limit = 50;
    if (auto st = CheckQuery(c, {"cursor", "limit", "kinds"}, &limit); !st.ok())
      return ErrorResponse(st.error());
    if (limit > 200)
      return ErrorResponse(InvalidArgument("invalid query", {{"limit", "must be 1-200"}}));
    std::vector<std::string> kinds;
    if (auto k = c.Query("kinds")) {
      std::string_view rest = *k;
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view part = Trim(rest.substr(0, comma));
        if (!part.empty()) kinds.emplace_back(part);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
    auto page = timeline::Feed(*c.principal, *s.customers, s.timeline_sources, c.Id("id"),
                               c.Query("cursor").value_or(""), limit, kinds);
    if (!page.ok()) return ErrorResponse(page.error());
    json::array items;
    for (const auto& e : page->items)
      items.push_back(
          json::object{{"kind", e.kind},
                       {"id", e.id},
                       {"occurred_at", FormatTimestamp(e.occurred_at)},
                       {"title", e.title},
                       {"summary", e.summary},
                       {"actor", e.actor},
                       {"data", ParseJsonText(e.data_json.empty() ? "{}" : e.data_json)}});
    return JsonResponse(200, json::serialize(json::object{
                                 {"items", std::move(items)},
                                 {"next_cursor", page->next_cursor ? json::value(*page->next_cursor)
                                                                   : json::value(nullptr)}}));
  });

  // ---- Tasks ----

  api.Add("POST", "/api/v1/tasks", [s](Ctx& c) {
    auto in = DecodeTask(c.req.body);
    if (!in.ok()) return ErrorResponse(in.error());
    auto r = s.interactions->CreateTask(*c.principal, *in);
    if (!r.ok()) return ErrorResponse(r.error());
    Response res = WithEtag(201, EncodeTask(*r), r->version);
    res.SetHeader("Location", "/api/v1/tasks/" + std::to_string(r->id));
    return res;
  });

  api.Add("GET", "/api/v1/tasks", [s](Ctx& c) {
    interactions::TaskListRequest req;
    if (auto st = CheckQuery(c, {"assignee", "status", "due", "customer_id", "cursor", "limit"},
                             &req.limit);
        !st.ok())
      return ErrorResponse(st.error());
    std::vector<FieldError> errs;
    req.assignee = c.Query("assignee");
    req.status = c.Query("status");
    req.due = c.Query("due");
    req.customer_id = QueryId(c, "customer_id", errs);
    req.cursor = c.Query("cursor").value_or("");
    if (!errs.empty()) return ErrorResponse(InvalidArgument("invalid query", errs));
    auto page = s.interactions->ListTasks(*c.principal, req);
    if (!page.ok()) return ErrorResponse(page.error());
    json::array items;
    for (const auto& t : page->items) items.push_back(EncodeTask(t));
    return JsonResponse(200, json::serialize(json::object{
                                 {"items", std::move(items)},
                                 {"next_cursor", page->next_cursor ? json::value(*page->next_cursor)
                                                                   : json::value(nullptr)}}));
  });

  api.Add("GET", "/api/v1/tasks/today", [s](Ctx& c) {
    auto r = s.interactions->MyTasksToday(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    json::array overdue, today;
    for (const auto& t : r->overdue) overdue.push_back(EncodeTask(t));
    for (const auto& t : r->today) today.push_back(EncodeTask(t));
    const auto count = static_cast<int64_t>(r->overdue.size() + r->today.size());
    return JsonResponse(
        200, json::serialize(json::object{
                 {"overdue", std::move(overdue)}, {"today", std::move(today)}, {"count", count}}));
  });

  api.Add("GET", "/api/v1/tasks/reminders", [s](Ctx& c) {
    auto r = s.interactions->MyReminders(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, ItemsJson(*r, EncodeTask));
  });

  api.Add("GET", "/api/v1/tasks/{id}", [s](Ctx& c) {
    auto r = s.interactions->GetTask(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    return WithEtag(200, EncodeTask(*r), r->version);
  });

  api.Add("PATCH", "/api/v1/tasks/{id}", [s](Ctx& c) {
    std::optional<int64_t> version;
    if (Response pre = RequireIfMatch(c.req, &version); pre.status) return pre;
    auto in = DecodeTask(c.req.body);
    if (!in.ok()) return ErrorResponse(in.error());
    auto r = s.interactions->UpdateTask(*c.principal, c.Id("id"), *version, *in);
    if (!r.ok()) return ErrorResponse(r.error());
    return WithEtag(200, EncodeTask(*r), r->version);
  });

  api.Add("POST", "/api/v1/tasks/{id}/dismiss-reminder", [s](Ctx& c) {
    auto r = s.interactions->DismissReminder(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    return WithEtag(200, EncodeTask(*r), r->version);
  });

  // ---- Contact center ----

  api.Add("POST", "/api/v1/telephony/secret", [s](Ctx& c) {
    auto r = s.telephony->RotateSecret(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(
        201, json::serialize(json::object{
                 {"secret", *r},
                 {"signature_header",
                  "X-Kehu-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + \".\" + body)>"},
                 {"timestamp_header", "X-Kehu-Timestamp: <unix seconds>"}}));
  });

  api.Add("POST", "/api/v1/telephony/events", [s](Ctx& c) {
    EventCheck checked = CheckCallEvent(s, c);
    if (checked.refused) return *checked.refused;
    return CallEventResponse(s.telephony->Apply(*c.principal, checked.signature, checked.event));
  });
  // On SQLite the event is checked on the I/O thread and its write joins the writer's queue
  // (Api::RunsAsync); the answer (and the screen pop of a ringing call) follows the commit.
  api.SetAsync("POST", "/api/v1/telephony/events", [s](Ctx& c, AsyncFinish finish) {
    EventCheck checked = CheckCallEvent(s, c);
    if (checked.refused) return finish([r = std::move(*checked.refused)] { return r; });
    s.telephony->ApplyAsync(*c.principal, checked.signature, checked.event,
                            [finish](std::function<Result<interactions::CallResult>()> result) {
                              finish([result = std::move(result)] { return CallEventResponse(result()); });
                            });
  });

  api.Add("GET", "/api/v1/telephony/pop", [s](Ctx& c) {
    int limit = 0;
    if (auto st = CheckQuery(c, {"phone", "call_id"}, &limit); !st.ok())
      return ErrorResponse(st.error());
    auto phone = c.Query("phone");
    if (!phone || phone->empty())
      return ErrorResponse(InvalidArgument("phone is required", {{"phone", "is required"}}));
    auto r = s.telephony->Lookup(*c.principal, *phone, c.Query("call_id").value_or(""));
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, json::serialize(EncodePop(*r)));
  });

  api.Add("GET", "/api/v1/telephony/stream", [s](Ctx& c) {
    auto channel = std::make_shared<StreamChannel>();
    std::weak_ptr<StreamChannel> weak = channel;
    interactions::PopHub::Sink sink{
        .deliver =
            [weak](const interactions::Pop& pop) {
              auto ch = weak.lock();
              if (!ch) return false;
              return ch->Push("event: pop\ndata: " + json::serialize(EncodePop(pop)) + "\n\n");
            },
        .alive =
            [weak] {
              auto ch = weak.lock();
              return ch && !ch->closed();
            }};
    s.pop_hub->Subscribe(c.principal->org_id, c.principal->user_id, std::move(sink));
    (void)channel->Push("retry: 3000\n: connected\n\n");
    Response r;
    r.status = 200;
    r.content_type = "text/event-stream; charset=utf-8";
    r.SetHeader("X-Accel-Buffering", "no");
    r.stream = channel;
    r.stream_heartbeat = ": heartbeat\n\n";
    r.stream_heartbeat_seconds = 15;
    return r;
  });
}

}  // namespace kehu::http
