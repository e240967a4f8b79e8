#include "cli/integrations.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/strings.h"

namespace kehu::cli {

std::optional<int64_t> ClvValueEstimator::ExpectedMargin(int64_t org_id, int64_t customer_id, int /*horizon_months*/) {
  return latest_.ExpectedMarginMinor(org_id, customer_id);
}

Result<std::string> OpenComplaintsSection::JsonFor(const identity::Principal& p, int64_t customer_id) {
  if (complaints_ == nullptr) return std::string("{\"open\":[]}");
  auto list = complaints_->ListForCustomer(p, customer_id);
  if (!list.ok()) {
    // Roles that do not work complaints (sales, marketing) simply get no section content.
    if (list.error().code == ErrorCode::kPermissionDenied) return std::string("{\"open\":[]}");
    return list.error();
  }
  std::vector<service::ComplaintView> open;
  for (auto& v : *list)
    if (service::IsOpen(v.complaint.status)) open.push_back(std::move(v));
  std::sort(open.begin(), open.end(), [](const auto& a, const auto& b) { return a.priority > b.priority; });
  std::string out = "{\"open_count\":" + std::to_string(open.size()) + ",\"open\":[";
  for (size_t i = 0; i < open.size() && i < 5; ++i) {
    const auto& c = open[i].complaint;
    char prio[32];
    std::snprintf(prio, sizeof prio, "%.1f", open[i].priority);
    if (i) out += ',';
    out += "{\"id\":" + std::to_string(c.id) + ",\"number\":" + JsonQuote(c.number) +
           ",\"status\":" + JsonQuote(service::Name(c.status)) + ",\"severity\":" + std::to_string(c.severity) +
           ",\"category\":" + JsonQuote(c.category) + ",\"priority\":" + prio + "}";
  }
  out += "]}";
  return out;
}

Result<std::string> ValueBadgeSection::JsonFor(const identity::Principal& p, int64_t customer_id) {
  auto v = values_.GetCustomerValue(p, customer_id);
  if (!v.ok()) {
    if (v.error().code == ErrorCode::kPermissionDenied) return std::string("{}");
    return v.error();
  }
  if (!v->value) return std::string("{}");
  const auto& cv = *v->value;
  std::string out = "{\"segment\":" + JsonQuote(cv.segment) + ",\"segment_zh\":" +
                    JsonQuote(value::SegmentNameZh(cv.segment)) + ",\"abc_class\":" + JsonQuote(cv.abc_class) +
                    ",\"at_risk\":" + (cv.at_risk ? "true" : "false");
  if (cv.clv_minor) out += ",\"clv_minor\":" + std::to_string(std::llround(*cv.clv_minor));
  if (cv.churn_risk) {
    char risk[32];
    std::snprintf(risk, sizeof risk, "%.4f", *cv.churn_risk);
    out += std::string(",\"churn_risk\":") + risk;
  }
  out += "}";
  return out;
}

}  // namespace kehu::cli
