// Routes for importing customers and orders from CSV or XLSX (dry run and background jobs with
// progress) and for exporting any customer list view to CSV or XLSX.

#include <boost/json.hpp>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>

#include "core/time.h"
#include "http/api.h"
#include "http/json_decode.h"
#include "http/json_io.h"
#include "http/problem.h"
#include "text/csv.h"
#include "text/xlsx.h"

namespace kehu::http {

namespace {

namespace json = boost::json;

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& x : v) a.push_back(json::string(x));
  return a;
}

// A workbook's sheet name; null for a text file.
json::value SheetOrNull(const std::string& sheet) {
  return sheet.empty() ? json::value(nullptr) : json::value(json::string(sheet));
}

json::object EncodeOrderReport(const orders::OrderImportReport& r) {
  json::array errors;
  for (const auto& e : r.errors)
    errors.push_back(json::object{{"row", e.row}, {"line", e.line}, {"field", e.field}, {"message", e.message}});
  return {{"kind", "orders"}, {"format", r.mapping}, {"sheet", SheetOrNull(r.sheet)}, {"sheets", Strings(r.sheets)},
          {"rows", r.rows}, {"created", r.created}, {"updated", r.updated}, {"unchanged", r.unchanged}, {"customers_created", r.customers_created},
          {"amount_minor", r.amount_minor}, {"error_count", r.error_count}, {"errors", std::move(errors)},
          {"dry_run", r.dry_run}, {"applied", r.applied}};
}

json::object EncodeReport(const customers::ImportReport& r) {
  json::array errors;
  json::object mapping;
  for (const auto& [h, f] : r.mapping) mapping[h] = f;
  for (const auto& e : r.errors)
    errors.push_back(json::object{{"row", e.row}, {"line", e.line}, {"field", e.field}, {"message", e.message}});
  return {{"encoding", r.encoding}, {"sheet", SheetOrNull(r.sheet)}, {"sheets", Strings(r.sheets)},
          {"headers", Strings(r.headers)}, {"mapping", std::move(mapping)},
          {"rows", r.rows}, {"created", r.created}, {"updated", r.updated}, {"unchanged", r.unchanged},
          {"error_count", r.error_count}, {"errors", std::move(errors)}, {"dry_run", r.dry_run},
          {"applied", r.applied}};
}

// Import jobs run on their own thread (one at a time per process: the single SQLite writer is
// the bottleneck anyway) and are kept in memory for an hour for their progress and report.
struct ImportJob {
  int64_t id{0};
  int64_t org_id{0};
  int64_t user_id{0};
  UnixMillis started_at{0};
  // Reading the file (a workbook: bytes of its XML read of all), then its rows checked and written.
  std::atomic<bool> reading{true};
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> total{0};
  std::mutex mu;
  std::string status{"running"};  // running, succeeded, failed
  std::optional<customers::ImportReport> report;
  std::optional<orders::OrderImportReport> order_report;  // kind=orders
  std::optional<Error> error;
};

class ImportJobs {
 public:
  std::shared_ptr<ImportJob> Start(std::shared_ptr<ImportJob> job, std::function<void(ImportJob&)> work) {
    std::lock_guard lock(mu_);
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      std::lock_guard jl(it->second->mu);
      if (it->second->status != "running" && job->started_at - it->second->started_at > 3600 * 1000)
        it = jobs_.erase(it);
      else
        ++it;
    }
    job->id = ++next_id_;
    jobs_[job->id] = job;
    std::thread([job, work = std::move(work)] { work(*job); }).detach();
    return job;
  }
  bool Busy() {
    std::lock_guard lock(mu_);
    for (auto& [id, j] : jobs_) {
      std::lock_guard jl(j->mu);
      if (j->status == "running") return true;
    }
    return false;
  }
  std::shared_ptr<ImportJob> Get(int64_t org_id, int64_t user_id, int64_t id) {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second->org_id != org_id || it->second->user_id != user_id) return nullptr;
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<int64_t, std::shared_ptr<ImportJob>> jobs_;
  int64_t next_id_{0};
};

