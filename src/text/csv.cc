#include "text/csv.h"

namespace kehu::text {

CsvReader::CsvReader(std::string_view text) : text_(text) {
  // Separator: the one of , ; \t that appears most on the first line outside quotes.
  size_t end = text.find('\n');
  std::string_view first = text.substr(0, end);
  size_t commas = 0, semis = 0, tabs = 0;
  bool quoted = false;
  for (char c : first) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    commas += c == ',';
    semis += c == ';';
    tabs += c == '\t';
  }
  if (tabs > commas && tabs >= semis) sep_ = '\t';
  else if (semis > commas) sep_ = ';';
}

Result<bool> CsvReader::Next(CsvRow* out) {
  const std::string_view text = text_;
  size_t& i = i_;
  int& line = line_;
  while (i < text.size()) {
    CsvRow row;
    row.line = line;
    std::string field;
    bool any = false;
    for (;;) {
      if (i < text.size() && text[i] == '"') {
        const int start_line = line;
        ++i;
        for (;;) {
          if (i >= text.size())
            return InvalidArgument("line " + std::to_string(start_line) + ": a quoted field is never closed");
          char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              ++i;
            } else {
              break;
            }
          } else {
            if (c == '\n') ++line;
            field += c;
          }
        }
        any = true;
      }
      while (i < text.size() && text[i] != sep_ && text[i] != '\n' && text[i] != '\r') {
        field += text[i++];
        any = true;
      }
      if (i < text.size() && text[i] == sep_) {
        row.fields.push_back(std::move(field));
        field.clear();
        ++i;
        any = true;
        continue;
      }
      // End of line or of text.
      row.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == '\r') ++i;
      if (i < text.size() && text[i] == '\n') ++i;
      ++line;
      break;
    }
    bool blank = !any || (row.fields.size() == 1 && row.fields[0].empty());
    if (!blank) {
      *out = std::move(row);
      return true;
    }
  }
  return false;
}

int64_t CsvReader::CountRecords(std::string_view text) {
  int64_t n = 0;
  bool quoted = false, content = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
      content = true;
    } else if (quoted) {
      continue;
    } else if (c == '\n') {
      n += content;
      content = false;
    } else if (c != '\r') {
      content = true;
    }
  }
  return n + (content ? 1 : 0);
}

Result<std::vector<CsvRow>> ParseCsv(std::string_view text) {
  std::vector<CsvRow> rows;
  CsvReader reader(text);
  CsvRow row;
  for (;;) {
    KEHU_ASSIGN_OR_RETURN(bool more, reader.Next(&row));
    if (!more) return rows;
    rows.push_back(std::move(row));
  }
}

std::string CsvField(std::string_view v) {
  std::string s(v);
  // A leading = + - @ makes spreadsheets evaluate the cell; a plain signed number (a phone
  // "+8613800138000") is harmless and stays as it is.
  auto plain_number = [&] {
    if (s.size() < 2) return false;
    for (size_t i = 1; i < s.size(); ++i)
      if (!(s[i] >= '0' && s[i] <= '9') && s[i] != ' ') return false;
    return s[0] == '+' || s[0] == '-';
  };
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') && !plain_number())
    s = "'" + s;
  if (s.find_first_of(",\"\r\n;\t") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += CsvField(fields[i]);
  }
  out += "\r\n";
  return out;
}

}  // namespace kehu::text
