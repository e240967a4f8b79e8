// Pure complaint rules: the status machine, the SLA clock and ladder, priority, survey tokens.

#include "domain/service/complaint.h"

#include <gtest/gtest.h>

namespace kehu::service {
namespace {

using S = ComplaintStatus;

TEST(Transitions, FollowTheDocumentedMachine) {
  EXPECT_EQ(AllowedTransitions(S::kNew), std::vector<S>{S::kAssigned});
  EXPECT_EQ(AllowedTransitions(S::kAssigned), std::vector<S>{S::kInProgress});
  EXPECT_EQ(AllowedTransitions(S::kInProgress), (std::vector<S>{S::kWaitingCustomer, S::kResolved}));
  EXPECT_EQ(AllowedTransitions(S::kWaitingCustomer), (std::vector<S>{S::kInProgress, S::kResolved}));
  EXPECT_EQ(AllowedTransitions(S::kResolved), (std::vector<S>{S::kClosed, S::kInProgress}));
  EXPECT_EQ(AllowedTransitions(S::kClosed), std::vector<S>{S::kInProgress});
  for (const char* n : {"new", "assigned", "in_progress", "waiting_customer", "resolved", "closed"})
    EXPECT_STREQ(Name(*ParseStatus(n)), n);
  EXPECT_FALSE(ParseStatus("open").has_value());
}

TEST(Ladder, StepsFallDueAtTheirShareOfTheTargetOnce) {
  Calendar all_day(WorkingHours{.weekdays = 127, .start_minute = 0, .end_minute = 24 * 60}, {});
  Complaint c;
  c.status = S::kInProgress;
  c.response_target_ms = 100 * 60'000;
  c.resolution_target_ms = 1000 * 60'000;
  c.sla_running_since = 0;
  EXPECT_EQ(*NextEscalationAt(c, all_day), 75 * 60'000);
  EXPECT_TRUE(DueSteps(c, all_day, 75 * 60'000 - 1).empty());
  auto due = DueSteps(c, all_day, 151 * 60'000);
  ASSERT_EQ(due.size(), 3u);  // response 75/100/150; resolution's 75% is at 750 min
  EXPECT_EQ(due[2].step, 150);
  c.response_level = 3;
  EXPECT_EQ(*NextEscalationAt(c, all_day), 750 * 60'000);
  c.first_response_at = 1;  // responded: the response ladder stops counting
  c.response_level = 1;
  EXPECT_EQ(*NextEscalationAt(c, all_day), 750 * 60'000);
  PauseClock(c, all_day, 10 * 60'000);
  EXPECT_EQ(c.sla_elapsed_ms, 10 * 60'000);
  EXPECT_FALSE(NextEscalationAt(c, all_day).has_value());  // paused: nothing falls due
  EXPECT_EQ(ElapsedMillis(c, all_day, 500 * 60'000), 10 * 60'000);
  StartClock(c, 500 * 60'000);
  EXPECT_EQ(*NextEscalationAt(c, all_day), (500 + 740) * 60'000);
}

TEST(Priority, ImportanceSeverityAndUrgencyOrderTheQueue) {
  PriorityInput vip_distributor{.customer_category = "distributor", .vip = true, .severity = 2};
  PriorityInput consumer{.customer_category = "online_consumer", .severity = 2};
  EXPECT_GT(PriorityScore(vip_distributor), PriorityScore(consumer));
  PriorityInput severe = consumer;
  severe.severity = 1;
  EXPECT_GT(PriorityScore(severe), PriorityScore(consumer));
  PriorityInput late = consumer;
  late.sla_fraction_used = 1.2;
  EXPECT_GT(PriorityScore(late), PriorityScore(consumer));
  EXPECT_DOUBLE_EQ(PriorityScore({.customer_category = "group_purchase", .vip = true, .value_percentile = 1.0,
                                  .severity = 1, .sla_fraction_used = 9.0}), 150.0);
  EXPECT_DOUBLE_EQ(PriorityScore({.customer_category = "other", .severity = 4}), 20.0);
  // The value percentile is optional: absent adds nothing (no invented value).
  EXPECT_DOUBLE_EQ(PriorityScore(consumer), PriorityScore({.customer_category = "online_consumer",
                                                           .value_percentile = 0.0, .severity = 2}));
}

TEST(SurveyToken, VerifiesOnlyGenuineUnexpiredTokens) {
  const std::string secret = "s3cret";
  std::string tok = SignSurveyToken(secret, 1, 42, 1000);
  auto ok = VerifySurveyToken(secret, tok, 999);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->complaint_id, 42);
  EXPECT_EQ(VerifySurveyToken(secret, tok, 1000).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(VerifySurveyToken("other", tok, 0).error().code, ErrorCode::kNotFound);
  std::string forged = tok;
  forged[2] = '3';  // another complaint id
  EXPECT_EQ(VerifySurveyToken(secret, forged, 0).error().code, ErrorCode::kNotFound);
  std::string flipped = tok;
  flipped.back() = flipped.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(VerifySurveyToken(secret, flipped, 0).error().code, ErrorCode::kNotFound);
  for (const char* bad : {"", "1-2-3", "a-b-c-d", "1-2-3-", "-1-2-3-00", "1--3-ab", "1.2.3.00"})
    EXPECT_EQ(VerifySurveyToken(secret, bad, 0).error().code, ErrorCode::kNotFound) << bad;
}

TEST(Clip, KeepsWholeCharacters) {
  EXPECT_EQ(Clip("投诉处理", 4), "投");
  EXPECT_EQ(Clip("投诉处理", 6), "投诉");
  EXPECT_EQ(Clip("abc", 10), "abc");
}

}  // namespace
}  // namespace kehu::service
