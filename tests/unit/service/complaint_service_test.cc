// Complaint desk use cases on SQLite and PostgreSQL (see tests/unit/domain/fixture.h).

#include "domain/service/complaint_service.h"

#include "fixture.h"

namespace kehu::testing {
namespace {

using service::ComplaintService;
using service::ComplaintStatus;

constexpr int64_t kMin = 60'000;

class ComplaintServiceTest : public DomainTest {
 protected:
  void SetUp() override {
    DomainTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    repo_ = store::MakeServiceRepository(*db_);
    svc_ = NewService();
    ASSERT_TRUE(svc_->EnsureDefaults(1).ok());
    svc_->SetSurveySecret("unit-test-secret");
    svc1_ = MakeUser("svc1", "service");
    svc2_ = MakeUser("svc2", "service");
    lead_ = MakeUser("lead", "manager");
    auto team = identity_->CreateTeam(admin_, identity::Team{.name = "经销商客服", .lead_user_id = lead_.user_id,
                                                             .member_ids = {svc1_.user_id, svc2_.user_id}});
    ASSERT_TRUE(team.ok()) << team.error().message;
    team_ = *team;
  }
  void TearDown() override {
    svc_.reset();
    repo_.reset();
    DomainTest::TearDown();
  }
  std::unique_ptr<ComplaintService> NewService() {
    return std::make_unique<ComplaintService>(*repo_, *customers_, *ids_, clock_);
  }
  int64_t Customer(const std::string& category, bool vip = false) {
    customers::CustomerPatch p;
    p.name = "客户" + std::to_string(++n_);
    p.category = category;
    p.vip = vip;
    auto c = customers_->Create(admin_, p);
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c->id;
  }
  service::ComplaintView File(int64_t customer, int severity = 2, std::optional<int64_t> assignee = std::nullopt) {
    auto r = svc_->Create(admin_, {.customer_id = customer, .channel = "hotline", .category = "product_quality",
                                   .severity = severity, .description = "酒有异味", .assignee_id = assignee});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return *r;
  }
  void Route(const std::string& strategy) {
    auto r = svc_->PutRouting(admin_, {.routes = {{"distributor", team_.id}},
                                       .teams = {{.team_id = team_.id, .strategy = *service::ParseStrategy(strategy)}}});
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  std::vector<int> Steps(int64_t id) {
    std::vector<int> out;
    auto events = svc_->Events(admin_, id);
    if (!events.ok()) {
      ADD_FAILURE() << events.error().message;
      return out;
    }
    for (const auto& e : events.value())
      if (e.kind == "escalation") out.push_back(e.step);
    return out;
  }

  std::unique_ptr<service::ServiceRepository> repo_;
  std::unique_ptr<ComplaintService> svc_;
  identity::Principal svc1_, svc2_, lead_;
  identity::Team team_;
  int n_{0};
};

TEST_P(ComplaintServiceTest, InvalidTransitionIsFailedPreconditionListingTheAllowed) {
  auto c = File(Customer("online_consumer"), 2, svc1_.user_id);
  EXPECT_EQ(c.complaint.status, ComplaintStatus::kAssigned);
  auto bad = svc_->Transition(svc1_, c.complaint.id, "closed", "", std::nullopt);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(bad.error().allowed, std::vector<std::string>{"in_progress"});
  for (const char* to : {"in_progress", "resolved", "closed", "in_progress", "resolved"}) {
    auto r = svc_->Transition(svc1_, c.complaint.id, to, "", std::nullopt);
    ASSERT_TRUE(r.ok()) << to << ": " << r.error().message;
  }
  auto again = svc_->Transition(svc1_, c.complaint.id, "waiting_customer", "", std::nullopt);
  EXPECT_EQ(again.error().allowed, (std::vector<std::string>{"closed", "in_progress"}));
  auto sales = MakeUser("seller", "sales");
  EXPECT_EQ(svc_->Transition(sales, c.complaint.id, "closed", "", std::nullopt).error().code,
            ErrorCode::kPermissionDenied);
}

TEST_P(ComplaintServiceTest, RoutesRoundRobinInsideTheTeam) {
  Route("round_robin");
  int64_t cust = Customer("distributor");
  std::vector<int64_t> got;
  for (int i = 0; i < 4; ++i) got.push_back(*File(cust).complaint.assignee_id);
  EXPECT_EQ(got, (std::vector<int64_t>{svc1_.user_id, svc2_.user_id, svc1_.user_id, svc2_.user_id}));
  auto c = File(cust);
  EXPECT_EQ(c.complaint.team_id, team_.id);
  EXPECT_EQ(File(Customer("consignment")).complaint.status, ComplaintStatus::kNew);  // no route: unassigned
}

TEST_P(ComplaintServiceTest, RoutesToTheLeastLoadedMember) {
  Route("least_loaded");
  int64_t cust = Customer("distributor");
  File(Customer("online_consumer"), 3, svc1_.user_id);
  File(Customer("online_consumer"), 3, svc1_.user_id);
  EXPECT_EQ(*File(cust).complaint.assignee_id, svc2_.user_id);  // svc1 has 2 open, svc2 0
  EXPECT_EQ(*File(cust).complaint.assignee_id, svc2_.user_id);  // 2 vs 1
  EXPECT_EQ(*File(cust).complaint.assignee_id, svc1_.user_id);  // tie 2-2: lowest id
}

TEST_P(ComplaintServiceTest, SlaClockCountsBusinessTimeAndPausesWhileWaiting) {
  // kStart is Monday 2026-11-23 16:00 in Shanghai: two business hours left today.
  auto c = File(Customer("online_consumer"), 4, svc1_.user_id);
  int64_t id = c.complaint.id;
  clock_.Advance(60 * kMin);
  ASSERT_TRUE(svc_->Transition(svc1_, id, "in_progress", "", std::nullopt).ok());
  auto w = svc_->Transition(svc1_, id, "waiting_customer", "", std::nullopt);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->sla.elapsed_ms, 60 * kMin);
  EXPECT_EQ(*w->complaint.response_elapsed_ms, 60 * kMin);
  clock_.Advance(24 * 60 * kMin);  // a whole business day passes while waiting: not counted
  EXPECT_EQ(svc_->Get(svc1_, id)->sla.elapsed_ms, 60 * kMin);
  EXPECT_FALSE(svc_->Get(svc1_, id)->complaint.next_escalation_at.has_value());
  ASSERT_TRUE(svc_->Transition(svc1_, id, "in_progress", "", std::nullopt).ok());  // Tue 17:00
  clock_.Advance(3 * 60 * kMin);  // Tue 20:00: one more business hour (17-18)
  EXPECT_EQ(svc_->Get(svc1_, id)->sla.elapsed_ms, 2 * 60 * kMin);
}

TEST_P(ComplaintServiceTest, FirstResponseByNoteToTheCustomer) {
  auto c = File(Customer("online_consumer"), 2, svc1_.user_id);
  clock_.Advance(5 * kMin);
  ASSERT_TRUE(svc_->AddNote(svc1_, c.complaint.id, "内部备注", false).ok());
  EXPECT_FALSE(svc_->Get(svc1_, c.complaint.id)->complaint.first_response_at.has_value());
  auto r = svc_->AddNote(svc1_, c.complaint.id, "已致电客户致歉", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->complaint.first_response_at, kStart + 5 * kMin);
  EXPECT_EQ(svc_->AddNote(svc1_, c.complaint.id, "  ", true).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(ComplaintServiceTest, EscalationFiresOnceAcrossARestart) {
  Route("round_robin");
  // Severity 1, not VIP: response 60 business minutes. Monday 16:00 + 45 min = 75%.
  auto c = File(Customer("distributor"), 1);
  int64_t id = c.complaint.id;
  EXPECT_EQ(*c.complaint.next_escalation_at, kStart + 45 * kMin);
  clock_.Advance(44 * kMin);
  EXPECT_EQ(*svc_->RunEscalationPass(), 0);
  clock_.Advance(2 * kMin);
  EXPECT_EQ(*svc_->RunEscalationPass(), 1);
  EXPECT_EQ(*svc_->RunEscalationPass(), 0);
  EXPECT_EQ(Steps(id), std::vector<int>{75});
  // The assignee got the warning in-app; without an address the email is queued as no_address.
  auto notes = *svc_->Notifications(identity::Principal{.org_id = 1, .user_id = *c.complaint.assignee_id});
  ASSERT_FALSE(notes.empty());
  EXPECT_EQ(notes.front().kind, "escalation");

  // A restart: a new service over the same database. The 100% step (Mon 17:00) fell due while the
  // process was down; the new process fires it once and does not repeat 75%.
  svc_ = NewService();
  svc_->SetSurveySecret("unit-test-secret");
  clock_.Set(kStart + 70 * kMin);  // Mon 17:10 Shanghai: past 100%, before 150% (17:30)
  EXPECT_EQ(*svc_->RunEscalationPass(), 1);
  EXPECT_EQ(Steps(id), (std::vector<int>{75, 100}));
  // Even if the stored levels were lost, the unique (complaint, target, step) key repeats nothing.
  auto cur = *repo_->GetComplaint(1, id);
  cur->response_level = 0;
  cur->next_escalation_at = clock_.Now();
  ASSERT_TRUE(repo_->ApplyEscalations({{*cur, {}}}).ok());
  EXPECT_EQ(*svc_->RunEscalationPass(), 0);
  EXPECT_EQ(Steps(id), (std::vector<int>{75, 100}));
  // The team lead got the 100% step.
  auto lead_notes = *svc_->Notifications(lead_);
  ASSERT_EQ(lead_notes.size(), 1u);
  // Responding stops the response ladder; the resolution ladder goes on.
  ASSERT_TRUE(svc_->Transition(svc1_, id, "in_progress", "", std::nullopt).ok());
  auto after = svc_->Get(admin_, id);
  ASSERT_TRUE(after->complaint.next_escalation_at.has_value());
  EXPECT_GT(*after->complaint.next_escalation_at, clock_.Now());
  auto outbox = *svc_->Outbox(admin_);
  EXPECT_EQ(outbox.size(), 2u);
  for (const auto& e : outbox) EXPECT_EQ(e.status, "no_address");
}

TEST_P(ComplaintServiceTest, QueueIsSortedByPriority) {
  auto low = File(Customer("online_consumer"), 4, svc1_.user_id);
  auto high = File(Customer("distributor", true), 1, svc1_.user_id);
  auto mid = File(Customer("group_purchase"), 3, svc1_.user_id);
  auto q = svc_->Queue(svc1_, "mine");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[0].complaint.id, high.complaint.id);
  EXPECT_EQ((*q)[1].complaint.id, mid.complaint.id);
  EXPECT_EQ((*q)[2].complaint.id, low.complaint.id);
  EXPECT_TRUE(svc_->Queue(svc2_, "mine")->empty());
  EXPECT_EQ(svc_->Queue(svc1_, "all").error().code, ErrorCode::kInvalidArgument);
}

// Closing a resolved complaint keeps its resolution time (it counts in the SLA statistics);
// only going back to work from resolved or closed is a reopen.
TEST_P(ComplaintServiceTest, ClosingKeepsTheResolutionAndOnlyBackToWorkReopens) {
  auto c = File(Customer("distributor"), 2, svc1_.user_id);
  const int64_t id = c.complaint.id;
  ASSERT_TRUE(svc_->Transition(svc1_, id, "in_progress", "", std::nullopt).ok());
  clock_.Advance(30 * kMin);
  auto resolved = svc_->Transition(svc1_, id, "resolved", "换货", std::nullopt);
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  ASSERT_TRUE(resolved->complaint.resolution_elapsed_ms.has_value());
  auto closed = svc_->Transition(svc1_, id, "closed", "", std::nullopt);
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  EXPECT_TRUE(closed->complaint.closed_at.has_value());
  EXPECT_EQ(closed->complaint.resolution_elapsed_ms, resolved->complaint.resolution_elapsed_ms);
  auto reopened = svc_->Transition(svc1_, id, "in_progress", "客户仍不满意", std::nullopt);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  EXPECT_FALSE(reopened->complaint.closed_at.has_value());
  EXPECT_FALSE(reopened->complaint.resolution_elapsed_ms.has_value());
  auto events = svc_->Events(admin_, id);
  ASSERT_TRUE(events.ok());
  int reopens = 0, closes = 0;
  for (const auto& e : *events) {
    if (e.kind == "reopen") ++reopens;
    if (e.kind == "status" && e.to_status == "closed") ++closes;
  }
  EXPECT_EQ(reopens, 1);
  EXPECT_EQ(closes, 1);
}

// Analytics' value percentile is part of customer importance: 20 points x percentile.
class FixedRanking final : public service::ValueRanking {
 public:
  std::map<int64_t, double> pct;
  Result<std::map<int64_t, double>> Percentiles(int64_t, const std::vector<int64_t>& ids) override {
    std::map<int64_t, double> out;
    for (int64_t id : ids)
      if (auto it = pct.find(id); it != pct.end()) out[id] = it->second;
    return out;
  }
};

TEST_P(ComplaintServiceTest, ValuePercentileRaisesPriorityAndReordersTheQueue) {
  const int64_t valuable = Customer("online_consumer"), ordinary = Customer("online_consumer");
  auto first = File(ordinary, 3, svc1_.user_id);
  auto second = File(valuable, 3, svc1_.user_id);
  EXPECT_FALSE(first.value_percentile.has_value());
  auto q = svc_->Queue(svc1_, "mine");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 2u);
  EXPECT_DOUBLE_EQ((*q)[0].priority, (*q)[1].priority);  // the same importance, severity and time

  FixedRanking ranking;
  ranking.pct = {{valuable, 0.9}, {ordinary, 0.1}};
  svc_->SetValueRanking(&ranking);
  q = svc_->Queue(svc1_, "mine");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)[0].complaint.id, second.complaint.id);
  ASSERT_TRUE((*q)[0].value_percentile.has_value());
  EXPECT_DOUBLE_EQ(*(*q)[0].value_percentile, 0.9);
  EXPECT_NEAR((*q)[0].priority - (*q)[1].priority, 20.0 * (0.9 - 0.1), 1e-9);
  auto one = svc_->Get(svc1_, first.complaint.id);
  ASSERT_TRUE(one.ok());
  EXPECT_DOUBLE_EQ(*one->value_percentile, 0.1);
  EXPECT_NEAR(one->priority, (*q)[1].priority, 1e-9);
  svc_->SetValueRanking(nullptr);
}

