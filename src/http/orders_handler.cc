// Routes for orders, purchase cycles, churn (exit) records, churn statistics, retention
// economics and win-back candidates. Decode, call one use case, encode.

#include <boost/json.hpp>

#include <charconv>
#include <cmath>

#include "core/time.h"
#include "domain/orders/order_service.h"
#include "http/api.h"
#include "http/json_io.h"
#include "http/problem.h"

namespace kehu::http {

namespace {

namespace json = boost::json;
using orders::ChurnRecord;
using orders::Order;
using orders::OrderPatch;

json::value OptInt(const std::optional<int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

// Ratios and probabilities as plain decimals (Boost.JSON would write 1.5E0), rounded to 6 places.
json::value Ratio(double v) { return std::round(v * 1e6) / 1e6; }

json::object EncodeOrder(const Order& o) {
  json::array lines;
  for (const auto& l : o.lines)
    lines.push_back(json::object{{"line_no", l.line_no}, {"sku", l.sku}, {"name", l.name}, {"quantity", l.quantity},
                                 {"unit_price_minor", l.unit_price_minor}, {"amount_minor", l.amount_minor},
                                 {"cost_minor", OptInt(l.cost_minor)}});
  json::array allowed;
  for (const auto& s : orders::AllowedTransitions(o.status)) allowed.push_back(json::string(s));
  return {{"id", o.id},
          {"customer_id", o.customer_id},
          {"customer_name", o.customer_name},
          {"external_id", o.external_id ? json::value(*o.external_id) : json::value(nullptr)},
          {"ordered_at", FormatTimestamp(o.ordered_at)},
          {"channel", orders::Name(o.channel)},
          {"currency", o.currency},
          {"amount_minor", o.amount_minor},
          {"cost_minor", OptInt(o.cost_minor)},
          {"margin_minor", o.cost_minor ? json::value(o.amount_minor - *o.cost_minor) : json::value(nullptr)},
          {"status", orders::Name(o.status)},
          {"allowed_transitions", std::move(allowed)},
          {"note", o.note},
          {"lines", std::move(lines)},
          {"created_by", OptInt(o.created_by)},
          {"created_at", FormatTimestamp(o.created_at)},
          {"updated_at", FormatTimestamp(o.updated_at)},
          {"version", o.version}};
}

json::object EncodeChurn(const ChurnRecord& r) {
  return {{"id", r.id},
          {"customer_id", r.customer_id},
          {"customer_name", r.customer_name},
          {"category", r.category},
          {"relationship_level", r.relationship_level},
          {"churned_on", FormatDate(r.churned_on)},
          {"reason", orders::Name(r.reason)},
          {"note", r.note},
          {"recorded_by", OptInt(r.recorded_by)},
          {"recorded_by_name", r.recorded_by_name},
          {"lost_profit_minor", OptInt(r.lost_profit_minor)},
          {"lost_profit_basis", r.lost_profit_basis.empty() ? json::value(nullptr) : json::value(r.lost_profit_basis)},
          {"won_back_at", r.won_back_at ? json::value(FormatTimestamp(*r.won_back_at)) : json::value(nullptr)},
          {"created_at", FormatTimestamp(r.created_at)},
          {"version", r.version}};
}

json::object EncodeCell(const orders::RateCell& c) {
  return {{"key", c.key}, {"exposed", c.exposed}, {"churned", c.churned}, {"rate", Ratio(c.rate)}};
}

Response Json(int status, const json::value& v) { return JsonResponse(status, json::serialize(v)); }

Response OrderResponse(int status, const Order& o) {
  Response r = Json(status, EncodeOrder(o));
  std::string etag = "\"";
  etag.append(std::to_string(o.version)).append("\"");
  r.SetHeader("ETag", std::move(etag));
  return r;
}

std::optional<int64_t> ParseI64(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Rejects query parameters outside `known`.
Status CheckQuery(const Ctx& c, std::initializer_list<const char*> known) {
  std::vector<FieldError> errs;
  for (const auto& [k, v] : c.query) {
    bool ok = false;
    for (const char* n : known) ok = ok || k == n;
    if (!ok) errs.push_back({k, "is not a known query parameter"});
  }
  if (!errs.empty()) return InvalidArgument("invalid query", std::move(errs));
  return Status::Ok();
}

std::optional<double> ReadDouble(ObjectReader& in, const char* key) {
  const json::value* v = in.Raw(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    in.AddError(key, "must be a number");
    return std::nullopt;
  }
  return v->to_number<double>();
}

Result<OrderPatch> DecodeOrder(const std::string& body) {
  KEHU_ASSIGN_OR_RETURN(auto obj, ParseObject(body));
  ObjectReader in(obj);
  OrderPatch p;
  p.customer_id = in.Int("customer_id");
  p.ordered_at = in.String("ordered_at");
  p.channel = in.String("channel");
  p.currency = in.String("currency");
  p.amount_minor = in.Int("amount_minor");
  p.cost_minor = in.NullableInt("cost_minor");
  p.status = in.String("status");
  p.external_id = in.NullableString("external_id");
  p.note = in.String("note");
  if (const json::value* v = in.Raw("lines")) {
    if (!v->is_array()) {
      in.AddError("lines", "must be an array");
    } else {
      std::vector<orders::LineInput> lines;
      const auto& a = v->as_array();
      for (size_t i = 0; i < a.size(); ++i) {
        std::string item = "lines[";
        item.append(std::to_string(i)).append("]");
        std::string prefix = item;
        prefix.append(".");
        if (!a[i].is_object()) {
          in.AddError(item, "must be an object");
          continue;
        }
        ObjectReader li(a[i].as_object(), prefix);
        orders::LineInput l;
        l.sku = li.String("sku");
        l.name = li.String("name");
        l.quantity = li.Int("quantity");
        l.unit_price_minor = li.Int("unit_price_minor");
        l.amount_minor = li.Int("amount_minor");
        if (auto c = li.NullableInt("cost_minor")) l.cost_minor = *c;
        (void)li.Raw("line_no");
        auto st = li.Finish();
        if (!st.ok())
          for (const auto& e : st.error().fields) in.errors().push_back(e);
        lines.push_back(std::move(l));
      }
      p.lines = std::move(lines);
    }
  }
  for (const char* ignored : {"id", "version", "created_at", "updated_at", "created_by", "margin_minor",
                              "allowed_transitions"})
    (void)in.Raw(ignored);
  KEHU_RETURN_IF_ERROR(in.Finish());
  return p;
}


Result<orders::ListRequest> ReadOrderList(const Ctx& c, bool with_customer) {
  if (with_customer) {
    KEHU_RETURN_IF_ERROR(CheckQuery(c, {"customer_id", "channel", "status", "from", "to", "cursor", "limit"}));
  } else {
    KEHU_RETURN_IF_ERROR(CheckQuery(c, {"channel", "status", "from", "to", "cursor", "limit"}));
  }
  orders::ListRequest req;
  std::vector<FieldError> errs;
  if (auto v = c.Query("customer_id")) {
    if (auto id = ParseI64(*v)) req.customer_id = *id;
    else errs.push_back({"customer_id", "must be an integer"});
  }
  req.channel = c.Query("channel");
  req.status = c.Query("status");
  req.from = c.Query("from");
  req.to = c.Query("to");
  req.cursor = c.Query("cursor").value_or("");
  if (auto l = c.Query("limit")) {
    auto v = ParseI64(*l);
    req.limit = v && *v > 0 && *v <= 500 ? static_cast<int>(*v) : 0;
  }
  if (!errs.empty()) return InvalidArgument("invalid list query", std::move(errs));
  return req;
}

Response PageResponse(const orders::Page& page) {
  json::array items;
  for (const auto& o : page.items) items.push_back(EncodeOrder(o));
  return Json(200, json::object{{"items", std::move(items)},
                                {"next_cursor", page.next_cursor ? json::value(*page.next_cursor) : json::value(nullptr)}});
}

json::object EncodeSettings(const orders::Settings& s) {
  return {{"overdue_factor", Ratio(s.overdue_factor)}, {"horizon_months", s.horizon_months}};
}

}  // namespace

void AddOrderRoutes(Api& api) {
  orders::OrderService* s = api.services().orders;

  api.Add("GET", "/api/v1/orders", [s](Ctx& c) {
    auto req = ReadOrderList(c, true);
    if (!req.ok()) return ErrorResponse(req.error());
    auto page = s->List(*c.principal, *req);
    if (!page.ok()) return ErrorResponse(page.error());
    return PageResponse(*page);
  });

  api.Add("POST", "/api/v1/orders", [s](Ctx& c) {
    auto in = DecodeOrder(c.req.body);
    if (!in.ok()) return ErrorResponse(in.error());
    auto r = s->Create(*c.principal, *in);
    if (!r.ok()) return ErrorResponse(r.error());
    Response res = OrderResponse(201, *r);
    res.SetHeader("Location", "/api/v1/orders/" + std::to_string(r->id));
    return res;
  });

  api.Add("GET", "/api/v1/orders/{id}", [s](Ctx& c) {
    auto r = s->Get(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    return OrderResponse(200, *r);
  });

  api.Add("PATCH", "/api/v1/orders/{id}", [s](Ctx& c) {
    bool malformed = false;
    auto version = IfMatchVersion(c.req, &malformed);
    if (malformed) return Problem(400, "validation", "Invalid request", "If-Match must be the order's version, e.g. \"3\"");
    if (!version)
      return Problem(428, "precondition-required", "Precondition required",
                     "send If-Match with the version you edited so no change is overwritten");
    auto in = DecodeOrder(c.req.body);
    if (!in.ok()) return ErrorResponse(in.error());
    auto r = s->Update(*c.principal, c.Id("id"), *version, *in);
    if (!r.ok()) {
      Response res = ErrorResponse(r.error());
      if (r.error().code == ErrorCode::kAborted) {
        auto current = s->Get(*c.principal, c.Id("id"));
        if (current.ok()) {
          auto o = json::parse(res.body).as_object();
          o["current"] = EncodeOrder(*current);
          res.body = json::serialize(o);
        }
      }
      return res;
    }
    return OrderResponse(200, *r);
  });

  api.Add("GET", "/api/v1/customers/{id}/orders", [s](Ctx& c) {
    auto req = ReadOrderList(c, false);
    if (!req.ok()) return ErrorResponse(req.error());
    req->customer_id = c.Id("id");
    auto page = s->List(*c.principal, *req);
    if (!page.ok()) return ErrorResponse(page.error());
    return PageResponse(*page);
  });

  api.Add("GET", "/api/v1/customers/{id}/purchase-cycle", [s](Ctx& c) {
    if (auto st = CheckQuery(c, {}); !st.ok()) return ErrorResponse(st.error());
    auto r = s->PurchaseCycleOf(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    auto lp = s->LostProfitOf(*c.principal, c.Id("id"));
    if (!lp.ok()) return ErrorResponse(lp.error());
    const auto& y = r->cycle;
    auto date = [](const std::optional<CivilDate>& d) { return d ? json::value(FormatDate(*d)) : json::value(nullptr); };
    return Json(200, json::object{
        {"customer_id", c.Id("id")},
        {"purchase_days", y.purchase_days},
        {"last_order_at", y.last_order_at ? json::value(FormatTimestamp(*y.last_order_at)) : json::value(nullptr)},
        {"typical_gap_days", y.typical_gap_days ? Ratio(*y.typical_gap_days) : json::value(nullptr)},
        {"next_expected_on", date(y.next_expected_on)},
        {"overdue_after", date(y.overdue_after)},
        {"overdue", y.overdue},
        {"overdue_factor", Ratio(r->overdue_factor)},
        {"lost_profit_minor", OptInt(lp->minor)},
        {"lost_profit_basis", lp->basis.empty() ? json::value(nullptr) : json::value(lp->basis)}});
  });

  api.Add("POST", "/api/v1/customers/{id}/churn", [s](Ctx& c) {
    auto obj = ParseObject(c.req.body);
    if (!obj.ok()) return ErrorResponse(obj.error());
    ObjectReader in(*obj);
    orders::ChurnInput ci;
    ci.churned_on = in.String("churned_on");
    ci.reason = in.String("reason");
    ci.note = in.String("note").value_or("");
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s->RecordChurn(*c.principal, c.Id("id"), ci);
    if (!r.ok()) return ErrorResponse(r.error());
    Response res = Json(201, EncodeChurn(*r));
    res.SetHeader("Location", "/api/v1/churn-records/" + std::to_string(r->id));
    return res;
  });

  api.Add("GET", "/api/v1/churn-records", [s](Ctx& c) {
    if (auto st = CheckQuery(c, {"customer_id", "reason", "category", "relationship_level", "from", "to", "won_back"});
        !st.ok())
      return ErrorResponse(st.error());
    orders::ChurnListRequest req;
    std::vector<FieldError> errs;
    if (auto v = c.Query("customer_id")) {
      if (auto id = ParseI64(*v)) req.customer_id = *id;
      else errs.push_back({"customer_id", "must be an integer"});
    }
    req.reason = c.Query("reason");
    req.category = c.Query("category");
    req.relationship_level = c.Query("relationship_level");
    req.from = c.Query("from");
    req.to = c.Query("to");
    if (auto v = c.Query("won_back")) {
      if (*v == "true") req.won_back = true;
      else if (*v == "false") req.won_back = false;
      else errs.push_back({"won_back", "must be true or false"});
    }
    if (!errs.empty()) return ErrorResponse(InvalidArgument("invalid query", std::move(errs)));
    auto r = s->ListChurn(*c.principal, req);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, ItemsJson(*r, EncodeChurn));
  });

  api.Add("POST", "/api/v1/churn-records/{id}/win-back", [s](Ctx& c) {
    auto r = s->WinBack(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeChurn(*r));
  });

  api.Add("GET", "/api/v1/churn/stats", [s](Ctx& c) {
    if (auto st = CheckQuery(c, {"period", "from", "to", "category", "relationship_level"}); !st.ok())
      return ErrorResponse(st.error());
    orders::ChurnStatsRequest req;
    req.period = c.Query("period").value_or("month");
    req.from = c.Query("from");
    req.to = c.Query("to");
    req.category = c.Query("category");
    req.relationship_level = c.Query("relationship_level");
    auto r = s->Stats(*c.principal, req);
    if (!r.ok()) return ErrorResponse(r.error());
    json::array periods, cats, segs, reasons;
    for (const auto& x : r->periods) periods.push_back(EncodeCell(x));
    for (const auto& x : r->by_category) cats.push_back(EncodeCell(x));
    for (const auto& x : r->by_segment) segs.push_back(EncodeCell(x));
    for (const auto& x : r->reasons)
      reasons.push_back(json::object{{"reason", x.reason}, {"count", x.count}, {"share", Ratio(x.share)}});
    return Json(200, json::object{{"period", r->period},
                                  {"from", FormatDate(r->from)},
                                  {"to", FormatDate(r->to)},
                                  {"as_of", FormatDate(r->as_of)},
                                  {"overall", EncodeCell(r->overall)},
                                  {"periods", std::move(periods)},
                                  {"by_category", std::move(cats)},
                                  {"by_segment", std::move(segs)},
                                  {"reasons", std::move(reasons)},
                                  {"lost_profit_minor", r->lost_profit_minor},
                                  {"customers_with_orders", r->customers_with_orders},
                                  {"repeat_customers", r->repeat_customers},
                                  {"repeat_purchase_rate", Ratio(r->repeat_purchase_rate)}});
  });

  api.Add("POST", "/api/v1/churn/retention-economics", [s](Ctx& c) {
    auto obj = ParseObject(c.req.body);
    if (!obj.ok()) return ErrorResponse(obj.error());
    ObjectReader in(*obj);
    orders::RetentionRequest req;
    req.population = in.String("population").value_or("at_risk");
    req.category = in.String("category");
    req.relationship_level = in.String("relationship_level");
    req.reason = in.String("reason");
    req.action_cost_minor = in.Int("action_cost_minor", true);
    req.success_rate = ReadDouble(in, "success_rate");
    if (!req.success_rate && !in.Has("success_rate")) in.AddError("success_rate", "is required");
    if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    auto r = s->RetentionEconomicsFor(*c.principal, req);
    if (!r.ok()) return ErrorResponse(r.error());
    json::array customers;
    for (const auto& x : r->customers)
      customers.push_back(json::object{{"customer_id", x.customer_id}, {"name", x.name}, {"why", x.why},
                                       {"lost_profit_minor", OptInt(x.lost_profit.minor)},
                                       {"lost_profit_basis", x.lost_profit.basis.empty() ? json::value(nullptr)
                                                                                        : json::value(x.lost_profit.basis)}});
    const auto& e = r->result;
    return Json(200, json::object{{"population", req.population},
                                  {"customers_at_risk", e.customers},
                                  {"customers_without_value", r->unknown_value},
                                  {"lost_profit_minor", e.lost_profit_minor},
                                  {"success_rate", Ratio(r->success_rate)},
                                  {"saved_profit_minor", e.saved_profit_minor},
                                  {"action_cost_minor", r->action_cost_minor},
                                  {"cost_minor", e.cost_minor},
                                  {"net_minor", e.net_minor},
                                  {"recommendation", r->recommendation},
                                  {"explanation", r->explanation},
                                  {"customers", std::move(customers)}});
  });

  api.Add("GET", "/api/v1/churn/win-back", [s](Ctx& c) {
    if (auto st = CheckQuery(c, {"min_lost_profit_minor", "limit"}); !st.ok()) return ErrorResponse(st.error());
    int64_t min = 0;
    int limit = 50;
    std::vector<FieldError> errs;
    if (auto v = c.Query("min_lost_profit_minor")) {
      if (auto n = ParseI64(*v)) min = *n;
      else errs.push_back({"min_lost_profit_minor", "must be an integer"});
    }
    if (auto v = c.Query("limit")) {
      auto n = ParseI64(*v);
      limit = n && *n > 0 && *n <= 500 ? static_cast<int>(*n) : 0;
    }
    if (!errs.empty()) return ErrorResponse(InvalidArgument("invalid query", std::move(errs)));
    auto r = s->WinBackCandidates(*c.principal, min, limit);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, ItemsJson(*r, EncodeChurn));
  });

  api.Add("GET", "/api/v1/churn/settings", [s](Ctx& c) {
    auto r = s->GetSettings(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeSettings(*r));
  });

  api.Add("PUT", "/api/v1/churn/settings", [s](Ctx& c) {
    auto obj = ParseObject(c.req.body);
    if (!obj.ok()) return ErrorResponse(obj.error());
    ObjectReader in(*obj);
    orders::Settings st;
    auto k = ReadDouble(in, "overdue_factor");
    if (!k && !in.Has("overdue_factor")) in.AddError("overdue_factor", "is required");
    auto h = in.Int("horizon_months", true);
    if (auto fin = in.Finish(); !fin.ok()) return ErrorResponse(fin.error());
    st.overdue_factor = *k;
    st.horizon_months = *h < 0 || *h > 1000 ? -1 : static_cast<int>(*h);
    auto r = s->PutSettings(*c.principal, st);
    if (!r.ok()) return ErrorResponse(r.error());
    return Json(200, EncodeSettings(*r));
  });
}

}  // namespace kehu::http
