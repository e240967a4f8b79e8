// Customer-value use cases on SQLite (a file, so a writer can commit while a run reads) and
// PostgreSQL: hand-computed RFM cells, the published CDNOW fits through the whole pipeline
// (orders in the database -> run -> stored results), properties of the stored scores, snapshot
// consistency, access rules, settings and the nightly job's timing with a ManualClock.

#include "domain/value/value_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "../analytics/cdnow.h"
#include "../domain/fixture.h"

namespace kehu::testing {
namespace {

using value::BulkOrder;
using value::CustomerValue;
using value::RunRequest;

constexpr int64_t kDayMs = 86'400'000;

// Noon UTC (20:00 in Shanghai) of a civil date.
UnixMillis Noon(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kDayMs + 12 * 3'600'000; }

class ValueTest : public DomainTest {
 protected:
  void SetUp() override {
    DomainTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    repo_ = store::MakeValueRepository(*db_);
    values_ = std::make_unique<value::ValueService>(*repo_, *customers_, clock_, 2);
  }
  void TearDown() override {
    values_.reset();
    repo_.reset();
    DomainTest::TearDown();
  }

  int64_t NewCustomer(const std::string& name, const std::string& category = "online_consumer") {
    auto c =
        customers_->Create(admin_, customers::CustomerPatch{.name = name, .category = category});
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? c->id : 0;
  }

