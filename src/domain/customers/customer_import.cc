// CustomerService::Import and the header mapping for CSV imports.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/strings.h"
#include "domain/customers/customer_import.h"
#include "domain/customers/customer_search.h"
#include "domain/customers/customer_service.h"
#include "domain/identity/identity_service.h"
#include "text/chinese.h"
#include "text/csv.h"
#include "text/encoding.h"
#include "text/phone.h"

namespace kehu::customers {

using identity::Principal;

namespace {

struct Alias {
  const char* header;
  const char* field;
};

// Headers as Chinese and English spreadsheets name them (compared lower-case, without spaces).
constexpr Alias kAliases[] = {
    {"name", "name"}, {"姓名", "name"}, {"客户名称", "name"}, {"客户姓名", "name"}, {"名称", "name"},
    {"客户", "name"}, {"公司名称", "name"}, {"kind", "kind"}, {"类型", "kind"}, {"客户类型", "kind"},
    {"phone", "phones"}, {"phones", "phones"}, {"mobile", "phones"}, {"tel", "phones"},
    {"手机", "phones"}, {"电话", "phones"}, {"手机号", "phones"}, {"手机号码", "phones"},
    {"联系电话", "phones"}, {"email", "emails"}, {"emails", "emails"}, {"邮箱", "emails"},
    {"电子邮件", "emails"}, {"电子邮箱", "emails"}, {"category", "category"}, {"类别", "category"},
    {"客户类别", "category"}, {"分类", "category"}, {"lifecycle_stage", "lifecycle_stage"},
    {"stage", "lifecycle_stage"}, {"阶段", "lifecycle_stage"}, {"生命周期", "lifecycle_stage"},
    {"relationship_level", "relationship_level"}, {"关系层级", "relationship_level"},
    {"gender", "gender"}, {"性别", "gender"}, {"birthday", "birthday"}, {"生日", "birthday"},
    {"出生日期", "birthday"}, {"birthday_lunar", "birthday_lunar"}, {"农历", "birthday_lunar"},
    {"农历生日", "birthday_lunar"}, {"province", "province"}, {"省份", "province"}, {"省", "province"},
    {"city", "city"}, {"城市", "city"}, {"市", "city"}, {"district", "district"}, {"区县", "district"},
    {"区", "district"}, {"street", "street"}, {"address", "street"}, {"地址", "street"},
    {"详细地址", "street"}, {"街道", "street"}, {"organization", "organization"},
    {"company", "organization"}, {"单位", "organization"}, {"公司", "organization"},
    {"工作单位", "organization"}, {"tags", "tags"}, {"tag", "tags"}, {"标签", "tags"},
    {"note", "note"}, {"notes", "note"}, {"备注", "note"}, {"external_id", "external_id"},
    {"编号", "external_id"}, {"客户编号", "external_id"}, {"外部编号", "external_id"},
    {"source_channel", "source_channel"}, {"source", "source_channel"}, {"来源", "source_channel"},
    {"渠道", "source_channel"}, {"来源渠道", "source_channel"}, {"vip", "vip"}, {"是否vip", "vip"},
    // Columns a Kehu export has that an import does not set.
    {"id", "ignore"}, {"owner_id", "ignore"}, {"created_at", "ignore"}, {"updated_at", "ignore"},
    {"version", "ignore"}, {"负责人", "ignore"}, {"创建时间", "ignore"}, {"更新时间", "ignore"},
};

std::string Fold(const std::string& s) {
  std::string out;
  for (char c : AsciiLower(Trim(s)))
    if (c != ' ' && c != '_' && c != '-') out += c;
  return out;
}

// Splits a cell holding several values: , ， ; ； 、 | and line breaks.
std::vector<std::string> SplitList(const std::string& cell) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string t(Trim(cur));
    if (!t.empty()) out.push_back(t);
    cur.clear();
  };
  for (size_t i = 0; i < cell.size();) {
    std::string_view rest(cell.data() + i, cell.size() - i);
    size_t skip = 0;
    for (std::string_view sep : {"，", "；", "、", ",", ";", "|", "\n"})
      if (rest.substr(0, sep.size()) == sep) skip = sep.size();
    if (skip) {
      flush();
      i += skip;
    } else {
      cur += cell[i++];
    }
  }
  flush();
  return out;
}

