#include "analytics/rfm.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <cstdio>
#include <limits>
#include <string>

#include "analytics/errors.h"

namespace kehu::analytics {

const char* SegmentName(RfmSegment s) {
  switch (s) {
    case RfmSegment::kChampions:
      return "Champions";
    case RfmSegment::kLoyal:
      return "Loyal";
    case RfmSegment::kPotentialLoyalist:
      return "Potential loyalist";
    case RfmSegment::kNew:
      return "New";
    case RfmSegment::kPromising:
      return "Promising";
    case RfmSegment::kNeedAttention:
      return "Need attention";
    case RfmSegment::kAboutToSleep:
      return "About to sleep";
    case RfmSegment::kAtRisk:
      return "At risk";
    case RfmSegment::kCantLoseThem:
      return "Can't lose them";
    case RfmSegment::kHibernating:
      return "Hibernating";
    case RfmSegment::kLost:
      return "Lost";
  }
  return "";
}

const char* SegmentNameZh(RfmSegment s) {
  switch (s) {
    case RfmSegment::kChampions:
      return "冠军客户";
    case RfmSegment::kLoyal:
      return "忠诚客户";
    case RfmSegment::kPotentialLoyalist:
      return "潜在忠诚客户";
    case RfmSegment::kNew:
      return "新客户";
    case RfmSegment::kPromising:
      return "有潜力客户";
    case RfmSegment::kNeedAttention:
      return "需要关注客户";
    case RfmSegment::kAboutToSleep:
      return "即将沉睡客户";
    case RfmSegment::kAtRisk:
      return "有流失风险客户";
    case RfmSegment::kCantLoseThem:
      return "不能失去的客户";
    case RfmSegment::kHibernating:
      return "休眠客户";
    case RfmSegment::kLost:
      return "已流失客户";
  }
  return "";
}

Result<RfmRules> RfmRules::Create(std::vector<RfmRule> rules) {
  auto bad = [](const ScoreRange& s) { return s.lo < 1 || s.hi > 5 || s.lo > s.hi; };
  for (size_t i = 0; i < rules.size(); ++i) {
    if (bad(rules[i].r) || bad(rules[i].f) || bad(rules[i].m)) {
      return internal::BadElement("rules", i, "has a score range outside 1..5 or lo > hi");
    }
  }
  RfmRules out;
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      for (int m = 1; m <= 5; ++m) {
        auto in = [](const ScoreRange& s, int v) { return s.lo <= v && v <= s.hi; };
        auto it = std::find_if(rules.begin(), rules.end(), [&](const RfmRule& rule) {
          return in(rule.r, r) && in(rule.f, f) && in(rule.m, m);
        });
        if (it == rules.end()) {
          char cell[64];
          std::snprintf(cell, sizeof cell, "the rules leave R%d F%d M%d without a segment", r, f,
                        m);
          return InvalidArgument(cell);
        }
        out.cells_[(r - 1) * 25 + (f - 1) * 5 + (m - 1)] = it->segment;
      }
    }
  }
  out.rules_ = std::move(rules);
  return out;
}

RfmRules RfmRules::Default() {
  using S = RfmSegment;
  Result<RfmRules> rules = Create({
      {.segment = S::kChampions, .r = {5, 5}, .f = {4, 5}},
      {.segment = S::kLoyal, .r = {3, 4}, .f = {4, 5}},
      {.segment = S::kPotentialLoyalist, .r = {4, 5}, .f = {2, 3}},
      {.segment = S::kNew, .r = {5, 5}, .f = {1, 1}},
      {.segment = S::kPromising, .r = {4, 4}, .f = {1, 1}},
      {.segment = S::kNeedAttention, .r = {3, 3}, .f = {3, 3}},
      {.segment = S::kAboutToSleep, .r = {3, 3}, .f = {1, 2}},
      {.segment = S::kCantLoseThem, .r = {1, 2}, .f = {5, 5}},
      {.segment = S::kAtRisk, .r = {1, 2}, .f = {3, 4}},
      {.segment = S::kLost, .r = {1, 1}, .f = {1, 1}},
      {.segment = S::kHibernating, .r = {1, 2}, .f = {1, 2}},
  });
  // The built-in table covers every cell (a test checks it); reaching here otherwise is a bug.
  return std::move(rules).value();
}

