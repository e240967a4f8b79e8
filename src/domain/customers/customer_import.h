#pragma once
// Importing customers from CSV files (UTF-8, UTF-8 with BOM, GB18030/GBK), as Chinese Excel
// writes them: column mapping (automatic from Chinese or English headers, or given), a dry run
// with a row-by-row report, and an all-or-nothing import that never duplicates a customer
// (a row whose external id or phone is already known updates that customer instead).

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace kehu::customers {

// The fields a column can map to ("ignore" skips the column).
inline constexpr const char* kImportFields[] = {
    "name", "kind", "phones", "emails", "category", "lifecycle_stage", "relationship_level",
    "gender", "birthday", "birthday_lunar", "province", "city", "district", "street",
    "organization", "tags", "note", "external_id", "source_channel", "vip", "ignore"};

struct ImportOptions {
  std::string encoding{"auto"};               // auto, utf-8, gbk, gb18030
  bool dry_run{false};
  std::map<std::string, std::string> mapping{};  // header -> field; overrides the automatic one
  // Rows checked and written per step (memory holds one step's work); tests make it small.
  int64_t chunk_rows{20000};
};

struct ImportIssue {
  int64_t row{0};   // 1-based data row (0: the file or its header)
  int64_t line{0};  // line in the file
  std::string field{};
  std::string message{};
};

struct ImportReport {
  std::string encoding{};
  std::vector<std::string> headers{};
  std::map<std::string, std::string> mapping{};  // header -> field actually used
  int64_t rows{0};
  int64_t created{0};
  int64_t updated{0};
  int64_t unchanged{0};
  int64_t error_count{0};
  std::vector<ImportIssue> errors{};  // at most kMaxReportedErrors
  bool dry_run{false};
  bool applied{false};  // true when the changes were committed
};

inline constexpr size_t kMaxReportedErrors = 1000;

// Called with (rows done, rows total) while a file is checked and written.
using ImportProgress = std::function<void(int64_t, int64_t)>;

// The automatic field for a header ("手机号" -> "phones"), or "" when unknown.
std::string GuessImportField(const std::string& header);

}  // namespace kehu::customers

namespace kehu::customers {

struct Customer;

// Export columns: the same names an import maps back (a round trip changes nothing).
inline constexpr const char* kExportHeaders[] = {
    "id", "name", "kind", "category", "lifecycle_stage", "relationship_level", "owner_id",
    "phones", "emails", "tags", "organization", "province", "city", "district", "street",
    "gender", "birthday", "birthday_lunar", "vip", "external_id", "source_channel", "note",
    "created_at", "updated_at"};

// One export row in kExportHeaders order (lists joined with "; ").
std::vector<std::string> ExportRow(const Customer& c);

// A column of the import template users download to fill in (GET /api/v1/imports/template): a
// header the automatic mapping knows, what to write in it, and an example that imports.
struct ImportTemplateColumn {
  std::string header;
  std::string field;
  std::string guidance;
  std::string example;
};

// Every importable field, with Chinese headers and guidance (chinese = true) or the field names
// and English guidance. The examples together make a row that imports into a new org.
std::vector<ImportTemplateColumn> CustomerImportTemplate(bool chinese);

}  // namespace kehu::customers