std::optional<bool> ParseYesNo(const std::string& v) {
  std::string f = Fold(v);
  if (f == "1" || f == "true" || f == "yes" || f == "y" || f == "是" || f == "√") return true;
  if (f == "0" || f == "false" || f == "no" || f == "n" || f == "否" || f.empty()) return false;
  return std::nullopt;
}

// The workspace's Chinese labels (web/src/i18n/zh-CN.ts): an export in Chinese writes them and
// an import reads them back.
struct ZhLabel {
  const char* key;
  const char* zh;
};
constexpr ZhLabel kStageZh[] = {{"prospect", "潜在客户"}, {"active", "活跃客户"}, {"at_risk", "流失风险"},
                                {"lost", "已流失"}, {"won_back", "已挽回"}};
constexpr ZhLabel kLevelZh[] = {{"basic", "基本型"}, {"reactive", "被动型"}, {"accountable", "负责型"},
                                {"proactive", "能动型"}, {"partnership", "伙伴型"}};
constexpr ZhLabel kGenderZh[] = {{"male", "男"}, {"female", "女"}, {"unknown", "未知"}};

// Label -> key for an import: the labels above and the short forms people type.
template <size_t N>
std::map<std::string, std::string> FromZh(const ZhLabel (&labels)[N], std::map<std::string, std::string> more) {
  for (const auto& l : labels) more.emplace(l.zh, l.key);
  return more;
}

// Key -> label for an export; a key without one is written as it is.
template <size_t N>
std::string ToZh(const ZhLabel (&labels)[N], const std::string& key) {
  for (const auto& l : labels)
    if (key == l.key) return l.zh;
  return key;
}

std::string Translate(const std::string& field, const std::string& v) {
  static const std::map<std::string, std::string> kKind = {{"个人", "person"}, {"企业", "organization"},
                                                           {"公司", "organization"}, {"单位", "organization"},
                                                           {"组织", "organization"}};
  static const auto kGender = FromZh(kGenderZh, {{"m", "male"}, {"f", "female"}});
  static const auto kStage = FromZh(kStageZh, {{"潜在", "prospect"}, {"活跃", "active"}, {"风险", "at_risk"},
                                               {"流失", "lost"}, {"挽回", "won_back"}});
  static const auto kLevel = FromZh(kLevelZh, {{"基本", "basic"}, {"被动", "reactive"}, {"负责", "accountable"},
                                               {"能动", "proactive"}, {"伙伴", "partnership"}});
  const std::map<std::string, std::string>* table = field == "kind"               ? &kKind
                                                    : field == "gender"           ? &kGender
                                                    : field == "lifecycle_stage"  ? &kStage
                                                    : field == "relationship_level" ? &kLevel
                                                                                    : nullptr;
  std::string t(Trim(v));
  if (table) {
    auto it = table->find(AsciiLower(t));
    if (it != table->end()) return it->second;
    return AsciiLower(t);
  }
  if (field == "birthday") {  // 1985/2/7, 1985.2.7 and 1985年2月7日 as Excel shows them
    int y = 0, m = 0, d = 0;
    if (std::sscanf(t.c_str(), "%d/%d/%d", &y, &m, &d) == 3 || std::sscanf(t.c_str(), "%d.%d.%d", &y, &m, &d) == 3 ||
        std::sscanf(t.c_str(), "%d年%d月%d日", &y, &m, &d) == 3) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
      return buf;
    }
  }
  return t;
}

}  // namespace

std::string GuessImportField(const std::string& header) {
  std::string f = Fold(header);
  for (const auto& a : kAliases)
    if (f == Fold(a.header)) return a.field;
  return "";
}

