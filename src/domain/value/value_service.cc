#include "domain/value/value_service.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "analytics/bgnbd.h"
#include "analytics/churn_model.h"
#include "analytics/clv.h"
#include "analytics/gamma_gamma.h"
#include "analytics/rfm.h"
#include "analytics/transactions.h"
#include "core/strings.h"

namespace kehu::value {

using identity::Principal;
using identity::Role;

namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kShanghaiOffsetMs = 8 * 3'600'000;  // Asia/Shanghai has no DST
constexpr size_t kWriteBatch = 2000;
constexpr const char* kChannels[] = {"online", "store", "group_purchase", "distributor",
                                     "consignment"};

std::string Num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, p);
}

std::string Num(const std::optional<double>& v) { return v ? Num(*v) : "null"; }

bool CanSeeAnalytics(const Principal& p) {
  return p.role == Role::kAdmin || p.role == Role::kManager || p.role == Role::kMarketing;
}

Status CheckAnalytics(const Principal& p) {
  if (!CanSeeAnalytics(p))
    return Error{.code = ErrorCode::kPermissionDenied,
                 .message = "customer-value analytics are for marketing, manager and admin roles"};
  return Status::Ok();
}

int32_t TodayInShanghai(UnixMillis now) {
  return static_cast<int32_t>((now + kShanghaiOffsetMs) / kDayMs);
}

// The last millisecond of the civil day `day` in Asia/Shanghai.
UnixMillis EndOfShanghaiDay(int64_t day) { return (day + 1) * kDayMs - kShanghaiOffsetMs - 1; }

std::string FitJson(const ModelFit& f) {
  std::string o = "{\"fitted\":" + std::string(f.fitted ? "true" : "false") +
                  ",\"reason\":" + JsonQuote(f.reason) + ",\"message\":" + JsonQuote(f.message) + ",\"params\":{";
  for (size_t i = 0; i < f.names.size() && i < f.params.size(); ++i) {
    if (i) o += ',';
    o += JsonQuote(f.names[i]) + ":" + Num(f.params[i]);
  }
  o += "},\"std_errors\":{";
  for (size_t i = 0; i < f.names.size() && i < f.std_errors.size(); ++i) {
    if (i) o += ',';
    o += JsonQuote(f.names[i]) + ":" + Num(f.std_errors[i]);
  }
  o += "},\"log_likelihood\":" + (f.fitted ? Num(f.log_likelihood) : std::string("null"));
  o += ",\"converged\":" + std::string(f.converged ? "true" : "false");
  o += ",\"evaluations\":" + std::to_string(f.evaluations);
  o += ",\"nlopt_result\":" + std::to_string(f.nlopt_result);
  o += ",\"gradient_norm\":" + Num(f.gradient_norm);
  o += ",\"observations\":" + std::to_string(f.observations) + "}";
  return o;
}

std::string DiagnosticsJson(const Diagnostics& d) {
  std::string o = "{\"bgnbd\":" + FitJson(d.bgnbd) + ",\"gamma_gamma\":" + FitJson(d.gamma_gamma);
  const ChurnFit& c = d.churn;
  o += ",\"churn\":{\"trained\":" + std::string(c.trained ? "true" : "false") +
       ",\"reason\":" + JsonQuote(c.reason) + ",\"message\":" + JsonQuote(c.message) + ",\"labelled\":" + std::to_string(c.labelled) +
       ",\"churned\":" + std::to_string(c.churned) + ",\"holdout_auc\":" + Num(c.holdout_auc) +
       ",\"holdout_size\":" + std::to_string(c.holdout_size) + ",\"features\":[";
  for (size_t i = 0; i < c.features.size(); ++i) o += (i ? "," : "") + JsonQuote(c.features[i]);
  o += "],\"top_features\":[";
  for (size_t i = 0; i < c.top_features.size(); ++i) {
    if (i) o += ',';
    o += "{\"feature\":" + JsonQuote(c.top_features[i].feature) +
         ",\"mean_abs_contribution\":" + Num(c.top_features[i].mean_abs_contribution) + "}";
  }
  o += "]},\"optional_features\":[";
  for (size_t i = 0; i < d.optional_features.size(); ++i)
    o += (i ? "," : "") + JsonQuote(d.optional_features[i]);
  const Settings& s = d.settings;
  o += "],\"settings\":{\"clv_months\":" + std::to_string(s.clv_months) +
       ",\"monthly_discount_rate\":" + Num(s.monthly_discount_rate) +
       ",\"margin\":" + Num(s.margin) +
       ",\"purchases_horizon_weeks\":" + Num(s.purchases_horizon_weeks) +
       ",\"p_alive_threshold\":" + Num(s.p_alive_threshold) +
       ",\"cycle_multiplier\":" + Num(s.cycle_multiplier) +
       ",\"abc_a_share\":" + Num(s.abc_a_share) + ",\"abc_b_share\":" + Num(s.abc_b_share) + "}}";
  return o;
}

ModelFit ToFit(const std::vector<std::string>& names, const std::vector<double>& params,
               const analytics::FitDiagnostics& d, int64_t observations) {
  return ModelFit{.fitted = true,
                  .reason = "",
                  .message = "",
                  .names = names,
                  .params = params,
                  .std_errors = d.std_errors,
                  .log_likelihood = d.log_likelihood,
                  .converged = d.converged,
                  .evaluations = d.evaluations,
                  .nlopt_result = d.nlopt_result,
                  .gradient_norm = d.gradient_norm,
                  .observations = observations};
}

// "Champions:5-5:4-5:1-5" -> rule
Result<analytics::RfmRules> ParseRules(const std::vector<std::string>& lines) {
  if (lines.empty()) return analytics::RfmRules::Default();
  std::vector<analytics::RfmRule> rules;
  std::vector<FieldError> errors;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string field = "rfm_rules[" + std::to_string(i) + "]";
    std::vector<std::string> parts;
    size_t a = 0;
    for (;;) {
      size_t b = lines[i].find(':', a);
      parts.push_back(lines[i].substr(a, b == std::string::npos ? std::string::npos : b - a));
      if (b == std::string::npos) break;
      a = b + 1;
    }
    std::optional<analytics::RfmSegment> seg;
    for (int k = 0; k < analytics::kRfmSegmentCount; ++k)
      if (!parts.empty() &&
          parts[0] == analytics::SegmentName(static_cast<analytics::RfmSegment>(k)))
        seg = static_cast<analytics::RfmSegment>(k);
    auto range = [](const std::string& t) -> std::optional<analytics::ScoreRange> {
      if (t.size() == 1 && t[0] >= '1' && t[0] <= '5')
        return analytics::ScoreRange{t[0] - '0', t[0] - '0'};
      if (t.size() == 3 && t[1] == '-' && t[0] >= '1' && t[0] <= '5' && t[2] >= '1' &&
          t[2] <= '5' && t[0] <= t[2])
        return analytics::ScoreRange{t[0] - '0', t[2] - '0'};
      return std::nullopt;
    };
    if (parts.size() != 4 || !seg) {
      errors.push_back({field, "must be Segment:R:F:M with a known segment and ranges like 4-5"});
      continue;
    }
    auto r = range(parts[1]), f = range(parts[2]), m = range(parts[3]);
    if (!r || !f || !m) {
      errors.push_back({field, "score ranges must be 1..5, written 3 or 2-4"});
      continue;
    }
    rules.push_back({.segment = *seg, .r = *r, .f = *f, .m = *m});
  }
  if (!errors.empty()) return InvalidArgument("invalid RFM rules", std::move(errors));
  auto compiled = analytics::RfmRules::Create(std::move(rules));
  if (!compiled.ok()) {
    std::vector<FieldError> fe;
    for (const auto& e : compiled.error().fields) fe.push_back({"rfm_rules" + e.field, e.message});
    if (fe.empty()) fe.push_back({"rfm_rules", compiled.error().message});
    return InvalidArgument(compiled.error().message, std::move(fe));
  }
  return compiled;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  const size_t n = v.size();
  std::nth_element(v.begin(), v.begin() + n / 2, v.end());
  double hi = v[n / 2];
  if (n % 2) return hi;
  double lo = *std::max_element(v.begin(), v.begin() + n / 2);
  return (lo + hi) / 2;
}

