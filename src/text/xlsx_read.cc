// Reading a worksheet of an XLSX workbook (libzip for the package, expat for the XML
// parts) and writing it out as CSV text, so that an import reads a workbook exactly as it reads
// a CSV file. See text/xlsx.h.

#include <expat.h>
#include <unicode/utf8.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "core/time.h"
#include "text/encoding.h"
#include "text/xlsx.h"

namespace kehu::text {

namespace {

// Element and attribute names are read without namespace processing (expat's costs most of its
// time building "uri local" names): a name's local part is what follows its prefix ("x:c" -> "c",
// "r:id" -> "id"), and SpreadsheetML's parts have no two names that differ only by namespace.
constexpr char kNsSep = ':';
constexpr int kMaxColumns = 16384;  // XFD, Excel's last column

// The local part of a name ("x:c" or "c" -> "c").
std::string_view Local(const XML_Char* name) {
  std::string_view n(name);
  size_t at = n.rfind(kNsSep);
  return at == std::string_view::npos ? n : n.substr(at + 1);
}

// "4 GiB", "16 MiB", "1000 bytes": a limit as a user reads it.
std::string SizeText(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 30) && bytes % (uint64_t{1} << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (uint64_t{1} << 20)) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

bool HasNamespace(const XML_Char* name) { return std::strchr(name, kNsSep) != nullptr; }

// An attribute by local name; `namespaced` picks "r:id" (true) against a plain "id" (false).
const char* Attr(const XML_Char** atts, std::string_view local, std::optional<bool> namespaced = false) {
  for (int i = 0; atts[i] != nullptr; i += 2) {
    if (Local(atts[i]) != local) continue;
    if (namespaced && HasNamespace(atts[i]) != *namespaced) continue;
    return atts[i + 1];
  }
  return nullptr;
}

// OOXML escapes characters XML cannot hold as _xHHHH_ (and a literal "_x" as _x005F_x).
std::string Unescape(std::string s) {
  if (s.find("_x") == std::string::npos) return s;
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_' &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2])) && std::isxdigit(static_cast<unsigned char>(s[i + 3])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 4])) && std::isxdigit(static_cast<unsigned char>(s[i + 5]))) {
      unsigned cp = static_cast<unsigned>(std::strtoul(s.substr(i + 2, 4).c_str(), nullptr, 16));
      if (cp < 0xD800 || cp > 0xDFFF) {  // a lone surrogate stays as the text it is
        char buf[U8_MAX_LENGTH];
        int32_t n = 0;
        U8_APPEND_UNSAFE(buf, n, static_cast<UChar32>(cp));
        out.append(buf, static_cast<size_t>(n));
        i += 7;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

// An expat parser fed in chunks; subclasses take the events.
class XmlPart {
 public:
  explicit XmlPart(std::string part) : part_(std::move(part)), parser_(XML_ParserCreate(nullptr)) {
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(
        parser_, [](void* self, const XML_Char* name, const XML_Char** atts) {
          static_cast<XmlPart*>(self)->OnStart(Local(name), atts);
        },
        [](void* self, const XML_Char* name) { static_cast<XmlPart*>(self)->OnEnd(Local(name)); });
    XML_SetCharacterDataHandler(parser_, [](void* self, const XML_Char* s, int len) {
      static_cast<XmlPart*>(self)->OnText(std::string_view(s, static_cast<size_t>(len)));
    });
    // Workbooks never declare a DTD; refusing one rules out entity expansion.
    XML_SetStartDoctypeDeclHandler(parser_, [](void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
      auto* me = static_cast<XmlPart*>(self);
      me->Fail("declares a DTD, which no workbook does");
    });
  }
  virtual ~XmlPart() { XML_ParserFree(parser_); }
  XmlPart(const XmlPart&) = delete;
  XmlPart& operator=(const XmlPart&) = delete;

  Status Feed(const char* data, size_t n, bool last) {
    if (!error_.empty()) return InvalidArgument(error_);
    if (XML_Parse(parser_, data, static_cast<int>(n), last ? 1 : 0) == XML_STATUS_ERROR) {
      if (error_.empty())
        error_ = "the workbook's " + part_ + " is not well-formed XML (line " +
                 std::to_string(XML_GetCurrentLineNumber(parser_)) + ": " +
                 XML_ErrorString(XML_GetErrorCode(parser_)) + ")";
      return InvalidArgument(error_);
    }
    if (!error_.empty()) return InvalidArgument(error_);
    return Status::Ok();
  }

 protected:
  virtual void OnStart(std::string_view name, const XML_Char** atts) = 0;
  virtual void OnEnd(std::string_view name) = 0;
  virtual void OnText(std::string_view) {}
  // Stops the parse with a message for the user.
  void Fail(std::string message) {
    if (error_.empty()) error_ = message.rfind("the ", 0) == 0 ? message : "the workbook's " + part_ + " " + message;
    XML_StopParser(parser_, XML_FALSE);
  }
  const std::string& part() const { return part_; }

 private:
  std::string part_;
  XML_Parser parser_;
  std::string error_;
};

// _rels/*.rels: Id -> (Type, Target).
class RelsPart final : public XmlPart {
 public:
  using XmlPart::XmlPart;
  struct Rel {
    std::string type, target;
  };
  std::map<std::string, Rel> rels;
  std::vector<std::string> order;  // Ids in document order

 private:
  void OnStart(std::string_view name, const XML_Char** atts) override {
    if (name != "Relationship") return;
    const char* id = Attr(atts, "Id");
    const char* type = Attr(atts, "Type");
    const char* target = Attr(atts, "Target");
    if (!id || !type || !target) return;
    order.push_back(id);
    rels[id] = {type, target};
  }
  void OnEnd(std::string_view) override {}
};

// xl/workbook.xml: the visible sheets in tab order and the date system.
class WorkbookPart final : public XmlPart {
 public:
  using XmlPart::XmlPart;
  struct Sheet {
    std::string name, rel_id;
  };
  std::vector<Sheet> sheets;
  bool date1904{false};

 private:
  void OnStart(std::string_view name, const XML_Char** atts) override {
    if (name == "workbookPr") {
      const char* v = Attr(atts, "date1904");
      date1904 = v && (std::strcmp(v, "1") == 0 || std::strcmp(v, "true") == 0);
    } else if (name == "sheet") {
      const char* n = Attr(atts, "name");
      const char* id = Attr(atts, "id", true);
      const char* state = Attr(atts, "state");  // hidden, veryHidden: not what the user sees first
      if (id && (!state || std::strcmp(state, "visible") == 0)) sheets.push_back({n ? n : "", id});
    }
  }
  void OnEnd(std::string_view) override {}
};

// Whether a number format shows a date, a time of day, or a plain number.
enum class NumKind { kNumber, kDate, kTime };

NumKind KindOfBuiltinFormat(int id) {
  // ECMA-376 18.8.30 and the East Asian built-ins Excel uses in zh-CN (27-36, 50-58).
  if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 54) ||
      id == 57 || id == 58)
    return NumKind::kDate;
  if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47) || id == 55 || id == 56)
    return NumKind::kTime;
  return NumKind::kNumber;
}

