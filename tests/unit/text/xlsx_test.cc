// Reading XLSX workbooks as CSV (text/xlsx.h): workbooks written by libxlsxwriter (the export's
// inline strings, and Excel's usual shared strings, numbers, dates and booleans) and packages
// built here part by part with libzip (namespace prefixes, missing references, phonetic guides,
// the 1904 date system), plus the damaged and hostile files an upload can bring.
#include <gtest/gtest.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "text/csv.h"
#include "text/encoding.h"
#include "text/xlsx.h"

namespace kehu::text {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("kehu-xlsx-" + std::to_string(getpid()) + "-" + name)).string();
}

// The CSV read back as rows of fields, and the line each record starts on.
std::vector<std::vector<std::string>> Rows(const std::string& csv, std::vector<int>* lines = nullptr) {
  auto rows = ParseCsv(csv);
  EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
  std::vector<std::vector<std::string>> out;
  if (!rows.ok()) return out;
  for (auto& r : *rows) {
    out.push_back(r.fields);
    if (lines) lines->push_back(r.line);
  }
  return out;
}

// A package made of the given parts (name -> bytes), as a ZIP archive in memory.
std::string Package(const std::map<std::string, std::string>& parts) {
  const std::string path = TempPath("pkg.zip");
  std::remove(path.c_str());
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  EXPECT_NE(z, nullptr);
  for (const auto& [name, bytes] : parts) {
    zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    EXPECT_GE(zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE), 0);
  }
  EXPECT_EQ(zip_close(z), 0);
  std::string out = ReadFile(path);
  std::remove(path.c_str());
  return out;
}

const char* kRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";

std::string WorkbookRels(bool shared, bool styles) {
  std::string s =
      R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
      R"(<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>)"
      R"(<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/hidden.xml"/>)"
      R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/data.xml"/>)";
  if (shared)
    s += R"(<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/>)";
  if (styles)
    s += R"(<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>)";
  return s + "</Relationships>";
}

// A workbook whose elements carry the x: prefix (as .NET's Open XML SDK writes them), whose
// first tab is a hidden worksheet and the next a chart sheet, and whose worksheet is named by an
// absolute target.
std::map<std::string, std::string> PrefixedWorkbook(const std::string& sheet_data, bool date1904 = false) {
  const std::string ns = R"(xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
                         R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships")";
  return {
      {"_rels/.rels", kRels},
      {"xl/workbook.xml", "<x:workbook " + ns + ">" + (date1904 ? R"(<x:workbookPr date1904="1"/>)" : "") +
                              R"(<x:sheets><x:sheet name="隐藏" sheetId="3" state="hidden" r:id="rId8"/>)"
                              R"(<x:sheet name="图表" sheetId="2" r:id="rId9"/>)"
                              R"(<x:sheet name="客户" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>)"},
      {"xl/_rels/workbook.xml.rels", WorkbookRels(true, true)},
      {"xl/strings.xml", "<x:sst " + ns + R"( count="3" uniqueCount="3">)"
                             R"(<x:si><x:t>姓名</x:t></x:si>)"
                             R"(<x:si><x:r><x:t>王</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve">小明</x:t></x:r>)"
                             R"(<x:rPh sb="0" eb="1"><x:t>ワン</x:t></x:rPh></x:si>)"
                             R"(<x:si><x:t>第一行_x000D_
第二行</x:t></x:si></x:sst>)"},
      {"xl/styles.xml", "<x:styleSheet " + ns +
                            R"(><x:numFmts count="1"><x:numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></x:numFmts>)"
                            R"(<x:cellStyleXfs count="1"><x:xf numFmtId="14"/></x:cellStyleXfs>)"
                            R"(<x:cellXfs count="4"><x:xf numFmtId="0"/><x:xf numFmtId="176"/><x:xf numFmtId="31"/><x:xf numFmtId="20"/></x:cellXfs></x:styleSheet>)"},
      {"xl/worksheets/data.xml", "<x:worksheet " + ns + "><x:sheetData>" + sheet_data + "</x:sheetData></x:worksheet>"},
  };
}