RunRef RefOf(const Run& r) {
  return RunRef{.run_id = r.id,
                .computed_at = r.computed_at,
                .as_of = r.as_of,
                .model_version = r.model_version};
}

}  // namespace

const char* Name(RunStatus s) {
  switch (s) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kSucceeded:
      return "succeeded";
    case RunStatus::kFailed:
      return "failed";
  }
  return "failed";
}

std::string SegmentNameZh(const std::string& segment) {
  for (int k = 0; k < analytics::kRfmSegmentCount; ++k) {
    auto s = static_cast<analytics::RfmSegment>(k);
    if (segment == analytics::SegmentName(s)) return analytics::SegmentNameZh(s);
  }
  return "";
}

std::string RecommendedLevel(const std::string& size_class, const std::string& margin_class) {
  // Kotler, Marketing Management: rows many/medium/few, columns high/medium/low margin.
  static const std::map<std::pair<std::string, std::string>, std::string> kMatrix = {
      {{"many", "high"}, "accountable"},
      {{"many", "medium"}, "reactive"},
      {{"many", "low"}, "basic"},
      {{"medium", "high"}, "proactive"},
      {{"medium", "medium"}, "accountable"},
      {{"medium", "low"}, "reactive"},
      {{"few", "high"}, "partnership"},
      {{"few", "medium"}, "proactive"},
      {{"few", "low"}, "accountable"}};
  auto it = kMatrix.find({size_class, margin_class});
  return it == kMatrix.end() ? "" : it->second;
}

// ---- settings ----

std::string FormatSettings(const Settings& s) {
  std::string o;
  auto kv = [&](const char* k, const std::string& v) {
    o.append(k).append("=").append(v).append("\n");
  };
  kv("clv_months", std::to_string(s.clv_months));
  kv("monthly_discount_rate", Num(s.monthly_discount_rate));
  kv("margin", Num(s.margin));
  kv("purchases_horizon_weeks", Num(s.purchases_horizon_weeks));
  kv("p_alive_threshold", Num(s.p_alive_threshold));
  kv("cycle_multiplier", Num(s.cycle_multiplier));
  kv("abc_a_share", Num(s.abc_a_share));
  kv("abc_b_share", Num(s.abc_b_share));
  kv("rfm_window_days", std::to_string(s.rfm_window_days));
  kv("many_share", Num(s.many_share));
  kv("few_share", Num(s.few_share));
  kv("high_margin_ratio", Num(s.high_margin_ratio));
  kv("low_margin_ratio", Num(s.low_margin_ratio));
  for (const auto& r : s.rfm_rules) kv("rfm_rule", r);
  return o;
}

Result<Settings> ParseSettings(const std::string& text) {
  Settings s;
  std::vector<FieldError> errors;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string line = text.substr(i, j - i);
    i = j + 1;
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      errors.push_back({"settings", "line without '='"});
      continue;
    }
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    bool num_ok = !v.empty() && end && *end == '\0';
    auto set = [&](double& field) {
      if (num_ok)
        field = d;
      else
        errors.push_back({k, "must be a number"});
    };
    if (k == "clv_months") {
      if (num_ok)
        s.clv_months = static_cast<int>(d);
      else
        errors.push_back({k, "must be a number"});
    } else if (k == "monthly_discount_rate")
      set(s.monthly_discount_rate);
    else if (k == "margin")
      set(s.margin);
    else if (k == "purchases_horizon_weeks")
      set(s.purchases_horizon_weeks);
    else if (k == "p_alive_threshold")
      set(s.p_alive_threshold);
    else if (k == "cycle_multiplier")
      set(s.cycle_multiplier);
    else if (k == "abc_a_share")
      set(s.abc_a_share);
    else if (k == "abc_b_share")
      set(s.abc_b_share);
    else if (k == "rfm_window_days") {
      if (num_ok)
        s.rfm_window_days = static_cast<int>(d);
      else
        errors.push_back({k, "must be a number"});
    } else if (k == "many_share")
      set(s.many_share);
    else if (k == "few_share")
      set(s.few_share);
    else if (k == "high_margin_ratio")
      set(s.high_margin_ratio);
    else if (k == "low_margin_ratio")
      set(s.low_margin_ratio);
    else if (k == "rfm_rule")
      s.rfm_rules.push_back(v);
    else
      errors.push_back({k, "unknown setting"});
  }
  if (!errors.empty()) return InvalidArgument("invalid analytics settings", std::move(errors));
  return s;
}

