#include "text/xlsx.h"

#include <xlsxwriter.h>

namespace kehu::text {

namespace {

// A sheet with a bold, frozen header row and the rows, every cell as text (phone numbers and
// ids keep their digits); a wrapped text format when widths are given.
void WriteSheet(lxw_workbook* wb, lxw_format* bold, const std::string& name, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, const std::vector<double>& widths) {
  lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
  lxw_format* wrap = nullptr;
  if (!widths.empty()) {
    wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
  }
  for (size_t c = 0; c < widths.size(); ++c)
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c], wrap);
  for (size_t c = 0; c < header.size(); ++c)
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), header[c].c_str(), bold);
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t c = 0; c < rows[r].size(); ++c)
      if (!rows[r][c].empty())
        worksheet_write_string(ws, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c), rows[r][c].c_str(),
                               wrap);
  worksheet_freeze_panes(ws, 1, 0);
}

}  // namespace

Status WriteXlsx(const std::string& path, const std::string& sheet, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  // The rows are large (an export): written from the caller's vectors, not copied into a sheet.
  if (rows.size() >= 1048576) return InvalidArgument("more rows than an XLSX sheet holds (1,048,575)");
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;  // rows are written out as they come: flat memory use
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (!wb) return Internal("cannot create " + path);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  WriteSheet(wb, bold, sheet, header, rows, {});
  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) return Internal(std::string("writing the workbook failed: ") + lxw_strerror(err));
  return Status::Ok();
}

Status WriteXlsx(const std::string& path, const std::vector<XlsxSheetData>& sheets) {
  for (const auto& s : sheets)
    if (s.rows.size() >= 1048576) return InvalidArgument("more rows than an XLSX sheet holds (1,048,575)");
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (!wb) return Internal("cannot create " + path);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  for (const auto& s : sheets) WriteSheet(wb, bold, s.name, s.header, s.rows, s.widths);
  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) return Internal(std::string("writing the workbook failed: ") + lxw_strerror(err));
  return Status::Ok();
}

}  // namespace kehu::text