TEST(XlsxTest, AnExportReadsBackCellForCell) {
  const std::string path = TempPath("export.xlsx");
  std::vector<std::string> header = {"id", "name", "phones", "note", "tags"};
  std::vector<std::vector<std::string>> rows = {
      {"7", "王小明", "+8613800138000", "说 \"好\", 再见", "白酒; 宴席"},
      {"8", "李娜", "", "两行\n备注", ""},
      {"9", "", "", "", ""},  // a row of nothing but its id
  };
  ASSERT_TRUE(WriteXlsx(path, "customers", header, rows).ok());
  auto sheet = ReadXlsxAsCsv(ReadFile(path));
  std::remove(path.c_str());
  ASSERT_TRUE(sheet.ok()) << sheet.error().message;
  EXPECT_EQ(sheet->sheet, "customers");
  std::vector<int> lines;
  auto got = Rows(sheet->csv, &lines);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], header);
  EXPECT_EQ(got[1], rows[0]);
  EXPECT_EQ(got[2], rows[1]);
  EXPECT_EQ(got[3], rows[2]);  // padded to the header's width
  // Row 3's note takes two lines of CSV; both are sheet row 3, and the next record is row 4.
  EXPECT_EQ(lines, (std::vector<int>{1, 2, 3, 5}));
  EXPECT_EQ(sheet->line_rows, (std::vector<int32_t>{1, 2, 3, 3, 4}));
}

TEST(XlsxTest, SharedStringsNumbersDatesAndBooleansAsExcelShowsThem) {
  const std::string path = TempPath("typed.xlsx");
  lxw_workbook* wb = workbook_new(path.c_str());  // not constant_memory: shared strings, as Excel
  lxw_worksheet* ws = workbook_add_worksheet(wb, "名单");
  workbook_add_worksheet(wb, "Sheet2");  // later sheets are not read
  lxw_format* iso = workbook_add_format(wb);
  format_set_num_format(iso, "yyyy-mm-dd");
  lxw_format* chinese = workbook_add_format(wb);
  format_set_num_format(chinese, "yyyy\"年\"m\"月\"d\"日\"");
  lxw_format* builtin = workbook_add_format(wb);
  format_set_num_format_index(builtin, 14);  // m/d/yyyy
  lxw_format* stamp = workbook_add_format(wb);
  format_set_num_format(stamp, "yyyy-mm-dd hh:mm");
  lxw_format* clock = workbook_add_format(wb);
  format_set_num_format(clock, "hh:mm:ss");
  lxw_format* money = workbook_add_format(wb);
  format_set_num_format(money, "#,##0.00_);[Red](#,##0.00)");
  const char* head[] = {"姓名", "手机", "生日", "生日2", "生日3", "登记", "时间", "VIP", "金额", "公式"};
  for (int c = 0; c < 10; ++c) worksheet_write_string(ws, 0, c, head[c], nullptr);
  worksheet_write_string(ws, 1, 0, "王小明", nullptr);
  worksheet_write_number(ws, 1, 1, 13800138000.0, nullptr);
  lxw_datetime d1{1985, 2, 7, 0, 0, 0};
  worksheet_write_datetime(ws, 1, 2, &d1, iso);
  worksheet_write_datetime(ws, 1, 3, &d1, chinese);
  worksheet_write_datetime(ws, 1, 4, &d1, builtin);
  lxw_datetime d2{2026, 12, 7, 8, 30, 0};
  worksheet_write_datetime(ws, 1, 5, &d2, stamp);
  lxw_datetime t{0, 0, 0, 14, 5, 9};
  worksheet_write_datetime(ws, 1, 6, &t, clock);
  worksheet_write_boolean(ws, 1, 7, 1, nullptr);
  worksheet_write_number(ws, 1, 8, 1234.5, money);
  worksheet_write_formula_str(ws, 1, 9, "=A2&\"先生\"", nullptr, "王小明先生");
  // Row 3 is left empty; row 4 has text only in its second cell and one beyond the header.
  worksheet_write_string(ws, 3, 1, "李娜", nullptr);
  worksheet_write_number(ws, 3, 11, 0.25, nullptr);
  worksheet_write_boolean(ws, 3, 7, 0, nullptr);
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);

  auto sheet = ReadXlsxAsCsv(ReadFile(path));
  std::remove(path.c_str());
  ASSERT_TRUE(sheet.ok()) << sheet.error().message;
  EXPECT_EQ(sheet->sheet, "名单");
  std::vector<int> lines;
  auto got = Rows(sheet->csv, &lines);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (std::vector<std::string>{head, head + 10}));
  EXPECT_EQ(got[1], (std::vector<std::string>{"王小明", "13800138000", "1985-02-07", "1985-02-07", "1985-02-07",
                                              "2026-12-07 08:30:00", "14:05:09", "TRUE", "1234.5", "王小明先生"}));
  EXPECT_EQ(got[2], (std::vector<std::string>{"", "李娜", "", "", "", "", "", "FALSE", "", "", "", "0.25"}));
  EXPECT_EQ(lines, (std::vector<int>{1, 2, 4}));  // the empty row 3 is a blank line
}