TEST_P(ComplaintServiceTest, SurveyLinkRefusesForgeryExpiryAndASecondAnswer) {
  auto c = File(Customer("online_consumer"), 2, svc1_.user_id);
  for (const char* to : {"in_progress", "resolved", "closed"})
    ASSERT_TRUE(svc_->Transition(svc1_, c.complaint.id, to, "", std::nullopt).ok());
  auto v = svc_->Get(svc1_, c.complaint.id);
  ASSERT_FALSE(v->survey_token.empty());
  const std::string tok = v->survey_token;
  EXPECT_FALSE(svc_->GetSurvey(tok)->answered);
  std::string forged = service::SignSurveyToken("guessed", 1, c.complaint.id, kStart + 1'000'000'000);
  EXPECT_EQ(svc_->AnswerSurvey(forged, 5, 10, "").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(svc_->AnswerSurvey(tok, 0, 10, "").error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(svc_->AnswerSurvey(tok, 4, 8, "还行").ok());
  EXPECT_EQ(svc_->AnswerSurvey(tok, 5, 10, "").error().code, ErrorCode::kAlreadyExists);
  auto sat = svc_->Satisfaction(admin_, c.complaint.customer_id);
  ASSERT_EQ(sat->size(), 1u);
  EXPECT_EQ(*(*sat)[0].csat, 4);
  // Another closed complaint's link expires after 30 days.
  auto d = File(Customer("online_consumer"), 2, svc1_.user_id);
  for (const char* to : {"in_progress", "resolved", "closed"})
    ASSERT_TRUE(svc_->Transition(svc1_, d.complaint.id, to, "", std::nullopt).ok());
  const std::string tok2 = svc_->Get(svc1_, d.complaint.id)->survey_token;
  clock_.Advance(service::kSurveyValidityMs);
  EXPECT_EQ(svc_->GetSurvey(tok2).error().code, ErrorCode::kFailedPrecondition);
  // Stats see the answer: CSAT 4, NPS 8 is passive -> 0.
  auto st = svc_->ServiceStats(admin_, kStart - 1, kStart + 1);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->total, 2);
  EXPECT_DOUBLE_EQ(*st->csat_average, 4.0);
  EXPECT_DOUBLE_EQ(*st->nps, 0.0);
}

TEST_P(ComplaintServiceTest, TimelineSourcePagesTheCustomersComplaintEventsNewestFirst) {
  int64_t cust = Customer("online_consumer");
  auto c = File(cust, 2, svc1_.user_id);  // events: created, assignment (same instant)
  clock_.Advance(kMin);
  ASSERT_TRUE(svc_->Transition(svc1_, c.complaint.id, "in_progress", "", std::nullopt).ok());
  File(Customer("online_consumer"), 2, svc1_.user_id);  // another customer's: not on this feed
  timeline::Source* src = svc_->TimelineSource();
  auto all = src->Page(admin_, cust, std::nullopt, 10);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].kind, "complaint");
  EXPECT_EQ((*all)[0].occurred_at, kStart + kMin);
  for (size_t i = 1; i < all->size(); ++i) EXPECT_TRUE(timeline::After((*all)[i], {(*all)[i - 1].occurred_at, "complaint", (*all)[i - 1].id}));
  auto first = src->Page(admin_, cust, std::nullopt, 1);
  ASSERT_EQ(first->size(), 1u);
  auto rest = src->Page(admin_, cust, timeline::Cursor{(*first)[0].occurred_at, "complaint", (*first)[0].id}, 10);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].id, (*all)[1].id);
  // A cursor of a kind sorting after "complaint" at the same instant includes that instant's rows.
  auto later_kind = src->Page(admin_, cust, timeline::Cursor{kStart, "interaction", 0}, 10);
  EXPECT_EQ(later_kind->size(), 2u);
  auto earlier_kind = src->Page(admin_, cust, timeline::Cursor{kStart, "audit", 0}, 10);
  EXPECT_EQ(earlier_kind->size(), 0u);
}