Status ValidateSettings(const Settings& s) {
  std::vector<FieldError> e;
  auto in = [](double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; };
  if (s.clv_months < 1 || s.clv_months > 120) e.push_back({"clv_months", "must be 1..120"});
  if (!in(s.monthly_discount_rate, 0, 1)) e.push_back({"monthly_discount_rate", "must be 0..1"});
  if (!in(s.margin, 0, 1)) e.push_back({"margin", "must be 0..1"});
  if (!in(s.purchases_horizon_weeks, 1, 520))
    e.push_back({"purchases_horizon_weeks", "must be 1..520"});
  if (!in(s.p_alive_threshold, 0, 1)) e.push_back({"p_alive_threshold", "must be 0..1"});
  if (!in(s.cycle_multiplier, 1, 100)) e.push_back({"cycle_multiplier", "must be 1..100"});
  if (!in(s.abc_a_share, 0.01, 0.99)) e.push_back({"abc_a_share", "must be 0.01..0.99"});
  if (!in(s.abc_b_share, 0.01, 1) || s.abc_b_share <= s.abc_a_share)
    e.push_back({"abc_b_share", "must be above abc_a_share and at most 1"});
  if (s.rfm_window_days < 0 || s.rfm_window_days > 36500)
    e.push_back({"rfm_window_days", "must be 0..36500"});
  if (!in(s.many_share, 0.01, 1)) e.push_back({"many_share", "must be 0.01..1"});
  if (!in(s.few_share, 0, 1) || s.few_share >= s.many_share)
    e.push_back({"few_share", "must be below many_share"});
  if (!in(s.high_margin_ratio, 0.01, 100)) e.push_back({"high_margin_ratio", "must be 0.01..100"});
  if (!in(s.low_margin_ratio, 0, 100) || s.low_margin_ratio >= s.high_margin_ratio)
    e.push_back({"low_margin_ratio", "must be below high_margin_ratio"});
  if (s.rfm_rules.size() > 200) e.push_back({"rfm_rules", "at most 200 rules"});
  if (!e.empty()) return InvalidArgument("invalid analytics settings", std::move(e));
  auto rules = ParseRules(s.rfm_rules);
  if (!rules.ok()) return rules.error();
  return Status::Ok();
}

Result<Settings> ValueService::LoadSettings(int64_t org_id) {
  KEHU_ASSIGN_OR_RETURN(auto text, repo_.LoadSettings(org_id));
  if (!text) return Settings{};
  return ParseSettings(*text);
}

Result<Settings> ValueService::GetSettings(const Principal& p) {
  KEHU_RETURN_IF_ERROR(CheckAnalytics(p));
  return LoadSettings(p.org_id);
}

Result<Settings> ValueService::UpdateSettings(const Principal& p, const Settings& s) {
  if (!identity::IsAdmin(p))
    return Error{.code = ErrorCode::kPermissionDenied,
                 .message = "only an admin may change analytics settings"};
  KEHU_RETURN_IF_ERROR(ValidateSettings(s));
  KEHU_RETURN_IF_ERROR(repo_.SaveSettings(p.org_id, FormatSettings(s), clock_.Now()));
  return s;
}

// ---- runs ----

ValueService::~ValueService() { WaitForBackground(); }

void ValueService::WaitForBackground() {
  std::thread t;
  {
    std::lock_guard lock(bg_mu_);
    t = std::move(bg_);
  }
  if (t.joinable()) t.join();
}

Result<Run> ValueService::Begin(int64_t org_id, const RunRequest& req, CivilDate& as_of,
                                Settings& settings) {
  KEHU_ASSIGN_OR_RETURN(settings, LoadSettings(org_id));
  KEHU_RETURN_IF_ERROR(ValidateSettings(settings));
  const UnixMillis now = clock_.Now();
  as_of = req.as_of ? *req.as_of : CivilFromDays(TodayInShanghai(now));
  if (!IsValidDate(as_of)) return InvalidArgument("invalid as_of", {{"as_of", "is not a date"}});
  Run run{.org_id = org_id,
          .trigger = req.trigger,
          .status = RunStatus::kRunning,
          .stage = "queued",
          .progress = 0.0,
          .started_at = now,
          .computed_at = std::min<UnixMillis>(now, EndOfShanghaiDay(DaysFromCivil(as_of))),
          .as_of = as_of,
          .model_version = kModelVersion};
  return repo_.CreateRun(run);
}

Result<Run> ValueService::RunForOrg(int64_t org_id, const RunRequest& req,
                                    const RunProgress& progress) {
  CivilDate as_of;
  Settings settings;
  KEHU_ASSIGN_OR_RETURN(Run run, Begin(org_id, req, as_of, settings));
  return Execute(std::move(run), req, settings, progress);
}

Result<Run> ValueService::RunNow(const Principal& p, const RunRequest& req,
                                 const RunProgress& progress) {
  KEHU_RETURN_IF_ERROR(CheckAnalytics(p));
  return RunForOrg(p.org_id, req, progress);
}

Result<Run> ValueService::StartRun(const Principal& p, const RunRequest& req) {
  KEHU_RETURN_IF_ERROR(CheckAnalytics(p));
  CivilDate as_of;
  Settings settings;
  KEHU_ASSIGN_OR_RETURN(Run run, Begin(p.org_id, req, as_of, settings));
  std::lock_guard lock(bg_mu_);
  if (bg_.joinable()) bg_.join();  // the previous one has finished: its run row is not running
  bg_ = std::thread([this, run, req, settings] { (void)Execute(run, req, settings, {}); });
  return run;
}

