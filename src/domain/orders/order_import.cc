// OrderService::Import: CSV files with a header (the default mapping) and the CDNOW transaction
// files (whitespace-separated, see docs/orders.md).

#include <algorithm>
#include <map>
#include <set>

#include "core/strings.h"
#include "domain/orders/order_service.h"
#include "text/csv.h"
#include "text/encoding.h"

namespace kehu::orders {

using identity::Principal;

namespace {


struct Alias {
  const char* header;
  const char* field;
};

// Headers as English and Chinese spreadsheets name them (compared lower-case, no spaces/_/-).
constexpr Alias kAliases[] = {
    {"customerexternalid", "customer_external_id"}, {"客户编号", "customer_external_id"},
    {"customerphone", "customer_phone"}, {"phone", "customer_phone"}, {"手机号", "customer_phone"},
    {"手机", "customer_phone"}, {"电话", "customer_phone"}, {"orderedat", "ordered_at"}, {"date", "ordered_at"},
    {"time", "ordered_at"}, {"下单时间", "ordered_at"}, {"日期", "ordered_at"}, {"amount", "amount"},
    {"金额", "amount"}, {"cost", "cost"}, {"成本", "cost"}, {"channel", "channel"}, {"渠道", "channel"},
    {"status", "status"}, {"状态", "status"}, {"externalid", "external_id"}, {"orderid", "external_id"},
    {"订单号", "external_id"}, {"currency", "currency"}, {"币种", "currency"}, {"note", "note"},
    {"备注", "note"}, {"lines", "lines"}, {"明细", "lines"}};

constexpr Alias kChannelAliases[] = {{"线上", "online"}, {"门店", "store"}, {"团购", "group_purchase"},
                                     {"经销商", "distributor"}, {"代销", "consignment"}};
constexpr Alias kStatusAliases[] = {{"已下单", "placed"}, {"已付款", "paid"}, {"已退货", "returned"},
                                    {"已取消", "cancelled"}};

std::string Fold(std::string_view s) {
  std::string out;
  for (char c : AsciiLower(Trim(s)))
    if (c != ' ' && c != '_' && c != '-') out += c;
  return out;
}

// "29.33" → 2933; at most two decimals, no sign, no exponent.
std::optional<int64_t> ParseMoney(std::string_view s) {
  s = Trim(s);
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t whole = 0, frac = 0;
  size_t i = 0, digits = 0;
  for (; i < s.size() && s[i] != '.'; ++i, ++digits) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    whole = whole * 10 + (s[i] - '0');
  }
  if (digits == 0) return std::nullopt;
  int scale = 100;
  if (i < s.size()) {
    ++i;
    int n = 0;
    for (; i < s.size(); ++i, ++n) {
      if (s[i] < '0' || s[i] > '9' || n >= 2) return std::nullopt;
      frac = frac * 10 + (s[i] - '0');
    }
    if (n == 1) frac *= 10;
  }
  return whole * scale + frac;
}

std::optional<int64_t> ParseCount(std::string_view s) {
  s = Trim(s);
  if (s.empty() || s.size() > 9) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string StripZeros(std::string_view s) {
  size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  return std::string(s.substr(i));
}

// One row to import, before customers are resolved.
struct Row {
  int64_t row{0};
  int64_t line{0};
  std::string customer_external_id{};
  std::string customer_phone{};
  OrderPatch patch{};
  int64_t customer_id{0};
  bool bad{false};
};

std::vector<std::string> SplitWs(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

Result<OrderImportReport> OrderService::Import(const Principal& p, std::string_view bytes,
                                               const OrderImportOptions& options,
                                               const std::function<void(int64_t, int64_t)>& progress,
                                               const std::function<void(uint64_t, uint64_t)>& reading) {
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not import orders");
  if (options.mapping != "default" && options.mapping != "cdnow")
    return InvalidArgument("unknown mapping", {{"mapping", "must be default or cdnow"}});
  OrderImportReport rep;
  rep.mapping = options.mapping;
  rep.dry_run = options.dry_run;
  auto issue = [&](Row& r, const std::string& field, const std::string& message) {
    r.bad = true;
    ++rep.error_count;
    if (rep.errors.size() < customers::kMaxReportedErrors)
      rep.errors.push_back({.row = r.row, .line = r.line, .field = field, .message = message});
  };
  // An XLSX workbook's sheet comes as CSV text, with the sheet row of each line.
  KEHU_ASSIGN_OR_RETURN(auto decoded, text::DecodeImportFile(bytes, "auto", reading, options.sheet));
  rep.sheet = decoded.sheet;
  rep.sheets = decoded.sheets;
  if (options.mapping == "cdnow" && decoded.encoding == "xlsx")
    return InvalidArgument("the cdnow format reads CDNOW's text files, not a workbook; import a workbook with "
                           "the default format");
  std::vector<Row> rows;
  if (options.mapping == "cdnow") {
    // customer_id [sample_id] YYYYMMDD cds dollars; a header line (non-numeric) is skipped.
    std::string_view text = decoded.utf8;
    int64_t line_no = 0;
    std::map<std::string, int> same_day;  // "<customer>-<date>" → rows seen, for external ids
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view line = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      auto f = SplitWs(line);
      if (f.empty()) continue;
      if (!ParseCount(f[0])) {
        if (rows.empty() && line_no == 1) continue;  // the master file's header
      }
      Row r{.row = static_cast<int64_t>(rows.size()) + 1, .line = line_no};
      if (f.size() != 4 && f.size() != 5) {
        rows.push_back(r);
        issue(rows.back(), "", "expected 4 or 5 whitespace-separated fields, got " + std::to_string(f.size()));
        continue;
      }
      size_t o = f.size() - 4;
      auto cust = ParseCount(f[0]);
      auto cds = ParseCount(f[o + 2]);
      auto cents = ParseMoney(f[o + 3]);
      const std::string& ymd = f[o + 1];
      std::optional<CivilDate> date;
      if (ymd.size() == 8 && ParseCount(ymd)) date = ParseDate(ymd.substr(0, 4) + "-" + ymd.substr(4, 2) + "-" + ymd.substr(6, 2));
      if (!cust) issue(r, "customer_id", "must be a number");
      if (!date) issue(r, "date", "must be a date written YYYYMMDD");
      if (!cds || *cds < 1) issue(r, "number_of_cds", "must be a whole number of at least 1");
      if (!cents) issue(r, "dollar_value", "must be an amount with at most two decimals");
      if (!r.bad) {
        std::string id = StripZeros(f[0]);
        r.customer_external_id = "cdnow-" + id;
        std::string key = id + "-" + ymd;
        int n = ++same_day[key];
        r.patch.external_id = std::optional<std::string>("cdnow-" + key + "-" + std::to_string(n));
        // Purchases are dated at noon in the org's zone so that the business day is the file's date.
        r.patch.ordered_at = FormatTimestamp(DaysFromCivil(*date) * kDayMillis - kBusinessOffsetMillis + 12 * 3600000);
        r.patch.channel = "online";
        r.patch.currency = "USD";
        r.patch.status = "paid";
        r.patch.lines = std::vector<LineInput>{
            LineInput{.sku = "CD", .name = "CD", .quantity = *cds, .amount_minor = *cents}};
        rep.amount_minor += *cents;
      }
      rows.push_back(std::move(r));
    }
  } else {
    KEHU_ASSIGN_OR_RETURN(auto csv, text::ParseCsv(decoded.utf8));
    // A workbook's worksheets come with a refusal of its header: the orders may be on another tab.
    auto refuse = [&](Error e) {
      e.sheets = decoded.sheets;
      return e;
    };
    if (csv.empty()) return refuse(InvalidArgument("the file has no header line"));
    std::vector<std::string> fields;
    std::set<std::string> used;
    std::vector<FieldError> header_errs;
    for (size_t i = 0; i < csv[0].fields.size(); ++i) {
      std::string key = Fold(csv[0].fields[i]);
      std::string field;
      for (const auto& a : kAliases)
        if (key == a.header || key == Fold(a.field)) field = a.field;
      if (field.empty()) header_errs.push_back({"header[" + std::to_string(i) + "]", "unknown column '" + csv[0].fields[i] + "'"});
      else if (!used.insert(field).second)
        header_errs.push_back({"header[" + std::to_string(i) + "]", "column for " + field + " given twice"});
      fields.push_back(field);
    }
    if (!used.count("customer_external_id") && !used.count("customer_phone"))
      header_errs.push_back({"header", "needs a customer_external_id or customer_phone column"});
    if (!used.count("ordered_at")) header_errs.push_back({"header", "needs an ordered_at column"});
    if (!used.count("amount") && !used.count("lines")) header_errs.push_back({"header", "needs an amount or lines column"});
    if (!header_errs.empty()) return refuse(InvalidArgument("the header cannot be imported", std::move(header_errs)));
    for (size_t k = 1; k < csv.size(); ++k) {
      Row r{.row = static_cast<int64_t>(k), .line = decoded.SourceLine(csv[k].line)};
      r.patch.channel = "online";
      r.patch.status = "paid";
      for (size_t i = 0; i < fields.size(); ++i) {
        std::string v = i < csv[k].fields.size() ? std::string(Trim(csv[k].fields[i])) : std::string();
        const std::string& f = fields[i];
        if (v.empty()) continue;
        if (f == "customer_external_id") r.customer_external_id = v;
        else if (f == "customer_phone") r.customer_phone = v;
        else if (f == "ordered_at") r.patch.ordered_at = v;
        else if (f == "amount") {
          if (auto m = ParseMoney(v)) {
            r.patch.amount_minor = *m;
          } else issue(r, "amount", "must be an amount with at most two decimals, e.g. 1499.00");
        } else if (f == "cost") {
          if (auto m = ParseMoney(v)) r.patch.cost_minor = std::optional<int64_t>(*m);
          else issue(r, "cost", "must be an amount with at most two decimals");
        } else if (f == "channel") {
          r.patch.channel = v;
          for (const auto& a : kChannelAliases)
            if (v == a.header) r.patch.channel = a.field;
        } else if (f == "status") {
          r.patch.status = v;
          for (const auto& a : kStatusAliases)
            if (v == a.header) r.patch.status = a.field;
        } else if (f == "external_id") r.patch.external_id = std::optional<std::string>(v);
        else if (f == "currency") r.patch.currency = v;
        else if (f == "note") r.patch.note = v;
        else if (f == "lines") {
          // SKU*QTY@PRICE;SKU*QTY@PRICE
          std::vector<LineInput> lines;
          size_t s = 0;
          while (s <= v.size()) {
            size_t e = v.find(';', s);
            if (e == std::string::npos) e = v.size();
            std::string part(Trim(std::string_view(v).substr(s, e - s)));
            s = e + 1;
            if (part.empty()) continue;
            size_t star = part.rfind('*'), at = part.rfind('@');
            std::optional<int64_t> qty, price;
            if (star != std::string::npos && at != std::string::npos && star < at) {
              qty = ParseCount(std::string_view(part).substr(star + 1, at - star - 1));
              price = ParseMoney(std::string_view(part).substr(at + 1));
            }
            if (!qty || !price || star == 0) {
              issue(r, "lines", "each line is SKU*QUANTITY@PRICE, separated by ';' (got '" + part + "')");
              break;
            }
            lines.push_back(LineInput{.sku = part.substr(0, star), .name = part.substr(0, star), .quantity = *qty,
                                      .unit_price_minor = *price});
          }
          if (!lines.empty()) r.patch.lines = std::move(lines);
        }
      }
      if (r.customer_external_id.empty() && r.customer_phone.empty())
        issue(r, "customer", "give the customer's external id or phone");
      if (r.patch.amount_minor) rep.amount_minor += *r.patch.amount_minor;
      rows.push_back(std::move(r));
    }
  }
  rep.rows = static_cast<int64_t>(rows.size());
  const int64_t total = rep.rows;
  if (progress) progress(0, total);

  // Resolve customers: external ids in one query, phones one by one (they need normalising).
  std::vector<std::string> ext_ids;
  for (const auto& r : rows)
    if (!r.bad && !r.customer_external_id.empty()) ext_ids.push_back(r.customer_external_id);
  std::sort(ext_ids.begin(), ext_ids.end());
  ext_ids.erase(std::unique(ext_ids.begin(), ext_ids.end()), ext_ids.end());
  KEHU_ASSIGN_OR_RETURN(auto known, repo_.CustomerIdsByExternalId(p.org_id, ext_ids));
  std::map<std::string, int64_t> by_phone;
  std::set<std::string> unknown_phones;
  std::vector<std::string> to_create;  // customer external ids
  std::set<std::string> to_create_set;
  for (auto& r : rows) {
    if (r.bad) continue;
    if (!r.customer_external_id.empty()) {
      if (auto it = known.find(r.customer_external_id); it != known.end()) r.customer_id = it->second;
      else if (options.create_customers) {
        if (to_create_set.insert(r.customer_external_id).second) to_create.push_back(r.customer_external_id);
        r.customer_id = -1;
      } else issue(r, "customer_external_id", "no customer has the external id '" + r.customer_external_id +
                                                   "' (import with --create-customers, or create_customers=true in the API, to create one)");
    } else {
      if (auto it = by_phone.find(r.customer_phone); it != by_phone.end()) r.customer_id = it->second;
      else if (!unknown_phones.count(r.customer_phone)) {
        auto c = customers_.LookupByPhone(p, r.customer_phone);
        if (c.ok()) r.customer_id = by_phone[r.customer_phone] = c->id;
        else unknown_phones.insert(r.customer_phone);
      }
      if (r.customer_id == 0) issue(r, "customer_phone", "no customer you may see has the phone '" + r.customer_phone + "'");
    }
  }
  // Customers the principal may not see are "unknown" to it.
  if (!identity::CustomerVisibility(p).all) {
    std::map<int64_t, bool> visible;
    for (auto& r : rows) {
      if (r.bad || r.customer_id <= 0) continue;
      auto [it, fresh] = visible.try_emplace(r.customer_id, false);
      if (fresh) it->second = customers_.CheckVisible(p, r.customer_id).ok();
      if (!it->second) issue(r, "customer", "no such customer");
    }
  }
  // Validate every order; find the ones that exist already (re-import).
  std::vector<std::string> order_ext;
  std::map<std::string, int64_t> seen_ext;
  for (auto& r : rows) {
    if (r.bad || !r.patch.external_id || !*r.patch.external_id) continue;
    auto [it, fresh] = seen_ext.try_emplace(**r.patch.external_id, r.row);
    if (!fresh) issue(r, "external_id", "the same external id is on row " + std::to_string(it->second));
    else order_ext.push_back(**r.patch.external_id);
  }
  std::map<std::string, Order> existing;
  for (size_t i = 0; i < order_ext.size(); i += 500) {
    std::vector<std::string> chunk(order_ext.begin() + i, order_ext.begin() + std::min(order_ext.size(), i + 500));
    KEHU_ASSIGN_OR_RETURN(auto found, repo_.FindByExternalIds(p.org_id, chunk));
    existing.merge(found);
  }
  const UnixMillis now = clock_.Now();
  std::vector<OrderWrite> writes;
  std::vector<size_t> write_row;  // row index per write, to fill in created customer ids
  int64_t done = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    Row& r = rows[i];
    if (progress && ++done % 5000 == 0) progress(done, total);
    if (r.bad) continue;
    r.patch.customer_id = r.customer_id;
    const Order* before = nullptr;
    if (r.patch.external_id && *r.patch.external_id)
      if (auto it = existing.find(**r.patch.external_id); it != existing.end()) before = &it->second;
    if (before && before->customer_id != r.customer_id) {
      issue(r, "external_id", "order '" + **r.patch.external_id + "' belongs to another customer");
      continue;
    }
    Order o = before ? *before : Order{};
    o.org_id = p.org_id;
    std::vector<FieldError> errs;
    auto st = Apply(r.patch, o, before, errs);
    if (!st.ok()) {
      issue(r, "status", st.error().message);
      continue;
    }
    if (!errs.empty()) {
      for (const auto& e : errs) issue(r, e.field, e.message);
      continue;
    }
    if (before) {
      // Re-import: the lines of a file replace the stored ones; line numbers match by position.
      Order b = *before;
      if (b.ordered_at == o.ordered_at && b.channel == o.channel && b.currency == o.currency &&
          b.amount_minor == o.amount_minor && b.cost_minor == o.cost_minor && b.status == o.status &&
          b.note == o.note && b.lines == o.lines) {
        ++rep.unchanged;
        continue;
      }
      ++rep.updated;
      o.updated_at = now;
      o.version = before->version + 1;
      writes.push_back(OrderWrite{.order = o, .expected_version = before->version,
                                  .audit = customers::Audit(p, "update", "order", before->id,
                                                            {{"import", "null", "\"re-import\""}}, now)});
    } else {
      ++rep.created;
      o.created_at = o.updated_at = now;
      o.created_by = p.user_id;
      o.version = 1;
      writes.push_back(OrderWrite{.order = o, .expected_version = 0,
                                  .audit = customers::Audit(p, "create", "order", 0,
                                                            {{"import", "null", JsonQuote(options.mapping)},
                                                             {"external_id", "null", o.external_id ? JsonQuote(*o.external_id) : "null"},
                                                             {"amount_minor", "null", std::to_string(o.amount_minor)}},
                                                            now)});
    }
    write_row.push_back(i);
  }
  rep.customers_created = static_cast<int64_t>(to_create.size());
  if (progress) progress(total, total);
  if (rep.error_count > 0 || options.dry_run) {
    if (rep.error_count > 0) {
      rep.created = rep.updated = rep.unchanged = 0;
      rep.customers_created = 0;
    }
    return rep;
  }
  // Every row is valid: create the missing customers (one transaction), then write the orders
  // (one transaction). Only a database failure can stop the second after the first.
  if (!to_create.empty()) {
    std::vector<customers::CustomerPatch> patches;
    patches.reserve(to_create.size());
    const bool cdnow = options.mapping == "cdnow";
    for (const auto& ext : to_create)
      patches.push_back(customers::CustomerPatch{
          .kind = "person", .name = cdnow ? "CDNOW " + ext.substr(6) : ext,
          .category = cdnow ? std::optional<std::string>("online_consumer") : std::nullopt,
          .lifecycle_stage = "active", .source_channel = cdnow ? "cdnow import" : "order import",
          .external_id = std::optional<std::string>(ext)});
    KEHU_ASSIGN_OR_RETURN(auto created, customers_.CreateMany(p, patches));
    std::map<std::string, int64_t> ids;
    for (const auto& c : created)
      if (c.external_id) ids[*c.external_id] = c.id;
    for (size_t w = 0; w < writes.size(); ++w) {
      Row& r = rows[write_row[w]];
      if (writes[w].order.customer_id == -1) writes[w].order.customer_id = ids.at(r.customer_external_id);
    }
  }
  if (!writes.empty()) {
    KEHU_ASSIGN_OR_RETURN(auto written, repo_.Write(std::move(writes)));
    (void)written;
  }
  rep.applied = true;
  return rep;
}

}  // namespace kehu::orders
