#include "analytics/transactions.h"

#include <algorithm>
#include <utility>

#include "analytics/errors.h"

namespace kehu::analytics {

std::vector<int64_t> DenseCustomerIndex(std::span<const int64_t> ids,
                                        std::vector<uint32_t>& row_index) {
  row_index.assign(ids.size(), 0);
  if (ids.empty()) return {};
  auto [min_it, max_it] = std::minmax_element(ids.begin(), ids.end());
  const int64_t lo = *min_it;
  const uint64_t range = static_cast<uint64_t>(*max_it) - static_cast<uint64_t>(lo) + 1;
  std::vector<int64_t> distinct;
  if (range < 4 * static_cast<uint64_t>(ids.size()) + 1024) {
    // Dense ids: a direct table from id - min to index, built in two linear passes.
    std::vector<uint32_t> slot(range, 0);
    for (int64_t id : ids) slot[static_cast<uint64_t>(id - lo)] = 1;
    uint32_t next = 0;
    for (uint64_t k = 0; k < range; ++k) {
      if (slot[k] != 0) {
        slot[k] = next++;
        distinct.push_back(lo + static_cast<int64_t>(k));
      }
    }
    for (size_t i = 0; i < ids.size(); ++i) row_index[i] = slot[static_cast<uint64_t>(ids[i] - lo)];
  } else {
    distinct.assign(ids.begin(), ids.end());
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (size_t i = 0; i < ids.size(); ++i) {
      row_index[i] = static_cast<uint32_t>(
          std::lower_bound(distinct.begin(), distinct.end(), ids[i]) - distinct.begin());
    }
  }
  return distinct;
}

Result<CustomerSummaries> SummarizeForCalibration(const TransactionColumns& tx,
                                                  int32_t cutoff_day) {
  const size_t n = tx.customer_ids.size();
  if (tx.days.size() != n || tx.amounts.size() != n) {
    return InvalidArgument("transaction columns differ in length");
  }
  for (size_t i = 0; i < n; ++i) {
    if (tx.amounts[i] < 0) {
      return internal::BadElement("amounts", i, "must not be negative");
    }
  }
  std::vector<uint32_t> row_index;
  std::vector<int64_t> ids = DenseCustomerIndex(tx.customer_ids, row_index);
  const size_t k = ids.size();

  // Bucket the calibration rows by customer (counting sort), then sort each small bucket by day.
  std::vector<uint32_t> offset(k + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    if (tx.days[i] <= cutoff_day) ++offset[row_index[i] + 1];
  }
  for (size_t c = 0; c < k; ++c) offset[c + 1] += offset[c];
  std::vector<std::pair<int32_t, int64_t>> rows(offset[k]);
  std::vector<uint32_t> fill(offset.begin(), offset.end() - 1);
  for (size_t i = 0; i < n; ++i) {
    if (tx.days[i] <= cutoff_day) rows[fill[row_index[i]]++] = {tx.days[i], tx.amounts[i]};
  }

  CustomerSummaries out;
  size_t kept = 0;
  for (size_t c = 0; c < k; ++c) kept += offset[c + 1] > offset[c] ? 1 : 0;
  out.customer_ids.reserve(kept);
  out.first_day.reserve(kept);
  out.last_day.reserve(kept);
  out.x.reserve(kept);
  out.t_x.reserve(kept);
  out.T.reserve(kept);
  out.repeat_mean.reserve(kept);
  out.total_amount.reserve(kept);
  for (size_t c = 0; c < k; ++c) {
    auto begin = rows.begin() + offset[c];
    auto end = rows.begin() + offset[c + 1];
    if (begin == end) continue;
    std::sort(begin, end, [](const auto& l, const auto& r) { return l.first < r.first; });
    const int32_t first = begin->first;
    int32_t last = first;
    int32_t distinct_days = 0;
    int64_t total = 0;
    int64_t first_day_value = 0;
    for (auto it = begin; it != end; ++it) {
      if (distinct_days == 0 || it->first != last) {
        ++distinct_days;
        last = it->first;
      }
      if (it->first == first) first_day_value += it->second;
      total += it->second;
    }
    const int32_t x = distinct_days - 1;
    out.customer_ids.push_back(ids[c]);
    out.first_day.push_back(first);
    out.last_day.push_back(last);
    out.x.push_back(x);
    out.t_x.push_back((last - first) / kDaysPerWeek);
    out.T.push_back((cutoff_day - first) / kDaysPerWeek);
    out.repeat_mean.push_back(x > 0 ? static_cast<double>(total - first_day_value) / x : 0.0);
    out.total_amount.push_back(total);
  }
  return out;
}

}  // namespace kehu::analytics
