#pragma once
// Importing customers from CSV files (UTF-8, UTF-8 with BOM, GB18030/GBK), as Chinese Excel
// writes them, or from an XLSX workbook's first visible sheet (read as CSV: text::ReadXlsxAsCsv);
// the headers and values may be the workspace's Chinese labels. Column mapping (automatic from
// Chinese or English headers, or given), a dry run with a row-by-row report, and an
// all-or-nothing import that never duplicates a customer (a row whose external id or phone is
// already known updates that customer instead). Also the export's rows (in English or Chinese)
// and the template users download.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace kehu::customers {

// The fields a column can map to ("ignore" skips the column).
inline constexpr const char* kImportFields[] = {
    "name", "kind", "phones", "emails", "category", "lifecycle_stage", "relationship_level",
    "gender", "birthday", "birthday_lunar", "province", "city", "district", "street",
    "organization", "tags", "note", "external_id", "source_channel", "vip", "ignore"};

struct ImportOptions {
  std::string encoding{"auto"};               // auto, utf-8, gbk, gb18030
  std::string sheet{};                        // an XLSX workbook's worksheet; empty: the first
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
  std::string sheet{};                // a workbook's worksheet read, and the visible ones to choose from
  std::vector<std::string> sheets{};
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
// Called with (bytes read, bytes in all) while a workbook is read, before any row is checked.
using ReadingProgress = std::function<void(uint64_t, uint64_t)>;

// The automatic field for a header ("手机号" -> "phones"), or "" when unknown.
std::string GuessImportField(const std::string& header);

}  // namespace kehu::customers

namespace kehu::identity {
class IdentityService;
struct Principal;
}  // namespace kehu::identity

namespace kehu::customers {

struct Customer;
class CustomerService;

// Export columns: the same names an import maps back (a round trip changes nothing).
inline constexpr const char* kExportHeaders[] = {
    "id", "name", "kind", "category", "lifecycle_stage", "relationship_level", "owner_id",
    "phones", "emails", "tags", "organization", "province", "city", "district", "street",
    "gender", "birthday", "birthday_lunar", "vip", "external_id", "source_channel", "note",
    "created_at", "updated_at"};

// The Chinese names of kExportHeaders, in the same order; an import maps each back (ID, 负责人,
// 创建时间 and 更新时间 are ignored, as id, owner_id, created_at and updated_at are).
inline constexpr const char* kExportHeadersZh[] = {
    "ID", "姓名", "类型", "客户类别", "生命周期", "关系层级", "负责人", "手机号", "邮箱", "标签", "公司", "省份",
    "城市", "区县", "详细地址", "性别", "生日", "农历生日", "VIP", "编号", "来源渠道", "备注", "创建时间", "更新时间"};

// The header line of an export: kExportHeaders, or kExportHeadersZh for an export in Chinese.
std::vector<std::string> ExportHeaders(bool chinese);

// What a Chinese export writes in place of keys and ids: the org's category names and the
// owners' display names (a key or id without a name is written as it is).
struct ExportLabels {
  std::map<std::string, std::string> category_names{};  // key -> 中文名
  std::map<int64_t, std::string> owner_names{};         // user id -> display name
};

// The org's category names and its users' display names (the caller's view of them).
Result<ExportLabels> ChineseExportLabels(CustomerService& customers, identity::IdentityService& identity,
                                         const identity::Principal& p);

// One export row in kExportHeaders order (lists joined with "; "): keys, ids and UTC timestamps;
// with `zh`, as a Chinese user reads them and an import reads back: 个人, 经销商, 活跃客户, 伙伴型,
// 男, 是/否, the owner's name, times in Beijing time ("2026-11-26 13:46:05").
std::vector<std::string> ExportRow(const Customer& c, const ExportLabels* zh = nullptr);

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