  void Orders(const std::vector<BulkOrder>& orders) {
    auto st = repo_->InsertOrders(1, orders, clock_.Now());
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  std::map<int64_t, CustomerValue> ValuesOf(int64_t run_id) {
    auto v = repo_->ListValues(1, run_id);
    EXPECT_TRUE(v.ok());
    std::map<int64_t, CustomerValue> out;
    if (v.ok())
      for (auto& x : *v) out[x.customer_id] = x;
    return out;
  }

  std::unique_ptr<value::ValueRepository> repo_;
  std::unique_ptr<value::ValueService> values_;
};

// Two customers with the same three order days: BG/NBD and Gamma-Gamma fitted to them run off
// (r and alpha in the millions), and the expected purchases overflow. Such a score is left out,
// not stored as NaN, and the value percentile falls back to the margin: the big spender ranks
// above the small one (with NaN keys every customer tied at 0.5; the complaint desk's priority
// then ignored the customer's value — found on 2026-12-03, Shanghai time, by the API test).
TEST_P(ValueTest, ScoresThatOverflowAreLeftOutAndThePercentileFollowsTheMargin) {
  const int64_t rich = NewCustomer("甲"), poor = NewCustomer("乙");
  std::vector<BulkOrder> orders;
  for (auto [id, amount] : {std::pair{rich, int64_t{880000}}, {poor, int64_t{1200}}})
    for (auto day : {Noon(2026, 3, 2), Noon(2026, 6, 1), Noon(2026, 9, 1)})
      orders.push_back({id, day, "online", amount, std::nullopt});
  Orders(orders);
  auto run = values_->RunNow(admin_, RunRequest{.trigger = "test", .as_of = CivilDate{2026, 12, 3}});
  ASSERT_TRUE(run.ok()) << run.error().message;
  auto v = ValuesOf(run->id);
  ASSERT_EQ(v.size(), 2u);
  for (const auto& [id, x] : v) {
    for (const auto& score : {x.p_alive, x.expected_purchases, x.expected_value_minor, x.clv_minor})
      if (score) {
        EXPECT_TRUE(std::isfinite(*score)) << id << " " << run->diagnostics_json;
      }
  }
  EXPECT_GT(v[rich].value_percentile, v[poor].value_percentile) << run->diagnostics_json;
}

TEST_P(ValueTest, SmallOrderSetGivesTheHandComputedRfmCells) {
  const int64_t a = NewCustomer("甲"), b = NewCustomer("乙"), c = NewCustomer("丙"),
                d = NewCustomer("丁"), e = NewCustomer("戊");
  Orders({{a, Noon(2026, 6, 29), "online", 50000, 30000},
          {a, Noon(2026, 6, 1), "online", 30000, 20000},
          {a, Noon(2026, 5, 1), "store", 20000, 10000},
          {b, Noon(2026, 6, 20), "online", 10000, std::nullopt},
          {b, Noon(2026, 3, 1), "online", 10000, std::nullopt},
          {c, Noon(2026, 6, 25), "store", 500000, 300000},
          {c, Noon(2026, 7, 5), "store", 900000, 1},  // after the as-of day: not read
          {d, Noon(2026, 1, 10), "online", 5000, 4000},
          {d, Noon(2026, 2, 10), "online", 5000, 4000},
          {d, Noon(2026, 3, 10), "online", 5000, 4000},
          {d, Noon(2026, 4, 10), "online", 5000, 4000},
          {e, Noon(2025, 12, 1), "online", 8000, 5000},
          {e, Noon(2026, 6, 30), "online", 999900, 1, "cancelled"},   // excluded
          {e, Noon(2026, 6, 28), "online", 777700, 1, "returned"}});  // excluded
  auto run =
      values_->RunNow(admin_, RunRequest{.trigger = "test", .as_of = CivilDate{2026, 6, 30}});
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->customers, 5);
  EXPECT_EQ(run->orders, 11);
  auto v = ValuesOf(run->id);
  ASSERT_EQ(v.size(), 5u);
  struct Want {
    int64_t id;
    int recency, frequency;
    int64_t monetary;
    int r, f, m;
    const char* segment;
  };
  // Recency: A 1 < C 5 < B 10 < D 81 < E 211 days; frequency D 4 > A 3 > B 2 > C = E 1 (a tie
  // takes the lower score); monetary C > A > B = D > E.
  for (const Want& w : {Want{a, 1, 3, 100000, 5, 4, 4, "Champions"},
                        Want{b, 10, 2, 20000, 3, 3, 2, "Need attention"},
                        Want{c, 5, 1, 500000, 4, 1, 5, "Promising"},
                        Want{d, 81, 4, 20000, 2, 5, 2, "Can't lose them"},
                        Want{e, 211, 1, 8000, 1, 1, 1, "Lost"}}) {
    SCOPED_TRACE(w.segment);
    const CustomerValue& x = v.at(w.id);
    EXPECT_EQ(x.recency_days, w.recency);
    EXPECT_EQ(x.frequency, w.frequency);
    EXPECT_EQ(x.monetary_minor, w.monetary);
    EXPECT_EQ(x.r_score, w.r);
    EXPECT_EQ(x.f_score, w.f);
    EXPECT_EQ(x.m_score, w.m);
    EXPECT_EQ(x.segment, w.segment);
  }
  // Margin: known costs are used; B's orders have none, so the org's 30% applies.
  EXPECT_EQ(v.at(a).margin_minor, 40000);
  EXPECT_EQ(v.at(b).margin_minor, 6000);
  // Purchase cycle of D: gaps 31, 28, 31 days -> median 31; next expected 2026-05-11.
  ASSERT_TRUE(v.at(d).cycle_days.has_value());
  EXPECT_DOUBLE_EQ(*v.at(d).cycle_days, 31.0);
  EXPECT_EQ(*v.at(d).next_expected_day, DaysFromCivil({2026, 5, 11}));
  // D has not ordered for 81 days, within 3 x 31: not overdue (the settings test moves k).
  EXPECT_EQ(v.at(d).at_risk_reason.find("overdue"), std::string::npos);
  // ABC by margin: C (200000) alone is 200000 / 266000 = 75% < 80% -> A, then A (cum 75%) -> A.
  EXPECT_EQ(v.at(c).abc_class, "A");
  EXPECT_EQ(v.at(a).abc_class, "A");

  // Value percentiles: by CLV when the run has one for everyone, else by margin (here margins
  // are E 3000 < D 4000 < B 6000 < A 40000 < C 200000). Counted independently of the run code.
  const bool by_clv = std::all_of(v.begin(), v.end(), [](const auto& kv) { return kv.second.clv_minor.has_value(); });
  auto key = [&](int64_t id) { return by_clv ? *v.at(id).clv_minor : static_cast<double>(v.at(id).margin_minor); };
  for (int64_t id : {a, b, c, d, e}) {
    double smaller = 0, equal = 0;
    for (int64_t o : {a, b, c, d, e}) {
      if (key(o) < key(id)) ++smaller;
      if (key(o) == key(id)) ++equal;
    }
    ASSERT_TRUE(v.at(id).value_percentile.has_value());
    EXPECT_DOUBLE_EQ(*v.at(id).value_percentile, (smaller + (equal - 1) / 2.0) / 4.0);
  }
  if (!by_clv) {
    EXPECT_DOUBLE_EQ(*v.at(e).value_percentile, 0.0);
    EXPECT_DOUBLE_EQ(*v.at(d).value_percentile, 0.25);
    EXPECT_DOUBLE_EQ(*v.at(b).value_percentile, 0.5);
    EXPECT_DOUBLE_EQ(*v.at(c).value_percentile, 1.0);
  }
  value::LatestValuePercentiles latest(*repo_);
  auto pct = latest.For(1, {a, c, 999999});
  ASSERT_TRUE(pct.ok()) << pct.error().message;
  ASSERT_EQ(pct->size(), 2u);
  EXPECT_DOUBLE_EQ(pct->at(a), *v.at(a).value_percentile);
  EXPECT_DOUBLE_EQ(pct->at(c), *v.at(c).value_percentile);

