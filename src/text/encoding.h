#pragma once
// Character encodings of imported files: UTF-8 (with or without BOM) and GB18030 (a superset of
// GBK and GB2312, what Chinese Excel writes for "CSV"), detected automatically.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kehu::text {

struct Decoded {
  std::string utf8{};
  std::string encoding{};  // "utf-8", "utf-8-bom", "gb18030", or "xlsx" (DecodeImportFile)
  // For a workbook: the sheet row of each line of utf8 (line_rows[k] for line k + 1); empty for
  // a text file, whose lines are its own.
  std::vector<int32_t> line_rows{};
  std::string sheet{};                // for a workbook: the worksheet read
  std::vector<std::string> sheets{};  // and every visible worksheet's name, in tab order

  // The line or sheet row, in the file the user gave, of line `line` of utf8.
  int64_t SourceLine(int64_t line) const {
    return line >= 1 && static_cast<size_t>(line) <= line_rows.size() ? line_rows[static_cast<size_t>(line - 1)] : line;
  }
};

// encoding: "auto" (UTF-8 when the bytes are valid UTF-8, a UTF-8 BOM is dropped; otherwise
// GB18030), "utf-8", "gbk", "gb18030" or "gb2312".
// Errors: kInvalidArgument for an unknown encoding name, or bytes that are not valid in the
// chosen (or any detected) encoding — the message gives the byte offset of the first bad byte.
Result<Decoded> DecodeToUtf8(std::string_view bytes, std::string_view encoding = "auto");

// A file given to an import, as CSV text: an XLSX workbook's worksheet `sheet` (its first when
// empty) written out as CSV (text::ReadXlsxAsCsv; `encoding` does not apply), otherwise the bytes
// decoded as above (a `sheet` for a text file is an error). An Excel 97-2003 (.xls) or
// password-protected workbook is refused with advice.
// `reading` is told (bytes read, bytes in all) while a workbook is read (see ReadXlsxAsCsv).
// Implemented in xlsx_read.cc.
Result<Decoded> DecodeImportFile(std::string_view bytes, std::string_view encoding = "auto",
                                 const std::function<void(uint64_t, uint64_t)>& reading = {},
                                 std::string_view sheet = {});

// UTF-8 to GB18030 (for exports meant for older Excel versions).
Result<std::string> EncodeGb18030(std::string_view utf8);

}  // namespace kehu::text