json::object EncodeJob(ImportJob& j) {
  std::lock_guard lock(j.mu);
  json::object o{{"id", j.id}, {"status", j.status}, {"started_at", FormatTimestamp(j.started_at)},
                 {"progress", json::object{{"phase", j.reading.load() ? "reading" : "rows"},
                                           {"done", j.done.load()},
                                           {"total", j.total.load()}}}};
  o["report"] = j.report ? json::value(EncodeReport(*j.report)) : json::value(nullptr);
  if (j.order_report) o["order_report"] = EncodeOrderReport(*j.order_report);
  if (j.error) o["error"] = json::object{{"message", j.error->message}};
  return o;
}

// kind=orders: ?format=default|cdnow&create_customers=true|false&dry_run=true|false (docs/orders.md).
Result<orders::OrderImportOptions> ReadOrderImportOptions(const Ctx& c) {
  orders::OrderImportOptions o;
  std::vector<FieldError> errs;
  auto flag = [&](const char* name, bool& out) {
    if (auto v = c.Query(name)) {
      if (*v == "true") out = true;
      else if (*v != "false") errs.push_back({name, "must be true or false"});
    }
  };
  flag("dry_run", o.dry_run);
  flag("create_customers", o.create_customers);
  o.mapping = c.Query("format").value_or("default");
  if (o.mapping != "default" && o.mapping != "cdnow") errs.push_back({"format", "must be default or cdnow"});
  o.sheet = c.Query("sheet").value_or("");
  for (const auto& [k, v] : c.query)
    if (k != "kind" && k != "dry_run" && k != "create_customers" && k != "format" && k != "sheet")
      errs.push_back({k, "is not a parameter of an order import"});
  if (!errs.empty()) return InvalidArgument("invalid import options", errs);
  return o;
}

Result<customers::ImportOptions> ReadImportOptions(const Ctx& c) {
  customers::ImportOptions o;
  std::vector<FieldError> errs;
  if (auto d = c.Query("dry_run")) {
    if (*d == "true") o.dry_run = true;
    else if (*d != "false") errs.push_back({"dry_run", "must be true or false"});
  }
  o.encoding = c.Query("encoding").value_or("auto");
  o.sheet = c.Query("sheet").value_or("");
  if (auto m = c.Query("mapping")) {
    auto obj = ParseObject(*m);
    if (!obj.ok()) {
      errs.push_back({"mapping", "must be a JSON object of header: field"});
    } else {
      for (const auto& [k, v] : *obj) {
        if (!v.is_string()) errs.push_back({"mapping." + std::string(k), "must be a field name"});
        else o.mapping[std::string(k)] = std::string(v.as_string());
      }
    }
  }
  if (!errs.empty()) return InvalidArgument("invalid import options", errs);
  return o;
}

// The bytes of a workbook that `write` writes to a temporary file (libxlsxwriter writes files).
Result<std::string> XlsxBody(const std::function<Status(const std::string&)>& write) {
  char tmpl[] = "/tmp/kehu-xlsx-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return Internal("cannot create a temporary file");
  close(fd);
  const std::string path = tmpl;
  Status st = write(path);
  std::string body;
  if (st.ok()) {
    std::ifstream in(path, std::ios::binary);
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::filesystem::remove(path);
  if (!st.ok()) return st.error();
  return body;
}

Response FileProblem(const std::string& body) {
  if (body.empty())
    return Problem(400, "validation", "Invalid request", "the request body must be the CSV or XLSX file");
  return Response{};
}

}  // namespace

// Progress of a running job, as the import reports it.
std::function<void(int64_t, int64_t)> Progress(ImportJob& j) {
  return [&j](int64_t done, int64_t total) {
    j.reading = false;
    j.done = done;
    j.total = total;
  };
}

// Progress of reading a workbook, before its rows.
std::function<void(uint64_t, uint64_t)> Reading(ImportJob& j) {
  return [&j](uint64_t done, uint64_t total) {
    j.done = static_cast<int64_t>(done);
    j.total = static_cast<int64_t>(total);
  };
}

// Records an import's outcome on its job: the report, or the error that stopped it.
template <typename Report>
void Finish(ImportJob& j, Result<Report>& r, std::optional<Report> ImportJob::*slot) {
  std::lock_guard lock(j.mu);
  if (!r.ok()) {
    j.status = "failed";
    j.error = r.error();
  } else {
    j.status = r->applied ? "succeeded" : "failed";
    j.*slot = std::move(*r);
  }
}

