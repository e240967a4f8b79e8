#pragma once
// Transactions as columns, and the per-customer summaries the value models are fitted on.
//
//   TransactionColumns tx{.customer_ids = ids, .days = days, .amounts = cents};
//   Result<CustomerSummaries> s = SummarizeForCalibration(tx, DaysFromCivil({1997, 9, 30}));
//   // s->x[i], s->t_x[i], s->T[i] (weeks) feed BG/NBD; s->repeat_mean[i] feeds Gamma-Gamma.
//
// Conventions (docs/analytics.md explains why they reproduce Fader, Hardie & Lee 2005):
// - A customer's purchase days are the distinct days on which they bought; several transactions
//   on one day are one purchase whose value is the sum of that day's amounts.
// - Day 0 for a customer is their first purchase day in the data (the "birth" of the customer).
// - x   = number of repeat purchases in the calibration period = distinct purchase days - 1.
// - t_x = (last purchase day in the period - first purchase day) / 7, in weeks.
// - T   = (cut-off day - first purchase day) / 7, in weeks: the cut-off day is the last day of
//         the calibration period and T is measured to its start (its date, as the published
//         CDNOW summaries do: a customer born 1997-01-01 has T = 272/7 = 38.857 weeks).
// - repeat_mean = mean value of the x repeat purchases (each a merged day; the first purchase
//   day is excluded), in minor units; 0 when x = 0. This is m_x of the Gamma-Gamma model.
// Transactions after the cut-off day are ignored; customers whose first purchase is after the
// cut-off do not appear.

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"

namespace kehu::analytics {

inline constexpr double kDaysPerWeek = 7.0;

// One row per transaction (order). The three spans have equal length; rows need not be sorted.
struct TransactionColumns {
  std::span<const int64_t> customer_ids{};
  std::span<const int32_t> days{};     // days since 1970-01-01 (core/time.h DaysFromCivil)
  std::span<const int64_t> amounts{};  // minor units (cents, fen); may be 0, never negative
};

// Per-customer calibration summaries, one entry per customer, sorted by customer id.
struct CustomerSummaries {
  std::vector<int64_t> customer_ids{};
  std::vector<int32_t> first_day{};     // first purchase day (days since epoch)
  std::vector<int32_t> last_day{};      // last purchase day on or before the cut-off
  std::vector<int32_t> x{};             // repeat purchases (distinct days - 1)
  std::vector<double> t_x{};            // weeks from first to last purchase
  std::vector<double> T{};              // weeks from first purchase to the cut-off day
  std::vector<double> repeat_mean{};    // mean value of the repeat purchases, minor units
  std::vector<int64_t> total_amount{};  // all purchases in the period, minor units

  size_t size() const { return customer_ids.size(); }
};

// Summarises transactions for a calibration period ending on `cutoff_day` (inclusive).
// Runs in O(n) plus a sort of each customer's own rows when the customer ids are dense
// (max - min < 4 * rows + 1024, the normal case for database ids); otherwise it first ranks the
// distinct ids with one sort.
// Errors: kInvalidArgument when the columns differ in length or an amount is negative.
Result<CustomerSummaries> SummarizeForCalibration(const TransactionColumns& tx, int32_t cutoff_day);

// Maps each row's customer id to a dense index 0..k-1 in ascending id order.
// Returns the distinct ids (ascending) and fills `row_index` (same length as `ids`).
// Used by RFM and the summaries; exposed for tests and the benchmark.
std::vector<int64_t> DenseCustomerIndex(std::span<const int64_t> ids,
                                        std::vector<uint32_t>& row_index);

}  // namespace kehu::analytics