  // Churn by RFM segment: churn records (open) for E (Lost) and D (Can't lose them), read live.
  ASSERT_TRUE(repo_->InsertChurnRecords(1, {{.customer_id = e, .churned_on = "2026-07-01", .reason = "price"},
                                            {.customer_id = d, .churned_on = "2026-07-02", .reason = "service"}},
                                        Noon(2026, 7, 2)).ok());
  auto churn = values_->Churn(admin_);
  ASSERT_TRUE(churn.ok()) << churn.error().message;
  ASSERT_EQ(churn->by_segment.size(), 5u);
  std::map<std::string, value::SegmentChurnRow> by;
  for (const auto& g : churn->by_segment) by[g.segment] = g;
  EXPECT_EQ(by["Lost"].customers, 1);
  EXPECT_EQ(by["Lost"].churned, 1);
  EXPECT_DOUBLE_EQ(by["Lost"].churn_rate, 1.0);
  EXPECT_EQ(by["Can't lose them"].churned, 1);
  EXPECT_EQ(by["Champions"].churned, 0);
  EXPECT_DOUBLE_EQ(by["Champions"].churn_rate, 0.0);
  EXPECT_DOUBLE_EQ(churn->by_segment.front().churn_rate, 1.0);  // highest rate first
  EXPECT_DOUBLE_EQ(churn->by_segment.back().churn_rate, 0.0);

