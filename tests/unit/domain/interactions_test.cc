// Interactions, the timeline feed, follow-up tasks and the contact center, on SQLite and
// PostgreSQL (fixture.h), with a ManualClock: nothing sleeps.

#include <algorithm>
#include <chrono>
#include <future>
#include <set>

#include "domain/interactions/interaction_service.h"
#include "domain/interactions/telephony.h"
#include "domain/interactions/timeline_feed.h"
#include "fixture.h"

namespace kehu::testing {
namespace {

using interactions::InteractionPatch;
using interactions::TaskPatch;

class InteractionsTest : public DomainTest {
 protected:
  void SetUp() override {
    DomainTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    repo_ = store::MakeInteractionRepository(*db_);
    service_ =
        std::make_unique<interactions::InteractionService>(*repo_, *customers_, *ids_, clock_);
    telephony_ = std::make_unique<interactions::TelephonyService>(*repo_, *service_, *customers_,
                                                                  *ids_, hub_, clock_);
    audit_source_ = std::make_unique<interactions::AuditTimelineSource>(*repo_);
    interaction_source_ = std::make_unique<interactions::InteractionTimelineSource>(*service_);
  }
  void TearDown() override {
    interaction_source_.reset();
    audit_source_.reset();
    telephony_.reset();
    service_.reset();
    repo_.reset();
    DomainTest::TearDown();
  }

  customers::Customer NewCustomer(const identity::Principal& p, const std::string& phone) {
    auto c =
        customers_->Create(p, customers::CustomerPatch{.name = std::string("客户") + phone,
                                                       .phones = std::vector<std::string>{phone}});
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return *c;
  }

  interactions::Interaction Log(const identity::Principal& p, std::vector<int64_t> customers,
                                UnixMillis at, const std::string& type = "call") {
    auto i = service_->Create(p, InteractionPatch{.type = type,
                                                  .occurred_at = FormatTimestamp(at),
                                                  .customer_ids = std::move(customers)});
    EXPECT_TRUE(i.ok()) << (i.ok() ? "" : i.error().message);
    return *i;
  }

  std::unique_ptr<interactions::InteractionRepository> repo_;
  std::unique_ptr<interactions::InteractionService> service_;
  interactions::PopHub hub_;
  std::unique_ptr<interactions::TelephonyService> telephony_;
  std::unique_ptr<interactions::AuditTimelineSource> audit_source_;
  std::unique_ptr<interactions::InteractionTimelineSource> interaction_source_;
};

TEST_P(InteractionsTest, InteractionIsHiddenWhenAnyLinkedCustomerIsInvisible) {
  auto wang = MakeUser("wang", "sales");
  auto li = MakeUser("li", "sales");
  auto mine = NewCustomer(wang, "13800000001");
  auto theirs = NewCustomer(li, "13800000002");
  auto both = Log(admin_, {mine.id, theirs.id}, kStart);
  EXPECT_EQ(service_->Get(wang, both.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Get(li, both.id).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(service_->Get(admin_, both.id).ok());
  auto only_mine = Log(wang, {mine.id}, kStart + 1);
  EXPECT_TRUE(service_->Get(wang, only_mine.id).ok());
  auto bad = service_->Create(
      wang, InteractionPatch{.type = "note", .customer_ids = std::vector<int64_t>{theirs.id}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields.at(0).field, "customer_ids[0]");
  auto list = service_->List(wang, {.customer_id = mine.id});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].id, only_mine.id);
  // li may not change it: it is not even visible
  EXPECT_EQ(service_->Update(li, only_mine.id, 1, InteractionPatch{.subject = "x"}).error().code,
            ErrorCode::kNotFound);
}

TEST_P(InteractionsTest, CreateUpdateDeleteAreAudited) {
  auto c = NewCustomer(admin_, "13800000003");
  auto i = Log(admin_, {c.id}, kStart);
  auto u = service_->Update(admin_, i.id, 1, InteractionPatch{.outcome = "ordered"});
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->version, 2);
  EXPECT_EQ(service_->Update(admin_, i.id, 1, InteractionPatch{.outcome = "x"}).error().code,
            ErrorCode::kAborted);
  ASSERT_TRUE(service_->Delete(admin_, i.id).ok());
  auto audit = ids_->ListAudit(1, "interaction", i.id, 0, 10);
  ASSERT_TRUE(audit.ok());
  std::vector<std::string> actions;
  for (const auto& a : *audit) actions.push_back(a.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"delete", "update", "create"}));
  EXPECT_EQ(service_->Get(admin_, i.id).error().code, ErrorCode::kNotFound);
}

