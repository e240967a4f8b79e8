// Routes for customers, contacts, categories, custom fields, saved views and the phone lookup.

#include <boost/json.hpp>

#include <charconv>

#include "core/time.h"
#include "http/api.h"
#include "http/customer_json.h"
#include "http/json_decode.h"
#include "http/json_io.h"
#include "http/problem.h"

namespace kehu::http {

boost::json::object EncodeUser(const identity::User& u);  // identity_handler.cc
namespace json = boost::json;

namespace {

namespace json = boost::json;
using customers::Contact;
using customers::Customer;
using customers::CustomerPatch;
using customers::FieldValue;

json::object EncodeCategory(const customers::Category& k) {
  return {{"id", k.id}, {"key", k.key}, {"name_zh", k.name_zh}, {"name_en", k.name_en}, {"builtin", k.builtin}};
}

json::object EncodeContact(const Contact& c) {
  json::array phones, emails;
  for (const auto& t : c.phones) phones.push_back(json::string(t));
  for (const auto& t : c.emails) emails.push_back(json::string(t));
  return {{"id", c.id}, {"customer_id", c.customer_id}, {"name", c.name}, {"title", c.title},
          {"role", customers::Name(c.role)}, {"phones", std::move(phones)}, {"emails", std::move(emails)},
          {"note", c.note}, {"version", c.version}, {"created_at", FormatTimestamp(c.created_at)}};
}

Response NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Response CustomerResponse(int status, const Customer& c) {
  std::string body;
  AppendCustomerJson(body, c);
  Response r = JsonResponse(status, std::move(body));
  std::string etag = "\"";
  etag += std::to_string(c.version);
  etag += '"';
  r.SetHeader("ETag", std::move(etag));
  return r;
}

// POST /customers' answer: 201 with the customer and its Location, or the error.
Response CreatedResponse(const Result<Customer>& r) {
  if (!r.ok()) return ErrorResponse(r.error());
  Response res = CustomerResponse(201, *r);
  res.SetHeader("Location", "/api/v1/customers/" + std::to_string(r->id));
  return res;
}

// A merged id answers 301 with the survivor; other errors as problems.
Response CustomerError(const Error& e) {
  if (e.code == ErrorCode::kNotFound && e.conflict_id) {
    Response r = JsonResponse(301, json::serialize(json::object{{"merged_into", *e.conflict_id}}));
    r.SetHeader("Location", "/api/v1/customers/" + std::to_string(*e.conflict_id));
    return r;
  }
  return ErrorResponse(e);
}

}  // namespace

// Decodes a (partial) customer; every problem becomes a field error.
Result<CustomerPatch> DecodeCustomer(const std::string& body) {
  KEHU_ASSIGN_OR_RETURN(auto obj, ParseObject(body));
  ObjectReader in(obj);
  CustomerPatch p;
  p.kind = in.String("kind");
  p.name = in.String("name");
  p.family_name = in.String("family_name");
  p.given_name = in.String("given_name");
  p.gender = in.String("gender");
  p.birthday = in.NullableString("birthday");
  p.birthday_lunar = in.Bool("birthday_lunar");
  p.category = in.String("category");
  p.lifecycle_stage = in.String("lifecycle_stage");
  p.relationship_level = in.String("relationship_level");
  p.owner_id = in.NullableInt("owner_id");
  p.shared_with = in.Ints("shared_with");
  p.tags = in.Strings("tags");
  p.source_channel = in.String("source_channel");
  p.vip = in.Bool("vip");
  p.external_id = in.NullableString("external_id");
  p.organization = in.String("organization");
  p.note = in.String("note");
  p.phones = in.Strings("phones");
  p.emails = in.Strings("emails");
  if (const json::value* a = in.Raw("address")) {
    if (!a->is_object()) {
      in.AddError("address", "must be an object");
    } else {
      ObjectReader ar(a->as_object(), "address.");
      customers::Address addr;
      addr.province = ar.String("province").value_or("");
      addr.city = ar.String("city").value_or("");
      addr.district = ar.String("district").value_or("");
      addr.street = ar.String("street").value_or("");
      if (auto st = ar.Finish(); !st.ok())
        for (const auto& e : st.error().fields) in.errors().push_back(e);
      p.address = addr;
    }
  }
  if (const json::value* a = in.Raw("consents")) {
    if (!a->is_array() || a->as_array().size() > 10) {
      in.AddError("consents", "must be an array of at most 10 consents");
    } else {
      std::vector<customers::ConsentInput> out;
      const auto& arr = a->as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        std::string prefix = "consents[" + std::to_string(i) + "].";
        if (!arr[i].is_object()) {
          in.AddError("consents[" + std::to_string(i) + "]", "must be an object");
          continue;
        }
        ObjectReader cr(arr[i].as_object(), prefix);
        customers::ConsentInput ci;
        ci.channel = cr.String("channel", true).value_or("");
        ci.granted = cr.Bool("granted", true).value_or(false);
        ci.at = cr.String("at");
        ci.source = cr.String("source").value_or("");
        if (auto st = cr.Finish(); !st.ok())
          for (const auto& e : st.error().fields) in.errors().push_back(e);
        out.push_back(std::move(ci));
      }
      p.consents = std::move(out);
    }
  }
  if (const json::value* cf = in.Raw("custom_fields")) {
    if (!cf->is_object() || cf->as_object().size() > 100) {
      in.AddError("custom_fields", "must be an object of at most 100 fields");
    } else {
      std::map<std::string, FieldValue> m;
      for (const auto& [k, v] : cf->as_object()) {
        std::string key(k);
        if (v.is_bool()) m[key] = v.as_bool();
        else if (v.is_number()) m[key] = v.to_number<double>();
        else if (v.is_string()) m[key] = std::string(v.as_string());
        else if (v.is_null()) m[key] = std::monostate{};
        else in.AddError("custom_fields." + key, "must be a string, number, boolean or null");
      }
      p.custom_fields = std::move(m);
    }
  }
  for (const char* ignored : {"id", "version", "created_at", "updated_at"})
    (void)in.Raw(ignored);  // read-only fields a client may echo back; ignored
  KEHU_RETURN_IF_ERROR(in.Finish());
  return p;
}

