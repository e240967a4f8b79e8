#pragma once
// RFC 4180 CSV: quoted fields with doubled quotes, CRLF or LF line ends, commas inside quotes,
// newlines inside quotes. Also accepts the tab and semicolon separators Excel sometimes writes
// (detected from the header line).

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kehu::text {

struct CsvRow {
  int line{0};  // 1-based line number where the row starts
  std::vector<std::string> fields{};
};

// Reads records one at a time (the import holds one chunk of rows, not the file's). Same rules as
// ParseCsv; the separator is detected from the first line.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text);
  // The next non-blank record into *row: true, or false at the end of the text. Errors:
  // kInvalidArgument for an unterminated quoted field (with its line).
  Result<bool> Next(CsvRow* row);
  // How many non-blank records the text holds, counted without building fields (a progress
  // total; a record of one empty quoted field counts here though Next skips it).
  static int64_t CountRecords(std::string_view text);

 private:
  std::string_view text_;
  char sep_{','};
  size_t i_{0};
  int line_{1};
};

// Parses UTF-8 text. Blank lines are skipped. Errors: kInvalidArgument for an unterminated
// quoted field (with its line) — the whole file is refused since later rows cannot be trusted.
Result<std::vector<CsvRow>> ParseCsv(std::string_view text);

// One CSV field, quoted when it holds a separator, quote or line break. Fields that start with
// = + - @ are prefixed with a single quote so spreadsheet programs do not run them as formulas.
std::string CsvField(std::string_view value);

// One CSV record: the fields joined by commas (each through CsvField), ending in CRLF.
std::string CsvLine(const std::vector<std::string>& fields);

}  // namespace kehu::text