NumKind KindOfFormatCode(std::string_view code) {
  if (code.size() == 7 && (code[0] == 'G' || code[0] == 'g') && code.substr(1) == "eneral") return NumKind::kNumber;
  bool date = false, time = false;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == ';') break;  // the first section decides
    if (c == '"') {       // literal text
      size_t end = code.find('"', i + 1);
      if (end == std::string_view::npos) break;
      i = end;
      continue;
    }
    if (c == '[') {  // [Red], [$-804], [h] (elapsed hours: a duration)
      size_t end = code.find(']', i + 1);
      if (end == std::string_view::npos) break;
      std::string_view inside = code.substr(i + 1, end - i - 1);
      if (!inside.empty() && (inside[0] == 'h' || inside[0] == 'H' || inside[0] == 'm' || inside[0] == 's'))
        time = true;
      i = end;
      continue;
    }
    if (c == '\\' || c == '_' || c == '*') {  // escaped character, padding, fill
      ++i;
      continue;
    }
    // y and d make a date; h and s a time; m is a month or a minute, decided by the others.
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == 'y' || l == 'd') date = true;
    else if (l == 'h' || l == 's') time = true;
  }
  if (date) return NumKind::kDate;
  if (time) return NumKind::kTime;
  return NumKind::kNumber;
}