// A third source, as complaints or orders would plug in, with entries at the same instants.
class FakeSource final : public timeline::Source {
 public:
  explicit FakeSource(std::vector<timeline::Entry> entries) : entries_(std::move(entries)) {}
  Result<std::vector<timeline::Entry>> Page(const identity::Principal&, int64_t,
                                            const std::optional<timeline::Cursor>& after,
                                            int limit) override {
    std::vector<timeline::Entry> out;
    for (const auto& e : entries_)
      if ((!after || timeline::After(e, *after)) && static_cast<int>(out.size()) < limit)
        out.push_back(e);
    return out;
  }

 private:
  std::vector<timeline::Entry> entries_;  // newest first
};

TEST_P(InteractionsTest, TimelineMergesSourcesAndPagesWithoutGapsOrRepeatsAtEqualTimes) {
  auto c = NewCustomer(admin_, "13800000004");  // audit "create" at kStart
  ASSERT_TRUE(
      customers_->Update(admin_, c.id, 1, customers::CustomerPatch{.note = std::string("n")}).ok());
  for (int k = 0; k < 3; ++k) Log(admin_, {c.id}, kStart);  // same instant as the audit entries
  Log(admin_, {c.id}, kStart + 5000);
  FakeSource complaints({{.kind = "complaint", .id = 9, .occurred_at = kStart + 5000},
                         {.kind = "complaint", .id = 8, .occurred_at = kStart},
                         {.kind = "complaint", .id = 7, .occurred_at = kStart}});
  std::vector<timeline::Source*> sources{audit_source_.get(), interaction_source_.get(),
                                         &complaints};
  auto full = timeline::Feed(admin_, *customers_, sources, c.id, "", 200, {});
  ASSERT_TRUE(full.ok()) << full.error().message;
  ASSERT_EQ(full->items.size(), 2u + 4u + 3u);
  EXPECT_FALSE(full->next_cursor);
  for (size_t k = 1; k < full->items.size(); ++k) {
    const auto& a = full->items[k - 1];
    timeline::Cursor key{a.occurred_at, a.kind, a.id};
    EXPECT_TRUE(timeline::After(full->items[k], key)) << k;
  }
  for (int limit : {1, 2, 3, 4}) {
    std::vector<std::pair<std::string, int64_t>> paged;
    std::string cursor;
    for (int pages = 0; pages < 50; ++pages) {
      auto page = timeline::Feed(admin_, *customers_, sources, c.id, cursor, limit, {});
      ASSERT_TRUE(page.ok());
      EXPECT_LE(static_cast<int>(page->items.size()), limit);
      for (const auto& e : page->items) paged.emplace_back(e.kind, e.id);
      if (!page->next_cursor) break;
      cursor = *page->next_cursor;
    }
    std::vector<std::pair<std::string, int64_t>> expected;
    for (const auto& e : full->items) expected.emplace_back(e.kind, e.id);
    EXPECT_EQ(paged, expected) << "limit " << limit;
  }
  auto only = timeline::Feed(admin_, *customers_, sources, c.id, "", 200, {"complaint", "audit"});
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(only->items.size(), 5u);
  EXPECT_EQ(timeline::Feed(admin_, *customers_, sources, c.id, "bad!", 10, {}).error().code,
            ErrorCode::kInvalidArgument);
  auto li = MakeUser("li", "sales");
  EXPECT_EQ(timeline::Feed(li, *customers_, sources, c.id, "", 10, {}).error().code,
            ErrorCode::kNotFound);
}