Result<customers::ContactPatch> DecodeContact(const std::string& body) {
  KEHU_ASSIGN_OR_RETURN(auto obj, ParseObject(body));
  ObjectReader in(obj);
  customers::ContactPatch p;
  p.name = in.String("name");
  p.title = in.String("title");
  p.role = in.String("role");
  p.phones = in.Strings("phones");
  p.emails = in.Strings("emails");
  p.note = in.String("note");
  for (const char* ignored : {"id", "customer_id", "version", "created_at"}) (void)in.Raw(ignored);
  KEHU_RETURN_IF_ERROR(in.Finish());
  return p;
}

Result<customers::ListRequest> ReadListRequest(const Ctx& c, std::initializer_list<const char*> extra) {
    customers::ListRequest req;
    std::vector<FieldError> errs;
    static const char* kKnown[] = {"q", "category", "lifecycle_stage", "relationship_level", "kind", "tag",
                                   "owner_id", "vip", "sort"};
    for (const auto& [k, v] : c.query)
      if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* n) { return k == n; }) &&
          std::none_of(extra.begin(), extra.end(), [&](const char* n) { return k == n; }))
        errs.push_back({k, "is not a known query parameter"});
    req.q = c.Query("q").value_or("");
    req.category = c.Query("category");
    req.lifecycle_stage = c.Query("lifecycle_stage");
    req.relationship_level = c.Query("relationship_level");
    req.kind = c.Query("kind");
    req.tag = c.Query("tag");
    if (auto o = c.Query("owner_id")) {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(o->data(), o->data() + o->size(), v);
      if (ec != std::errc() || p != o->data() + o->size()) errs.push_back({"owner_id", "must be an integer"});
      req.owner_id = v;
    }
    if (auto v = c.Query("vip")) {
      if (*v == "true") req.vip = true;
      else if (*v == "false") req.vip = false;
      else errs.push_back({"vip", "must be true or false"});
    }
    req.sort = c.Query("sort").value_or("-created_at");
    req.cursor = c.Query("cursor").value_or("");
    if (auto l = c.Query("limit")) {
      int v = 0;
      auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), v);
      if (ec != std::errc() || p != l->data() + l->size()) v = 0;
      req.limit = v;
    }
    if (!errs.empty()) return InvalidArgument("invalid list query", errs);
    return req;
}