  // The views over the run.
  auto rfm = values_->Rfm(admin_);
  ASSERT_TRUE(rfm.ok()) << rfm.error().message;
  EXPECT_EQ(rfm->run.run_id, run->id);
  ASSERT_EQ(rfm->cells.size(), 25u);
  EXPECT_EQ(rfm->cells[(5 - 1) * 5 + (4 - 1)].customers, 1);  // A at R5 F4
  EXPECT_EQ(rfm->cells[(5 - 1) * 5 + (4 - 1)].monetary_minor, 100000);
  EXPECT_EQ(rfm->cells[(5 - 1) * 5 + (4 - 1)].segment, "Champions");
  int64_t total = 0;
  for (const auto& cell : rfm->cells) total += cell.customers;
  EXPECT_EQ(total, 5);
  auto abc = values_->Abc(admin_);
  ASSERT_TRUE(abc.ok());
  EXPECT_EQ(abc->total_margin_minor, 40000 + 6000 + 200000 + 4000 + 3000);
  EXPECT_DOUBLE_EQ(abc->curve.back().margin_share, 1.0);
  EXPECT_DOUBLE_EQ(abc->curve.back().customer_share, 1.0);
}

TEST_P(ValueTest, CdnowSampleOrdersReproduceThePublishedFits) {
  auto tx =
      analytics::testing::LoadCdnow(analytics::testing::SharedDataDir() + "/CDNOW_sample.txt");
  ASSERT_TRUE(tx.ok()) << tx.error().message;
  std::map<int64_t, int64_t> ids;  // CDNOW id -> customer id
  for (int64_t cid : tx->customer_ids) ids[cid] = 0;
  std::vector<int64_t> cdnow_ids;
  for (auto& [k, v] : ids) cdnow_ids.push_back(k);
  for (size_t i = 0; i < cdnow_ids.size(); i += 500) {
    std::vector<customers::CustomerPatch> batch;
    for (size_t k = i; k < std::min(cdnow_ids.size(), i + 500); ++k)
      batch.push_back(
          {.name = "CDNOW " + std::to_string(cdnow_ids[k]),
           .category = "online_consumer",
           .external_id = std::optional<std::string>("cdnow-" + std::to_string(cdnow_ids[k]))});
    auto created = customers_->CreateMany(admin_, batch);
    ASSERT_TRUE(created.ok()) << created.error().message;
    for (size_t k = 0; k < created->size(); ++k) ids[cdnow_ids[i + k]] = (*created)[k].id;
  }
  std::vector<BulkOrder> orders;
  for (size_t i = 0; i < tx->customer_ids.size(); ++i)
    orders.push_back({.customer_id = ids[tx->customer_ids[i]],
                      .ordered_at = tx->days[i] * kDayMs + 12 * 3'600'000,
                      .channel = "online",
                      .amount_minor = tx->cents[i]});
  Orders(orders);
  ASSERT_EQ(ids.size(), 2357u);

  auto run =
      values_->RunNow(admin_, RunRequest{.trigger = "test", .as_of = CivilDate{1997, 9, 30}});
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->customers, 2357);
  auto view = values_->Clv(admin_);
  ASSERT_TRUE(view.ok());
  // The published values (Fader, Hardie & Lee 2005), to the digits published.
  const std::string& d = run->diagnostics_json;
  auto param = [&](const std::string& model, const std::string& name) {
    size_t m = d.find("\"" + model + "\":");
    size_t p = d.find("\"" + name + "\":", d.find("\"params\"", m));
    return std::strtod(d.c_str() + p + name.size() + 3, nullptr);
  };
  EXPECT_NEAR(param("bgnbd", "r"), 0.2426, 0.0005);
  EXPECT_NEAR(param("bgnbd", "alpha"), 4.4136, 0.0005);
  EXPECT_NEAR(param("bgnbd", "a"), 0.7929, 0.0005);
  EXPECT_NEAR(param("bgnbd", "b"), 2.4259, 0.0005);
  EXPECT_NEAR(param("gamma_gamma", "p"), 6.25, 0.005);
  EXPECT_NEAR(param("gamma_gamma", "q"), 3.74, 0.005);
  EXPECT_NEAR(param("gamma_gamma", "gamma"), 15.44, 0.005);
  // Fitted models give no reason; the churn model, without a churned customer here, says why it
  // was not trained with a code the workspace translates.
  EXPECT_NE(d.find("\"bgnbd\":{\"fitted\":true,\"reason\":\"\""), std::string::npos) << d;
  EXPECT_NE(d.find("\"churn\":{\"trained\":false,\"reason\":\"too_few_labelled\""), std::string::npos) << d;

  auto v = ValuesOf(run->id);
  ASSERT_EQ(v.size(), 2357u);
  // Properties: P(alive) in [0, 1] and exactly 1 with no repeat purchase; among customers with
  // the same first and last purchase days, more repeat purchases never expect fewer purchases.
  std::map<std::pair<int32_t, int32_t>, std::vector<const CustomerValue*>> same_days;
  for (const auto& [id, x] : v) {
    ASSERT_TRUE(x.p_alive && x.expected_purchases && x.clv_minor);
    EXPECT_GE(*x.p_alive, 0.0);
    EXPECT_LE(*x.p_alive, 1.0);
    if (x.x == 0) {
      EXPECT_DOUBLE_EQ(*x.p_alive, 1.0);
    }
    EXPECT_GE(*x.clv_minor, 0.0);
    same_days[{x.first_day, x.last_day}].push_back(&x);
  }
  int compared = 0;
  for (auto& [k, group] : same_days) {
    std::sort(group.begin(), group.end(), [](auto* l, auto* r) { return l->x < r->x; });
    for (size_t i = 1; i < group.size(); ++i)
      if (group[i]->x > group[i - 1]->x) {
        EXPECT_GE(*group[i]->expected_purchases, *group[i - 1]->expected_purchases - 1e-12);
        ++compared;
      }
  }
  EXPECT_GT(compared, 10);