namespace {

// Reads the header line and maps each column to a field: the given mapping first, then the
// automatic one (GuessImportField). Fills report.headers and report.mapping; the field of each
// column ("ignore" for a column left out), or why the header cannot be imported.
Result<std::vector<std::string>> MapColumns(text::CsvReader& reader, const ImportOptions& options,
                                            ImportReport& report) {
  text::CsvRow header;
  KEHU_ASSIGN_OR_RETURN(bool has_header, reader.Next(&header));
  if (!has_header) return InvalidArgument("the file is empty: it needs a header line and rows");
  report.headers = std::move(header.fields);

  // Header mapping: given mapping first, then the automatic one; every header must be mapped.
  std::vector<std::string> field_of(report.headers.size());
  std::vector<std::string> unknown;
  std::set<std::string> used;
  for (size_t i = 0; i < report.headers.size(); ++i) {
    const std::string& h = report.headers[i];
    std::string f;
    if (auto it = options.mapping.find(h); it != options.mapping.end()) {
      f = it->second;
      if (std::none_of(std::begin(kImportFields), std::end(kImportFields), [&](const char* k) { return f == k; }))
        return InvalidArgument("the mapping sends column '" + h + "' to unknown field '" + f + "'",
                               {{"mapping." + h, "is not a field customers can be imported into"}});
    } else {
      f = GuessImportField(h);
    }
    if (f.empty()) {
      unknown.push_back(h.empty() ? "(empty header in column " + std::to_string(i + 1) + ")" : h);
      continue;
    }
    if (f != "ignore" && !used.insert(f).second)
      return InvalidArgument("two columns map to " + f + "; map one of them to ignore",
                             {{"mapping." + h, "another column already maps to " + f}});
    field_of[i] = f;
    report.mapping[h] = f;
  }
  if (!unknown.empty()) {
    std::string list;
    std::vector<FieldError> fields;
    for (const auto& u : unknown) {
      list += (list.empty() ? "" : ", ") + u;
      fields.push_back({"mapping." + u, "no field is known for this column; map it or ignore it"});
    }
    return InvalidArgument("cannot map these columns: " + list +
                               " (give a mapping, e.g. {\"" + unknown[0] + "\": \"note\"} or \"ignore\")",
                           std::move(fields));
  }
  if (!used.count("name")) return InvalidArgument("no column holds the customer's name (姓名 / name)");
  return field_of;
}

}  // namespace

