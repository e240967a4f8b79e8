#pragma once
// XLSX workbooks: writing a table for exports Excel opens directly (libxlsxwriter), and reading
// the first worksheet of one for imports (libzip and expat, xlsx_read.cc).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kehu::text {

// Writes one sheet with a bold header row and the rows (all cells as text, so phone numbers and
// ids keep their digits). At most 1,048,575 rows (Excel's limit). Errors: kInvalidArgument when
// there are too many rows; kInternal when the file cannot be written.
Status WriteXlsx(const std::string& path, const std::string& sheet,
                 const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

struct XlsxSheetData {
  std::string name;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<double> widths{};  // column widths in characters; empty: Excel's default
};

// The same, one sheet after another (the first is the one an import reads).
Status WriteXlsx(const std::string& path, const std::vector<XlsxSheetData>& sheets);

// True when the bytes start like a ZIP archive, as every XLSX workbook does.
bool LooksLikeZip(std::string_view bytes);

// What one read may cost at most. The defaults hold a full Excel sheet of a customer export
// (1,048,575 rows of 24 columns: ~1.2 GB of sheet XML, ~230 MB of CSV) with room to spare, and
// bound what a small upload that inflates (a zip bomb) can take.
struct XlsxLimits {
  uint64_t max_xml_bytes{uint64_t{2} << 30};  // inflated XML read, all parts together
  uint64_t max_csv_bytes{uint64_t{1} << 30};  // the CSV text written
  size_t max_shared_strings{20'000'000};
};

struct XlsxCsv {
  std::string csv{};                 // RFC 4180 with LF line ends: one record per sheet row
  std::vector<int32_t> line_rows{};  // line_rows[k]: the sheet row (1-based) holding line k + 1
  std::string sheet{};               // the sheet's name
  std::vector<std::string> sheets{};  // every visible worksheet's name, in tab order
};

// A worksheet of an XLSX workbook as CSV text: the one named `sheet`, or with no name the first tab
// that is a visible worksheet. The CSV text is such that
// text::CsvReader reads back cell for cell:
// - one record per row from row 1 to the last row, an empty line for an empty or missing row;
// - the first row with text is the header: every later record has at least its columns (cells
//   Excel leaves out are empty fields), and more when a row has text further right;
// - shared strings, inline strings and formula results as their text (phonetic guides left out,
//   _xHHHH_ escapes decoded), booleans TRUE/FALSE, errors as shown (#N/A);
// - numbers as Excel shows them in a General cell (13800138000, not 1.38E10), and numbers whose
//   cell format is a date or time (built-in, custom, or the zh-CN built-ins such as
//   yyyy"年"m"月"d"日") as 1985-02-07, 1985-02-07 08:30:00 or 08:30:00, in the 1900 or 1904 date
//   system the workbook declares.
// Errors (kInvalidArgument, with a message for the user): not a readable ZIP archive, no workbook
// or worksheet in it, no visible worksheet named `sheet` (the message names those there are),
// malformed or DTD-declaring XML, a cell beyond column XFD, rows out of order, a dangling
// shared-string index, or more than the limits.
// `reading`, when given, is told (bytes inflated, bytes in all) of the shared strings and the
// sheet while they are read, every 256 KB: the long part of a large workbook's import.
using ReadProgress = std::function<void(uint64_t done, uint64_t total)>;
Result<XlsxCsv> ReadXlsxAsCsv(std::string_view bytes, const XlsxLimits& limits = {},
                              const ReadProgress& reading = {}, std::string_view sheet = {});

}  // namespace kehu::text