void FuzzDecodeAll(std::string_view bytes) {
  std::string body(bytes);
  (void)DecodeCustomer(body);
  (void)DecodeContact(body);
}

void AddCustomerRoutes(Api& api) {
  Services s = api.services();

  api.Add("GET", "/api/v1/customers", [s](Ctx& c) {
    auto parsed = ReadListRequest(c, {"cursor", "limit"});
    if (!parsed.ok()) return ErrorResponse(parsed.error());
    const customers::ListRequest& req = *parsed;
    auto page = s.customers->List(*c.principal, req);
    if (!page.ok()) return ErrorResponse(page.error());
    std::string body = "{\"items\":[";
    body.reserve(page->items.size() * 640 + 64);
    for (size_t i = 0; i < page->items.size(); ++i) {
      if (i) body += ',';
      AppendCustomerJson(body, page->items[i]);
    }
    body += "],\"next_cursor\":";
    body += page->next_cursor ? json::serialize(json::value(*page->next_cursor)) : std::string("null");
    body += '}';
    return JsonResponse(200, std::move(body));
  });

  api.Add("POST", "/api/v1/customers", [s](Ctx& c) {
    auto in = DecodeCustomer(c.req.body);
    if (!in.ok()) return ErrorResponse(in.error());
    return CreatedResponse(s.customers->Create(*c.principal, *in));
  });

  // On SQLite the create is checked on the I/O thread and joins the writer's queue; the writer's
  // thread hands the result back and the I/O thread writes the answer (Api::RunsAsync).
  api.SetAsync("POST", "/api/v1/customers", [s](Ctx& c, AsyncFinish finish) {
    auto in = DecodeCustomer(c.req.body);
    if (!in.ok()) return finish([e = in.error()] { return ErrorResponse(e); });
    s.customers->CreateAsync(*c.principal, *in, [finish](Result<customers::Customer> r) {
      finish([r = std::move(r)] { return CreatedResponse(r); });
    });
  });

  api.Add("GET", "/api/v1/customers/lookup", [s](Ctx& c) {
    auto phone = c.Query("phone");
    if (!phone || phone->empty())
      return ErrorResponse(InvalidArgument("phone is required", {{"phone", "is required"}}));
    auto r = s.customers->LookupByPhone(*c.principal, *phone);
    if (!r.ok()) return ErrorResponse(r.error());
    json::object o{{"customer", EncodeCustomer(*r)}, {"owner", nullptr}, {"category", nullptr}};
    if (r->owner_id) {
      auto u = s.identity->GetUser(*c.principal, *r->owner_id);
      if (u.ok()) o["owner"] = EncodeUser(*u);
    }
    auto cats = s.customers->ListCategories(*c.principal);
    if (cats.ok())
      for (const auto& k : *cats)
        if (k.key == r->category)
          o["category"] = EncodeCategory(k);
    return JsonResponse(200, json::serialize(o));
  });

  api.Add("POST", "/api/v1/customers/bulk", [s](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    customers::BulkRequest req;
    req.ids = in.Ints("ids").value_or(std::vector<int64_t>{});
    if (auto o = in.Int("owner_id")) req.owner_id = *o;
    req.add_tags = in.Strings("add_tags").value_or(std::vector<std::string>{});
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s.customers->Bulk(*c.principal, req);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, json::serialize(json::object{{"updated", *r}}));
  });

  api.Add("GET", "/api/v1/customers/{id}", [s](Ctx& c) {
    auto r = s.customers->Get(*c.principal, c.Id("id"));
    if (!r.ok()) return CustomerError(r.error());
    return CustomerResponse(200, *r);
  });

  api.Add("PATCH", "/api/v1/customers/{id}", [s](Ctx& c) {
    bool malformed = false;
    auto version = IfMatchVersion(c.req, &malformed);
    if (malformed)
      return Problem(400, "validation", "Invalid request", "If-Match must be the customer's version, e.g. \"3\"");
    if (!version)
      return Problem(428, "precondition-required", "Precondition required",
                     "send If-Match with the version you edited so no change is overwritten");
    auto in = DecodeCustomer(c.req.body);
    if (!in.ok()) return ErrorResponse(in.error());
    auto r = s.customers->Update(*c.principal, c.Id("id"), *version, *in);
    if (!r.ok()) {
      if (r.error().code == ErrorCode::kAborted) {
        Response res = ErrorResponse(r.error());
        auto current = s.customers->Get(*c.principal, c.Id("id"));
        if (current.ok()) {
          auto o = json::parse(res.body).as_object();
          o["current"] = EncodeCustomer(*current);
          res.body = json::serialize(o);
        }
        return res;
      }
      return CustomerError(r.error());
    }
    return CustomerResponse(200, *r);
  });

  api.Add("DELETE", "/api/v1/customers/{id}", [s](Ctx& c) {
    bool malformed = false;
    auto version = IfMatchVersion(c.req, &malformed);
    if (malformed) return Problem(400, "validation", "Invalid request", "If-Match must be a version");
    auto st = s.customers->Delete(*c.principal, c.Id("id"), version);
    if (!st.ok()) return CustomerError(st.error());
    return NoContent();
  });

  api.Add("POST", "/api/v1/customers/{id}/erase", [s](Ctx& c) {
    auto r = s.customers->Erase(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    return CustomerResponse(200, *r);
  });

  api.Add("GET", "/api/v1/customers/{id}/duplicates", [s](Ctx& c) {
    auto r = s.customers->Duplicates(*c.principal, c.Id("id"));
    if (!r.ok()) return CustomerError(r.error());
    json::array items;
    for (const auto& d : *r) {
      json::array reasons;
      for (const auto& x : d.reasons) reasons.push_back(json::string(x));
      items.push_back(json::object{{"customer", EncodeCustomer(d.customer)}, {"reasons", std::move(reasons)}});
    }
    return JsonResponse(200, json::serialize(json::object{{"items", std::move(items)}, {"next_cursor", nullptr}}));
  });

  api.Add("POST", "/api/v1/customers/{id}/merge", [s](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    auto from = in.Int("from_id", true);
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s.customers->Merge(*c.principal, c.Id("id"), *from);
    if (!r.ok()) return ErrorResponse(r.error());
    return CustomerResponse(200, *r);
  });

  api.Add("GET", "/api/v1/customers/{id}/contacts", [s](Ctx& c) {
    auto r = s.customers->ListContacts(*c.principal, c.Id("id"));
    if (!r.ok()) return CustomerError(r.error());
    return JsonResponse(200, ItemsJson(*r, EncodeContact));
  });

  api.Add("POST", "/api/v1/customers/{id}/contacts", [s](Ctx& c) {
    auto in = DecodeContact(c.req.body);
    if (!in.ok()) return ErrorResponse(in.error());
    auto r = s.customers->CreateContact(*c.principal, c.Id("id"), *in);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(201, json::serialize(EncodeContact(*r)));
  });

  api.Add("PATCH", "/api/v1/customers/{id}/contacts/{contact_id}", [s](Ctx& c) {
    bool malformed = false;
    auto version = IfMatchVersion(c.req, &malformed);
    if (malformed || !version)
      return Problem(428, "precondition-required", "Precondition required", "send If-Match with the contact's version");
    auto in = DecodeContact(c.req.body);
    if (!in.ok()) return ErrorResponse(in.error());
    auto r = s.customers->UpdateContact(*c.principal, c.Id("id"), c.Id("contact_id"), *version, *in);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, json::serialize(EncodeContact(*r)));
  });

  api.Add("DELETE", "/api/v1/customers/{id}/contacts/{contact_id}", [s](Ctx& c) {
    auto st = s.customers->DeleteContact(*c.principal, c.Id("id"), c.Id("contact_id"));
    if (!st.ok()) return ErrorResponse(st.error());
    return NoContent();
  });

  api.Add("GET", "/api/v1/categories", [s](Ctx& c) {
    auto r = s.customers->ListCategories(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, ItemsJson(*r, EncodeCategory));
  });

  api.Add("POST", "/api/v1/categories", [s](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    customers::Category k;
    k.key = in.String("key", true).value_or("");
    k.name_zh = in.String("name_zh", true).value_or("");
    k.name_en = in.String("name_en", true).value_or("");
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s.customers->CreateCategory(*c.principal, k);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(201, json::serialize(EncodeCategory(*r)));
  });

  auto encode_def = [](const customers::CustomFieldDef& d) {
    json::array opts;
    for (const auto& o : d.options) opts.push_back(json::string(o));
    return json::object{{"id", d.id}, {"key", d.key}, {"label", d.label}, {"type", customers::Name(d.type)},
                        {"options", std::move(opts)}, {"required", d.required}};
  };

  api.Add("GET", "/api/v1/custom-fields", [s, encode_def](Ctx& c) {
    auto r = s.customers->ListFieldDefs(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, ItemsJson(*r, encode_def));
  });

  api.Add("POST", "/api/v1/custom-fields", [s, encode_def](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    customers::CustomFieldDef d;
    d.key = in.String("key", true).value_or("");
    d.label = in.String("label", true).value_or("");
    std::string type = in.String("type", true).value_or("");
    d.options = in.Strings("options").value_or(std::vector<std::string>{});
    d.required = in.Bool("required").value_or(false);
    auto t = customers::ParseFieldType(type);
    if (!t && in.Has("type")) in.AddError("type", "must be text, number, date, boolean or select");
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    d.type = *t;
    auto r = s.customers->CreateFieldDef(*c.principal, d);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(201, json::serialize(encode_def(*r)));
  });

  api.Add("DELETE", "/api/v1/custom-fields/{id}", [s](Ctx& c) {
    auto st = s.customers->DeleteFieldDef(*c.principal, c.Id("id"));
    if (!st.ok()) return ErrorResponse(st.error());
    return NoContent();
  });

  auto encode_view = [](const customers::SavedView& v) {
    boost::system::error_code ec;
    json::value q = json::parse(v.query_json, ec);
    if (ec) q = json::object{};
    return json::object{{"id", v.id}, {"name", v.name}, {"query", q}};
  };

  api.Add("GET", "/api/v1/saved-views", [s, encode_view](Ctx& c) {
    auto r = s.customers->ListSavedViews(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, ItemsJson(*r, encode_view));
  });

  api.Add("POST", "/api/v1/saved-views", [s, encode_view](Ctx& c) {
    auto body = ParseObject(c.req.body);
    if (!body.ok()) return ErrorResponse(body.error());
    ObjectReader in(*body);
    customers::SavedView v;
    v.name = in.String("name", true).value_or("");
    if (const json::value* q = in.Raw("query")) {
      if (!q->is_object()) in.AddError("query", "must be an object");
      else v.query_json = json::serialize(*q);
    } else {
      in.AddError("query", "is required");
    }
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s.customers->CreateSavedView(*c.principal, v);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(201, json::serialize(encode_view(*r)));
  });

  api.Add("DELETE", "/api/v1/saved-views/{id}", [s](Ctx& c) {
    auto st = s.customers->DeleteSavedView(*c.principal, c.Id("id"));
    if (!st.ok()) return ErrorResponse(st.error());
    return NoContent();
  });
}

}  // namespace kehu::http