Result<ImportReport> CustomerService::Import(const Principal& p, std::string_view bytes,
                                             const ImportOptions& options, const ImportProgress& progress,
                                             const ReadingProgress& reading) {
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not import customers");
  ImportReport report;
  report.dry_run = options.dry_run;
  // A workbook's sheet comes as CSV text, with the sheet row of each line for the report.
  KEHU_ASSIGN_OR_RETURN(auto decoded, text::DecodeImportFile(bytes, options.encoding, reading, options.sheet));
  report.encoding = decoded.encoding;
  report.sheet = decoded.sheet;
  report.sheets = decoded.sheets;
  // Rows are read chunk by chunk (text::CsvReader): memory holds the text and one chunk of rows.
  text::CsvReader reader(decoded.utf8);
  auto columns = MapColumns(reader, options, report);
  if (!columns.ok()) {
    // A workbook's worksheets come with the refusal: the customers may be on another tab.
    Error e = std::move(columns).error();
    e.sheets = decoded.sheets;
    return e;
  }
  const std::vector<std::string> field_of = std::move(*columns);

  KEHU_ASSIGN_OR_RETURN(auto rules, LoadRules(p.org_id));
  const UnixMillis now = clock_.Now();
  // The progress total, counted ahead without building fields; report.rows counts what is read.
  int64_t total = std::max<int64_t>(0, text::CsvReader::CountRecords(decoded.utf8) - 1);
  std::vector<text::CsvRow> rows;  // the chunk's rows: rows[r - chunk_first] is file row r

  // The rows go through in chunks of kChunkRows, so memory holds one chunk's work, not the
  // file's. Each chunk is checked in three steps: (1) cells to a patch, in parallel; (2)
  // duplicates inside the file, in file order (the seen phones and external ids carry over from
  // chunk to chunk); (3) the existing customer, validation, search text and audit entry, in
  // parallel. Outcomes are merged in file order, so the report and the writes are the same as
  // one pass over the rows would give. While the next chunk is checked, the writer writes the
  // last one into the import's single transaction (CustomerRepository::WriteStream); the first
  // row error stops the writing and rolls it all back, and checking goes on to report every row.
  struct RowWork {
    CustomerPatch patch;
    Address addr;
    bool has_addr{false};
    std::vector<std::string> e164;  // the row's valid phones, normalised
    std::vector<ImportIssue> errors;
    std::optional<CustomerWrite> write;
    enum class Kind { kNone, kCreated, kUpdated, kUnchanged } kind{Kind::kNone};
  };
  const int64_t kChunkRows = std::max<int64_t>(1, options.chunk_rows);
  int64_t chunk_first = 1;  // file row of work[0]
  std::vector<RowWork> work;
  auto row_error = [&](RowWork& w, int64_t r, std::string field, std::string message) {
    w.errors.push_back({r, decoded.SourceLine(rows[r - chunk_first].line), std::move(field), std::move(message)});
  };

  auto cells_to_patch = [&](int64_t r) {
    const auto& row = rows[r - chunk_first];
    RowWork& w = work[r - chunk_first];
    if (row.fields.size() != report.headers.size()) {
      row_error(w, r, "", "has " + std::to_string(row.fields.size()) + " columns, the header has " +
                              std::to_string(report.headers.size()));
      return;
    }
    CustomerPatch& patch = w.patch;
    Address& addr = w.addr;
    for (size_t i = 0; i < row.fields.size(); ++i) {
      const std::string& f = field_of[i];
      const std::string v = Translate(f, row.fields[i]);
      if (f == "ignore" || v.empty()) continue;
      if (f == "name") patch.name = v;
      else if (f == "kind") patch.kind = v;
      else if (f == "phones") patch.phones = SplitList(v);
      else if (f == "emails") patch.emails = SplitList(v);
      else if (f == "category") {
        std::string key = v;
        for (const auto& c : rules.categories)
          if (v == c.name_zh || AsciiLower(v) == AsciiLower(c.name_en)) key = c.key;
        patch.category = key;
      } else if (f == "lifecycle_stage") patch.lifecycle_stage = v;
      else if (f == "relationship_level") patch.relationship_level = AsciiLower(v);
      else if (f == "gender") patch.gender = v;
      else if (f == "birthday") patch.birthday = std::optional<std::string>(v);
      else if (f == "birthday_lunar" || f == "vip") {
        auto b = ParseYesNo(v);
        if (!b) {
          row_error(w, r, f, "must be 是/否, yes/no or 1/0");
        } else if (f == "vip") {
          patch.vip = *b;
        } else {
          patch.birthday_lunar = *b;
        }
      } else if (f == "province") { addr.province = v; w.has_addr = true; }
      else if (f == "city") { addr.city = v; w.has_addr = true; }
      else if (f == "district") { addr.district = v; w.has_addr = true; }
      else if (f == "street") { addr.street = v; w.has_addr = true; }
      else if (f == "organization") patch.organization = v;
      else if (f == "tags") patch.tags = SplitList(v);
      else if (f == "note") patch.note = v;
      else if (f == "external_id") patch.external_id = std::optional<std::string>(v);
      else if (f == "source_channel") patch.source_channel = v;
    }
    if (!w.errors.empty() || !patch.phones) return;
    for (const auto& raw : *patch.phones) {
      auto e164 = text::NormalizePhone(raw, "CN");
      if (e164.ok()) w.e164.push_back(*std::move(e164));  // an invalid one is reported by validation
    }
  };

  // Step 2, in file order: the same external id or phone twice in the file.
  std::unordered_map<std::string, int64_t> seen_phone, seen_external;  // value -> row
  auto file_duplicates = [&](int64_t first, int64_t last) {
    for (int64_t r = first; r <= last; ++r) {
      RowWork& w = work[r - chunk_first];
      if (!w.errors.empty()) continue;
      if (w.patch.external_id && *w.patch.external_id) {
        const std::string& ext = **w.patch.external_id;
        if (auto [it, fresh] = seen_external.try_emplace(ext, r); !fresh) {
          row_error(w, r, "external_id", "same external id as row " + std::to_string(it->second));
          continue;
        }
      }
      for (const auto& e164 : w.e164) {
        if (auto [it, fresh] = seen_phone.try_emplace(e164, r); !fresh) {
          row_error(w, r, "phones", "same phone as row " + std::to_string(it->second));
          break;
        }
      }
    }
  };

  // Step 3: the customer the row describes (by external id, then by any phone), and the write.
  auto check_row = [&](int64_t r) -> Status {
    RowWork& w = work[r - chunk_first];
    if (!w.errors.empty()) return Status::Ok();
    CustomerPatch& patch = w.patch;
    std::optional<Customer> existing;
    if (patch.external_id && *patch.external_id) {
      KEHU_ASSIGN_OR_RETURN(existing, repo_.FindByExternalId(p.org_id, **patch.external_id));
      if (existing && existing->deleted_at) {
        row_error(w, r, "external_id", "belongs to deleted customer " + std::to_string(existing->id));
        return Status::Ok();
      }
    }
    for (const auto& e164 : w.e164) {
      if (existing) break;
      KEHU_ASSIGN_OR_RETURN(existing, repo_.FindByPhone(p.org_id, e164));
    }
    if (existing) {
      KEHU_ASSIGN_OR_RETURN(bool visible, repo_.IsVisible(p.org_id, existing->id, identity::CustomerVisibility(p)));
      if (!visible) {
        row_error(w, r, "phones", "matches a customer you may not change");
        return Status::Ok();
      }
    }
    const Address& addr = w.addr;
    if (w.has_addr) patch.address = existing ? Address{addr.province.empty() ? existing->address.province : addr.province,
                                                        addr.city.empty() ? existing->address.city : addr.city,
                                                        addr.district.empty() ? existing->address.district : addr.district,
                                                        addr.street.empty() ? existing->address.street : addr.street}
                                             : addr;
    if (existing && patch.phones) {  // keep the customer's other phones and emails
      std::vector<std::string> merged = existing->phones;
      for (const auto& ph : *patch.phones) merged.push_back(ph);
      patch.phones = merged;
    }
    if (existing && patch.emails) {
      std::vector<std::string> merged = existing->emails;
      for (const auto& e : *patch.emails) merged.push_back(e);
      patch.emails = merged;
    }
    Customer c = existing ? *existing : Customer{};
    c.org_id = p.org_id;
    if (auto st = Apply(p, rules, patch, c, existing ? &*existing : nullptr); !st.ok()) {
      for (const auto& fe : st.error().fields) row_error(w, r, fe.field, fe.message);
      if (st.error().fields.empty()) row_error(w, r, "", st.error().message);
      return Status::Ok();
    }
    if (existing) {
      auto changes = Diff(&*existing, c);
      if (changes.empty()) {
        w.kind = RowWork::Kind::kUnchanged;
        return Status::Ok();
      }
      c.updated_at = now;
      c.version = existing->version + 1;
      w.kind = RowWork::Kind::kUpdated;
      CustomerWrite cw{.customer = c, .expected_version = existing->version, .search = BuildSearchText(c),
                       .audit = Audit(p, "update", "customer", c.id, std::move(changes), now)};
      w.write = std::move(cw);
    } else {
      c.created_at = c.updated_at = now;
      c.created_by = p.user_id;
      c.version = 1;
      w.kind = RowWork::Kind::kCreated;
      CustomerWrite cw{.customer = c, .expected_version = 0, .search = BuildSearchText(c),
                       .audit = Audit(p, "create", "customer", 0, Diff(nullptr, c), now)};
      w.write = std::move(cw);
    }
    return Status::Ok();
  };

  // Runs fn(r) for every row on a few threads (inline for small files); the first error wins.
  // While the writer runs beside the checking (a real import), checking leaves it a core: the
  // writer is what an import waits for, and checking threads on every core took turns with it
  // (2 cores, 200,000 rows, three alternations: 19.0-21.7 s with one checking thread, 25.5-27.5 s
  // with two; docs/benchmarks.md).
  const unsigned cores = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  const unsigned check_threads = !options.dry_run && repo_.ReadsDuringWrites() ? std::max(1u, cores - 1) : cores;
  std::mutex progress_mu;
  std::atomic<int64_t> done{0};
  auto for_rows = [&](int64_t from, int64_t to, const std::function<Status(int64_t)>& fn,
                      bool report_progress) -> Status {
    const int64_t kChunk = 512;
    const unsigned threads =
        to - from + 1 < 4 * kChunk ? 1u : check_threads;
    std::atomic<int64_t> next{from};
    std::mutex err_mu;
    std::optional<Error> failure;
    auto worker = [&] {
      for (;;) {
        const int64_t first = next.fetch_add(kChunk);
        if (first > to) return;
        const int64_t last = std::min(to, first + kChunk - 1);
        for (int64_t r = first; r <= last; ++r) {
          if (Status st = fn(r); !st.ok()) {
            std::lock_guard lock(err_mu);
            if (!failure) failure = st.error();
            return;
          }
        }
        if (report_progress && progress) {
          const int64_t d = done.fetch_add(last - first + 1) + (last - first + 1);
          std::lock_guard lock(progress_mu);
          progress(std::min(d, total), total);
        }
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (failure) return *failure;
    return Status::Ok();
  };

  // The hand-over between the checking thread and the writer: at most two checked chunks wait.
  // Where reads cannot run beside an open write (in-memory SQLite), everything is checked first.
  const bool pipelined = repo_.ReadsDuringWrites();
  std::mutex hand_mu;
  std::condition_variable hand_cv;
  std::deque<std::vector<CustomerWrite>> ready;
  bool checked_all = false, writer_gone = false;
  std::optional<Error> check_failure;  // a database error while checking (not a row error)

  // Checks every chunk in file order; hands each chunk's writes to the writer (unless this is a
  // dry run or a row error has been found) and merges the outcomes into the report.
  auto check_all = [&] {
    for (int64_t first = 1;; first += kChunkRows) {
      rows.clear();
      Status st = Status::Ok();
      text::CsvRow row;
      while (static_cast<int64_t>(rows.size()) < kChunkRows) {
        auto more = reader.Next(&row);
        if (!more.ok()) {
          st = more.error();
          break;
        }
        if (!*more) break;
        rows.push_back(std::move(row));
      }
      if (st.ok() && rows.empty()) break;
      const int64_t last = first + static_cast<int64_t>(rows.size()) - 1;
      chunk_first = first;
      work.assign(rows.size(), RowWork{});
      {
        std::lock_guard lock(hand_mu);
        report.rows = last;
      }
      if (st.ok()) st = for_rows(first, last, [&](int64_t r) { cells_to_patch(r); return Status::Ok(); }, false);
      if (st.ok()) {
        file_duplicates(first, last);
        st = for_rows(first, last, check_row, true);
      }
      std::vector<CustomerWrite> writes;
      std::unique_lock lock(hand_mu);
      if (!st.ok()) {
        check_failure = st.error();
        break;
      }
      for (auto& w : work) {
        for (auto& e : w.errors) {
          ++report.error_count;
          if (report.errors.size() < kMaxReportedErrors) report.errors.push_back(std::move(e));
        }
        if (!w.errors.empty()) continue;
        if (w.kind == RowWork::Kind::kUnchanged) ++report.unchanged;
        if (w.kind == RowWork::Kind::kUpdated) ++report.updated;
        if (w.kind == RowWork::Kind::kCreated) ++report.created;
        if (w.write && report.error_count == 0 && !options.dry_run) writes.push_back(std::move(*w.write));
      }
      if (!writes.empty() && report.error_count == 0 && !options.dry_run) {
        if (pipelined) hand_cv.wait(lock, [&] { return ready.size() < 2 || writer_gone; });
        if (!writer_gone) ready.push_back(std::move(writes));
      }
      hand_cv.notify_all();
    }
    work.clear();
    work.shrink_to_fit();
    rows.clear();
    rows.shrink_to_fit();
    std::lock_guard lock(hand_mu);
    total = report.rows;
    checked_all = true;
    hand_cv.notify_all();
  };

  if (options.dry_run || total == 0) {
    check_all();
    if (check_failure) return *check_failure;
    if (progress) progress(total, total);
    report.applied = !options.dry_run && report.error_count == 0;  // a header alone: nothing to do
    return report;
  }

  const int64_t expected_rows = total;  // the checker recounts `total` as it reads
  std::thread checker;
  if (pipelined) {
    checker = std::thread(check_all);
  } else {
    check_all();
    if (check_failure) return *check_failure;
    if (report.error_count > 0) {
      if (progress) progress(total, total);
      return report;
    }
  }
  const Error row_errors = MakeError(ErrorCode::kAborted, "the file has row errors; nothing was imported");
  Status written = repo_.WriteStream([&]() -> Result<std::optional<std::vector<CustomerWrite>>> {
    std::unique_lock lock(hand_mu);
    hand_cv.wait(lock, [&] { return !ready.empty() || checked_all || report.error_count > 0 || check_failure; });
    if (report.error_count > 0) return row_errors;  // roll back now; checking goes on for the report
    if (check_failure) return *check_failure;
    if (ready.empty()) return std::optional<std::vector<CustomerWrite>>();  // all checked and written
    std::vector<CustomerWrite> batch = std::move(ready.front());
    ready.pop_front();
    hand_cv.notify_all();
    return std::optional<std::vector<CustomerWrite>>(std::move(batch));
  }, expected_rows);
  {
    std::lock_guard lock(hand_mu);
    writer_gone = true;
    ready.clear();
    hand_cv.notify_all();
  }
  if (checker.joinable()) checker.join();
  if (check_failure) return *check_failure;
  if (progress) progress(total, total);
  if (report.error_count > 0) return report;  // the counts say what the rows would have done
  if (!written.ok()) {
    // A conflict with a change made since the rows were checked: nothing was written.
    report.error_count += 1;
    report.errors.push_back({0, 0, written.error().fields.empty() ? "" : written.error().fields[0].field,
                             written.error().message});
    report.created = report.updated = 0;
    return report;
  }
  report.applied = true;
  return report;
}

}  // namespace kehu::customers

namespace kehu::customers {

std::vector<std::string> ExportRow(const Customer& c, const ExportLabels* zh) {
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : "; ") + x;
    return out;
  };
  if (!zh) {
    return {std::to_string(c.id), c.name, Name(c.kind), c.category, Name(c.lifecycle_stage),
            Name(c.relationship_level), c.owner_id ? std::to_string(*c.owner_id) : "", join(c.phones),
            join(c.emails), join(c.tags), c.organization, c.address.province, c.address.city,
            c.address.district, c.address.street, Name(c.gender), c.birthday ? FormatDate(*c.birthday) : "",
            c.birthday_lunar ? "yes" : "no", c.vip ? "yes" : "no", c.external_id.value_or(""), c.source_channel,
            c.note, FormatTimestamp(c.created_at), FormatTimestamp(c.updated_at)};
  }
  // Beijing time (the business zone), to the second.
  auto local = [](UnixMillis t) {
    std::string s = FormatTimestamp(t + kBusinessOffsetMillis);
    return s.substr(0, 10) + " " + s.substr(11, 8);
  };
  std::string owner;
  if (c.owner_id) {
    auto it = zh->owner_names.find(*c.owner_id);
    owner = it != zh->owner_names.end() ? it->second : std::to_string(*c.owner_id);
  }
  auto category = zh->category_names.find(c.category);
  return {std::to_string(c.id), c.name, c.kind == Kind::kOrganization ? "企业" : "个人",
          category != zh->category_names.end() ? category->second : c.category,
          ToZh(kStageZh, Name(c.lifecycle_stage)), ToZh(kLevelZh, Name(c.relationship_level)), owner,
          join(c.phones), join(c.emails), join(c.tags), c.organization, c.address.province, c.address.city, c.address.district, c.address.street,
          ToZh(kGenderZh, Name(c.gender)), c.birthday ? FormatDate(*c.birthday) : "", c.birthday_lunar ? "是" : "否",
          c.vip ? "是" : "否", c.external_id.value_or(""), c.source_channel, c.note, local(c.created_at),
          local(c.updated_at)};
}