TEST_P(InteractionsTest, TasksTodayAndOverdueFollowTheShanghaiDay) {
  auto wang = MakeUser("wang", "sales");
  clock_.Set(*ParseTimestamp("2026-11-23T15:30:00Z"));  // 23:30 in Shanghai
  auto make = [&](const char* title, const char* due) {
    auto t = service_->CreateTask(
        wang, TaskPatch{.title = std::string(title), .due_at = std::string(due)});
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
    return t->id;
  };
  int64_t overdue = make("overdue", "2026-11-23T15:00:00Z");
  int64_t later_today = make("today", "2026-11-23T15:45:00Z");
  int64_t tomorrow = make("tomorrow", "2026-11-23T16:30:00Z");  // 00:30 next day in Shanghai
  auto ids = [](const std::vector<interactions::Task>& v) {
    std::vector<int64_t> out;
    for (const auto& t : v) out.push_back(t.id);
    return out;
  };
  auto today = service_->MyTasksToday(wang);
  ASSERT_TRUE(today.ok());
  EXPECT_EQ(ids(today->overdue), std::vector<int64_t>{overdue});
  EXPECT_EQ(ids(today->today), std::vector<int64_t>{later_today});
  clock_.Advance(3600 * 1000);  // 00:30 the next day in Shanghai
  today = service_->MyTasksToday(wang);
  EXPECT_EQ(ids(today->overdue), (std::vector<int64_t>{overdue, later_today}));
  EXPECT_EQ(ids(today->today), std::vector<int64_t>{tomorrow});
  auto due_today = service_->ListTasks(wang, {.due = std::string("today")});
  EXPECT_EQ(ids(due_today->items), std::vector<int64_t>{tomorrow});
  auto t = service_->GetTask(wang, later_today);
  auto done =
      service_->UpdateTask(wang, later_today, t->version, TaskPatch{.status = std::string("done")});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->completed_at, clock_.Now());
  EXPECT_EQ(
      service_->UpdateTask(wang, later_today, t->version, TaskPatch{.title = std::string("x")})
          .error()
          .code,
      ErrorCode::kAborted);
  today = service_->MyTasksToday(wang);
  EXPECT_EQ(ids(today->overdue), std::vector<int64_t>{overdue});
  auto li = MakeUser("li", "sales");
  EXPECT_EQ(service_->GetTask(li, overdue).error().code, ErrorCode::kNotFound);
}

TEST_P(InteractionsTest, RemindersComeDueWithTheClockAndStayDismissed) {
  auto wang = MakeUser("wang", "sales");
  auto t = service_->CreateTask(
      wang, TaskPatch{.title = std::string("call back"),
                      .due_at = FormatTimestamp(kStart + 7200000),
                      .remind_at = std::optional<std::string>(FormatTimestamp(kStart + 600000))});
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(service_->MyReminders(wang)->empty());
  clock_.Advance(600000);
  ASSERT_EQ(service_->MyReminders(wang)->size(), 1u);
  ASSERT_TRUE(service_->DismissReminder(wang, t->id).ok());
  EXPECT_TRUE(service_->MyReminders(wang)->empty());
  // rescheduling the reminder brings it back
  auto cur = service_->GetTask(wang, t->id);
  ASSERT_TRUE(service_
                  ->UpdateTask(wang, t->id, cur->version,
                               TaskPatch{.remind_at = std::optional<std::string>(
                                             FormatTimestamp(kStart + 900000))})
                  .ok());
  EXPECT_TRUE(service_->MyReminders(wang)->empty());
  clock_.Advance(300000);
  EXPECT_EQ(service_->MyReminders(wang)->size(), 1u);
}

class TelephonyTest : public InteractionsTest {
 protected:
  void SetUp() override {
    InteractionsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto s = telephony_->RotateSecret(admin_);
    ASSERT_TRUE(s.ok());
    secret_ = *s;
    key_ = admin_;
    key_.api_key_id = 1;
    agent_ = MakeUser("agent", "service");
  }

  std::string Ts() const { return std::to_string(clock_.Now() / 1000); }