Result<Run> ValueService::Execute(Run run, const RunRequest& req, const Settings& settings,
                                  const RunProgress& progress) {
  auto fail = [&](const Error& e) -> Error {
    (void)repo_.FailRun(run.org_id, run.id, e.message, clock_.Now());
    return e;
  };
  auto step = [&](const std::string& stage, double pct) {
    (void)repo_.UpdateProgress(run.org_id, run.id, stage, pct);
    if (progress) progress(stage, pct);
  };
  try {
    const int32_t as_of_day = static_cast<int32_t>(DaysFromCivil(run.as_of));
    step("loading", 0.02);
    auto snap_r = repo_.ReadSnapshot(run.org_id, EndOfShanghaiDay(as_of_day), FormatDate(run.as_of),
                                     req.between_reads);
    if (!snap_r.ok()) return fail(snap_r.error());
    Snapshot& snap = *snap_r;
    run.orders = static_cast<int64_t>(snap.order_customer.size());

    auto rules = ParseRules(settings.rfm_rules);
    if (!rules.ok()) return fail(rules.error());
    Diagnostics diag;
    diag.settings = settings;
    diag.optional_features = snap.optional_tables;

    // ---- RFM and calibration summaries ----
    step("rfm", 0.10);
    analytics::TransactionColumns tx{
        .customer_ids = snap.order_customer, .days = snap.order_day, .amounts = snap.order_amount};
    auto rfm = analytics::ComputeRfm(tx, as_of_day, *rules, settings.rfm_window_days);
    if (!rfm.ok()) return fail(rfm.error());
    auto sum = analytics::SummarizeForCalibration(tx, as_of_day);
    if (!sum.ok()) return fail(sum.error());
    const size_t n = sum->size();

    // ---- per-customer aggregates: margin, channel mix, purchase cycle ----
    step("cycle", 0.20);
    std::vector<uint32_t> row_index;
    std::vector<int64_t> ids = analytics::DenseCustomerIndex(snap.order_customer, row_index);
    if (ids != sum->customer_ids)
      return fail(Error{.code = ErrorCode::kInternal, .message = "customer index mismatch"});
    std::vector<uint32_t> offsets(n + 1, 0);
    for (uint32_t k : row_index) ++offsets[k + 1];
    for (size_t i = 0; i < n; ++i) offsets[i + 1] += offsets[i];
    std::vector<int32_t> days_sorted(row_index.size());
    std::vector<int64_t> margin(n, 0);
    std::vector<uint8_t> all_costs(n, 1);
    std::vector<std::array<int32_t, 5>> channel_count(n, std::array<int32_t, 5>{});
    {
      std::vector<uint32_t> fill(offsets.begin(), offsets.end() - 1);
      for (size_t r = 0; r < row_index.size(); ++r) {
        const uint32_t k = row_index[r];
        days_sorted[fill[k]++] = snap.order_day[r];
        if (!snap.order_has_cost[r]) {
          all_costs[k] = 0;
          margin[k] += static_cast<int64_t>(std::llround(snap.order_amount[r] * settings.margin));
        } else {
          margin[k] += snap.order_margin[r];
        }
        if (snap.order_channel[r] < 5) ++channel_count[k][snap.order_channel[r]];
      }
    }
    std::vector<std::optional<double>> cycle(n);
    for (size_t i = 0; i < n; ++i) {
      auto b = days_sorted.begin() + offsets[i], e = days_sorted.begin() + offsets[i + 1];
      std::sort(b, e);
      e = std::unique(b, e);
      if (e - b >= 2) {
        std::vector<double> gaps;
        for (auto it = b + 1; it != e; ++it) gaps.push_back(static_cast<double>(*it - *(it - 1)));
        cycle[i] = Median(std::move(gaps));
      }
    }

    // ---- BG/NBD ----
    step("bgnbd", 0.30);
    std::optional<analytics::BgNbdParams> bg;
    if (n == 0) {
      diag.bgnbd.reason = "no_orders";
      diag.bgnbd.message = "no orders";
    } else {
      auto data = analytics::CompressTriples(sum->x, sum->t_x, sum->T);
      if (!data.ok()) {
        diag.bgnbd.reason = "unusable_data";
        diag.bgnbd.message = data.error().message;
      } else {
        auto fit = analytics::FitBgNbd(*data, {.threads = std::max(1, threads_)});
        if (!fit.ok() && data->customers > 0) {
          // Other starts (one thread, so the sum is evaluated in one order) before giving up:
          // small or unusual data sets, e.g. a dropout rate nearly the same for everyone (a, b
          // running off to infinity together), can send the default start's line search astray.
          double mean_T = 0;
          for (size_t i = 0; i < data->size(); ++i) mean_T += data->T[i] * data->weight[i];
          mean_T = std::max(1.0, mean_T / data->customers);
          for (const analytics::BgNbdParams& start :
               {analytics::BgNbdParams{.r = 1.0, .alpha = mean_T, .a = 1.0, .b = 1.0},
                analytics::BgNbdParams{.r = 1.0, .alpha = 10.0, .a = 1.0, .b = 10.0},
                analytics::BgNbdParams{.r = 0.5, .alpha = mean_T / 2, .a = 0.5, .b = 5.0}}) {
            auto retry = analytics::FitBgNbd(*data, {.start = start, .threads = 1});
            if (retry.ok()) {
              fit = std::move(retry);
              break;
            }
          }
        }
        if (!fit.ok()) {
          diag.bgnbd.reason = "fit_failed";
          diag.bgnbd.message = fit.error().message;
        } else {
          bg = fit->params;
          diag.bgnbd = ToFit({"r", "alpha", "a", "b"},
                             {fit->params.r, fit->params.alpha, fit->params.a, fit->params.b},
                             fit->diagnostics, static_cast<int64_t>(n));
        }
      }
    }

    // ---- Gamma-Gamma (fitted in major units, as published for CDNOW) ----
    step("gamma_gamma", 0.45);
    std::vector<double> m_major(n);
    for (size_t i = 0; i < n; ++i) m_major[i] = sum->repeat_mean[i] / 100.0;
    std::optional<analytics::GammaGammaParams> gg;
    if (n > 0) {
      auto data = analytics::PrepareGammaGamma(sum->x, m_major);
      if (!data.ok()) {
        diag.gamma_gamma.reason = "unusable_data";
        diag.gamma_gamma.message = data.error().message;
      } else {
        auto fit = analytics::FitGammaGamma(*data);
        if (!fit.ok()) {
          // Gamma-Gamma is scale-equivariant (p, q unchanged; gamma scales): when the fit in
          // currency units fails (very spread amounts), fit with m_x / mean and scale gamma back.
          double mean = 0;
          int64_t cnt = 0;
          for (size_t i = 0; i < n; ++i)
            if (sum->x[i] > 0) mean += m_major[i], ++cnt;
          mean = cnt ? mean / static_cast<double>(cnt) : 1.0;
          if (mean > 0) {
            std::vector<double> scaled(m_major);
            for (double& m : scaled) m /= mean;
            auto sdata = analytics::PrepareGammaGamma(sum->x, scaled);
            if (sdata.ok()) {
              auto sfit = analytics::FitGammaGamma(*sdata);
              if (sfit.ok()) {
                sfit->params.gamma *= mean;
                if (sfit->diagnostics.std_errors.size() == 3)
                  sfit->diagnostics.std_errors[2] *= mean;
                sfit->diagnostics.log_likelihood =
                    analytics::GammaGammaLogLikelihood(sfit->params, *data);
                fit = std::move(sfit);
              }
            }
          }
        }
        if (!fit.ok()) {
          diag.gamma_gamma.reason = "fit_failed";
          diag.gamma_gamma.message = fit.error().message;
        } else if (fit->params.q <= 1.0) {
          diag.gamma_gamma.reason = "infinite_mean_spend";
          diag.gamma_gamma.message = "q <= 1: the population mean spend is not finite";
        } else {
          gg = fit->params;
          diag.gamma_gamma =
              ToFit({"p", "q", "gamma"}, {fit->params.p, fit->params.q, fit->params.gamma},
                    fit->diagnostics, static_cast<int64_t>(data->size()));
        }
      }
    } else {
      diag.gamma_gamma.reason = "no_orders";
      diag.gamma_gamma.message = "no orders";
    }

    // ---- scoring ----
    step("scoring", 0.55);
    std::vector<CustomerValue> out(n);
    analytics::CustomerScores scores;
    if (bg && gg) {
      analytics::ScoreOptions so{.purchases_horizon_weeks = settings.purchases_horizon_weeks,
                                 .clv = {.months = settings.clv_months,
                                         .monthly_discount_rate = settings.monthly_discount_rate,
                                         .margin = 1.0},
                                 .threads = std::max(1, threads_)};
      auto sc = analytics::ScoreCustomers(*bg, *gg, sum->x, sum->t_x, sum->T, m_major, so);
      if (!sc.ok()) return fail(sc.error());
      scores = std::move(*sc);
    }
    for (size_t i = 0; i < n; ++i) {
      CustomerValue& v = out[i];
      v.run_id = run.id;
      v.customer_id = sum->customer_ids[i];
      v.first_day = sum->first_day[i];
      v.last_day = sum->last_day[i];
      v.x = sum->x[i];
      v.t_x = sum->t_x[i];
      v.t_cal = sum->T[i];
      v.m_x = sum->repeat_mean[i];
      v.margin_minor = margin[i];
      int32_t total_orders = 0;
      for (int c = 0; c < 5; ++c) total_orders += channel_count[i][c];
      v.online_share = total_orders ? static_cast<double>(channel_count[i][0]) / total_orders : 0.0;
      v.cycle_days = cycle[i];
      if (cycle[i]) v.next_expected_day = v.last_day + static_cast<int32_t>(std::lround(*cycle[i]));
      // A model fitted to very few customers can run off (r and alpha in the millions) so that a
      // score overflows; a score that is not a number is left out, never stored, sorted or
      // ranked (the value percentile then falls back to the margin).
      auto finite = [](double d) { return std::isfinite(d) ? std::optional<double>(d) : std::nullopt; };
      if (bg && gg) {
        v.p_alive = finite(scores.p_alive[i]);
        v.expected_purchases = finite(scores.expected_purchases[i]);
        v.expected_value_minor = finite(scores.expected_value[i] * 100.0);
        // CLV of margin: the customer's observed margin rate when every order has a cost,
        // otherwise the org's margin setting.
        double rate = settings.margin;
        const int64_t revenue = sum->total_amount[i];
        if (all_costs[i] && revenue > 0)
          rate = static_cast<double>(margin[i]) / static_cast<double>(revenue);
        v.clv_minor = finite(scores.clv[i] * 100.0 * rate);
      } else if (bg) {
        v.p_alive = finite(analytics::ProbabilityAlive(*bg, v.x, v.t_x, v.t_cal));
        v.expected_purchases = finite(analytics::ExpectedPurchases(*bg, v.x, v.t_x, v.t_cal,
                                                                   settings.purchases_horizon_weeks));
      }
      std::string reason;
      if (v.p_alive && *v.p_alive < settings.p_alive_threshold) reason = "p_alive";
      if (v.cycle_days && *v.cycle_days > 0 &&
          static_cast<double>(as_of_day - v.last_day) > settings.cycle_multiplier * *v.cycle_days)
        reason += reason.empty() ? "overdue" : ",overdue";
      v.at_risk = !reason.empty();
      v.at_risk_reason = reason;
    }
    // RFM (customers outside the window keep scores 0 and segment "")
    for (size_t j = 0, i = 0; j < rfm->size(); ++j) {
      while (i < n && out[i].customer_id < rfm->customer_ids[j]) ++i;
      if (i == n || out[i].customer_id != rfm->customer_ids[j]) continue;
      CustomerValue& v = out[i];
      v.recency_days = rfm->recency_days[j];
      v.frequency = rfm->frequency[j];
      v.monetary_minor = rfm->monetary[j];
      v.r_score = rfm->r_score[j];
      v.f_score = rfm->f_score[j];
      v.m_score = rfm->m_score[j];
      v.segment = analytics::SegmentName(rfm->segment[j]);
    }
    // customer attributes
    {
      size_t c = 0;
      for (auto& v : out) {
        while (c < snap.customer_id.size() && snap.customer_id[c] < v.customer_id) ++c;
        if (c < snap.customer_id.size() && snap.customer_id[c] == v.customer_id) {
          v.category = snap.customer_category[c];
          v.relationship_level = snap.customer_level[c];
        }
      }
    }

    // ---- ABC by margin ----
    step("abc", 0.62);
    {
      std::vector<size_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return out[a].margin_minor != out[b].margin_minor
                   ? out[a].margin_minor > out[b].margin_minor
                   : out[a].customer_id < out[b].customer_id;
      });
      double total = 0;
      for (const auto& v : out) total += static_cast<double>(std::max<int64_t>(0, v.margin_minor));
      double cum = 0;
      for (size_t i : order) {
        CustomerValue& v = out[i];
        if (total <= 0 || v.margin_minor <= 0)
          v.abc_class = "C";
        else if (cum < settings.abc_a_share * total)
          v.abc_class = "A";
        else if (cum < settings.abc_b_share * total)
          v.abc_class = "B";
        else
          v.abc_class = "C";
        cum += static_cast<double>(std::max<int64_t>(0, v.margin_minor));
      }
    }

    // ---- value percentile (customer importance for the complaint desk) ----
    {
      const bool by_clv = std::all_of(out.begin(), out.end(), [](const CustomerValue& v) { return v.clv_minor.has_value(); });
      std::vector<double> key(n);
      for (size_t i = 0; i < n; ++i)
        key[i] = by_clv ? *out[i].clv_minor : static_cast<double>(out[i].margin_minor);
      for (const auto& [i, pct] : analytics::MidRankPercentiles(key)) out[i].value_percentile = pct;
    }

    // ---- churn risk model ----
    step("churn_model", 0.70);
    {
      std::set<int64_t> churned(snap.churn_customer.begin(), snap.churn_customer.end());
      std::vector<std::string> cats;
      for (const auto& v : out)
        if (std::find(cats.begin(), cats.end(), v.category) == cats.end())
          cats.push_back(v.category);
      std::sort(cats.begin(), cats.end());
      analytics::FeatureMatrix fm;
      fm.names = {"recency_days",
                  "frequency",
                  "monetary",
                  "r_score",
                  "f_score",
                  "m_score",
                  "tenure_days",
                  "repeat_purchases",
                  "p_alive",
                  "cycle_days",
                  "online_share",
                  "share_store",
                  "share_group_purchase",
                  "share_distributor",
                  "share_consignment"};
      for (const auto& c : cats) fm.names.push_back("category=" + c);
      std::vector<std::map<int64_t, int64_t>> opt(snap.optional_tables.size());
      for (size_t t = 0; t < snap.optional_tables.size(); ++t) {
        fm.names.push_back(snap.optional_tables[t] + "_count");
        for (auto [cid, cnt] : snap.optional_counts[t]) opt[t][cid] = cnt;
      }
      fm.rows = n;
      fm.cols = fm.names.size();
      fm.values.assign(fm.rows * fm.cols, std::nanf(""));
      std::vector<float> labels(n);
      size_t cc = 0;
      for (size_t i = 0; i < n; ++i) {
        const CustomerValue& v = out[i];
        int32_t created = v.first_day;
        while (cc < snap.customer_id.size() && snap.customer_id[cc] < v.customer_id) ++cc;
        if (cc < snap.customer_id.size() && snap.customer_id[cc] == v.customer_id)
          created = std::min(created, snap.customer_created_day[cc]);
        int32_t total_orders = 0;
        for (int c = 0; c < 5; ++c) total_orders += channel_count[i][c];
        size_t col = 0;
        auto put = [&](double x) { fm.at(i, col++) = static_cast<float>(x); };
        put(v.recency_days);
        put(v.frequency);
        put(static_cast<double>(v.monetary_minor) / 100.0);
        put(v.r_score);
        put(v.f_score);
        put(v.m_score);
        put(as_of_day - created);
        put(v.x);
        put(v.p_alive ? *v.p_alive : std::nan(""));
        put(v.cycle_days ? *v.cycle_days : std::nan(""));
        for (int c = 0; c < 5; ++c)
          put(total_orders ? static_cast<double>(channel_count[i][c]) / total_orders : 0.0);
        for (const auto& c : cats) put(v.category == c ? 1.0 : 0.0);
        for (size_t t = 0; t < opt.size(); ++t) {
          auto it = opt[t].find(v.customer_id);
          put(it == opt[t].end() ? 0.0 : static_cast<double>(it->second));
        }
        labels[i] = churned.count(v.customer_id) ? 1.0f : 0.0f;
      }
      ChurnFit& cf = diag.churn;
      cf.features = fm.names;
      cf.labelled = static_cast<int64_t>(n);
      cf.churned = static_cast<int64_t>(std::count(labels.begin(), labels.end(), 1.0f));
      const int64_t stayed = cf.labelled - cf.churned;
      if (cf.churned < 10 || stayed < 10) {
        cf.reason = "too_few_labelled";
        cf.message = "needs at least 10 churned and 10 retained customers with orders";
      } else {
        analytics::ChurnModelOptions mo{.threads = std::max(1, threads_), .seed = 20261123};
        analytics::Split split = analytics::StratifiedSplit(labels, 0.2, 20261123);
        auto holdout_model =
            analytics::ChurnModel::Train(analytics::SelectRows(fm, split.train),
                                         analytics::SelectLabels(labels, split.train), mo);
        if (holdout_model.ok()) {
          auto ptest = holdout_model->PredictProbability(analytics::SelectRows(fm, split.test));
          if (ptest.ok()) {
            double auc = analytics::RocAuc(*ptest, analytics::SelectLabels(labels, split.test));
            if (std::isfinite(auc)) cf.holdout_auc = auc;
            cf.holdout_size = static_cast<int64_t>(split.test.size());
          }
        }
        auto model = analytics::ChurnModel::Train(fm, labels, mo);
        if (!model.ok()) {
          cf.reason = "fit_failed";
          cf.message = model.error().message;
        } else {
          auto prob = model->PredictProbability(fm);
          auto top = model->TopContributions(fm, 3);
          if (!prob.ok() || !top.ok()) {
            cf.reason = "fit_failed";
            cf.message = prob.ok() ? top.error().message : prob.error().message;
          } else {
            cf.trained = true;
            for (size_t i = 0; i < n; ++i) {
              out[i].churn_risk = (*prob)[i];
              for (const auto& c : (*top)[i])
                out[i].risk_reasons.push_back({fm.names[c.feature], c.value});
            }
            // Importance: mean |SHAP| over (a sample of) customers.
            std::vector<size_t> sample;
            const size_t stride = std::max<size_t>(1, n / 5000);
            for (size_t i = 0; i < n; i += stride) sample.push_back(i);
            auto all = model->TopContributions(analytics::SelectRows(fm, sample), fm.cols);
            if (all.ok()) {
              std::vector<double> imp(fm.cols, 0.0);
              for (const auto& row : *all)
                for (const auto& c : row) imp[c.feature] += std::abs(c.value);
              std::vector<size_t> idx(fm.cols);
              std::iota(idx.begin(), idx.end(), 0);
              std::sort(idx.begin(), idx.end(),
                        [&](size_t a, size_t b) { return imp[a] > imp[b]; });
              for (size_t k = 0; k < std::min<size_t>(8, idx.size()); ++k)
                cf.top_features.push_back(
                    {fm.names[idx[k]],
                     imp[idx[k]] / static_cast<double>(std::max<size_t>(1, sample.size()))});
            }
          }
        }
      }
    }

    // ---- write in batches (invisible until FinishRun flips the status) ----
    for (size_t i = 0; i < n; i += kWriteBatch) {
      std::vector<CustomerValue> batch(
          out.begin() + static_cast<std::ptrdiff_t>(i),
          out.begin() + static_cast<std::ptrdiff_t>(std::min(n, i + kWriteBatch)));
      if (auto st = repo_.InsertValues(run.org_id, run.id, batch); !st.ok())
        return fail(st.error());
      step("writing", 0.80 + 0.19 * static_cast<double>(std::min(n, i + kWriteBatch)) /
                                 static_cast<double>(n));
    }
    run.customers = static_cast<int64_t>(n);
    run.diagnostics_json = DiagnosticsJson(diag);
    run.status = RunStatus::kSucceeded;
    run.stage = "done";
    run.progress = 1.0;
    run.finished_at = clock_.Now();
    if (auto st = repo_.FinishRun(run); !st.ok()) return fail(st.error());
    if (progress) progress("done", 1.0);
    return run;
  } catch (const std::exception& e) {
    return fail(Error{.code = ErrorCode::kInternal,
                      .message = std::string("analytics run failed: ") + e.what()});
  }
}

