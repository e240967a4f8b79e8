#pragma once
// Glue between capabilities, owned by the composition root: each capability defines the
// interface it needs (orders::ValueEstimator, interactions::PopSection, timeline::Source) and
// this file adapts another capability's service to it, so no domain module includes another's.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/interactions/telephony.h"
#include "domain/orders/value_estimator.h"
#include "domain/service/complaint_service.h"
#include "domain/value/value_service.h"

namespace kehu::cli {

// Lost profit of a churned customer from the latest analytics run's CLV (expected margin over
// the analytics horizon of the org's settings; the requested horizon is not re-projected: the
// orders API labels the basis "clv").
class ClvValueEstimator final : public orders::ValueEstimator {
 public:
  explicit ClvValueEstimator(value::ValueRepository& repo) : latest_(repo) {}
  std::optional<int64_t> ExpectedMargin(int64_t org_id, int64_t customer_id, int horizon_months) override;

 private:
  value::LatestClvEstimator latest_;
};

// The complaint desk's value percentile (customer importance in the priority score) from the
// latest analytics run.
class ValuePercentileRanking final : public service::ValueRanking {
 public:
  explicit ValuePercentileRanking(value::ValueRepository& repo) : latest_(repo) {}
  Result<std::map<int64_t, double>> Percentiles(int64_t org_id, const std::vector<int64_t>& customer_ids) override {
    return latest_.For(org_id, customer_ids);
  }

 private:
  value::LatestValuePercentiles latest_;
};

// Screen-pop section "complaints": the caller's open complaints (number, status, severity,
// category, priority), at most five, most urgent first.
class OpenComplaintsSection final : public interactions::PopSection {
 public:
  explicit OpenComplaintsSection(service::ComplaintService*& complaints) : complaints_(complaints) {}
  std::string name() const override { return "complaints"; }
  Result<std::string> JsonFor(const identity::Principal& p, int64_t customer_id) override;

 private:
  service::ComplaintService*& complaints_;  // the live service (serve --manual-clock replaces it)
};

// Screen-pop section "value": the value badge from the latest analytics run (RFM segment, ABC
// class, CLV, churn risk, at-risk flag); {} when no run has scored the customer yet.
class ValueBadgeSection final : public interactions::PopSection {
 public:
  explicit ValueBadgeSection(value::ValueService& values) : values_(values) {}
  std::string name() const override { return "value"; }
  Result<std::string> JsonFor(const identity::Principal& p, int64_t customer_id) override;

 private:
  value::ValueService& values_;
};

}  // namespace kehu::cli
