#pragma once
// Writing a table to an XLSX workbook (libxlsxwriter), for exports Excel opens directly.

#include <string>
#include <vector>

#include "core/result.h"

namespace kehu::text {

// Writes one sheet with a bold header row and the rows (all cells as text, so phone numbers and
// ids keep their digits). At most 1,048,575 rows (Excel's limit). Errors: kInvalidArgument when
// there are too many rows; kInternal when the file cannot be written.
Status WriteXlsx(const std::string& path, const std::string& sheet,
                 const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);

}  // namespace kehu::text
