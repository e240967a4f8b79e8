// Feeds arbitrary bytes to the XLSX reader (text::ReadXlsxAsCsv) the way an upload would bring
// them, and checks what a successful read promises. Random bytes rarely make a ZIP archive, so
// the input is the XML of a well-formed package's parts instead: up to the first NUL byte the
// worksheet, then the shared strings, then the styles; the package around them is built here with
// libzip. Inputs starting with "PK" are given to the reader as the whole file too.

#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "text/csv.h"
#include "text/xlsx.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

constexpr const char* kRels =
    R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";
constexpr const char* kWorkbook =
    R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
    R"(<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>)";
constexpr const char* kWorkbookRels =
    R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>)"
    R"(<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>)"
    R"(<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>)"
    R"(</Relationships>)";

// A ZIP archive in memory holding the parts; empty when libzip refuses.
std::string Package(std::string_view sheet, std::string_view shared, std::string_view styles) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* archive = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_error_fini(&err);
  if (!archive) return {};
  zip_source_keep(archive);
  zip_t* z = zip_open_from_source(archive, ZIP_TRUNCATE, nullptr);
  if (!z) {
    zip_source_free(archive);
    return {};
  }
  auto add = [&](const char* name, std::string_view bytes) {
    zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    if (src && zip_file_add(z, name, src, ZIP_FL_OVERWRITE) < 0) zip_source_free(src);
  };
  add("_rels/.rels", kRels);
  add("xl/workbook.xml", kWorkbook);
  add("xl/_rels/workbook.xml.rels", kWorkbookRels);
  add("xl/worksheets/sheet1.xml", sheet);
  add("xl/sharedStrings.xml", shared);
  add("xl/styles.xml", styles);
  std::string out;
  if (zip_close(z) != 0) {
    zip_discard(z);
  } else if (zip_source_open(archive) == 0) {
    char buf[4096];
    for (zip_int64_t n; (n = zip_source_read(archive, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    zip_source_close(archive);
  }
  zip_source_free(archive);
  return out;
}

void ReadAndCheck(std::string_view file) {
  kehu::text::XlsxLimits limits;
  limits.max_xml_bytes = 1 << 20;
  limits.max_csv_bytes = 1 << 20;
  limits.max_shared_strings = 10000;
  auto sheet = kehu::text::ReadXlsxAsCsv(file, limits);
  if (!sheet.ok()) {
    Check(!sheet.error().message.empty());
    return;
  }
  // One sheet row per line of the text, in order, and text the CSV reader takes back.
  size_t newlines = 0;
  for (char c : sheet->csv) newlines += c == '\n';
  Check(newlines == sheet->line_rows.size());
  for (size_t k = 1; k < sheet->line_rows.size(); ++k) Check(sheet->line_rows[k] >= sheet->line_rows[k - 1]);
  Check(kehu::text::ParseCsv(sheet->csv).ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.substr(0, 2) == "PK") ReadAndCheck(in);
  size_t a = in.find('\0');
  std::string_view sheet = in.substr(0, a);
  std::string_view rest = a == std::string_view::npos ? std::string_view() : in.substr(a + 1);
  size_t b = rest.find('\0');
  std::string_view shared = rest.substr(0, b);
  std::string_view styles = b == std::string_view::npos ? std::string_view() : rest.substr(b + 1);
  std::string pkg = Package(sheet, shared, styles);
  if (!pkg.empty()) ReadAndCheck(pkg);
  return 0;
}