// xl/styles.xml: the number format kind of each cell style index.
class StylesPart final : public XmlPart {
 public:
  using XmlPart::XmlPart;
  std::vector<NumKind> kinds;  // by the cell's s attribute

 private:
  void OnStart(std::string_view name, const XML_Char** atts) override {
    if (name == "numFmt") {
      const char* id = Attr(atts, "numFmtId");
      const char* code = Attr(atts, "formatCode");
      if (id && code) codes_[std::atoi(id)] = code;
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      const char* id = Attr(atts, "numFmtId");
      int n = id ? std::atoi(id) : 0;
      auto it = codes_.find(n);
      kinds.push_back(it != codes_.end() ? KindOfFormatCode(it->second) : KindOfBuiltinFormat(n));
    }
  }
  void OnEnd(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }
  std::map<int, std::string> codes_;
  bool in_cell_xfs_{false};
};

// xl/sharedStrings.xml: each <si>'s text (its runs joined, phonetic guides left out).
class SharedStringsPart final : public XmlPart {
 public:
  SharedStringsPart(std::string part, size_t max) : XmlPart(std::move(part)), max_(max) {}
  std::vector<std::string> strings;

 private:
  void OnStart(std::string_view name, const XML_Char** atts) override {
    if (name == "sst") {
      if (const char* n = Attr(atts, "uniqueCount")) {
        unsigned long long count = std::strtoull(n, nullptr, 10);
        if (count <= max_) strings.reserve(static_cast<size_t>(count));
      }
    } else if (name == "si") {
      current_.clear();
      in_si_ = true;
    } else if (name == "rPh") {
      ++in_phonetic_;
    } else if (name == "t" && in_si_ && in_phonetic_ == 0) {
      in_t_ = true;
    }
  }
  void OnEnd(std::string_view name) override {
    if (name == "t") {
      in_t_ = false;
    } else if (name == "rPh") {
      --in_phonetic_;
    } else if (name == "si") {
      in_si_ = false;
      if (strings.size() >= max_) return Fail("holds more than " + std::to_string(max_) + " strings");
      strings.push_back(Unescape(std::move(current_)));
      current_.clear();
    }
  }
  void OnText(std::string_view s) override {
    if (in_t_) current_.append(s);
  }
  size_t max_;
  std::string current_;
  bool in_si_{false}, in_t_{false};
  int in_phonetic_{0};
};

// "AB12" -> column 27 (0-based); -1 when the reference has no letters or too many.
int ColumnOf(const char* ref) {
  int col = 0, letters = 0;
  for (const char* p = ref; *p; ++p) {
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + (c - 'A' + 1);
    if (++letters > 3) return -1;
  }
  return letters == 0 ? -1 : col - 1;
}

// A number as Excel shows it in a General cell: "1.38001380001E10" -> "13800138000".
std::string NumberText(const std::string& v) {
  if (v.find_first_of("eE") == std::string::npos) return v;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || !std::isfinite(d)) return v;
  char buf[64];
  if (d == std::floor(d) && std::fabs(d) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", d);
  else std::snprintf(buf, sizeof buf, "%.15g", d);
  return buf;
}

