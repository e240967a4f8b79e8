#include "analytics/rfm.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace kehu::analytics {
namespace {

TEST(AnalyticsRfm, DistinctValuesFillEachQuintileEvenly) {
  std::vector<int64_t> v = {50, 10, 90, 20, 80, 30, 70, 40, 60, 100};
  std::vector<uint8_t> s = QuintileScores(v);
  // Ascending: 10 20 | 30 40 | 50 60 | 70 80 | 90 100.
  EXPECT_EQ(s, (std::vector<uint8_t>{3, 1, 5, 1, 4, 2, 4, 2, 3, 5}));
}

TEST(AnalyticsRfm, EqualValuesShareTheLowerScore) {
  // Six of ten customers bought once: nobody may rank above a customer with the same value.
  std::vector<int64_t> v = {1, 1, 1, 1, 1, 1, 2, 3, 4, 5};
  std::vector<uint8_t> s = QuintileScores(v);
  EXPECT_EQ(s, (std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 4, 4, 5, 5}));
  std::vector<int64_t> same(7, 42);
  for (uint8_t score : QuintileScores(same)) EXPECT_EQ(score, 1);
  EXPECT_TRUE(QuintileScores(std::vector<int64_t>{}).empty());
}

TEST(AnalyticsRfm, ScoresDoNotDependOnRowOrder) {
  std::vector<int64_t> v, w;
  for (int i = 0; i < 1000; ++i) v.push_back((i * 7919) % 97);
  w.assign(v.rbegin(), v.rend());
  std::vector<uint8_t> sv = QuintileScores(v), sw = QuintileScores(w);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(sv[i], sw[v.size() - 1 - i]);
}

TEST(AnalyticsRfm, DefaultRulesGiveEverySegmentItsCells) {
  RfmRules rules = RfmRules::Default();
  std::set<RfmSegment> seen;
  for (int r = 1; r <= 5; ++r)
    for (int f = 1; f <= 5; ++f)
      for (int m = 1; m <= 5; ++m) seen.insert(rules.Classify(r, f, m));
  EXPECT_EQ(seen.size(), static_cast<size_t>(kRfmSegmentCount));
  EXPECT_EQ(rules.Classify(5, 5, 1), RfmSegment::kChampions);
  EXPECT_EQ(rules.Classify(1, 1, 5), RfmSegment::kLost);
  EXPECT_EQ(rules.Classify(2, 1, 3), RfmSegment::kHibernating);
  EXPECT_EQ(rules.Classify(1, 5, 5), RfmSegment::kCantLoseThem);
  EXPECT_EQ(rules.Classify(5, 1, 1), RfmSegment::kNew);
}

TEST(AnalyticsRfm, EverySegmentHasAnEnglishAndAChineseName) {
  std::set<std::string> en, zh;
  for (int i = 0; i < kRfmSegmentCount; ++i) {
    const auto s = static_cast<RfmSegment>(i);
    en.insert(SegmentName(s));
    zh.insert(SegmentNameZh(s));
  }
  EXPECT_EQ(en.size(), static_cast<size_t>(kRfmSegmentCount));
  EXPECT_EQ(zh.size(), static_cast<size_t>(kRfmSegmentCount));
  EXPECT_STREQ(SegmentNameZh(RfmSegment::kChampions), "冠军客户");
  EXPECT_STREQ(SegmentName(RfmSegment::kCantLoseThem), "Can't lose them");
}