TEST(XlsxTest, PrefixedElementsMissingReferencesAndRichText) {
  auto pkg = Package(PrefixedWorkbook(
      R"(<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c t="inlineStr"><x:is><x:t>生日</x:t></x:is></x:c><x:c t="str"><x:v>公式</x:v></x:c><x:c><x:v>1</x:v></x:c></x:row>)"
      R"(<x:row><x:c t="s"><x:v>1</x:v></x:c><x:c s="1"><x:v>31085</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c s="3"><x:v>0.5</x:v></x:c></x:row>)"
      R"(<x:row r="5"><x:c r="A5" t="s"><x:v>2</x:v></x:c><x:c r="B5" s="2"><x:v>31085</x:v></x:c><x:c r="C5" t="d"><x:v>2026-01-02T00:00:00</x:v></x:c><x:c r="D5" t="b"><x:v>1</x:v></x:c></x:row>)"));
  auto sheet = ReadXlsxAsCsv(pkg);
  ASSERT_TRUE(sheet.ok()) << sheet.error().message;
  EXPECT_EQ(sheet->sheet, "客户");  // the first visible worksheet, not the hidden one or the chart sheet
  auto got = Rows(sheet->csv);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (std::vector<std::string>{"姓名", "生日", "公式", "1"}));
  // Runs joined, the phonetic guide (ワン) left out; 31085 in a 年月日 format is 1985-02-07.
  EXPECT_EQ(got[1], (std::vector<std::string>{"王小明", "1985-02-07", "#N/A", "12:00:00"}));
  EXPECT_EQ(got[2], (std::vector<std::string>{"第一行\r\n第二行", "1985-02-07", "2026-01-02", "TRUE"}));
  // Rows 3 and 4 are missing: two blank lines, so line 5 of the CSV is row 5 of the sheet.
  EXPECT_EQ(sheet->line_rows.size(), 6u);
  EXPECT_EQ(sheet->line_rows[4], 5);
}

TEST(XlsxTest, CellsListedOutOfOrderKeepTheirColumns) {
  auto pkg = Package(PrefixedWorkbook(
      R"(<x:row r="1"><x:c r="C1" t="inlineStr"><x:is><x:t>c</x:t></x:is></x:c>)"
      R"(<x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c>)"
      R"(<x:c r="A1" t="inlineStr"><x:is><x:t>a2</x:t></x:is></x:c></x:row>)"));
  auto sheet = ReadXlsxAsCsv(pkg);
  ASSERT_TRUE(sheet.ok()) << sheet.error().message;
  EXPECT_EQ(Rows(sheet->csv)[0], (std::vector<std::string>{"a2", "", "c"}));
}

TEST(XlsxTest, EscapedCharactersAreDecoded) {
  // _xHHHH_ is any UTF-16 unit; _x005F_ escapes the underscore of a literal "_x0041_".
  auto pkg = Package(PrefixedWorkbook(
      R"(<x:row r="1"><x:c t="inlineStr"><x:is><x:t>_x4E2D__x0009_a_x005F_x0041_</x:t></x:is></x:c></x:row>)"));
  auto sheet = ReadXlsxAsCsv(pkg);
  ASSERT_TRUE(sheet.ok()) << sheet.error().message;
  EXPECT_EQ(Rows(sheet->csv)[0], (std::vector<std::string>{"中\ta_x0041_"}));
}