// A serial date-time as text: "1985-02-07", "1985-02-07 08:30:00" or, for a time, "08:30:00".
std::string SerialText(const std::string& v, NumKind kind, bool date1904) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || !std::isfinite(d) || d < 0 || d >= 2958466.0) return NumberText(v);
  int64_t days = static_cast<int64_t>(std::floor(d));
  int64_t secs = std::llround((d - static_cast<double>(days)) * 86400.0);
  if (secs >= 86400) {
    ++days;
    secs -= 86400;
  }
  char clock[16];
  std::snprintf(clock, sizeof clock, "%02d:%02d:%02d", static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  if (kind == NumKind::kTime || (days == 0 && !date1904)) return clock;
  std::string date;
  if (!date1904 && days == 60) {
    date = "1900-02-29";  // the day Excel's 1900 system counts though it never was
  } else {
    CivilDate base = date1904 ? CivilDate{1904, 1, 1} : days < 60 ? CivilDate{1899, 12, 31} : CivilDate{1899, 12, 30};
    date = FormatDate(CivilFromDays(DaysFromCivil(base) + days));
  }
  return secs == 0 ? date : date + " " + clock;
}

// The worksheet, streamed: each row written as one CSV record as soon as it ends.
class SheetPart final : public XmlPart {
 public:
  SheetPart(std::string part, const std::vector<std::string>* shared, const std::vector<NumKind>* kinds,
            bool date1904, uint64_t max_csv, XlsxCsv* out)
      : XmlPart(std::move(part)), shared_(shared), kinds_(kinds), date1904_(date1904), max_csv_(max_csv), out_(out) {}

 private:
  void OnStart(std::string_view name, const XML_Char** atts) override {
    if (name == "sheetData") {
      in_data_ = true;
    } else if (!in_data_) {
      return;
    } else if (name == "row") {
      const char* r = Attr(atts, "r");
      long row = r ? std::atol(r) : last_row_ + 1;
      if (row <= last_row_ || row > 1048576)
        return Fail("the sheet's rows are out of order (row " + std::to_string(row) + " after row " +
                    std::to_string(last_row_) + ")");
      row_ = row;
      cells_.clear();
      col_ = -1;
    } else if (name == "c") {
      const char* ref = Attr(atts, "r");
      int col = ref ? ColumnOf(ref) : col_ + 1;
      if (col < 0 || col >= kMaxColumns)
        return Fail("the sheet has a cell beyond column XFD (" + std::string(ref ? ref : "?") + ")");
      col_ = col;
      const char* t = Attr(atts, "t");
      type_ = t ? t : "n";
      const char* s = Attr(atts, "s");
      style_ = s ? std::atoi(s) : 0;
      value_.clear();
      inline_.clear();
      in_cell_ = true;
    } else if (!in_cell_) {
      return;
    } else if (name == "v") {
      in_v_ = true;
    } else if (name == "rPh") {
      ++in_phonetic_;
    } else if (name == "t" && in_phonetic_ == 0) {
      in_t_ = true;
    }
  }

  void OnEnd(std::string_view name) override {
    if (name == "v") {
      in_v_ = false;
    } else if (name == "t") {
      in_t_ = false;
    } else if (name == "rPh") {
      --in_phonetic_;
    } else if (name == "c" && in_cell_) {
      in_cell_ = false;
      std::string text;
      if (!CellText(&text)) return;
      if (!text.empty()) cells_.emplace_back(col_, std::move(text));
    } else if (name == "row" && in_data_) {
      EmitRow();
    } else if (name == "sheetData") {
      in_data_ = false;
    }
  }

  void OnText(std::string_view s) override {
    if (in_v_) value_.append(s);
    else if (in_t_) inline_.append(s);
  }

