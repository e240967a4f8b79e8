#pragma once
// RFM: recency, frequency and monetary value per customer as of a date, quintile scores 1..5
// and named segments from a rule table that each org may configure.
//
//   RfmRules rules = RfmRules::Default();
//   Result<RfmTable> t = ComputeRfm(tx, DaysFromCivil({2026, 11, 30}), rules);
//   SegmentName(t->segment[i]);   // "Champions";  SegmentNameZh(...) -> "冠军客户"
//
// Definitions, for the transactions on or before the as-of day (and within the optional
// window): recency = as-of day - last purchase day (days, smaller is better); frequency =
// number of transactions (orders, not distinct days); monetary = sum of their amounts (minor
// units). Customers with no transaction in the window are not in the table.
//
// Quintile scores (ties are deterministic and never split): with values sorted ascending
// s[0..n-1] (recency negated, so larger is always better), a customer whose value v has
// min_rank(v) = #{customers with a strictly worse value} gets score 1 + floor(5 min_rank / n),
// i.e. 1 + #{k in 1..4 : v > s[ceil(k n / 5) - 1]}. Equal values always share a score; a tie
// across a quintile boundary takes the lower score (nobody is ranked above a customer with the
// same value), so scores may be unevenly filled when many customers share a value (e.g. most
// customers with frequency 1). Computed with four nth_element selections: O(n), no maps.

#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "analytics/transactions.h"
#include "core/result.h"

namespace kehu::analytics {

enum class RfmSegment : uint8_t {
  kChampions,
  kLoyal,
  kPotentialLoyalist,
  kNew,
  kPromising,
  kNeedAttention,
  kAboutToSleep,
  kAtRisk,
  kCantLoseThem,
  kHibernating,
  kLost,
};
inline constexpr int kRfmSegmentCount = 11;

// English and zh-CN display names ("Can't lose them", "不能失去的客户").
const char* SegmentName(RfmSegment segment);
const char* SegmentNameZh(RfmSegment segment);

// Inclusive score range lo..hi within 1..5.
struct ScoreRange {
  int lo{1};
  int hi{5};
};

// A customer whose scores fall in all three ranges belongs to `segment`; the first matching
// rule in the table wins.
struct RfmRule {
  RfmSegment segment{RfmSegment::kLost};
  ScoreRange r{};
  ScoreRange f{};
  ScoreRange m{};
};

// A validated rule table, compiled to a 5x5x5 lookup so classifying is one array read.
class RfmRules {
 public:
  // Errors: kInvalidArgument (with the rule index as field) when a range is outside 1..5 or
  // empty, or when some (r, f, m) cell matches no rule (every customer needs a segment).
  static Result<RfmRules> Create(std::vector<RfmRule> rules);

  // The built-in table on R and F (M is not used by default), first match wins:
  //   Champions R5 F4-5 | Loyal R3-4 F4-5 | Potential loyalist R4-5 F2-3 | New R5 F1 |
  //   Promising R4 F1 | Need attention R3 F3 | About to sleep R3 F1-2 | Can't lose them R1-2 F5 |
  //   At risk R1-2 F3-4 | Lost R1 F1 | Hibernating R1-2 F1-2.
  static RfmRules Default();

  RfmSegment Classify(int r, int f, int m) const {
    return cells_[(r - 1) * 25 + (f - 1) * 5 + (m - 1)];
  }
  const std::vector<RfmRule>& rules() const { return rules_; }

 private:
  RfmRules() = default;
  std::vector<RfmRule> rules_{};
  std::array<RfmSegment, 125> cells_{};
};

// Quintile scores 1..5 for `values` where larger is better (see the tie rule above).
std::vector<uint8_t> QuintileScores(std::span<const int64_t> values);

// Each value's place in the distribution, 0 (lowest) to 1 (highest): (number of smaller values +
// (number of equal values - 1) / 2) / (n - 1), so ties share their mid-rank and the answer does
// not depend on order. One value: 0.5. NaN counts as the lowest. Returns (index, percentile)
// for every index.
std::vector<std::pair<size_t, double>> MidRankPercentiles(std::span<const double> values);

struct RfmTable {
  std::vector<int64_t> customer_ids{};  // ascending
  std::vector<int32_t> recency_days{};
  std::vector<int32_t> frequency{};
  std::vector<int64_t> monetary{};
  std::vector<uint8_t> r_score{};
  std::vector<uint8_t> f_score{};
  std::vector<uint8_t> m_score{};
  std::vector<RfmSegment> segment{};
  size_t size() const { return customer_ids.size(); }
};

// Aggregates and scores. `window_days` > 0 keeps only transactions with
// as_of_day - window_days < day <= as_of_day; 0 keeps all history up to the as-of day.
// Errors: kInvalidArgument when the columns differ in length or window_days < 0.
Result<RfmTable> ComputeRfm(const TransactionColumns& tx, int32_t as_of_day, const RfmRules& rules,
                            int32_t window_days = 0);

}  // namespace kehu::analytics