  Result<interactions::CallResult> Send(const std::string& event, const std::string& call_id,
                                        const std::string& from, UnixMillis at) {
    std::string body = event + call_id + std::to_string(at) + std::to_string(++seq_);
    std::string ts = Ts();
    auto sig = telephony_->Verify(key_, ts,
                                  "sha256=" + interactions::SignTelephony(secret_, ts, body), body);
    if (!sig.ok()) return sig.error();
    const interactions::CallEvent ev{.event = event,
                                     .call_id = call_id,
                                     .from = from,
                                     .to = "4008001234",
                                     .agent = "agent",
                                     .at = FormatTimestamp(at)};
    return async_ ? ApplyAsyncAndWait(*sig, ev) : telephony_->Apply(key_, *sig, ev);
  }

  // ApplyAsync as the HTTP server uses it: done hands over a function, run here.
  Result<interactions::CallResult> ApplyAsyncAndWait(const std::string& sig, const interactions::CallEvent& ev) {
    std::promise<std::function<Result<interactions::CallResult>()>> made;
    auto ready = made.get_future();
    telephony_->ApplyAsync(key_, sig, ev, [&made](std::function<Result<interactions::CallResult>()> make) {
      made.set_value(std::move(make));
    });
    if (ready.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
      return Internal("ApplyAsync never called done");
    return ready.get()();
  }

  bool async_ = false;  // Send through ApplyAsync

  // The pops the agent's stream receives from now on.
  std::vector<interactions::Pop>& AgentPops() {
    hub_.Subscribe(1, agent_.user_id,
                   {.deliver =
                        [this](const interactions::Pop& p) {
                          pops_.push_back(p);
                          return true;
                        },
                    .alive = [] { return true; }});
    return pops_;
  }
  std::vector<interactions::Pop> pops_;

  std::string secret_;
  identity::Principal key_;
  identity::Principal agent_;
  int seq_ = 0;
};

TEST_P(TelephonyTest, SignatureMustBeFreshCorrectAndUnused) {
  const std::string body = R"({"event":"ringing"})";
  std::string ts = Ts();
  const std::string good = "sha256=" + interactions::SignTelephony(secret_, ts, body);
  EXPECT_TRUE(telephony_->Verify(key_, ts, good, body).ok());
  EXPECT_EQ(telephony_->Verify(key_, ts, good, body + " ").error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(
      telephony_->Verify(key_, ts, "sha256=" + interactions::SignTelephony("other", ts, body), body)
          .error()
          .code,
      ErrorCode::kUnauthenticated);
  EXPECT_EQ(telephony_->Verify(key_, "abc", good, body).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(telephony_->Verify(key_, ts, "md5=00", body).error().code, ErrorCode::kUnauthenticated);
  clock_.Advance(5 * 60 * 1000);  // exactly 5 minutes old: still accepted
  EXPECT_TRUE(telephony_->Verify(key_, ts, good, body).ok());
  clock_.Advance(1000);  // 5 min 1 s: stale
  EXPECT_EQ(telephony_->Verify(key_, ts, good, body).error().code, ErrorCode::kUnauthenticated);
  clock_.Advance(-10 * 60 * 1000 - 2000);  // timestamps from the future are refused alike
  EXPECT_EQ(telephony_->Verify(key_, ts, good, body).error().code, ErrorCode::kUnauthenticated);
  // a rotated secret invalidates the old one
  clock_.Set(kStart);
  ts = Ts();
  const std::string before = "sha256=" + interactions::SignTelephony(secret_, ts, body);
  ASSERT_TRUE(telephony_->RotateSecret(admin_).ok());
  EXPECT_EQ(telephony_->Verify(key_, ts, before, body).error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(telephony_->RotateSecret(agent_).error().code, ErrorCode::kPermissionDenied);
}

TEST_P(TelephonyTest, ReplayedSignatureIsRefusedAndChangesNothing) {
  std::string body = "x";
  std::string ts = Ts();
  auto sig = telephony_->Verify(key_, ts,
                                "sha256=" + interactions::SignTelephony(secret_, ts, body), body);
  ASSERT_TRUE(sig.ok());
  interactions::CallEvent ev{.event = "ringing",
                             .call_id = "c1",
                             .from = "13900000009",
                             .to = "4008001234",
                             .agent = "agent"};
  ASSERT_TRUE(telephony_->Apply(key_, *sig, ev).ok());
  ev.event = "hangup";
  auto again = telephony_->Apply(key_, *sig, ev);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUnauthenticated);
  auto call = repo_->GetCall(1, "c1");
  ASSERT_TRUE(call.ok() && *call);
  EXPECT_EQ((*call)->state, interactions::CallState::kRinging);
}

TEST_P(TelephonyTest, CallStateMachineLogsOneInteractionAtHangup) {
  auto c = NewCustomer(admin_, "13900000001");
  auto r = Send("ringing", "call-1", "139 0000 0001", kStart);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->call.customer_id, c.id);
  EXPECT_EQ(r->call.direction, interactions::Direction::kInbound);
  EXPECT_TRUE(Send("ringing", "call-1", "13900000001", kStart + 1000).ok());
  EXPECT_FALSE(Send("ringing", "call-1", "13900000001", kStart + 1000)->changed);
  EXPECT_EQ(Send("answered", "call-1", "13900000001", kStart + 4000)->call.state,
            interactions::CallState::kAnswered);
  auto h = Send("hangup", "call-1", "13900000001", kStart + 64000);
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(h->call.interaction_id);
  auto again = Send("hangup", "call-1", "13900000001", kStart + 99000);
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->call.interaction_id, h->call.interaction_id);
  auto i = service_->Get(admin_, *h->call.interaction_id);
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->type, interactions::Type::kCall);
  EXPECT_EQ(i->duration_seconds, 60);
  EXPECT_EQ(i->outcome, "answered");
  EXPECT_EQ(i->occurred_at, kStart);
  EXPECT_EQ(i->customer_ids, std::vector<int64_t>{c.id});
  EXPECT_EQ(i->participants, (std::vector<interactions::Participant>{{"user", agent_.user_id}}));
  auto list = service_->List(admin_, {.customer_id = c.id});
  EXPECT_EQ(list->items.size(), 1u);
}