  bool CellText(std::string* text) {
    if (type_ == "s") {
      char* end = nullptr;
      unsigned long i = std::strtoul(value_.c_str(), &end, 10);
      if (end == value_.c_str() || i >= shared_->size()) {
        Fail("the sheet's cell in row " + std::to_string(row_) + " refers to shared string " + value_ +
             ", which the workbook does not have");
        return false;
      }
      *text = (*shared_)[i];
    } else if (type_ == "inlineStr") {
      *text = Unescape(std::move(inline_));
    } else if (type_ == "str" || type_ == "e") {
      *text = Unescape(std::move(value_));
    } else if (type_ == "b") {
      *text = value_.empty() ? "" : value_ == "1" ? "TRUE" : "FALSE";
    } else if (type_ == "d") {  // an ISO 8601 date (strict OOXML)
      *text = value_.size() > 10 && value_.compare(10, std::string::npos, "T00:00:00") == 0 ? value_.substr(0, 10)
                                                                                           : value_;
    } else if (!value_.empty()) {  // a number
      NumKind kind = style_ >= 0 && static_cast<size_t>(style_) < kinds_->size() ? (*kinds_)[style_] : NumKind::kNumber;
      *text = kind == NumKind::kNumber ? NumberText(value_) : SerialText(value_, kind, date1904_);
    }
    return true;
  }

  void Field(const std::string& v) {
    std::string& csv = out_->csv;
    if (v.find_first_of(",;\t\"\r\n") == std::string::npos) {
      csv += v;
      return;
    }
    csv += '"';
    for (char c : v) {
      if (c == '"') csv += '"';
      csv += c;
      if (c == '\n') out_->line_rows.push_back(static_cast<int32_t>(row_));  // the record goes on
    }
    csv += '"';
  }

