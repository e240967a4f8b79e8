// Routes of the customer-value analytics: runs, a customer's value, and the org views (RFM
// grid, CLV distribution, churn dashboard, ABC/Pareto, Kotler relationship levels), settings.

#include <boost/json.hpp>
#include <cmath>

#include "core/time.h"
#include "domain/value/value_service.h"
#include "http/api.h"
#include "http/json_io.h"
#include "http/problem.h"

namespace kehu::http {

namespace {

namespace json = boost::json;
using value::CustomerValue;
using value::Run;

json::value Opt(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return *v;
}

json::value Day(std::optional<int32_t> day) {
  if (!day) return nullptr;
  return json::string(FormatDate(CivilFromDays(*day)));
}

json::value ParseJsonOr(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::object{};
  return v;
}

json::object EncodeRef(const value::RunRef& r) {
  return json::object{{"run_id", r.run_id},
                      {"computed_at", FormatTimestamp(r.computed_at)},
                      {"as_of", FormatDate(r.as_of)},
                      {"model_version", r.model_version}};
}

json::object EncodeRun(const Run& r) {
  json::object o{{"id", r.id},
                 {"trigger", r.trigger},
                 {"status", value::Name(r.status)},
                 {"stage", r.stage},
                 {"progress", r.progress},
                 {"started_at", FormatTimestamp(r.started_at)},
                 {"finished_at", r.finished_at ? json::value(FormatTimestamp(*r.finished_at))
                                               : json::value(nullptr)},
                 {"computed_at", FormatTimestamp(r.computed_at)},
                 {"as_of", FormatDate(r.as_of)},
                 {"model_version", r.model_version},
                 {"customers", r.customers},
                 {"orders", r.orders},
                 {"diagnostics", ParseJsonOr(r.diagnostics_json)},
                 {"error", r.error}};
  return o;
}

json::object EncodeSettings(const value::Settings& s) {
  json::array rules;
  for (const auto& r : s.rfm_rules) rules.push_back(json::string(r));
  return json::object{{"clv_months", s.clv_months},
                      {"monthly_discount_rate", s.monthly_discount_rate},
                      {"margin", s.margin},
                      {"purchases_horizon_weeks", s.purchases_horizon_weeks},
                      {"p_alive_threshold", s.p_alive_threshold},
                      {"cycle_multiplier", s.cycle_multiplier},
                      {"abc_a_share", s.abc_a_share},
                      {"abc_b_share", s.abc_b_share},
                      {"rfm_rules", std::move(rules)},
                      {"rfm_window_days", s.rfm_window_days},
                      {"many_share", s.many_share},
                      {"few_share", s.few_share},
                      {"high_margin_ratio", s.high_margin_ratio},
                      {"low_margin_ratio", s.low_margin_ratio}};
}

// Every number with its inputs (docs/analytics.md).
json::object EncodeValue(const CustomerValue& v, const value::Settings& s,
                         const json::value& diag) {
  json::array reasons;
  for (const auto& r : v.risk_reasons)
    reasons.push_back(json::object{{"feature", r.feature}, {"contribution", r.contribution}});
  json::value bg = nullptr, gg = nullptr;
  if (const auto* d = diag.if_object()) {
    if (const auto* b = d->if_contains("bgnbd"); b && b->is_object())
      bg = b->as_object().at("params");
    if (const auto* g = d->if_contains("gamma_gamma"); g && g->is_object())
      gg = g->as_object().at("params");
  }
  const double margin_rate = v.monetary_minor > 0 ? static_cast<double>(v.margin_minor) /
                                                        static_cast<double>(v.monetary_minor)
                                                  : 0.0;
  return json::object{{"rfm", json::object{{"recency_days", v.recency_days},
                                           {"frequency", v.frequency},
                                           {"monetary_minor", v.monetary_minor},
                                           {"r_score", v.r_score},
                                           {"f_score", v.f_score},
                                           {"m_score", v.m_score},
                                           {"segment", v.segment},
                                           {"segment_zh", value::SegmentNameZh(v.segment)},
                                           {"first_order", Day(v.first_day)},
                                           {"last_order", Day(v.last_day)}}},
                      {"p_alive", Opt(v.p_alive)},
                      {"expected_purchases", Opt(v.expected_purchases)},
                      {"expected_purchases_horizon_weeks", s.purchases_horizon_weeks},
                      {"clv", json::object{{"clv_minor", Opt(v.clv_minor)},
                                           {"expected_value_minor", Opt(v.expected_value_minor)},
                                           {"months", s.clv_months},
                                           {"monthly_discount_rate", s.monthly_discount_rate},
                                           {"margin_rate", margin_rate},
                                           {"inputs", json::object{{"x", v.x},
                                                                   {"t_x_weeks", v.t_x},
                                                                   {"T_weeks", v.t_cal},
                                                                   {"m_x_minor", v.m_x}}},
                                           {"bgnbd", bg},
                                           {"gamma_gamma", gg}}},
                      {"churn_risk", Opt(v.churn_risk)},
                      {"risk_reasons", std::move(reasons)},
                      {"purchase_cycle", json::object{{"median_days", Opt(v.cycle_days)},
                                                      {"next_expected", Day(v.next_expected_day)}}},
                      {"at_risk", json::object{{"flag", v.at_risk},
                                               {"reasons", v.at_risk_reason},
                                               {"p_alive_threshold", s.p_alive_threshold},
                                               {"cycle_multiplier", s.cycle_multiplier}}},
                      {"abc_class", v.abc_class},
                      {"value_percentile", Opt(v.value_percentile)},
                      {"margin_minor", v.margin_minor},
                      {"online_share", v.online_share},
                      {"category", v.category},
                      {"relationship_level", v.relationship_level}};
}

json::array Histogram(const std::vector<value::HistogramBin>& bins) {
  json::array a;
  for (const auto& b : bins)
    a.push_back(json::object{{"lo", b.lo}, {"hi", b.hi}, {"count", b.count}});
  return a;
}

Result<value::Settings> DecodeSettings(const std::string& body, value::Settings s) {
  auto parsed = ParseObject(body);
  if (!parsed.ok()) return parsed.error();
  std::vector<FieldError> errors;
  for (const auto& [k, v] : *parsed) {
    const std::string key(k);
    auto num = [&](double& field) {
      if (v.is_double())
        field = v.as_double();
      else if (v.is_int64())
        field = static_cast<double>(v.as_int64());
      else
        errors.push_back({key, "must be a number"});
    };
    auto integer = [&](int& field) {
      if (v.is_int64() && v.as_int64() >= -1000000 && v.as_int64() <= 1000000)
        field = static_cast<int>(v.as_int64());
      else
        errors.push_back({key, "must be an integer"});
    };
    if (key == "clv_months")
      integer(s.clv_months);
    else if (key == "monthly_discount_rate")
      num(s.monthly_discount_rate);
    else if (key == "margin")
      num(s.margin);
    else if (key == "purchases_horizon_weeks")
      num(s.purchases_horizon_weeks);
    else if (key == "p_alive_threshold")
      num(s.p_alive_threshold);
    else if (key == "cycle_multiplier")
      num(s.cycle_multiplier);
    else if (key == "abc_a_share")
      num(s.abc_a_share);
    else if (key == "abc_b_share")
      num(s.abc_b_share);
    else if (key == "rfm_window_days")
      integer(s.rfm_window_days);
    else if (key == "many_share")
      num(s.many_share);
    else if (key == "few_share")
      num(s.few_share);
    else if (key == "high_margin_ratio")
      num(s.high_margin_ratio);
    else if (key == "low_margin_ratio")
      num(s.low_margin_ratio);
    else if (key == "rfm_rules") {
      if (!v.is_array()) {
        errors.push_back({key, "must be an array of strings"});
        continue;
      }
      s.rfm_rules.clear();
      for (const auto& r : v.as_array()) {
        if (!r.is_string() || r.as_string().size() > 64 ||
            r.as_string().find('\n') != json::string::npos) {
          errors.push_back({key, "must be an array of strings like \"Champions:5:4-5:1-5\""});
          break;
        }
        s.rfm_rules.emplace_back(r.as_string());
      }
    } else {
      errors.push_back({key, "unknown field"});
    }
  }
  if (!errors.empty()) return InvalidArgument("invalid analytics settings", std::move(errors));
  return s;
}

Response Unavailable() {
  return Problem(503, "unavailable", "Service unavailable",
                 "analytics are not configured in this process");
}

}  // namespace

void AddAnalyticsRoutes(Api& api) {
  // Routes are registered even without the service (so `kehu routes` lists them); then they
  // answer 503.
  value::ValueService* values = api.services().values;

  api.Add("POST", "/api/v1/analytics/runs", [values](Ctx& c) {
    if (!values) return Unavailable();
    value::RunRequest req{.trigger = "api"};
    if (!c.req.body.empty()) {
      auto body = ParseObject(c.req.body);
      if (!body.ok()) return ErrorResponse(body.error());
      ObjectReader in(*body);
      if (auto d = in.String("as_of")) {
        auto date = ParseDate(*d);
        if (!date)
          return ErrorResponse(
              InvalidArgument("invalid as_of", {{"as_of", "must be a date YYYY-MM-DD"}}));
        req.as_of = *date;
      }
      if (auto st = in.Finish(); !st.ok()) return ErrorResponse(st.error());
    }
    auto r = values->StartRun(*c.principal, req);
    if (!r.ok()) return ErrorResponse(r.error());
    Response res = JsonResponse(202, json::serialize(EncodeRun(*r)));
    res.SetHeader("Location", "/api/v1/analytics/runs/" + std::to_string(r->id));
    return res;
  });

  api.Add("GET", "/api/v1/analytics/runs", [values](Ctx& c) {
    if (!values) return Unavailable();
    auto r = values->ListRuns(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, ItemsJson(*r, [](const Run& run) { return EncodeRun(run); }));
  });

  api.Add("GET", "/api/v1/analytics/runs/{id}", [values](Ctx& c) {
    if (!values) return Unavailable();
    auto r = values->GetRun(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, json::serialize(EncodeRun(*r)));
  });

  api.Add("GET", "/api/v1/customers/{id}/value", [values](Ctx& c) {
    if (!values) return Unavailable();
    auto r = values->GetCustomerValue(*c.principal, c.Id("id"));
    if (!r.ok()) return ErrorResponse(r.error());
    json::value diag = ParseJsonOr(r->diagnostics_json);
    json::object o{
        {"customer_id", r->customer_id},
        {"run", r->run ? json::value(EncodeRef(*r->run)) : json::value(nullptr)},
        {"computed_at",
         r->run ? json::value(FormatTimestamp(r->run->computed_at)) : json::value(nullptr)},
        {"model_version", r->run ? json::value(r->run->model_version) : json::value(nullptr)},
        {"value",
         r->value ? json::value(EncodeValue(*r->value, r->settings, diag)) : json::value(nullptr)}};
    return JsonResponse(200, json::serialize(o));
  });

  api.Add("GET", "/api/v1/analytics/rfm", [values](Ctx& c) {
    if (!values) return Unavailable();
    auto r = values->Rfm(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    json::array cells, segs;
    for (const auto& x : r->cells)
      cells.push_back(json::object{{"r", x.r},
                                   {"f", x.f},
                                   {"customers", x.customers},
                                   {"monetary_minor", x.monetary_minor},
                                   {"segment", x.segment},
                                   {"segment_zh", value::SegmentNameZh(x.segment)}});
    for (const auto& x : r->segments)
      segs.push_back(json::object{{"segment", x.segment},
                                  {"segment_zh", x.name_zh},
                                  {"customers", x.customers},
                                  {"share", x.share},
                                  {"monetary_minor", x.monetary_minor},
                                  {"mean_recency_days", x.mean_recency_days},
                                  {"mean_frequency", x.mean_frequency}});
    json::object o = EncodeRef(r->run);
    o["cells"] = std::move(cells);
    o["segments"] = std::move(segs);
    return JsonResponse(200, json::serialize(o));
  });

  api.Add("GET", "/api/v1/analytics/clv", [values](Ctx& c) {
    if (!values) return Unavailable();
    auto r = values->Clv(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    json::value diag = ParseJsonOr(r->diagnostics_json);
    json::object o = EncodeRef(r->run);
    o["customers"] = r->customers;
    o["scored"] = r->scored;
    o["total_clv_minor"] = r->total_clv_minor;
    o["mean_clv_minor"] = r->mean_clv_minor;
    o["median_clv_minor"] = r->median_clv_minor;
    o["total_expected_purchases"] = r->total_expected_purchases;
    o["histogram"] = Histogram(r->histogram);
    json::object fits;
    if (auto* d = diag.if_object()) {
      if (auto* b = d->if_contains("bgnbd")) fits["bgnbd"] = *b;
      if (auto* g = d->if_contains("gamma_gamma")) fits["gamma_gamma"] = *g;
    }
    o["fits"] = std::move(fits);
    o["settings"] = EncodeSettings(r->settings);
    return JsonResponse(200, json::serialize(o));
  });

  api.Add("GET", "/api/v1/analytics/churn", [values](Ctx& c) {
    if (!values) return Unavailable();
    auto r = values->Churn(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    json::value diag = ParseJsonOr(r->diagnostics_json);
    json::object o = EncodeRef(r->run);
    o["customers"] = r->customers;
    o["scored"] = r->scored;
    o["risk_distribution"] = Histogram(r->risk_distribution);
    o["at_risk"] = json::object{
        {"total", r->at_risk}, {"p_alive", r->at_risk_p_alive}, {"overdue", r->at_risk_overdue}};
    json::value model = json::object{};
    if (auto* d = diag.if_object())
      if (auto* m = d->if_contains("churn")) model = *m;
    o["model"] = model;
    json::array trend;
    for (const auto& t : r->trend)
      trend.push_back(json::object{{"month", t.month}, {"churned", t.churned}});
    json::array by_segment;
    for (const auto& g : r->by_segment)
      by_segment.push_back(json::object{{"segment", g.segment},
                                        {"segment_zh", value::SegmentNameZh(g.segment)},
                                        {"customers", g.customers},
                                        {"churned", g.churned},
                                        {"churn_rate", g.churn_rate},
                                        {"mean_risk", Opt(g.mean_risk)}});
    o["by_segment"] = std::move(by_segment);
    o["trend"] = std::move(trend);
    return JsonResponse(200, json::serialize(o));
  });

  api.Add("GET", "/api/v1/analytics/abc", [values](Ctx& c) {
    if (!values) return Unavailable();
    auto r = values->Abc(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    json::object o = EncodeRef(r->run);
    o["a_share"] = r->a_share;
    o["b_share"] = r->b_share;
    o["total_margin_minor"] = r->total_margin_minor;
    json::array curve, classes;
    for (const auto& p : r->curve)
      curve.push_back(
          json::object{{"customer_share", p.customer_share}, {"margin_share", p.margin_share}});
    for (const auto& k : r->classes)
      classes.push_back(json::object{{"class", k.abc_class},
                                     {"customers", k.customers},
                                     {"margin_minor", k.margin_minor},
                                     {"customer_share", k.customer_share},
                                     {"margin_share", k.margin_share}});
    o["curve"] = std::move(curve);
    o["classes"] = std::move(classes);
    return JsonResponse(200, json::serialize(o));
  });

  api.Add("GET", "/api/v1/analytics/relationship-levels", [values](Ctx& c) {
    if (!values) return Unavailable();
    auto r = values->RelationshipLevels(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    json::object o = EncodeRef(r->run);
    o["org_margin_per_customer_minor"] = r->org_margin_per_customer_minor;
    o["thresholds"] = json::object{{"many_share", r->settings.many_share},
                                   {"few_share", r->settings.few_share},
                                   {"high_margin_ratio", r->settings.high_margin_ratio},
                                   {"low_margin_ratio", r->settings.low_margin_ratio}};
    json::array matrix;
    for (const char* size : {"many", "medium", "few"})
      for (const char* margin : {"high", "medium", "low"})
        matrix.push_back(json::object{{"customers", size},
                                      {"margin", margin},
                                      {"level", value::RecommendedLevel(size, margin)}});
    o["matrix"] = std::move(matrix);
    json::array segs;
    for (const auto& x : r->segments) {
      json::object rec;
      for (const auto& [lvl, n] : x.recorded) rec[lvl] = n;
      segs.push_back(json::object{{"segment", x.segment},
                                  {"customers", x.customers},
                                  {"share", x.share},
                                  {"margin_per_customer_minor", x.margin_per_customer_minor},
                                  {"size_class", x.size_class},
                                  {"margin_class", x.margin_class},
                                  {"recommended", x.recommended},
                                  {"recorded", std::move(rec)}});
    }
    o["segments"] = std::move(segs);
    return JsonResponse(200, json::serialize(o));
  });

  api.Add("GET", "/api/v1/analytics/settings", [values](Ctx& c) {
    if (!values) return Unavailable();
    auto r = values->GetSettings(*c.principal);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, json::serialize(EncodeSettings(*r)));
  });

  api.Add("PUT", "/api/v1/analytics/settings", [values](Ctx& c) {
    if (!values) return Unavailable();
    auto current = values->GetSettings(*c.principal);
    if (!current.ok()) return ErrorResponse(current.error());
    auto in = DecodeSettings(c.req.body, *current);
    if (!in.ok()) return ErrorResponse(in.error());
    auto r = values->UpdateSettings(*c.principal, *in);
    if (!r.ok()) return ErrorResponse(r.error());
    return JsonResponse(200, json::serialize(EncodeSettings(*r)));
  });
}

}  // namespace kehu::http