std::vector<uint8_t> QuintileScores(std::span<const int64_t> values) {
  const size_t n = values.size();
  std::vector<uint8_t> scores(n, 1);
  if (n == 0) return scores;
  std::vector<int64_t> s(values.begin(), values.end());
  // Boundary k is the value at sorted position ceil(k n / 5) - 1; select the middle one first
  // so that the others are found in halves of the array.
  size_t pos[4];
  for (size_t k = 1; k <= 4; ++k) pos[k - 1] = (k * n + 4) / 5 - 1;
  std::nth_element(s.begin(), s.begin() + pos[1], s.end());
  std::nth_element(s.begin(), s.begin() + pos[0], s.begin() + pos[1]);
  std::nth_element(s.begin() + pos[1] + 1, s.begin() + pos[2], s.end());
  std::nth_element(s.begin() + pos[2] + 1, s.begin() + pos[3], s.end());
  const int64_t c0 = s[pos[0]], c1 = s[pos[1]], c2 = s[pos[2]], c3 = s[pos[3]];
  for (size_t i = 0; i < n; ++i) {
    const int64_t v = values[i];
    scores[i] = static_cast<uint8_t>(1 + (v > c0) + (v > c1) + (v > c2) + (v > c3));
  }
  return scores;
}

Result<RfmTable> ComputeRfm(const TransactionColumns& tx, int32_t as_of_day, const RfmRules& rules,
                            int32_t window_days) {
  const size_t n = tx.customer_ids.size();
  if (tx.days.size() != n || tx.amounts.size() != n) {
    return InvalidArgument("transaction columns differ in length");
  }
  if (window_days < 0) return InvalidArgument("window_days must not be negative");
  const int64_t first_day = window_days > 0 ? static_cast<int64_t>(as_of_day) - window_days + 1
                                            : std::numeric_limits<int64_t>::min();
  std::vector<uint32_t> row_index;
  std::vector<int64_t> ids = DenseCustomerIndex(tx.customer_ids, row_index);
  const size_t k = ids.size();
  std::vector<int32_t> last(k, std::numeric_limits<int32_t>::min());
  std::vector<int32_t> count(k, 0);
  std::vector<int64_t> sum(k, 0);
  for (size_t i = 0; i < n; ++i) {
    const int32_t day = tx.days[i];
    if (day > as_of_day || day < first_day) continue;
    const uint32_t c = row_index[i];
    last[c] = std::max(last[c], day);
    ++count[c];
    sum[c] += tx.amounts[i];
  }
  RfmTable t;
  size_t kept = 0;
  for (size_t c = 0; c < k; ++c) kept += count[c] > 0 ? 1 : 0;
  t.customer_ids.reserve(kept);
  t.recency_days.reserve(kept);
  t.frequency.reserve(kept);
  t.monetary.reserve(kept);
  for (size_t c = 0; c < k; ++c) {
    if (count[c] == 0) continue;
    t.customer_ids.push_back(ids[c]);
    t.recency_days.push_back(as_of_day - last[c]);
    t.frequency.push_back(count[c]);
    t.monetary.push_back(sum[c]);
  }
  std::vector<int64_t> v(kept);
  for (size_t i = 0; i < kept; ++i) v[i] = -static_cast<int64_t>(t.recency_days[i]);
  t.r_score = QuintileScores(v);
  for (size_t i = 0; i < kept; ++i) v[i] = t.frequency[i];
  t.f_score = QuintileScores(v);
  t.m_score = QuintileScores(t.monetary);
  t.segment.resize(kept);
  for (size_t i = 0; i < kept; ++i) {
    t.segment[i] = rules.Classify(t.r_score[i], t.f_score[i], t.m_score[i]);
  }
  return t;
}

std::vector<std::pair<size_t, double>> MidRankPercentiles(std::span<const double> values) {
  const size_t n = values.size();
  auto key = [&](size_t i) { return std::isnan(values[i]) ? -std::numeric_limits<double>::infinity() : values[i]; };
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  std::vector<std::pair<size_t, double>> out;
  out.reserve(n);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && key(order[j]) == key(order[i])) ++j;
    const double pct = n == 1 ? 0.5 : (static_cast<double>(i) + static_cast<double>(j - i - 1) / 2.0) /
                                          static_cast<double>(n - 1);
    for (size_t k = i; k < j; ++k) out.emplace_back(order[k], pct);
    i = j;
  }
  return out;
}

}  // namespace kehu::analytics