  // The estimator for the orders capability reads the stored CLV.
  value::LatestClvEstimator est(*repo_);
  const CustomerValue& first = v.begin()->second;
  auto margin = est.ExpectedMarginMinor(1, first.customer_id);
  ASSERT_TRUE(margin.has_value());
  EXPECT_EQ(*margin, std::llround(*first.clv_minor));
  EXPECT_FALSE(est.ExpectedMarginMinor(2, first.customer_id).has_value());  // another org
}

TEST_P(ValueTest, ARunReadsOneSnapshotAndReadersSeeTheOldRunUntilTheSwap) {
  const int64_t a = NewCustomer("甲"), b = NewCustomer("乙");
  Orders({{a, Noon(2026, 6, 1), "online", 1000},
          {a, Noon(2026, 6, 10), "online", 2000},
          {b, Noon(2026, 6, 5), "store", 3000}});
  auto first = values_->RunNow(admin_, RunRequest{.as_of = CivilDate{2026, 6, 30}});
  ASSERT_TRUE(first.ok()) << first.error().message;
  // The org-level views read a run's rows once (ValueService::RunValues) and follow each new run.
  auto rfm_customers = [&](int64_t want_run) {
    auto rfm = values_->Rfm(admin_);
    EXPECT_TRUE(rfm.ok());
    if (!rfm.ok()) return int64_t{-1};
    EXPECT_EQ(rfm->run.run_id, want_run);
    int64_t n = 0;
    for (const auto& cell : rfm->cells) n += cell.customers;
    return n;
  };
  EXPECT_EQ(rfm_customers(first->id), 2);
  EXPECT_EQ(rfm_customers(first->id), 2);

  int64_t late = 0;
  int64_t seen_run_during = -1;
  RunRequest req{.as_of = CivilDate{2026, 6, 30}};
  req.between_reads = [&] {
    // A concurrent writer adds a customer and orders after the run read the orders.
    late = NewCustomer("丙");
    Orders({{late, Noon(2026, 6, 20), "online", 5000}, {a, Noon(2026, 6, 21), "online", 7000}});
    // Readers still see the previous run.
    auto during = values_->GetCustomerValue(admin_, a);
    if (during.ok() && during->run) seen_run_during = during->run->run_id;
    // And a second run cannot start.
    auto second = values_->RunNow(admin_, RunRequest{});
    EXPECT_FALSE(second.ok());
    if (!second.ok()) {
      EXPECT_EQ(second.error().code, ErrorCode::kAlreadyExists);
    }
  };
  auto run = values_->RunNow(admin_, req);
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(seen_run_during, first->id);
  EXPECT_EQ(run->orders, 3);  // neither order written during the run
  auto v = ValuesOf(run->id);
  EXPECT_EQ(v.size(), 2u);
  EXPECT_EQ(v.count(late), 0u);
  EXPECT_EQ(v.at(a).frequency, 2);
  EXPECT_EQ(v.at(a).monetary_minor, 3000);
  auto after = values_->GetCustomerValue(admin_, a);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->run->run_id, run->id);
  // The next run sees everything.
  auto third = values_->RunNow(admin_, RunRequest{.as_of = CivilDate{2026, 6, 30}});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->orders, 5);
  EXPECT_EQ(ValuesOf(third->id).size(), 3u);
  EXPECT_EQ(rfm_customers(third->id), 3);
  // Results older than the previous run are deleted.
  EXPECT_TRUE(ValuesOf(first->id).empty());
  EXPECT_EQ(ValuesOf(run->id).size(), 2u);
}

TEST_P(ValueTest, AnalyticsFollowRolesAndCustomerVisibility) {
  const int64_t a = NewCustomer("甲");
  Orders({{a, Noon(2026, 6, 1), "online", 1000}});
  auto sales = MakeUser("sales1", "sales");
  auto marketing = MakeUser("mkt1", "marketing");
  EXPECT_EQ(values_->RunNow(sales, RunRequest{}).error().code, ErrorCode::kPermissionDenied);
  // No run yet: the views say so, the customer value is empty.
  EXPECT_EQ(values_->Rfm(marketing).error().code, ErrorCode::kFailedPrecondition);
  auto none = values_->GetCustomerValue(admin_, a);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->run.has_value());
  ASSERT_TRUE(values_->RunNow(marketing, RunRequest{.as_of = CivilDate{2026, 6, 30}}).ok());
  EXPECT_TRUE(values_->Rfm(marketing).ok());
  EXPECT_EQ(values_->Rfm(sales).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(values_->Churn(sales).error().code, ErrorCode::kPermissionDenied);
  // Sales may not see a customer someone else owns (it has no owner and sales see only their own).
  EXPECT_EQ(values_->GetCustomerValue(sales, a).error().code, ErrorCode::kNotFound);
  auto mine = values_->GetCustomerValue(marketing, a);
  ASSERT_TRUE(mine.ok());
  ASSERT_TRUE(mine->value.has_value());
  EXPECT_EQ(mine->value->frequency, 1);
  EXPECT_EQ(values_->GetCustomerValue(admin_, 999999).error().code, ErrorCode::kNotFound);
}