TEST(XlsxTest, The1904DateSystem) {
  auto pkg = Package(PrefixedWorkbook(
      R"(<x:row r="1"><x:c t="s"><x:v>0</x:v></x:c></x:row><x:row r="2"><x:c s="1"><x:v>29623</x:v></x:c></x:row>)",
      /*date1904=*/true));
  auto sheet = ReadXlsxAsCsv(pkg);
  ASSERT_TRUE(sheet.ok()) << sheet.error().message;
  EXPECT_EQ(Rows(sheet->csv)[1], (std::vector<std::string>{"1985-02-07"}));
}

TEST(XlsxTest, ReadingReportsTheShareOfTheWorkbookRead) {
  const std::string path = TempPath("progress.xlsx");
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 20000; ++i) rows.push_back({std::to_string(i), "客户" + std::to_string(i), "+86138" + std::to_string(10000000 + i)});
  ASSERT_TRUE(WriteXlsx(path, "customers", {"id", "name", "phones"}, rows).ok());
  const std::string bytes = ReadFile(path);
  std::remove(path.c_str());
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  auto decoded = DecodeImportFile(bytes, "auto", [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); });
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->encoding, "xlsx");
  // The sheet's XML is over a megabyte: several reports, growing, of one total, ending at it.
  ASSERT_GE(calls.size(), 4u);
  const uint64_t total = calls.front().second;
  EXPECT_GT(total, uint64_t{1} << 20);
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].second, total);
    if (i > 0) {
      EXPECT_GE(calls[i].first, calls[i - 1].first);
    }
  }
  EXPECT_EQ(calls.back().first, total);
  // A text file is not a workbook: nothing to report.
  calls.clear();
  ASSERT_TRUE(DecodeImportFile("name\n王芳\n", "auto", [&](uint64_t d, uint64_t t) { calls.emplace_back(d, t); }).ok());
  EXPECT_TRUE(calls.empty());
}

TEST(XlsxTest, DecodeImportFileTellsWorkbooksTextAndOldExcelApart) {
  auto pkg = Package(PrefixedWorkbook(R"(<x:row r="3"><x:c t="s"><x:v>0</x:v></x:c></x:row>)"));
  auto book = DecodeImportFile(pkg, "gbk");  // the encoding does not apply to a workbook
  ASSERT_TRUE(book.ok()) << book.error().message;
  EXPECT_EQ(book->encoding, "xlsx");
  EXPECT_EQ(book->utf8, "\n\n姓名\n");
  EXPECT_EQ(book->SourceLine(3), 3);
  auto csv = DecodeImportFile("姓名\n王小明\n");
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->encoding, "utf-8");
  EXPECT_TRUE(csv->line_rows.empty());
  EXPECT_EQ(csv->SourceLine(2), 2);
  auto xls = DecodeImportFile(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(504, '\0'));
  ASSERT_FALSE(xls.ok());
  EXPECT_NE(xls.error().message.find(".xls"), std::string::npos) << xls.error().message;
}