Result<Run> ValueService::GetRun(const Principal& p, int64_t run_id) {
  KEHU_RETURN_IF_ERROR(CheckAnalytics(p));
  KEHU_ASSIGN_OR_RETURN(auto r, repo_.GetRun(p.org_id, run_id));
  if (!r) return Error{.code = ErrorCode::kNotFound, .message = "no such analytics run"};
  return *r;
}

Result<std::vector<Run>> ValueService::ListRuns(const Principal& p) {
  KEHU_RETURN_IF_ERROR(CheckAnalytics(p));
  return repo_.ListRuns(p.org_id, 20);
}

Result<RunRef> ValueService::Latest(const Principal& p) {
  KEHU_RETURN_IF_ERROR(CheckAnalytics(p));
  KEHU_ASSIGN_OR_RETURN(auto r, repo_.LatestSucceeded(p.org_id));
  if (!r)
    return Error{
        .code = ErrorCode::kFailedPrecondition,
        .message = "no analytics run yet: run `kehu analytics run` or POST /api/v1/analytics/runs"};
  return RefOf(*r);
}

Result<CustomerValueView> ValueService::GetCustomerValue(const Principal& p, int64_t customer_id) {
  KEHU_RETURN_IF_ERROR(customers_.CheckVisible(p, customer_id));
  CustomerValueView view{.customer_id = customer_id};
  KEHU_ASSIGN_OR_RETURN(view.settings, LoadSettings(p.org_id));
  KEHU_ASSIGN_OR_RETURN(auto run, repo_.LatestSucceeded(p.org_id));
  if (!run) return view;
  view.run = RefOf(*run);
  view.diagnostics_json = run->diagnostics_json;
  KEHU_ASSIGN_OR_RETURN(view.value, repo_.GetValue(p.org_id, run->id, customer_id));
  return view;
}