TEST(AnalyticsRfm, RulesThatLeaveACellWithoutASegmentAreRejected) {
  Result<RfmRules> r = RfmRules::Create({{.segment = RfmSegment::kChampions, .r = {3, 5}},
                                         {.segment = RfmSegment::kLost, .r = {1, 1}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("R2 F1 M1"), std::string::npos) << r.error().message;
}

TEST(AnalyticsRfm, RuleRangesOutsideOneToFiveAreRejected) {
  Result<RfmRules> r = RfmRules::Create({{.segment = RfmSegment::kLost, .f = {0, 5}}});
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().fields.size(), 1u);
  EXPECT_EQ(r.error().fields[0].field, "rules[0]");
  EXPECT_FALSE(RfmRules::Create({{.segment = RfmSegment::kLost, .m = {4, 2}}}).ok());
}

TEST(AnalyticsRfm, AnOrgsOwnRulesDecideTheSegment) {
  // An org that only separates big spenders from everyone else.
  Result<RfmRules> rules = RfmRules::Create(
      {{.segment = RfmSegment::kChampions, .m = {5, 5}}, {.segment = RfmSegment::kNeedAttention}});
  ASSERT_TRUE(rules.ok());
  std::vector<int64_t> ids;
  std::vector<int32_t> days;
  std::vector<int64_t> cents;
  for (int c = 1; c <= 10; ++c) {
    ids.push_back(c);
    days.push_back(100);
    cents.push_back(c * 1000);
  }
  Result<RfmTable> t = ComputeRfm({ids, days, cents}, 100, *rules);
  ASSERT_TRUE(t.ok());
  for (size_t i = 0; i < t->size(); ++i) {
    EXPECT_EQ(t->segment[i],
              t->customer_ids[i] >= 9 ? RfmSegment::kChampions : RfmSegment::kNeedAttention);
  }
}

TEST(AnalyticsRfm, RecencyFrequencyAndMonetaryAreAggregatedPerCustomer) {
  std::vector<int64_t> ids = {3, 1, 3, 2, 3, 1};
  std::vector<int32_t> days = {90, 50, 95, 99, 120, 60};
  std::vector<int64_t> cents = {100, 700, 200, 50, 999, 300};
  // As of day 100: customer 3's day-120 order is in the future and is left out.
  Result<RfmTable> t = ComputeRfm({ids, days, cents}, 100, RfmRules::Default());
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ(t->customer_ids, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(t->recency_days, (std::vector<int32_t>{40, 1, 5}));
  EXPECT_EQ(t->frequency, (std::vector<int32_t>{2, 1, 2}));
  EXPECT_EQ(t->monetary, (std::vector<int64_t>{1000, 50, 300}));
  // Customer 2 bought most recently, so has the best recency score.
  EXPECT_GT(t->r_score[1], t->r_score[2]);
  EXPECT_GT(t->r_score[2], t->r_score[0]);
}

TEST(AnalyticsRfm, TheWindowLeavesOutOlderTransactions) {
  std::vector<int64_t> ids = {1, 1, 2};
  std::vector<int32_t> days = {10, 95, 20};
  std::vector<int64_t> cents = {100, 200, 300};
  Result<RfmTable> t = ComputeRfm({ids, days, cents}, 100, RfmRules::Default(), 30);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ(t->frequency[0], 1);
  EXPECT_EQ(t->monetary[0], 200);
  EXPECT_FALSE(ComputeRfm({ids, days, cents}, 100, RfmRules::Default(), -1).ok());
}

}  // namespace
}  // namespace kehu::analytics

TEST(AnalyticsRfm, MidRankPercentilesRankTiesTogetherFromZeroToOne) {
  const std::vector<double> v{50.0, 10.0, 30.0, 30.0, 90.0};
  std::vector<double> pct(v.size(), -1.0);
  for (const auto& [i, p] : kehu::analytics::MidRankPercentiles(v)) pct[i] = p;
  // Sorted: 10 (rank 0), 30 and 30 (ranks 1 and 2: mid-rank 1.5), 50 (3), 90 (4); n - 1 = 4.
  EXPECT_DOUBLE_EQ(pct[1], 0.0);
  EXPECT_DOUBLE_EQ(pct[2], 0.375);
  EXPECT_DOUBLE_EQ(pct[3], 0.375);
  EXPECT_DOUBLE_EQ(pct[0], 0.75);
  EXPECT_DOUBLE_EQ(pct[4], 1.0);
  const std::vector<double> one{7.0};
  EXPECT_DOUBLE_EQ(kehu::analytics::MidRankPercentiles(one).at(0).second, 0.5);
  EXPECT_TRUE(kehu::analytics::MidRankPercentiles(std::vector<double>{}).empty());
}