std::vector<std::string> ExportHeaders(bool chinese) {
  return chinese ? std::vector<std::string>(std::begin(kExportHeadersZh), std::end(kExportHeadersZh))
                 : std::vector<std::string>(std::begin(kExportHeaders), std::end(kExportHeaders));
}

Result<ExportLabels> ChineseExportLabels(CustomerService& customers, identity::IdentityService& identity,
                                         const identity::Principal& p) {
  ExportLabels labels;
  KEHU_ASSIGN_OR_RETURN(auto categories, customers.ListCategories(p));
  for (const auto& cat : categories)
    if (!cat.name_zh.empty()) labels.category_names[cat.key] = cat.name_zh;
  KEHU_ASSIGN_OR_RETURN(auto users, identity.ListUsers(p));
  for (const auto& u : users) labels.owner_names[u.id] = u.display_name.empty() ? u.username : u.display_name;
  return labels;
}

std::vector<ImportTemplateColumn> CustomerImportTemplate(bool chinese) {
  struct Text {
    const char* field;
    const char* zh_header;
    const char* zh_guidance;
    const char* zh_example;
    const char* en_guidance;
    const char* en_example;
  };
  static constexpr Text kColumns[] = {
      {"name", "姓名", "必填。个人写姓名（姓在前），企业写全称。", "王小明",
       "Required. A person's name (family name first for Chinese names) or an organization's full name.",
       "王小明"},
      {"kind", "类型", "个人或企业；不填为个人。", "个人", "person or organization; empty means person.", "person"},
      {"phones", "手机号",
       "中国大陆号码可不带 +86，其他地区请带国家码；多个号码用分号分隔。手机号或编号已有的客户会被更新，不会重复创建。",
       "13800138000",
       "Mainland China numbers need no +86; others need their country code. Several: separate with ;. A "
       "customer whose phone or external id is known is updated, never created twice.",
       "13800138000"},
      {"emails", "邮箱", "多个邮箱用分号分隔。", "wang@example.cn", "Several: separate with ;.", "wang@example.cn"},
      {"category", "客户类别", "团购客户、经销商、代销商、线上消费者，或本企业在“客户类别”中定义的类别。", "经销商",
       "group_purchase, distributor, consignment, online_consumer, or a category your admin defined.",
       "distributor"},
      {"lifecycle_stage", "生命周期", "潜在客户、活跃客户、流失风险、已流失或已挽回；不填为潜在客户。", "活跃客户",
       "prospect, active, at_risk, lost or won_back; empty means prospect.", "active"},
      {"relationship_level", "关系层级", "科特勒关系层级：基本型、被动型、负责型、能动型或伙伴型。", "被动型",
       "Kotler's level: basic, reactive, accountable, proactive or partnership.", "reactive"},
      {"gender", "性别", "男、女或未知。", "男", "male, female or unknown.", "male"},
      {"birthday", "生日", "如 1985-02-07、1985/2/7 或 1985年2月7日；Excel 的日期单元格也可以。", "1985-02-07",
       "A date such as 1985-02-07; an Excel date cell works too.", "1985-02-07"},
      {"birthday_lunar", "农历生日", "生日是农历日期时填“是”。", "否", "yes when the birthday is a lunar date.", "no"},
      {"province", "省份", "", "浙江省", "", "浙江省"},
      {"city", "城市", "", "杭州市", "", "杭州市"},
      {"district", "区县", "", "西湖区", "", "西湖区"},
      {"street", "详细地址", "", "文三路100号", "Street and number.", "文三路100号"},
      {"organization", "公司", "个人客户的工作单位。", "杭州示例贸易有限公司", "A person's employer.",
       "杭州示例贸易有限公司"},
      {"tags", "标签", "多个标签用分号或顿号分隔。", "宴席;高端", "Several: separate with ;.", "宴席;高端"},
      {"note", "备注", "", "", "", ""},
      {"external_id", "编号", "客户在贵司其他系统中的编号；再次导入同一编号会更新该客户。", "CRM-0001",
       "The customer's id in your other systems; importing the same id again updates that customer.",
       "CRM-0001"},
      {"source_channel", "来源渠道", "客户从哪里来，如门店、线上、展会。", "门店",
       "Where the customer came from, e.g. store, web, trade fair.", "store"},
      {"vip", "VIP", "是或否。", "否", "yes or no.", "no"},
  };
  std::vector<ImportTemplateColumn> out;
  for (const auto& c : kColumns)
    out.push_back(chinese ? ImportTemplateColumn{c.zh_header, c.field, c.zh_guidance, c.zh_example}
                          : ImportTemplateColumn{c.field, c.field, c.en_guidance, c.en_example});
  return out;
}

}  // namespace kehu::customers
