// Routes for sign-in, users, teams, API keys and the audit log.

#include <boost/json.hpp>

#include <set>
#include <string>

#include "core/time.h"
#include "http/api.h"
#include "http/json_io.h"
#include "http/problem.h"

namespace kehu::http {

namespace json = boost::json;
using identity::ApiKey;
using identity::Team;
using identity::User;

json::value TimeOrNull(std::optional<UnixMillis> t) {
  return t ? json::value(FormatTimestamp(*t)) : json::value(nullptr);
}

json::object EncodeUser(const User& u) {
  json::array teams(u.team_ids.begin(), u.team_ids.end());
  return {{"id", u.id}, {"username", u.username}, {"display_name", u.display_name},
          {"role", identity::RoleName(u.role)}, {"team_ids", std::move(teams)}, {"active", u.active},
          {"created_at", FormatTimestamp(u.created_at)}};
}

namespace {

json::object EncodeTeam(const Team& t) {
  return {{"id", t.id}, {"name", t.name},
          {"lead_user_id", t.lead_user_id ? json::value(*t.lead_user_id) : json::value(nullptr)},
          {"member_ids", json::array(t.member_ids.begin(), t.member_ids.end())}};
}

json::object EncodeKey(const ApiKey& k) {
  return {{"id", k.id}, {"name", k.name}, {"role", identity::RoleName(k.role)}, {"prefix", k.prefix},
          {"created_at", FormatTimestamp(k.created_at)}, {"last_used_at", TimeOrNull(k.last_used_at)}};
}

}  // namespace

void AddIdentityRoutes(Api& api) {
  Services s = api.services();

  api.Add("POST", "/api/v1/auth/login", [s](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    auto username = in.String("username", true);
    auto password = in.String("password", true);
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s.identity->Login(*username, *password, c.req.remote_addr);
    if (!r.ok()) return ErrorResponse(r.error());
    Response res = JsonResponse(200, json::serialize(json::object{
                                         {"token", r->token}, {"expires_at", FormatTimestamp(r->expires_at)},
                                         {"csrf_token", r->csrf_token}, {"user", EncodeUser(r->user)}}));
    const std::string secure = s.secure_cookies ? "; Secure" : "";
    const std::string max_age = std::to_string((r->expires_at - s.clock->Now()) / 1000);
    res.SetHeader("Set-Cookie", "kehu_session=" + r->token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                    max_age + secure);
    res.SetHeader("Set-Cookie", "kehu_csrf=" + r->csrf_token + "; Path=/; SameSite=Strict; Max-Age=" + max_age + secure);
    res.SetHeader("Cache-Control", "no-store");
    return res;
  }, false);

  api.Add("POST", "/api/v1/auth/logout", [s](Ctx& c) {
    std::string_view authz = c.req.Header("authorization");
    std::string token = authz.size() > 7 ? std::string(authz.substr(7)) : CookieValue(c.req, "kehu_session");
    if (c.principal->api_key_id == 0) (void)s.identity->Logout(token);
    Response r;
    r.status = 204;
    r.content_type.clear();
    r.SetHeader("Set-Cookie", "kehu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    r.SetHeader("Set-Cookie", "kehu_csrf=; Path=/; SameSite=Strict; Max-Age=0");
    return r;
  });

  api.Add("GET", "/api/v1/auth/me", [s](Ctx& c) {
    auto u = s.identity->GetUser(*c.principal, c.principal->user_id);
    if (!u.ok()) return ErrorResponse(u.error());
    json::object o = EncodeUser(*u);
    o["role"] = identity::RoleName(c.principal->role);
    return JsonResponse(200, json::serialize(o));
  });

  api.Add("GET", "/api/v1/users", [s](Ctx& c) {
    auto r = s.identity->ListUsers(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, ItemsJson(*r, [](const auto& x) { return EncodeUser(x); }));
  });

  api.Add("POST", "/api/v1/users", [s](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    identity::NewUser nu;
    nu.username = in.String("username", true).value_or("");
    nu.display_name = in.String("display_name").value_or("");
    nu.role = in.String("role", true).value_or("");
    nu.password = in.String("password", true).value_or("");
    nu.team_ids = in.Ints("team_ids").value_or(std::vector<int64_t>{});
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s.identity->CreateUser(*c.principal, nu);
    if (!r.ok()) return ErrorResponse(r.error());
    Response res = JsonResponse(201, json::serialize(EncodeUser(*r)));
    res.SetHeader("Location", "/api/v1/users/" + std::to_string(r->id));
    return res;
  });

  api.Add("GET", "/api/v1/users/{id}", [s](Ctx& c) {
    auto r = s.identity->GetUser(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, json::serialize(EncodeUser(*r)));
  });

  api.Add("PATCH", "/api/v1/users/{id}", [s](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    identity::UserPatch p;
    p.display_name = in.String("display_name");
    p.role = in.String("role");
    p.active = in.Bool("active");
    p.team_ids = in.Ints("team_ids");
    p.password = in.String("password");
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s.identity->UpdateUser(*c.principal, c.Id("id"), p);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, json::serialize(EncodeUser(*r)));
  });

  api.Add("GET", "/api/v1/teams", [s](Ctx& c) {
    auto r = s.identity->ListTeams(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, ItemsJson(*r, [](const auto& x) { return EncodeTeam(x); }));
  });

  auto read_team = [](ObjectReader& in, Team& t) {
    t.name = in.String("name", true).value_or("");
    if (auto l = in.NullableInt("lead_user_id")) t.lead_user_id = *l;
    t.member_ids = in.Ints("member_ids").value_or(std::vector<int64_t>{});
  };

  api.Add("POST", "/api/v1/teams", [s, read_team](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    Team t;
    read_team(in, t);
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s.identity->CreateTeam(*c.principal, t);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(201, json::serialize(EncodeTeam(*r)));
  });

  api.Add("PATCH", "/api/v1/teams/{id}", [s, read_team](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    Team t;
    read_team(in, t);
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s.identity->UpdateTeam(*c.principal, c.Id("id"), t);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, json::serialize(EncodeTeam(*r)));
  });

