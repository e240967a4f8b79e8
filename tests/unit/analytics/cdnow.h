#pragma once
// Test helper: reads the CDNOW transaction files in ../shared/data (see its README.md) into
// columns. CDNOW_sample.txt rows are "master_id sample_id YYYYMMDD cds dollars" (no header),
// CDNOW_master.txt rows "customer_id YYYYMMDD cds dollars" after one header line.

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/transactions.h"
#include "core/result.h"

namespace kehu::analytics::testing {

struct CdnowTransactions {
  std::vector<int64_t> customer_ids{};
  std::vector<int32_t> days{};
  std::vector<int64_t> cents{};

  TransactionColumns columns() const {
    return {.customer_ids = customer_ids, .days = days, .amounts = cents};
  }
};

// The folder with the shared data: $KEHU_SHARED_DATA, else "../shared/data" from the repo root
// (KEHU_SOURCE_DIR, compiled in, when the test binary runs outside ctest).
std::string SharedDataDir();

// Parses either file format (detected per line by the number of fields; non-numeric lines such
// as the master file's header are skipped). Dollar values become integer cents exactly.
// Errors: kNotFound if the file cannot be opened; kInvalidArgument on a malformed data line.
Result<CdnowTransactions> LoadCdnow(const std::string& path);

}  // namespace kehu::analytics::testing