TEST(XlsxTest, AnyVisibleWorksheetCanBeChosenByName) {
  // A workbook whose customers are on its second tab, behind a tab of instructions.
  const std::string path = TempPath("tabs.xlsx");
  ASSERT_TRUE(WriteXlsx(path, {{.name = "说明", .header = {"说明"}, .rows = {{"客户在第二页"}}},
                               {.name = "客户", .header = {"姓名", "手机号"}, .rows = {{"王芳", "13800138000"}}},
                               {.name = "订单", .header = {"编号"}, .rows = {{"1"}}}})
                  .ok());
  const std::string bytes = ReadFile(path);
  std::remove(path.c_str());
  const std::vector<std::string> tabs = {"说明", "客户", "订单"};

  auto first = ReadXlsxAsCsv(bytes);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->sheet, "说明");
  EXPECT_EQ(first->sheets, tabs);

  auto second = ReadXlsxAsCsv(bytes, {}, {}, "客户");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->sheet, "客户");
  EXPECT_EQ(second->sheets, tabs);
  EXPECT_EQ(Rows(second->csv), (std::vector<std::vector<std::string>>{{"姓名", "手机号"}, {"王芳", "13800138000"}}));

  // A name the workbook lacks: the message and the error name the tabs there are.
  auto missing = ReadXlsxAsCsv(bytes, {}, {}, "Customers");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("“Customers”"), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("“说明”, “客户”, “订单”"), std::string::npos) << missing.error().message;
  ASSERT_EQ(missing.error().fields.size(), 1u);
  EXPECT_EQ(missing.error().fields[0].field, "sheet");
  EXPECT_EQ(missing.error().sheets, tabs);

  // The same through DecodeImportFile, which an import calls; a text file has no sheets.
  auto decoded = DecodeImportFile(bytes, "auto", {}, "订单");
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->utf8, "编号\n1\n");
  EXPECT_EQ(decoded->sheet, "订单");
  EXPECT_EQ(decoded->sheets, tabs);
  auto text = DecodeImportFile("姓名\n王芳\n", "auto", {}, "客户");
  ASSERT_FALSE(text.ok());
  ASSERT_EQ(text.error().fields.size(), 1u);
  EXPECT_EQ(text.error().fields[0].field, "sheet");
  auto plain = DecodeImportFile("姓名\n王芳\n");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->sheet.empty());
  EXPECT_TRUE(plain->sheets.empty());
}

TEST(XlsxTest, DamagedAndHostileFilesGetAClearMessage) {
  auto message = [](const std::string& bytes, const XlsxLimits& limits = {}) {
    auto r = ReadXlsxAsCsv(bytes, limits);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.error().message;
  };
  // Not a ZIP archive past its first bytes.
  EXPECT_NE(message(std::string("PK\x03\x04", 4) + std::string(100, 'x')).find("not a readable ZIP"), std::string::npos);
  // A ZIP archive that is no workbook.
  EXPECT_NE(message(Package({{"hello.txt", "hi"}})).find("not an XLSX workbook"), std::string::npos);
  // A DTD (the way to an entity bomb) is refused.
  auto parts = PrefixedWorkbook("");
  parts["xl/worksheets/data.xml"] =
      R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><worksheet><sheetData/></worksheet>)";
  EXPECT_NE(message(Package(parts)).find("DTD"), std::string::npos);
  // Malformed XML names the part and the line.
  parts["xl/worksheets/data.xml"] = "<worksheet><sheetData><row></sheetData></worksheet>";
  std::string m = message(Package(parts));
  EXPECT_NE(m.find("xl/worksheets/data.xml"), std::string::npos) << m;
  EXPECT_NE(m.find("not well-formed"), std::string::npos) << m;
  // A shared string the workbook does not have.
  m = message(Package(PrefixedWorkbook(R"(<x:row r="1"><x:c t="s"><x:v>99</x:v></x:c></x:row>)")));
  EXPECT_NE(m.find("shared string 99"), std::string::npos) << m;
  // Rows out of order, and a cell beyond column XFD.
  m = message(Package(PrefixedWorkbook(R"(<x:row r="4"/><x:row r="2"/>)")));
  EXPECT_NE(m.find("out of order"), std::string::npos) << m;
  m = message(Package(PrefixedWorkbook(R"(<x:row r="1"><x:c r="XFE1"><x:v>1</x:v></x:c></x:row>)")));
  EXPECT_NE(m.find("XFD"), std::string::npos) << m;
  // More inflated XML than the limit (a zip bomb): refused, whatever the archive claims.
  std::string rows;
  for (int r = 1; r <= 2000; ++r) rows += "<x:row><x:c><x:v>" + std::to_string(r) + "</x:v></x:c></x:row>";
  XlsxLimits small;
  small.max_xml_bytes = 16 * 1024;
  m = message(Package(PrefixedWorkbook(rows)), small);
  EXPECT_NE(m.find("inflates to more than"), std::string::npos) << m;
  XlsxLimits little_text;
  little_text.max_csv_bytes = 1000;
  m = message(Package(PrefixedWorkbook(rows)), little_text);
  EXPECT_NE(m.find("of text"), std::string::npos) << m;
}

}  // namespace
}  // namespace kehu::text