// Starts an import of the request body as a background job (one at a time per server) and
// answers 202 with the job and its Location; `run` imports and records the outcome.
Response StartJob(Ctx& c, const Services& s, const std::shared_ptr<ImportJobs>& jobs, const std::string& what,
                  std::function<void(ImportJob&, const identity::Principal&, const std::string&)> run) {
  if (!identity::CanWriteCustomers(*c.principal))
    return ErrorResponse(MakeError(ErrorCode::kPermissionDenied, "your role may not import " + what));
  if (jobs->Busy()) {
    Error e = MakeError(ErrorCode::kResourceExhausted, "another import is running; try again when it ends");
    e.retry_after_seconds = 10;
    return ErrorResponse(e);
  }
  auto job = std::make_shared<ImportJob>();
  job->org_id = c.principal->org_id;
  job->user_id = c.principal->user_id;
  job->started_at = s.clock->Now();
  identity::Principal who = *c.principal;
  auto body = std::make_shared<std::string>(std::move(c.req.body));
  jobs->Start(job, [who, body, run = std::move(run)](ImportJob& j) { run(j, who, *body); });
  Response res = JsonResponse(202, json::serialize(EncodeJob(*job)));
  res.SetHeader("Location", "/api/v1/imports/" + std::to_string(job->id));
  return res;
}