Result<ValueService::RunRows> ValueService::RunValues(int64_t org_id, int64_t run_id) {
  {
    std::lock_guard lock(rows_mu_);
    auto it = run_rows_.find(org_id);
    if (it != run_rows_.end() && it->second.first == run_id) return it->second.second;
  }
  KEHU_ASSIGN_OR_RETURN(auto values, repo_.ListValues(org_id, run_id));
  auto rows = std::make_shared<const std::vector<CustomerValue>>(std::move(values));
  std::lock_guard lock(rows_mu_);
  if (rows->size() <= kCachedRunRows) run_rows_[org_id] = {run_id, rows};
  else run_rows_.erase(org_id);
  return rows;
}

Result<RfmView> ValueService::Rfm(const Principal& p) {
  KEHU_ASSIGN_OR_RETURN(RunRef ref, Latest(p));
  KEHU_ASSIGN_OR_RETURN(Settings settings, LoadSettings(p.org_id));
  KEHU_ASSIGN_OR_RETURN(auto rules, ParseRules(settings.rfm_rules));
  KEHU_ASSIGN_OR_RETURN(RunRows rows, RunValues(p.org_id, ref.run_id));
  const std::vector<CustomerValue>& values = *rows;
  RfmView view{.run = ref};
  for (int r = 1; r <= 5; ++r)
    for (int f = 1; f <= 5; ++f)
      view.cells.push_back(
          {.r = r, .f = f, .segment = analytics::SegmentName(rules.Classify(r, f, 3))});
  struct Acc {
    int64_t n{0}, money{0};
    double rec{0}, freq{0};
  };
  std::map<std::string, Acc> seg;
  int64_t scored = 0;
  for (const auto& v : values) {
    if (v.r_score < 1 || v.f_score < 1) continue;
    ++scored;
    RfmCell& c = view.cells[static_cast<size_t>((v.r_score - 1) * 5 + (v.f_score - 1))];
    ++c.customers;
    c.monetary_minor += v.monetary_minor;
    Acc& a = seg[v.segment];
    ++a.n;
    a.money += v.monetary_minor;
    a.rec += v.recency_days;
    a.freq += v.frequency;
  }
  for (int k = 0; k < analytics::kRfmSegmentCount; ++k) {
    auto s = static_cast<analytics::RfmSegment>(k);
    const Acc a = seg.count(analytics::SegmentName(s)) ? seg[analytics::SegmentName(s)] : Acc{};
    view.segments.push_back(
        {.segment = analytics::SegmentName(s),
         .name_zh = analytics::SegmentNameZh(s),
         .customers = a.n,
         .share = scored ? static_cast<double>(a.n) / static_cast<double>(scored) : 0.0,
         .monetary_minor = a.money,
         .mean_recency_days = a.n ? a.rec / static_cast<double>(a.n) : 0.0,
         .mean_frequency = a.n ? a.freq / static_cast<double>(a.n) : 0.0});
  }
  return view;
}