// ApplyAsync (the HTTP server's path on SQLite) runs the same state machine, pops a ringing
// call once, refuses a replayed signature and answers a bad event at once.
TEST_P(TelephonyTest, ApplyAsyncRunsTheSameCallStateMachine) {
  async_ = true;
  EXPECT_EQ(telephony_->AsyncApply(), GetParam() != Backend::kPostgres);
  auto c = NewCustomer(admin_, "13900000011");
  std::vector<interactions::Pop>& got = AgentPops();
  auto r = Send("ringing", "call-11", "139 0000 0011", kStart);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->call.customer_id, c.id);
  EXPECT_FALSE(Send("ringing", "call-11", "13900000011", kStart + 1000)->changed);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].customer);
  EXPECT_EQ(got[0].customer->id, c.id);
  EXPECT_EQ(Send("answered", "call-11", "13900000011", kStart + 4000)->call.state,
            interactions::CallState::kAnswered);
  auto h = Send("hangup", "call-11", "13900000011", kStart + 34000);
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(h->call.interaction_id);
  auto i = service_->Get(admin_, *h->call.interaction_id);
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->duration_seconds, 30);
  EXPECT_EQ(i->customer_ids, std::vector<int64_t>{c.id});

  std::string body = "replayed";
  std::string ts = Ts();
  auto sig = telephony_->Verify(key_, ts, "sha256=" + interactions::SignTelephony(secret_, ts, body), body);
  ASSERT_TRUE(sig.ok());
  interactions::CallEvent ev{.event = "ringing", .call_id = "call-12", .from = "13900000012", .agent = "agent"};
  ASSERT_TRUE(ApplyAsyncAndWait(*sig, ev).ok());
  ev.event = "hangup";
  auto replayed = ApplyAsyncAndWait(*sig, ev);
  ASSERT_FALSE(replayed.ok());
  EXPECT_EQ(replayed.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ((*repo_->GetCall(1, "call-12"))->state, interactions::CallState::kRinging);

  auto bad = ApplyAsyncAndWait("sig-y", {.event = "ringing", .call_id = "", .agent = "agent"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(TelephonyTest, OutOfOrderEventsConvergeAndMissedCallsHaveNoDuration) {
  auto h = Send("hangup", "call-2", "13900000002", kStart + 30000);
  ASSERT_TRUE(h.ok()) << h.error().message;
  auto i = service_->Get(admin_, *h->call.interaction_id);
  EXPECT_EQ(i->outcome, "missed");
  EXPECT_EQ(i->duration_seconds, 0);
  EXPECT_TRUE(i->customer_ids.empty());
  auto a = Send("answered", "call-2", "13900000002", kStart + 10000);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->call.state, interactions::CallState::kHangup);
  i = service_->Get(admin_, *h->call.interaction_id);
  EXPECT_EQ(i->outcome, "answered");
  EXPECT_EQ(i->duration_seconds, 20);
  // an answer stamped after the hangup is ignored: the call stays missed
  auto hung = Send("hangup", "call-3", "13900000002", kStart + 5000);
  ASSERT_TRUE(hung.ok());
  auto late = Send("answered", "call-3", "13900000002", kStart + 9000);
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->changed);
  EXPECT_FALSE(late->call.answered_at);
  EXPECT_EQ(service_->Get(admin_, *hung->call.interaction_id)->outcome, "missed");
  auto bad = telephony_->Apply(key_, "sig-x",
                               {.event = "ringing", .call_id = "", .agent = "nobody", .at = "x"});
  ASSERT_FALSE(bad.ok());
  std::set<std::string> fields;
  for (const auto& f : bad.error().fields) fields.insert(f.field);
  EXPECT_EQ(fields, (std::set<std::string>{"call_id", "agent", "at"}));
}

TEST_P(TelephonyTest, RingingPopsTheCustomerOnTheAgentsStreamOnce) {
  auto c = NewCustomer(admin_, "13900000005");
  Log(admin_, {c.id}, kStart - 1000, "visit");
  std::vector<interactions::Pop>& got = AgentPops();
  ASSERT_TRUE(Send("ringing", "call-5", "13900000005", kStart).ok());
  ASSERT_TRUE(Send("ringing", "call-5", "13900000005", kStart).ok());  // a repeat: no second pop
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].customer);
  EXPECT_EQ(got[0].customer->id, c.id);
  EXPECT_EQ(got[0].phone, "+8613900000005");
  EXPECT_EQ(got[0].recent.size(), 1u);
  ASSERT_TRUE(Send("ringing", "call-6", "13900000777", kStart).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[1].customer);
}