  api.Add("GET", "/api/v1/api-keys", [s](Ctx& c) {
    auto r = s.identity->ListApiKeys(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, ItemsJson(*r, [](const auto& x) { return EncodeKey(x); }));
  });

  api.Add("POST", "/api/v1/api-keys", [s](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    auto name = in.String("name", true);
    auto role = in.String("role", true);
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s.identity->CreateApiKey(*c.principal, *name, *role);
    if (!r.ok()) return ErrorResponse(r.error());
    json::object o = EncodeKey(r->key);
    o["key"] = r->secret;
    Response res = JsonResponse(201, json::serialize(o));
    res.SetHeader("Cache-Control", "no-store");
    return res;
  });

  api.Add("DELETE", "/api/v1/api-keys/{id}", [s](Ctx& c) {
    auto st = s.identity->RevokeApiKey(*c.principal, c.Id("id"));
    if (!st.ok()) return ErrorResponse(st.error());
    Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
  });

  api.Add("GET", "/api/v1/audit", [s](Ctx& c) {
    std::string entity = c.Query("entity").value_or("");
    std::string id_text = c.Query("id").value_or("");
    std::vector<FieldError> errs;
    static const std::set<std::string> kEntities = {"customer", "contact", "user", "interaction", "task", "complaint", "order"};
    if (!kEntities.count(entity))
      errs.push_back({"entity", "must be customer, contact, user, interaction, task, complaint or order"});
    int64_t id = 0;
    try {
      size_t used = 0;
      id = std::stoll(id_text, &used);
      if (used != id_text.size() || id <= 0) throw std::invalid_argument("id");
    } catch (const std::exception&) {
      errs.push_back({"id", "must be a positive integer"});
    }
    int limit = 50;
    if (auto l = c.Query("limit")) {
      try { limit = std::stoi(*l); } catch (const std::exception&) { limit = 0; }
      if (limit < 1 || limit > 500) errs.push_back({"limit", "must be between 1 and 500"});
    }
    int64_t before = 0;
    if (auto cur = c.Query("cursor")) {
      try { before = std::stoll(*cur); } catch (const std::exception&) { before = -1; }
      if (before <= 0) errs.push_back({"cursor", "is not a cursor this list gave out"});
    }
    if (!errs.empty()) return ErrorResponse(InvalidArgument("invalid audit query", errs));
    if (entity == "customer") {
      if (auto st = s.customers->CheckVisible(*c.principal, id); !st.ok()) return ErrorResponse(st.error());
    }
    // The history of another capability's object is shown to whoever may see the object.
    if (entity == "interaction" && s.interactions) {
      if (auto r = s.interactions->Get(*c.principal, id); !r.ok()) return ErrorResponse(r.error());
    }
    if (entity == "task" && s.interactions) {
      if (auto r = s.interactions->GetTask(*c.principal, id); !r.ok()) return ErrorResponse(r.error());
    }
    if (entity == "complaint" && s.complaints) {
      if (auto r = s.complaints->Get(*c.principal, id); !r.ok()) return ErrorResponse(r.error());
    }
    if (entity == "order" && s.orders) {
      if (auto r = s.orders->Get(*c.principal, id); !r.ok()) return ErrorResponse(r.error());
    }
    auto r = s.identity->ListAudit(*c.principal, entity, id, before, limit + 1);
    if (!r.ok()) return ErrorResponse(r.error());
    json::array a;
    json::value next = nullptr;
    for (size_t i = 0; i < r->size(); ++i) {
      const auto& e = (*r)[i];
      if (static_cast<int>(i) == limit) {
        next = std::to_string((*r)[i - 1].id);
        break;
      }
      json::array changes;
      for (const auto& ch : e.changes) {
        boost::system::error_code ec;
        json::value b = json::parse(ch.before, ec);
        if (ec) b = nullptr;
        json::value af = json::parse(ch.after, ec);
        if (ec) af = nullptr;
        changes.push_back(json::object{{"field", ch.field}, {"before", b}, {"after", af}});
      }
      a.push_back(json::object{{"id", e.id}, {"at", FormatTimestamp(e.at)},
                               {"actor_id", e.actor_id ? json::value(*e.actor_id) : json::value(nullptr)},
                               {"actor_name", e.actor_name}, {"action", e.action}, {"entity", e.entity},
                               {"entity_id", e.entity_id}, {"changes", std::move(changes)}});
    }
    return JsonResponse(200, json::serialize(json::object{{"items", std::move(a)}, {"next_cursor", next}}));
  });
}

}  // namespace kehu::http