Result<ClvView> ValueService::Clv(const Principal& p) {
  KEHU_ASSIGN_OR_RETURN(RunRef ref, Latest(p));
  KEHU_ASSIGN_OR_RETURN(auto run, repo_.GetRun(p.org_id, ref.run_id));
  KEHU_ASSIGN_OR_RETURN(RunRows rows, RunValues(p.org_id, ref.run_id));
  const std::vector<CustomerValue>& values = *rows;
  ClvView view{.run = ref};
  if (run) view.diagnostics_json = run->diagnostics_json;
  KEHU_ASSIGN_OR_RETURN(view.settings, LoadSettings(p.org_id));
  view.customers = static_cast<int64_t>(values.size());
  std::vector<double> clv;
  for (const auto& v : values) {
    if (v.expected_purchases) view.total_expected_purchases += *v.expected_purchases;
    if (v.clv_minor) clv.push_back(*v.clv_minor);
  }
  view.scored = static_cast<int64_t>(clv.size());
  if (clv.empty()) return view;
  view.total_clv_minor = std::accumulate(clv.begin(), clv.end(), 0.0);
  view.mean_clv_minor = view.total_clv_minor / static_cast<double>(clv.size());
  view.median_clv_minor = Median(clv);
  // 20 bins from 0 to the 99th percentile (the long tail goes into the last bin).
  std::vector<double> sorted = clv;
  std::sort(sorted.begin(), sorted.end());
  double hi = sorted[static_cast<size_t>(0.99 * static_cast<double>(sorted.size() - 1))];
  double lo = std::min(0.0, sorted.front());
  if (hi <= lo) hi = lo + 1.0;
  const int bins = 20;
  const double w = (hi - lo) / bins;
  for (int b = 0; b < bins; ++b)
    view.histogram.push_back({.lo = lo + b * w, .hi = lo + (b + 1) * w});
  view.histogram.back().hi = std::max(hi, sorted.back());
  for (double c : clv) {
    int b = static_cast<int>((c - lo) / w);
    view.histogram[static_cast<size_t>(std::clamp(b, 0, bins - 1))].count++;
  }
  return view;
}

Result<ChurnView> ValueService::Churn(const Principal& p) {
  KEHU_ASSIGN_OR_RETURN(RunRef ref, Latest(p));
  KEHU_ASSIGN_OR_RETURN(auto run, repo_.GetRun(p.org_id, ref.run_id));
  KEHU_ASSIGN_OR_RETURN(RunRows rows, RunValues(p.org_id, ref.run_id));
  const std::vector<CustomerValue>& values = *rows;
  ChurnView view{.run = ref};
  if (run) view.diagnostics_json = run->diagnostics_json;
  view.customers = static_cast<int64_t>(values.size());
  for (int b = 0; b < 10; ++b)
    view.risk_distribution.push_back({.lo = b / 10.0, .hi = (b + 1) / 10.0});
  for (const auto& v : values) {
    if (v.churn_risk) {
      ++view.scored;
      view.risk_distribution[static_cast<size_t>(
                                 std::clamp(static_cast<int>(*v.churn_risk * 10), 0, 9))]
          .count++;
    }
    if (v.at_risk) ++view.at_risk;
    if (v.at_risk_reason.find("p_alive") != std::string::npos) ++view.at_risk_p_alive;
    if (v.at_risk_reason.find("overdue") != std::string::npos) ++view.at_risk_overdue;
  }
  KEHU_ASSIGN_OR_RETURN(view.trend, repo_.ChurnByMonth(p.org_id));
  KEHU_ASSIGN_OR_RETURN(auto churned, repo_.OpenChurnCustomers(p.org_id));
  struct Acc {
    int64_t n{0}, churned{0}, scored{0};
    double risk{0.0};
  };
  std::map<std::string, Acc> seg;
  for (const auto& v : values) {
    if (v.segment.empty()) continue;
    Acc& a = seg[v.segment];
    ++a.n;
    if (std::binary_search(churned.begin(), churned.end(), v.customer_id)) ++a.churned;
    if (v.churn_risk) {
      ++a.scored;
      a.risk += *v.churn_risk;
    }
  }
  for (const auto& [name, a] : seg) {
    view.by_segment.push_back(
        {.segment = name,
         .customers = a.n,
         .churned = a.churned,
         .churn_rate = static_cast<double>(a.churned) / static_cast<double>(a.n),
         .mean_risk = a.scored ? std::optional<double>(a.risk / static_cast<double>(a.scored)) : std::nullopt});
  }
  std::stable_sort(view.by_segment.begin(), view.by_segment.end(),
                   [](const SegmentChurnRow& x, const SegmentChurnRow& y) { return x.churn_rate > y.churn_rate; });
  return view;
}