  void EmitRow() {
    for (long r = last_row_ + 1; r < row_; ++r) NewLine(r);  // rows the sheet leaves out
    last_row_ = row_;
    if (cells_.empty()) return NewLine(row_);
    // A row's cells come in column order from every writer we know; a file that lists them
    // otherwise is put in order (a repeated reference keeps the last value given).
    if (!std::is_sorted(cells_.begin(), cells_.end(), [](const auto& a, const auto& b) { return a.first < b.first; }))
      std::stable_sort(cells_.begin(), cells_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    int last_col = cells_.back().first;
    if (width_ == 0) width_ = last_col + 1;  // the first row with text is the header
    int n = std::max(width_, last_col + 1);
    out_->line_rows.push_back(static_cast<int32_t>(row_));
    size_t k = 0;
    for (int c = 0; c < n; ++c) {
      if (c > 0) out_->csv += ',';
      while (k + 1 < cells_.size() && cells_[k].first < c) ++k;
      if (k < cells_.size() && cells_[k].first == c) {
        while (k + 1 < cells_.size() && cells_[k + 1].first == c) ++k;
        Field(cells_[k].second);
      }
    }
    out_->csv += '\n';
    if (out_->csv.size() > max_csv_)
      Fail("the sheet holds more than " + SizeText(max_csv_) + " of text; split it into smaller files");
  }

  void NewLine(long row) {
    out_->line_rows.push_back(static_cast<int32_t>(row));
    out_->csv += '\n';
  }

  const std::vector<std::string>* shared_;
  const std::vector<NumKind>* kinds_;
  bool date1904_;
  uint64_t max_csv_;
  XlsxCsv* out_;
  bool in_data_{false}, in_cell_{false}, in_v_{false}, in_t_{false};
  int in_phonetic_{0};
  long row_{0}, last_row_{0};
  int col_{-1}, style_{0}, width_{0};
  std::string type_, value_, inline_;
  std::vector<std::pair<int, std::string>> cells_;
};

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// The ZIP package of the workbook, read from memory, with a budget of inflated bytes.
class Package {
 public:
  static Result<Package> Open(std::string_view bytes, uint64_t budget) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
    if (!src) {
      zip_error_fini(&err);
      return Internal("cannot read the workbook into libzip");
    }
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!z) {
      std::string why = zip_error_strerror(&err);
      zip_source_free(src);
      zip_error_fini(&err);
      return InvalidArgument("the file starts like an XLSX workbook but is not a readable ZIP archive (" + why +
                             "); save it again from Excel, or as CSV");
    }
    zip_error_fini(&err);
    Package p;
    p.zip_.reset(z);
    p.budget_ = budget;
    p.limit_ = budget;
    return p;
  }

  bool Has(const std::string& name) const { return zip_name_locate(zip_.get(), name.c_str(), ZIP_FL_NOCASE) >= 0; }

  // The part's inflated size (0 when absent or unknown).
  uint64_t Size(const std::string& name) const {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(zip_.get(), name.c_str(), ZIP_FL_NOCASE, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0) return 0;
    return st.size;
  }

  // Feeds the part's inflated bytes to the parser; `reading` hears of each chunk (counted from
  // `read_before`, of `read_total`).
  Status Parse(const std::string& name, XmlPart& part, const ReadProgress* reading = nullptr,
               uint64_t read_before = 0, uint64_t read_total = 0) {
    zip_int64_t idx = zip_name_locate(zip_.get(), name.c_str(), ZIP_FL_NOCASE);
    if (idx < 0) return InvalidArgument("the workbook has no " + name + "; save it again from Excel, or as CSV");
    std::unique_ptr<zip_file_t, ZipFileClose> f(zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(idx), 0));
    if (!f)
      return InvalidArgument("the workbook's " + name + " cannot be opened (" + zip_strerror(zip_.get()) +
                             "); it may be encrypted or damaged");
    std::string buf(256 * 1024, '\0');
    for (;;) {
      zip_int64_t n = zip_fread(f.get(), buf.data(), buf.size());
      if (n < 0)
        return InvalidArgument("the workbook's " + name + " is damaged (" + zip_file_strerror(f.get()) + ")");
      if (static_cast<uint64_t>(n) > budget_)
        return InvalidArgument("the workbook inflates to more than " + SizeText(limit_) +
                               " of XML; split it, or save it as CSV");
      budget_ -= static_cast<uint64_t>(n);
      KEHU_RETURN_IF_ERROR(part.Feed(buf.data(), static_cast<size_t>(n), n == 0));
      read_before += static_cast<uint64_t>(n);
      if (reading && *reading) (*reading)(std::min(read_before, read_total), read_total);
      if (n == 0) return Status::Ok();
    }
  }



 private:
  std::unique_ptr<zip_t, ZipDiscard> zip_;
  uint64_t budget_{0};
  uint64_t limit_{0};
};