TEST_P(ValueTest, SettingsAreValidatedAndChangeTheRun) {
  auto marketing = MakeUser("mkt1", "marketing");
  value::Settings bad;
  bad.abc_b_share = 0.5;  // below abc_a_share
  bad.margin = 2;
  EXPECT_EQ(values_->UpdateSettings(admin_, bad).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(values_->UpdateSettings(marketing, value::Settings{}).error().code,
            ErrorCode::kPermissionDenied);
  value::Settings gap;
  gap.rfm_rules = {"Champions:5:4-5:1-5"};  // leaves cells without a segment
  EXPECT_EQ(values_->UpdateSettings(admin_, gap).error().code, ErrorCode::kInvalidArgument);
  value::Settings all_lost;
  all_lost.rfm_rules = {"Champions:5:5:5", "Lost:1-5:1-5:1-5"};
  all_lost.margin = 0.5;
  all_lost.cycle_multiplier = 2;
  ASSERT_TRUE(values_->UpdateSettings(admin_, all_lost).ok());
  auto back = values_->GetSettings(marketing);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->rfm_rules, all_lost.rfm_rules);
  EXPECT_DOUBLE_EQ(back->margin, 0.5);
  const int64_t a = NewCustomer("甲"), b = NewCustomer("乙"), d = NewCustomer("丁");
  Orders({{a, Noon(2026, 6, 1), "online", 1000},
          {b, Noon(2026, 5, 1), "online", 3000},
          {d, Noon(2026, 1, 10), "online", 5000},
          {d, Noon(2026, 2, 10), "online", 5000},
          {d, Noon(2026, 3, 10), "online", 5000},
          {d, Noon(2026, 4, 10), "online", 5000}});
  auto run = values_->RunNow(admin_, RunRequest{.as_of = CivilDate{2026, 6, 30}});
  ASSERT_TRUE(run.ok());
  auto v = ValuesOf(run->id);
  EXPECT_EQ(v.at(a).segment, "Lost");
  EXPECT_EQ(v.at(b).margin_minor, 1500);  // 50% of 3000, no cost known
  // D: 81 days since the last order > 2 x the median gap of 31 days.
  EXPECT_TRUE(v.at(d).at_risk);
  EXPECT_NE(v.at(d).at_risk_reason.find("overdue"), std::string::npos);
}

TEST_P(ValueTest, NightlyJobRunsAtTwoInShanghaiAndMakesUpAMissedNightOnce) {
  // 2026-11-23T08:00Z is 16:00 in Shanghai; the last 02:00 there was 2026-11-22T18:00Z.
  EXPECT_EQ(value::NightlyJob::LastDue(kStart), Noon(2026, 11, 22) + 6 * 3'600'000);
  EXPECT_EQ(value::NightlyJob::NextDue(kStart), Noon(2026, 11, 23) + 6 * 3'600'000);
  value::NightlyJob job(*values_, clock_, 1);
  auto first = job.Tick();  // no run ever: runs now
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->trigger, "nightly");
  EXPECT_FALSE(job.Tick()->has_value());
  clock_.Set(Noon(2026, 11, 23) + 6 * 3'600'000 - 1);  // 01:59:59.999 in Shanghai
  EXPECT_FALSE(job.Tick()->has_value());
  clock_.Advance(1);  // 02:00
  auto second = job.Tick();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->started_at, Noon(2026, 11, 23) + 6 * 3'600'000);
  EXPECT_FALSE(job.Tick()->has_value());
  // The server was down for three nights: one run on return, not three.
  clock_.Advance(3 * kDayMs + 5 * 3'600'000);
  ASSERT_TRUE(job.Tick()->has_value());
  EXPECT_FALSE(job.Tick()->has_value());
  auto runs = values_->ListRuns(admin_);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Db, ValueTest, ::testing::Values(Backend::kSqliteFile, Backend::kPostgres),
                         store::testing::BackendName);

}  // namespace
}  // namespace kehu::testing