Result<AbcView> ValueService::Abc(const Principal& p) {
  KEHU_ASSIGN_OR_RETURN(RunRef ref, Latest(p));
  KEHU_ASSIGN_OR_RETURN(Settings settings, LoadSettings(p.org_id));
  KEHU_ASSIGN_OR_RETURN(RunRows rows, RunValues(p.org_id, ref.run_id));
  const std::vector<CustomerValue>& values = *rows;
  AbcView view{.run = ref, .a_share = settings.abc_a_share, .b_share = settings.abc_b_share};
  std::vector<int64_t> m;
  m.reserve(values.size());
  for (const auto& v : values) m.push_back(std::max<int64_t>(0, v.margin_minor));
  std::sort(m.begin(), m.end(), std::greater<>());
  for (int64_t x : m) view.total_margin_minor += x;
  std::map<std::string, AbcClassRow> cls{
      {"A", {.abc_class = "A"}}, {"B", {.abc_class = "B"}}, {"C", {.abc_class = "C"}}};
  for (const auto& v : values) {
    auto& row = cls[v.abc_class.empty() ? "C" : v.abc_class];
    ++row.customers;
    row.margin_minor += std::max<int64_t>(0, v.margin_minor);
  }
  const double n = static_cast<double>(values.size());
  const double total = static_cast<double>(view.total_margin_minor);
  for (auto& [k, row] : cls) {
    row.customer_share = n > 0 ? static_cast<double>(row.customers) / n : 0.0;
    row.margin_share = total > 0 ? static_cast<double>(row.margin_minor) / total : 0.0;
    view.classes.push_back(row);
  }
  // Pareto curve at (at most) 101 points: share of customers (largest margin first) vs share
  // of margin.
  view.curve.push_back({0.0, 0.0});
  if (!m.empty()) {
    const size_t points = std::min<size_t>(100, m.size());
    double cum = 0;
    size_t next = 1;
    for (size_t i = 0; i < m.size(); ++i) {
      cum += static_cast<double>(m[i]);
      if ((i + 1) * points >= next * m.size()) {
        view.curve.push_back({static_cast<double>(i + 1) / n, total > 0 ? cum / total : 0.0});
        ++next;
      }
    }
  }
  return view;
}

Result<RelationshipView> ValueService::RelationshipLevels(const Principal& p) {
  KEHU_ASSIGN_OR_RETURN(RunRef ref, Latest(p));
  KEHU_ASSIGN_OR_RETURN(Settings settings, LoadSettings(p.org_id));
  KEHU_ASSIGN_OR_RETURN(RunRows rows, RunValues(p.org_id, ref.run_id));
  const std::vector<CustomerValue>& values = *rows;
  RelationshipView view{.run = ref, .settings = settings};
  struct Acc {
    int64_t n{0};
    double margin{0};
    std::map<std::string, int64_t> levels;
  };
  std::map<std::string, Acc> seg;
  double total_margin = 0;
  for (const auto& v : values) {
    Acc& a = seg[v.category];
    ++a.n;
    a.margin += static_cast<double>(v.margin_minor);
    ++a.levels[v.relationship_level];
    total_margin += static_cast<double>(v.margin_minor);
  }
  const double n = static_cast<double>(values.size());
  view.org_margin_per_customer_minor = n > 0 ? total_margin / n : 0.0;
  for (auto& [name, a] : seg) {
    LevelSegment s{.segment = name, .customers = a.n};
    s.share = n > 0 ? static_cast<double>(a.n) / n : 0.0;
    s.margin_per_customer_minor = a.n ? a.margin / static_cast<double>(a.n) : 0.0;
    s.size_class = s.share >= settings.many_share ? "many"
                   : s.share < settings.few_share ? "few"
                                                  : "medium";
    const double org = view.org_margin_per_customer_minor;
    const double ratio = org > 0 ? s.margin_per_customer_minor / org : 1.0;
    s.margin_class = ratio >= settings.high_margin_ratio ? "high"
                     : ratio < settings.low_margin_ratio ? "low"
                                                         : "medium";
    s.recommended = RecommendedLevel(s.size_class, s.margin_class);
    for (auto& [lvl, cnt] : a.levels) s.recorded.emplace_back(lvl, cnt);
    view.segments.push_back(std::move(s));
  }
  return view;
}

// ---- estimator ----

std::optional<int64_t> LatestClvEstimator::ExpectedMarginMinor(int64_t org_id,
                                                               int64_t customer_id) {
  auto run = repo_.LatestSucceeded(org_id);
  if (!run.ok() || !*run) return std::nullopt;
  auto v = repo_.GetValue(org_id, (*run)->id, customer_id);
  if (!v.ok() || !*v || !(*v)->clv_minor) return std::nullopt;
  return static_cast<int64_t>(std::llround(*(*v)->clv_minor));
}

Result<std::map<int64_t, double>> LatestValuePercentiles::For(int64_t org_id,
                                                              const std::vector<int64_t>& customer_ids) {
  KEHU_ASSIGN_OR_RETURN(auto run, repo_.LatestSucceeded(org_id));
  if (!run) return std::map<int64_t, double>{};
  return repo_.GetPercentiles(org_id, run->id, customer_ids);
}

// ---- nightly job ----

UnixMillis NightlyJob::LastDue(UnixMillis now) {
  // 02:00 Asia/Shanghai = 18:00 UTC of the previous day.
  const int64_t local = now + kShanghaiOffsetMs;
  int64_t day = local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs;
  UnixMillis due = day * kDayMs + 2 * 3'600'000 - kShanghaiOffsetMs;
  if (due > now) due -= kDayMs;
  return due;
}

UnixMillis NightlyJob::NextDue(UnixMillis now) { return LastDue(now) + kDayMs; }

Result<std::optional<Run>> NightlyJob::Tick() {
  const UnixMillis now = clock_.Now();
  const UnixMillis due = LastDue(now);
  KEHU_ASSIGN_OR_RETURN(auto last, values_.LatestStarted(org_id_));
  if (last && (last->started_at >= due || last->status == RunStatus::kRunning))
    return std::optional<Run>();
  auto run = values_.RunForOrg(org_id_, RunRequest{.trigger = "nightly"});
  if (!run.ok()) {
    if (run.error().code == ErrorCode::kAlreadyExists)
      return std::optional<Run>();  // one is running
    return run.error();
  }
  return std::optional<Run>(*run);
}

}  // namespace kehu::value