void AddImportRoutes(Api& api) {
  Services s = api.services();
  auto jobs = std::make_shared<ImportJobs>();

  api.Add("POST", "/api/v1/imports", [s, jobs](Ctx& c) {
    if (auto kind = c.Query("kind"); kind && *kind != "customers") {
      if (*kind != "orders" || !s.orders)
        return ErrorResponse(InvalidArgument("invalid import options", {{"kind", "must be customers or orders"}}));
      auto oopts = ReadOrderImportOptions(c);
      if (!oopts.ok()) return ErrorResponse(oopts.error());
      if (Response p = FileProblem(c.req.body); p.status != 200) return p;
      if (oopts->dry_run) {
        auto r = s.orders->Import(*c.principal, c.req.body, *oopts);
        if (!r.ok()) return ErrorResponse(r.error());
        return JsonResponse(200, json::serialize(EncodeOrderReport(*r)));
      }
      orders::OrderImportOptions options = *oopts;
      return StartJob(c, s, jobs, "orders", [s, options](ImportJob& j, const identity::Principal& who, const std::string& body) {
        auto r = s.orders->Import(who, body, options, Progress(j), Reading(j));
        Finish(j, r, &ImportJob::order_report);
      });
    }
    auto opts = ReadImportOptions(c);
    if (!opts.ok()) return ErrorResponse(opts.error());
    if (Response p = FileProblem(c.req.body); p.status != 200) return p;
    if (opts->dry_run) {
      auto r = s.customers->Import(*c.principal, c.req.body, *opts);
      if (!r.ok()) return ErrorResponse(r.error());
      return JsonResponse(200, json::serialize(EncodeReport(*r)));
    }
    customers::ImportOptions options = *opts;
    return StartJob(c, s, jobs, "customers", [s, options](ImportJob& j, const identity::Principal& who, const std::string& body) {
      auto r = s.customers->Import(who, body, options, Progress(j), Reading(j));
      Finish(j, r, &ImportJob::report);
    });
  });

  // The template users fill in: the first sheet has the headers the automatic mapping knows (it
  // is what an import reads), the second what to write in each column with an example.
  api.Add("GET", "/api/v1/imports/template", [](Ctx& c) {
    std::vector<FieldError> errs;
    const std::string format = c.Query("format").value_or("xlsx");
    if (format != "csv" && format != "xlsx") errs.push_back({"format", "must be csv or xlsx"});
    const std::string lang = c.Query("lang").value_or("zh-CN");
    if (lang != "zh-CN" && lang != "en") errs.push_back({"lang", "must be zh-CN or en"});
    for (const auto& [k, v] : c.query)
      if (k != "format" && k != "lang") errs.push_back({k, "is not a parameter of the template"});
    if (!errs.empty()) return ErrorResponse(InvalidArgument("invalid template query", errs));
    const bool zh = lang == "zh-CN";
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> guide;
    for (auto& col : customers::CustomerImportTemplate(zh)) {
      header.push_back(col.header);
      guide.push_back({col.header, col.guidance, col.example});
    }
    Response res;
    if (format == "csv") {
      res.content_type = "text/csv; charset=utf-8";
      res.body = "\xEF\xBB\xBF" + text::CsvLine(header);  // BOM: Excel reads it as UTF-8
      res.SetHeader("Content-Disposition", "attachment; filename=\"customer-import-template.csv\"");
    } else {
      std::vector<text::XlsxSheetData> sheets = {
          {zh ? "客户" : "customers", header, {}, std::vector<double>(header.size(), 14)},
          {zh ? "填写说明" : "instructions",
           zh ? std::vector<std::string>{"列名", "填写说明", "示例"}
              : std::vector<std::string>{"column", "what to write", "example"},
           std::move(guide), {16, 70, 24}}};
      auto body = XlsxBody([&](const std::string& path) { return text::WriteXlsx(path, sheets); });
      if (!body.ok()) return ErrorResponse(body.error());
      res.body = std::move(*body);
      res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      res.SetHeader("Content-Disposition", "attachment; filename=\"customer-import-template.xlsx\"");
    }
    res.SetHeader("Cache-Control", "no-store");
    return res;
  });

  api.Add("GET", "/api/v1/imports/{id}", [jobs](Ctx& c) {
    auto job = jobs->Get(c.principal->org_id, c.principal->user_id, c.Id("id"));
    if (!job) return Problem(404, "not-found", "Not found", "no such import");
    return JsonResponse(200, json::serialize(EncodeJob(*job)));
  });

  api.Add("GET", "/api/v1/customers/export", [s](Ctx& c) {
    std::string format = c.Query("format").value_or("csv");
    if (format != "csv" && format != "xlsx")
      return ErrorResponse(InvalidArgument("invalid export query", {{"format", "must be csv or xlsx"}}));
    const std::string lang = c.Query("lang").value_or("en");
    if (lang != "en" && lang != "zh-CN")
      return ErrorResponse(InvalidArgument("invalid export query", {{"lang", "must be zh-CN or en"}}));
    auto parsed = ReadListRequest(c, {"format", "lang"});
    if (!parsed.ok()) return ErrorResponse(parsed.error());
    customers::ListRequest req = *parsed;
    req.limit = 500;
    // In Chinese: headers, labels and owners' names as the workspace shows them.
    std::optional<customers::ExportLabels> zh;
    if (lang == "zh-CN") {
      auto labels = customers::ChineseExportLabels(*s.customers, *s.identity, *c.principal);
      if (!labels.ok()) return ErrorResponse(labels.error());
      zh = std::move(*labels);
    }
    std::vector<std::vector<std::string>> rows;
    for (;;) {
      auto page = s.customers->List(*c.principal, req);
      if (!page.ok()) return ErrorResponse(page.error());
      for (const auto& cu : page->items) rows.push_back(customers::ExportRow(cu, zh ? &*zh : nullptr));
      if (!page->next_cursor || rows.size() >= 1048575) break;
      req.cursor = *page->next_cursor;
    }
    const std::vector<std::string> header = customers::ExportHeaders(zh.has_value());
    const CivilDate today = CivilFromDays(s.clock->Now() / 86400000);
    std::string stamp = FormatDate(today);
    stamp.erase(std::remove(stamp.begin(), stamp.end(), '-'), stamp.end());
    Response res;
    if (format == "csv") {
      std::string out = "\xEF\xBB\xBF" + text::CsvLine(header);  // BOM: Excel reads it as UTF-8
      for (const auto& r : rows) out += text::CsvLine(r);
      res.content_type = "text/csv; charset=utf-8";
      res.body = std::move(out);
      res.SetHeader("Content-Disposition", "attachment; filename=\"customers-" + stamp + ".csv\"");
    } else {
      // The sheet's tab in the export's language, as the import template names its own.
      const std::string tab = zh ? "客户" : "customers";
      auto body = XlsxBody([&](const std::string& path) { return text::WriteXlsx(path, tab, header, rows); });
      if (!body.ok()) return ErrorResponse(body.error());
      res.body = std::move(*body);
      res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      res.SetHeader("Content-Disposition", "attachment; filename=\"customers-" + stamp + ".xlsx\"");
    }
    res.SetHeader("Cache-Control", "no-store");
    return res;
  });
}

}  // namespace kehu::http