TEST_P(TelephonyTest, PopRespectsTheAgentsVisibilityAndTakesRegisteredSections) {
  auto wang = MakeUser("wang", "sales");
  auto li = MakeUser("li", "sales");
  auto c = NewCustomer(wang, "13900000006");
  struct Badge final : interactions::PopSection {
    std::string name() const override { return "badge"; }
    Result<std::string> JsonFor(const identity::Principal&, int64_t id) override {
      return std::string("{\"customer\":") + std::to_string(id) + "}";
    }
  } badge;
  telephony_->AddSection(&badge);
  auto seen = telephony_->Lookup(wang, "139-0000-0006");
  ASSERT_TRUE(seen.ok());
  ASSERT_TRUE(seen->customer);
  ASSERT_EQ(seen->sections.size(), 1u);
  EXPECT_EQ(seen->sections[0].second, "{\"customer\":" + std::to_string(c.id) + "}");
  ASSERT_TRUE(seen->owner);
  EXPECT_EQ(seen->owner->id, wang.user_id);
  auto hidden = telephony_->Lookup(li, "13900000006");
  ASSERT_TRUE(hidden.ok());
  EXPECT_FALSE(hidden->customer);
  EXPECT_TRUE(hidden->sections.empty());
  EXPECT_EQ(telephony_->Lookup(li, "abc").error().code, ErrorCode::kInvalidArgument);
}

KEHU_DOMAIN_BACKENDS(InteractionsTest);
KEHU_DOMAIN_BACKENDS(TelephonyTest);

}  // namespace
}  // namespace kehu::testing