// "xl/workbook.xml" + "worksheets/sheet1.xml" -> "xl/worksheets/sheet1.xml"; "/xl/x.xml" -> "xl/x.xml".
std::string Resolve(const std::string& base_dir, const std::string& target) {
  std::string path = !target.empty() && target[0] == '/' ? target.substr(1) : base_dir + target;
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string seg = path.substr(start, slash - start);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool LooksLikeZip(std::string_view bytes) { return bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

Result<XlsxCsv> ReadXlsxAsCsv(std::string_view bytes, const XlsxLimits& limits, const ReadProgress& reading,
                              std::string_view sheet_name) {
  KEHU_ASSIGN_OR_RETURN(auto pkg, Package::Open(bytes, limits.max_xml_bytes));

  // The workbook part: named by the package's relationships, xl/workbook.xml by convention.
  std::string workbook = "xl/workbook.xml";
  if (pkg.Has("_rels/.rels")) {
    RelsPart rels("_rels/.rels");
    KEHU_RETURN_IF_ERROR(pkg.Parse("_rels/.rels", rels));
    for (const auto& id : rels.order) {
      const auto& rel = rels.rels[id];
      if (EndsWith(rel.type, "/officeDocument")) {
        workbook = Resolve("", rel.target);
        break;
      }
    }
  }
  if (!pkg.Has(workbook))
    return InvalidArgument("this ZIP archive is not an XLSX workbook (it has no " + workbook +
                           "); import a CSV file or an Excel workbook");
  const std::string dir = workbook.substr(0, workbook.rfind('/') + 1);
  const std::string file = workbook.substr(workbook.rfind('/') + 1);

  WorkbookPart wb(workbook);
  KEHU_RETURN_IF_ERROR(pkg.Parse(workbook, wb));
  RelsPart rels(dir + "_rels/" + file + ".rels");
  KEHU_RETURN_IF_ERROR(pkg.Parse(dir + "_rels/" + file + ".rels", rels));

  std::string sheet_path, shared_path, styles_path;
  XlsxCsv out;
  for (const auto& s : wb.sheets) {
    auto it = rels.rels.find(s.rel_id);
    if (it == rels.rels.end() || !EndsWith(it->second.type, "/worksheet")) continue;  // a chart sheet
    out.sheets.push_back(s.name);
    if (sheet_path.empty() && (sheet_name.empty() || s.name == sheet_name)) {
      sheet_path = Resolve(dir, it->second.target);
      out.sheet = s.name;
    }
  }
  if (out.sheets.empty()) return InvalidArgument("the workbook has no worksheet to import");
  if (sheet_path.empty()) {
    std::string names;
    for (const auto& n : out.sheets) names += (names.empty() ? "“" : ", “") + n + "”";
    Error e = InvalidArgument("the workbook has no worksheet named “" + std::string(sheet_name) + "”; its worksheets are " +
                                  names,
                              {{"sheet", "is not a worksheet of this workbook"}});
    e.sheets = out.sheets;
    return e;
  }
  for (const auto& id : rels.order) {
    const auto& rel = rels.rels[id];
    if (EndsWith(rel.type, "/sharedStrings")) shared_path = Resolve(dir, rel.target);
    else if (EndsWith(rel.type, "/styles")) styles_path = Resolve(dir, rel.target);
  }

  // Progress counts the two large parts: the shared strings, then the sheet.
  const bool has_shared = !shared_path.empty() && pkg.Has(shared_path);
  const uint64_t shared_size = has_shared ? pkg.Size(shared_path) : 0;
  const uint64_t total = shared_size + pkg.Size(sheet_path);
  SharedStringsPart shared(shared_path.empty() ? "sharedStrings.xml" : shared_path, limits.max_shared_strings);
  if (has_shared) KEHU_RETURN_IF_ERROR(pkg.Parse(shared_path, shared, &reading, 0, total));
  StylesPart styles(styles_path.empty() ? "styles.xml" : styles_path);
  if (!styles_path.empty() && pkg.Has(styles_path)) KEHU_RETURN_IF_ERROR(pkg.Parse(styles_path, styles));

  SheetPart sheet(sheet_path, &shared.strings, &styles.kinds, wb.date1904, limits.max_csv_bytes, &out);
  KEHU_RETURN_IF_ERROR(pkg.Parse(sheet_path, sheet, &reading, shared_size, total));
  return out;
}

Result<Decoded> DecodeImportFile(std::string_view bytes, std::string_view encoding, const ReadProgress& reading,
                                 std::string_view sheet_name) {
  if (LooksLikeZip(bytes)) {
    KEHU_ASSIGN_OR_RETURN(auto sheet, ReadXlsxAsCsv(bytes, {}, reading, sheet_name));
    return Decoded{std::move(sheet.csv), "xlsx", std::move(sheet.line_rows), std::move(sheet.sheet),
                   std::move(sheet.sheets)};
  }
  if (!sheet_name.empty())
    return InvalidArgument("only an XLSX workbook has worksheets to choose from; this file is text",
                           {{"sheet", "applies to XLSX workbooks only"}});
  if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
    return InvalidArgument(
        "this is an Excel 97-2003 workbook (.xls) or a password-protected one; in Excel save it as an "
        ".xlsx workbook without a password, or as CSV");
  return DecodeToUtf8(bytes, encoding);
}

}  // namespace kehu::text