// One row with exactly the figures the statistics read, written through the repository.
struct StatRow {
  UnixMillis at{0};
  std::string category{}, channel{};
  std::optional<int64_t> team{};
  ComplaintStatus status{ComplaintStatus::kNew};
  std::optional<int64_t> response_min{}, resolution_min{};
  int64_t target_min{0};
  std::optional<int> csat{}, nps{};
  bool answered{false};
  int64_t org{1};
};

TEST_P(ComplaintServiceTest, ServiceStatsAreCountedInTheDatabaseByLocalDay) {
  auto other = identity_->CreateTeam(admin_, identity::Team{.name = "团购客服", .lead_user_id = lead_.user_id,
                                                            .member_ids = {svc1_.user_id}});
  ASSERT_TRUE(other.ok()) << other.error().message;
  const int64_t cust = Customer("online_consumer");
  // Local (UTC+08:00) midnight opening Monday 2026-11-23; kStart is 16:00 that day.
  const UnixMillis from = kStart - 16 * 60 * kMin;
  const UnixMillis to = from + 3 * 1440 * kMin;
  const UnixMillis h = 60 * kMin;
  const auto S = ComplaintStatus::kResolved, C = ComplaintStatus::kClosed;
  const std::vector<StatRow> rows = {
      // A: local midnight itself (UTC date 11-22); met 60 <= 120; survey 5 / 10.
      {from, "product_quality", "hotline", team_.id, S, 10, 60, 120, 5, 10, true},
      // B: missed 200 > 120; survey 2 / 9 (a promoter at the boundary).
      {kStart, "product_quality", "wechat", team_.id, C, 30, 200, 120, 2, 9, true},
      // C: 23:59:59.999 local, the last instant of 11-23; open, so its resolution time is ignored.
      {from + 24 * h - 1, "logistics", "hotline", other->id, ComplaintStatus::kInProgress, 20, 50, 100},
      // D: local midnight of 11-24 (still 11-23 in UTC); scores without an answer do not count.
      {from + 24 * h, "logistics", "web", std::nullopt, ComplaintStatus::kNew, {}, {}, 0, 1, 0, false},
      // E: a team id no team has; no target, so not measured; survey 4 / 6 (a detractor).
      {from + 58 * h, "pricing", "hotline", 9999, S, 40, 90, 0, 4, 6, true},
      // F: met at exactly the target; survey 3 / 7 (passive).
      {from + 59 * h, "product_quality", "hotline", other->id, S, 60, 120, 120, 3, 7, true},
      // G: waiting for the customer.
      {from + 33 * h, "counterfeit", "visit", std::nullopt, ComplaintStatus::kWaitingCustomer, 15, {}, 0},
      // H: met 30 <= 60; survey 4 / 8 (passive).
      {from + 12 * h, "other", "hotline", team_.id, C, 5, 30, 60, 4, 8, true},
      // Outside: just before the range, at its end (excluded), and another org's.
      {from - 1, "other", "hotline", team_.id, C, 5, 30, 60, 1, 0, true},
      {to, "other", "hotline", team_.id, C, 5, 30, 60, 1, 0, true},
      {kStart, "other", "hotline", team_.id, C, 5, 30, 60, 1, 0, true, 2},
  };
  for (const auto& r : rows) {
    service::Complaint c{.org_id = r.org, .number = "TS-2026-", .customer_id = cust, .channel = r.channel,
                         .category = r.category, .severity = 2, .description = "统计", .status = r.status,
                         .team_id = r.team, .customer_category = "online_consumer", .created_at = r.at,
                         .updated_at = r.at, .resolution_target_ms = r.target_min * kMin};
    if (r.response_min) c.response_elapsed_ms = *r.response_min * kMin;
    if (r.resolution_min) c.resolution_elapsed_ms = *r.resolution_min * kMin;
    c.csat = r.csat;
    c.nps = r.nps;
    if (r.answered) c.survey_answered_at = r.at + h;
    auto w = repo_->WriteComplaint({.complaint = c});
    ASSERT_TRUE(w.ok()) << w.error().message;
  }

  auto st = svc_->ServiceStats(admin_, from, to);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(st->total, 8);
  EXPECT_EQ(st->by_category, (std::map<std::string, int64_t>{
                                 {"counterfeit", 1}, {"logistics", 2}, {"other", 1}, {"pricing", 1},
                                 {"product_quality", 3}}));
  EXPECT_EQ(st->by_channel,
            (std::map<std::string, int64_t>{{"hotline", 5}, {"visit", 1}, {"web", 1}, {"wechat", 1}}));
  EXPECT_EQ(st->by_team, (std::map<std::string, int64_t>{
                             {"9999", 1}, {"none", 2}, {"团购客服", 2}, {"经销商客服", 3}}));
  EXPECT_EQ(st->per_day,
            (std::map<std::string, int64_t>{{"2026-11-23", 4}, {"2026-11-24", 2}, {"2026-11-25", 2}}));
  // Responses A B C E F G H: 10+30+20+40+60+15+5 = 180 minutes over 7.
  ASSERT_TRUE(st->mean_first_response_ms.has_value());
  EXPECT_DOUBLE_EQ(*st->mean_first_response_ms, 180.0 * kMin / 7);
  // Resolutions of the not-open A B E F H: 60+200+90+120+30 = 500 minutes over 5.
  ASSERT_TRUE(st->mean_resolution_ms.has_value());
  EXPECT_DOUBLE_EQ(*st->mean_resolution_ms, 100.0 * kMin);
  // Measured A B F H (E has no target); met A F H.
  EXPECT_EQ(st->sla_measured, 4);
  ASSERT_TRUE(st->sla_compliance.has_value());
  EXPECT_DOUBLE_EQ(*st->sla_compliance, 75.0);
  // Answers A B E F H: CSAT 18 / 5; promoters A B, detractor E: (2 - 1) / 5.
  EXPECT_EQ(st->survey_answers, 5);
  ASSERT_TRUE(st->csat_average.has_value());
  EXPECT_DOUBLE_EQ(*st->csat_average, 3.6);
  ASSERT_TRUE(st->nps.has_value());
  EXPECT_DOUBLE_EQ(*st->nps, 20.0);

  // An empty range has counts of zero and no averages.
  auto none = svc_->ServiceStats(admin_, to + 1, to + 2);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->total, 0);
  EXPECT_TRUE(none->per_day.empty());
  EXPECT_FALSE(none->sla_compliance || none->mean_first_response_ms || none->mean_resolution_ms ||
               none->csat_average || none->nps);
  EXPECT_EQ(svc_->ServiceStats(admin_, to, from).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(svc_->ServiceStats(MakeUser("seller", "sales"), from, to).error().code, ErrorCode::kPermissionDenied);
}

KEHU_DOMAIN_BACKENDS(ComplaintServiceTest);

}  // namespace
}  // namespace kehu::testing
