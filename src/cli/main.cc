// kehu: the server and its command-line tools (CLI11). Exit codes: 0 ok, 1 failure, 2 bad
// arguments.

#include <CLI/CLI.hpp>
#include <mimalloc.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <string>

#include "cli/app.h"
#include "cli/log_sink.h"
#include "cli/integrations.h"
#include "cli/search_merger.h"
#include "cli/service_jobs.h"
#include "notify/smtp.h"
#include "http/api.h"
#include "http/server.h"
#include "store/migrate.h"
#include "store/sqlite/sqlite_db.h"
#include "text/csv.h"
#include "text/xlsx.h"

#ifndef KEHU_VERSION
#define KEHU_VERSION "0.1.0"
#endif

namespace {

using namespace kehu;

// A file's bytes in one read: a million-row import is ~220 MB, which a string built through
// istreambuf_iterator took 1.7 s to read (0.9 s this way), before any row could be checked.
Result<std::string> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff size = in ? static_cast<std::streamoff>(in.tellg()) : -1;
  if (size < 0) return InvalidArgument("cannot read " + path);
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) return InvalidArgument("cannot read " + path);
  return bytes;
}

int Fail(const Error& e) {
  std::fprintf(stderr, "kehu: %s\n", e.message.c_str());
  for (const auto& f : e.fields) std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.message.c_str());
  if (e.sheets.size() > 1) {
    // A workbook import refused: the data may be on another tab.
    std::string tabs;
    for (const auto& s : e.sheets) tabs += (tabs.empty() ? "\"" : ", \"") + s + "\"";
    std::fprintf(stderr, "  the workbook's sheets: %s (choose one with --sheet)\n", tabs.c_str());
  }
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kNotFound:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kAborted:
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kResourceExhausted:
      return 2;
    case ErrorCode::kUnavailable:
    case ErrorCode::kInternal:
      return 1;
  }
  return 1;
}

struct Config {
  std::string db{"sqlite:var/kehu.db"};
  std::string listen{"127.0.0.1:8080"};
  std::string web_root{"web/dist"};
};

// Defaults < kehu.toml < environment (KEHU_DB, KEHU_LISTEN, KEHU_WEB_ROOT) < flags.
Config LoadConfig(const std::string& path) {
  Config c;
  std::string file = path.empty() ? "kehu.toml" : path;
  if (std::filesystem::exists(file)) {
    try {
      auto t = toml::parse_file(file);
      c.db = t["db"].value_or(c.db);
      c.listen = t["listen"].value_or(c.listen);
      c.web_root = t["web_root"].value_or(c.web_root);
    } catch (const toml::parse_error& e) {
      std::fprintf(stderr, "kehu: %s: %s\n", file.c_str(), std::string(e.description()).c_str());
      std::exit(2);
    }
  } else if (!path.empty()) {
    std::fprintf(stderr, "kehu: config file %s not found\n", path.c_str());
    std::exit(2);
  }
  if (const char* v = std::getenv("KEHU_DB")) c.db = v;
  if (const char* v = std::getenv("KEHU_LISTEN")) c.listen = v;
  if (const char* v = std::getenv("KEHU_WEB_ROOT")) c.web_root = v;
  return c;
}

bool SplitListen(const std::string& s, std::string* host, uint16_t* port) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = s.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  try {
    size_t used = 0;
    int p = std::stoi(s.substr(colon + 1), &used);
    if (used != s.size() - colon - 1 || p < 0 || p > 65535) return false;
    *port = static_cast<uint16_t>(p);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

void EnsureParentDir(const std::string& db) {
  if (db.rfind("sqlite:", 0) != 0) return;
  std::filesystem::path p(db.substr(7));
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
}

// SIGINT and SIGTERM, blocked in every thread (main blocks them before it starts any thread;
// threads inherit the mask) and taken with sigwait: a signal right after start-up is never lost.
const sigset_t& StopSignals() {
  static const sigset_t set = [] {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    return s;
  }();
  return set;
}

// The server's log (the access log above all) goes through cli/log_sink.h: a request costs a
// copy into a memory buffer, never a write(2) nor a wait for the disk; a thread of the sink
// writes it out every 64 KiB, every second, and at once for warnings and errors.
void UseBufferedLogger() {
  auto logger = std::make_shared<spdlog::logger>("kehu", std::make_shared<cli::BufferedLogSink>(2));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

// The complaint desk's serve options (see docs/service.md).
struct ServiceServeOptions {
  bool manual_clock{false};  // test-only: a ManualClock and POST /api/v1/system/clock
  std::string smtp_url{};    // empty: emails stay queued in the outbox
  std::string smtp_from{"kehu@localhost"};
  std::string survey_secret{};  // empty: a random secret kept in the database
};

int Serve(const Config& cfg, int64_t demo_if_empty, int threads, int workers,
          const ServiceServeOptions& svc_opts = {}) {
  std::string host;
  uint16_t port = 0;
  if (!SplitListen(cfg.listen, &host, &port)) {
    std::fprintf(stderr, "kehu: --listen must be HOST:PORT, got '%s'\n", cfg.listen.c_str());
    return 2;
  }
  EnsureParentDir(cfg.db);
  auto app = cli::OpenApp(cfg.db);
  if (!app.ok()) return Fail(app.error());
  auto pw = cli::EnsureAdmin(**app);
  if (!pw.ok()) return Fail(pw.error());
  if (!pw->empty()) {
    std::printf("created the first admin account: username admin\nadmin password: %s\n", pw->c_str());
    std::printf("(shown once; change it after signing in)\n");
  }
  if (demo_if_empty > 0) {
    auto sys = cli::SystemPrincipal(**app);
    auto page = (*app)->customers->List(sys, customers::ListRequest{.limit = 1});
    if (page.ok() && page->items.empty()) {
      std::printf("creating %lld demo customers...\n", static_cast<long long>(demo_if_empty));
      std::fflush(stdout);
      if (auto st = cli::GenerateDemo(**app, demo_if_empty, false); !st.ok()) return Fail(st.error());
    }
  }
  std::unique_ptr<ManualClock> manual_clock;
  if (svc_opts.manual_clock) {
    // Test-only: the complaint desk runs on a clock tests move (sessions keep the real clock).
    manual_clock = std::make_unique<ManualClock>(DefaultClock().Now());
    (*app)->complaints = std::make_unique<service::ComplaintService>(
        *(*app)->service_repo, *(*app)->customers, *(*app)->identity_repo, *manual_clock);
    std::printf("manual clock: POST /api/v1/system/clock moves the complaint desk's time (test only)\n");
  }
  if (!svc_opts.survey_secret.empty()) (*app)->complaints->SetSurveySecret(svc_opts.survey_secret);
  std::unique_ptr<notify::SmtpTransport> smtp;
  if (!svc_opts.smtp_url.empty()) smtp = std::make_unique<notify::SmtpTransport>(svc_opts.smtp_url, svc_opts.smtp_from);
  cli::ServiceJobs service_jobs(*(*app)->complaints, smtp.get());
  service_jobs.Start();
  store::Database* db = (*app)->db.get();
  // Merges the search indexes' segments once the writer has been quiet for a second
  // (cli/search_merger.h), 128 index pages a step: a write that comes meanwhile waits for one
  // step at most (after 12 s of creates on the million: 22 steps, ~0.6 s of CPU in all).
  cli::SearchIndexMerger search_merger([&app] { return (*app)->customer_repo->MergeSearchIndex(128); },
                                       [db] { return db->Stats().transactions; });
  search_merger.Start();
  http::Services services{
      .identity = (*app)->identity.get(),
      .identity_repo = (*app)->identity_repo.get(),
      .customers = (*app)->customers.get(),
      .values = (*app)->values.get(),
      .clock = &DefaultClock(),
      .ready = [db] { return db->Ping(); },
      .pool_metrics =
          [db] {
            auto s = db->Stats();
            return "# TYPE kehu_db_readers gauge\nkehu_db_readers " + std::to_string(s.readers_total) +
                   "\n# TYPE kehu_db_readers_in_use gauge\nkehu_db_readers_in_use " +
                   std::to_string(s.readers_in_use) + "\n# TYPE kehu_db_pool_waits_total counter\n"
                   "kehu_db_pool_waits_total " + std::to_string(s.waits) +
                   "\n# TYPE kehu_db_transactions_total counter\nkehu_db_transactions_total " +
                   std::to_string(s.transactions) + "\n# TYPE kehu_db_rollbacks_total counter\n"
                   "kehu_db_rollbacks_total " + std::to_string(s.rollbacks) + "\n";
          },
      .web_root = std::filesystem::exists(cfg.web_root + "/index.html") ? cfg.web_root : std::string(),
      .complaints = (*app)->complaints.get(),
      .manual_clock = manual_clock.get(),
  };
  services.orders = (*app)->orders.get();
  services.timeline_sources.push_back((*app)->order_timeline.get());
  services.interactions = (*app)->interactions.get();
  services.telephony = (*app)->telephony.get();
  services.pop_hub = (*app)->pop_hub.get();
  services.timeline_sources.push_back((*app)->audit_timeline.get());
  services.timeline_sources.push_back((*app)->interaction_timeline.get());
  // Cross-capability glue (cli/integrations.h): complaints on the timeline and in the screen
  // pop, the value badge in the screen pop, CLV as the lost profit of churned customers.
  services.timeline_sources.push_back((*app)->complaints->TimelineSource());
  service::ComplaintService* live_complaints = (*app)->complaints.get();
  cli::OpenComplaintsSection complaints_section(live_complaints);
  cli::ValueBadgeSection value_section(*(*app)->values);
  (*app)->telephony->AddSection(&complaints_section);
  (*app)->telephony->AddSection(&value_section);
  cli::ValuePercentileRanking value_ranking(*(*app)->value_repo);
  live_complaints->SetValueRanking(&value_ranking);
  cli::ClvValueEstimator clv_estimator(*(*app)->value_repo);
  (*app)->orders->SetValueEstimator(&clv_estimator);
  // Runs left running by a stopped process are failed; the nightly analytics job starts (it also
  // makes up a missed night once, right now).
  (void)(*app)->value_repo->FailStaleRuns(cli::kDefaultOrg, DefaultClock().Now());
  value::NightlyJob nightly(*(*app)->values, DefaultClock(), cli::kDefaultOrg);
  nightly.Start();
  if (db->dialect() == store::Dialect::kSqlite) {
    services.inline_cheap_reads = true;
    services.idle_reader = [db] {
      auto s = db->Stats();
      return s.readers_in_use < s.readers_total;
    };
  }
  services.async_writes = db->AsyncWrites();
  auto api = http::MakeApi(services);
  http::ServerOptions opts;
  opts.run_inline = [&api](http::Request& r) { return api->RunsInline(r); };
  opts.run_async = [&api](http::Request& r) { return api->RunsAsync(r); };
  opts.handle_async = [&api](http::Request& r, http::ServerOptions::Resume resume) {
    api->HandleAsync(r, std::move(resume));
  };
  opts.host = host;
  opts.port = port;
  opts.io_threads = threads;
  opts.worker_threads = workers;
  opts.large_body_paths = {"/api/v1/imports"};  // CSV uploads up to 64 MiB; larger: `kehu import`
  http::Server server(opts, [&api](http::Request& r) { return api->Handle(r); });
  std::string err;
  if (!server.Start(&err)) {
    std::fprintf(stderr, "kehu: cannot listen on %s: %s\n", cfg.listen.c_str(), err.c_str());
    return 1;
  }
  std::printf("kehu listening on http://%s:%u\n", host.c_str(), server.port());
  if (services.web_root.empty())
    std::printf("(no web assets at %s: API only; build them with scripts/build-web.sh)\n", cfg.web_root.c_str());
  std::fflush(stdout);
  // Customers written by an older binary get this one's search texts, in the background and in
  // small batches (searches find each row by its old texts until it is rewritten).
  std::atomic<bool> stop_rebuild{false};
  std::thread rebuild([&] {
    if (auto st = cli::RebuildSearchTexts(**app, false, stop_rebuild, /*background=*/true); !st.ok())
      spdlog::error("search texts: rebuild failed: {}", st.error().message);
  });
  int sig = 0;
  sigwait(&StopSignals(), &sig);
  spdlog::info("signal {} received: finishing in-flight requests", sig);
  stop_rebuild = true;
  server.Stop();
  rebuild.join();
  search_merger.Stop();
  nightly.Stop();
  (*app)->values->WaitForBackground();
  service_jobs.Stop();
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace

// For a workbook: which worksheet was read, and the others there are to pick with --sheet.
std::string WorkbookSheetLine(const std::string& sheet, const std::vector<std::string>& sheets) {
  if (sheet.empty()) return "";
  std::string line = "worksheet \"" + sheet + "\"";
  if (sheets.size() > 1) {
    line += " (the workbook has " + std::to_string(sheets.size()) + ":";
    for (size_t i = 0; i < sheets.size(); ++i) line += (i ? ", \"" : " \"") + sheets[i] + "\"";
    line += "; choose with --sheet)";
  }
  return line + "\n";
}

// Prints an import's row errors and its verdict; the exit status (2 when rows were refused).
template <typename Issue>
int ImportOutcome(const std::vector<Issue>& errors, int64_t error_count, bool dry_run) {
  for (const auto& e : errors)
    std::printf("  row %lld (line %lld) %s: %s\n", static_cast<long long>(e.row), static_cast<long long>(e.line),
                e.field.c_str(), e.message.c_str());
  if (error_count > 0) {
    std::printf("nothing was imported: fix the rows above and run again\n");
    return 2;
  }
  std::printf(dry_run ? "dry run: nothing was written\n" : "imported\n");
  return 0;
}

void ImportProgressLine(int64_t done, int64_t total) {
  if (total > 0)
    std::fprintf(stderr, "\rimport: %lld/%lld rows checked          ", static_cast<long long>(done),
                 static_cast<long long>(total));
}

// A workbook being read (before its rows): the share of its XML read, redrawn when it moves.
void ImportReadingLine(uint64_t done, uint64_t total) {
  static int shown = -1;
  const int pct = total > 0 ? static_cast<int>(done * 100 / total) : 0;
  if (pct == shown) return;
  shown = pct;
  std::fprintf(stderr, "\rimport: reading the workbook %d%%", pct);
}

int main(int argc, char** argv) {
  CLI::App cli{"kehu: customer relationship management (客户关系管理)"};
  cli.set_version_flag("--version", std::string("kehu ") + KEHU_VERSION);
  cli.require_subcommand(1);
  std::string config_path;
  cli.add_option("--config", config_path, "path of kehu.toml (default: ./kehu.toml if present)");
  std::string db_flag;
  auto add_db = [&](CLI::App* sub) {
    sub->add_option("--db", db_flag, "sqlite:PATH or postgresql://... (env KEHU_DB)");
  };

  auto* serve = cli.add_subcommand("serve", "serve the API and the web workspace");
  add_db(serve);
  std::string listen_flag, web_root_flag;
  int64_t demo_if_empty = 0;
  int threads = 0;
  serve->add_option("--listen", listen_flag, "HOST:PORT (env KEHU_LISTEN; port 0 picks one)");
  serve->add_option("--web-root", web_root_flag, "folder of the built web app (default web/dist)");
  serve->add_option("--demo-if-empty", demo_if_empty, "create N demo customers when there are none")
      ->check(CLI::Range(int64_t{0}, int64_t{10000000}));
  serve->add_option("--threads", threads, "I/O threads (default: one per core)")->check(CLI::Range(0, 256));
  int workers = 0;
  serve->add_option("--workers", workers, "worker threads for handlers (default: 32 per core, at least 64)")
      ->check(CLI::Range(0, 1024));

  ServiceServeOptions svc_opts;
  if (const char* v = std::getenv("KEHU_SMTP_URL")) svc_opts.smtp_url = v;
  if (const char* v = std::getenv("KEHU_SMTP_FROM")) svc_opts.smtp_from = v;
  if (const char* v = std::getenv("KEHU_SURVEY_SECRET")) svc_opts.survey_secret = v;
  serve->add_flag("--manual-clock", svc_opts.manual_clock,
                  "TEST ONLY: complaint desk on a manual clock moved by POST /api/v1/system/clock");
  serve->add_option("--smtp-url", svc_opts.smtp_url,
                    "smtp://[user:pass@]host:port for escalation emails (env KEHU_SMTP_URL; unset: emails stay queued)");
  serve->add_option("--smtp-from", svc_opts.smtp_from, "sender address of emails (env KEHU_SMTP_FROM)");
  serve->add_option("--survey-secret", svc_opts.survey_secret,
                    "HMAC secret of survey links (env KEHU_SURVEY_SECRET; default: random, kept in the database)");

  auto* migrate = cli.add_subcommand("migrate", "apply database migrations");
  add_db(migrate);

  auto* user = cli.add_subcommand("user", "manage users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "add a user, reading the password from stdin");
  add_db(user_add);
  std::string uname, role, display;
  bool password_stdin = false;
  user_add->add_option("NAME", uname, "username")->required();
  user_add->add_option("--role", role, "admin, manager, sales, service or marketing")->required();
  user_add->add_option("--display-name", display, "display name (default: the username)");
  user_add->add_flag("--password-stdin", password_stdin, "read the password from standard input")->required();

  auto* demo = cli.add_subcommand("demo", "create realistic zh-CN demo customers");
  add_db(demo);
  int64_t demo_n = 1000;
  demo->add_option("--customers", demo_n, "how many")->check(CLI::Range(int64_t{1}, int64_t{10000000}));

  auto* reindex = cli.add_subcommand(
      "reindex", "rebuild customers' search texts where they are older than this binary's (a server does it too, in "
                 "the background)");
  add_db(reindex);
  bool reindex_all = false;
  reindex->add_flag("--all", reindex_all, "rebuild every org's texts, current or not");

  auto* backup = cli.add_subcommand("backup", "online backup of a SQLite database while it serves");
  add_db(backup);
  std::string backup_file;
  backup->add_option("FILE", backup_file, "destination file")->required();

  auto* import = cli.add_subcommand("import", "import records from a file");
  import->require_subcommand(1);
  auto* import_customers = import->add_subcommand(
      "customers", "import customers from a CSV file (UTF-8 or GBK) or an XLSX workbook (its first sheet or --sheet)");
  add_db(import_customers);
  std::string import_file, import_encoding = "auto", import_sheet;
  bool import_dry_run = false;
  std::vector<std::string> import_map;
  import_customers->add_option("FILE", import_file, "CSV file or XLSX workbook")->required()->check(CLI::ExistingFile);
  import_customers->add_flag("--dry-run", import_dry_run, "check every row and report; write nothing");
  import_customers->add_option("--encoding", import_encoding, "a CSV file's encoding: auto, utf-8, gbk or gb18030")
      ->check(CLI::IsMember({"auto", "utf-8", "utf8", "gbk", "gb18030", "gb2312"}));
  import_customers->add_option("--map", import_map, "HEADER=FIELD column mapping (repeatable)");
  import_customers->add_option("--sheet", import_sheet, "an XLSX workbook's worksheet to read, by name (default: the first)");

  auto* import_orders = import->add_subcommand(
      "orders", "import orders from a CSV file, an XLSX workbook (its first sheet or --sheet) or a CDNOW transaction file");
  add_db(import_orders);
  std::string orders_file, orders_mapping = "default", orders_sheet;
  bool orders_dry_run = false, orders_create_customers = false;
  import_orders->add_option("FILE", orders_file, "CSV file (default mapping) or CDNOW file")->required()->check(CLI::ExistingFile);
  import_orders->add_flag("--dry-run", orders_dry_run, "check every row and report; write nothing");
  import_orders->add_option("--mapping", orders_mapping, "default or cdnow")->check(CLI::IsMember({"default", "cdnow"}));
  import_orders->add_flag("--create-customers", orders_create_customers,
                          "create a minimal customer for each unknown customer external id");
  import_orders->add_option("--sheet", orders_sheet, "an XLSX workbook's worksheet to read, by name (default: the first)");
  auto* export_cmd = cli.add_subcommand("export", "export records to a file");
  export_cmd->require_subcommand(1);
  auto* export_customers = export_cmd->add_subcommand("customers", "export customers to CSV or XLSX");
  add_db(export_customers);
  std::string export_format = "csv", export_out, export_q, export_category, export_tag, export_lang = "en";
  export_customers->add_option("--format", export_format, "csv or xlsx")->check(CLI::IsMember({"csv", "xlsx"}));
  export_customers->add_option("--lang", export_lang,
                               "en: field names, keys and ids (default); zh-CN: Chinese headers, labels and "
                               "owners' names, as the workspace shows them (both import back)")
      ->check(CLI::IsMember({"en", "zh-CN"}));
  export_customers->add_option("--out", export_out, "output file")->required();
  export_customers->add_option("--q", export_q, "search text, as in the list's search box");
  export_customers->add_option("--category", export_category, "only this category");
  export_customers->add_option("--tag", export_tag, "only customers with this tag");

  auto* analytics = cli.add_subcommand("analytics", "customer-value analytics");
  add_db(analytics);
  auto* analytics_run = analytics->add_subcommand("run", "compute RFM, CLV, churn risk and ABC for every customer");
  std::string analytics_as_of;
  analytics_run->add_option("--as-of", analytics_as_of, "calibration end YYYY-MM-DD (default: today, Asia/Shanghai)");

  auto* routes = cli.add_subcommand("routes", "print the API routes (METHOD PATTERN)");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);
    return rc == 0 ? 0 : 2;
  }

  // A one-shot command (an import, the demo, an export, analytics) has mimalloc ask the kernel
  // for transparent huge pages (2 MiB) for its segments, unless MIMALLOC_LARGE_OS_PAGES=0 says
  // otherwise. A bulk load's 1 GB page cache took a page fault per 4 KiB (507,055 faults in a
  // 300,000-row import, 7.5 s of system time on this virtual machine); with huge pages 24,639
  // faults and 4.1 s, the import 18-19 s instead of 24-32 s. `kehu serve` keeps 4 KiB pages (set
  // MIMALLOC_LARGE_OS_PAGES=1 to change that): its point reads were no faster with them (28,292 ·
  // 35,164 against 31,082 · 28,840/s), and its resident memory, with a page cache per reader
  // spread over many threads' segments, reached 1.1 GB once against 0.64 GB.
  if (!*serve) mi_option_set_enabled_default(mi_option_large_os_pages, true);

  Config cfg = LoadConfig(config_path);
  if (!db_flag.empty()) cfg.db = db_flag;
  if (!listen_flag.empty()) cfg.listen = listen_flag;
  if (!web_root_flag.empty()) cfg.web_root = web_root_flag;
  if (*serve) {
    pthread_sigmask(SIG_BLOCK, &StopSignals(), nullptr);  // before the logger's thread starts
    UseBufferedLogger();
  }
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);

  try {
    if (*serve) return Serve(cfg, demo_if_empty, threads, workers, svc_opts);
    if (*routes) {
      http::Services none;
      auto api = http::MakeApi(none);
      for (const auto& r : api->routes()) std::printf("%s %s\n", r.method.c_str(), r.pattern.c_str());
      return 0;
    }
    EnsureParentDir(cfg.db);
    if (*migrate) {
      auto db = store::Open(cfg.db);
      if (!db.ok()) return Fail(db.error());
      auto rep = store::Migrate(**db);
      if (!rep.ok()) return Fail(rep.error());
      std::printf("database at version %d (was %d); applied %zu migration(s)\n", rep->to_version,
                  rep->from_version, rep->applied.size());
      return 0;
    }
    // The demo and a customer import write one bulk into the file, through a rollback journal
    // when they have the file to themselves (store::OpenOptions::one_shot_load).
    const bool one_shot_load = *demo || (*import_customers && !import_dry_run);
    auto app = cli::OpenApp(cfg.db, /*migrate=*/true, one_shot_load);
    if (!app.ok()) return Fail(app.error());
    if (*user_add) {
      std::string password;
      std::getline(std::cin, password);
      if (!password.empty() && password.back() == '\r') password.pop_back();
      auto u = (*app)->identity->CreateUserUnchecked(
          cli::kDefaultOrg, identity::NewUser{.username = uname, .display_name = display, .role = role,
                                              .password = password});
      if (!u.ok()) return Fail(u.error());
      std::printf("user %s (id %lld, %s) added\n", u->username.c_str(), static_cast<long long>(u->id),
                  identity::RoleName(u->role));
      return 0;
    }
    if (*demo) {
      if (auto st = cli::GenerateDemo(**app, demo_n, true); !st.ok()) return Fail(st.error());
      std::printf("created %lld demo customers\n", static_cast<long long>(demo_n));
      return 0;
    }
    if (*analytics_run) {
      value::RunRequest req{.trigger = "cli"};
      if (!analytics_as_of.empty()) {
        auto d = ParseDate(analytics_as_of);
        if (!d) {
          std::fprintf(stderr, "kehu: --as-of must be a date YYYY-MM-DD, got '%s'\n", analytics_as_of.c_str());
          return 2;
        }
        req.as_of = *d;
      }
      const auto t0 = std::chrono::steady_clock::now();
      std::string last_stage;
      auto run = (*app)->values->RunForOrg(cli::kDefaultOrg, req, [&](const std::string& stage, double p) {
        const int pct = static_cast<int>(p * 100);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        // A new line per stage (with the time it started), the bar redrawn within a stage.
        if (stage != last_stage && !last_stage.empty()) std::fprintf(stderr, "\n");
        last_stage = stage;
        std::fprintf(stderr, "\ranalytics: [%-50s] %3d%% %-12s %7.2f s", std::string(pct / 2, '#').c_str(), pct,
                     stage.c_str(), s);
      });
      std::fprintf(stderr, "\n");
      if (!run.ok()) return Fail(run.error());
      std::printf("analytics run %lld: %lld customers, %lld orders, as of %s (%s)\n", static_cast<long long>(run->id),
                  static_cast<long long>(run->customers), static_cast<long long>(run->orders),
                  FormatDate(run->as_of).c_str(), run->model_version.c_str());
      std::printf("diagnostics: %s\n", run->diagnostics_json.c_str());
      return 0;
    }
    if (*import_customers) {
      customers::ImportOptions options;
      options.dry_run = import_dry_run;
      options.encoding = import_encoding;
      options.sheet = import_sheet;
      for (const auto& m : import_map) {
        size_t eq = m.find('=');
        if (eq == std::string::npos || eq == 0) {
          std::fprintf(stderr, "kehu: --map takes HEADER=FIELD, got '%s'\n", m.c_str());
          return 2;
        }
        options.mapping[m.substr(0, eq)] = m.substr(eq + 1);
      }
      auto bytes = ReadFileBytes(import_file);
      if (!bytes.ok()) return Fail(bytes.error());
      auto sys = cli::SystemPrincipal(**app);
      auto report = (*app)->customers->Import(sys, *bytes, options, ImportProgressLine, ImportReadingLine);
      std::fprintf(stderr, "\n");
      if (!report.ok()) return Fail(report.error());
      std::printf("%s", WorkbookSheetLine(report->sheet, report->sheets).c_str());
      std::printf("encoding %s; %lld rows: %lld new, %lld updated, %lld unchanged, %lld errors\n",
                  report->encoding.c_str(), static_cast<long long>(report->rows),
                  static_cast<long long>(report->created), static_cast<long long>(report->updated),
                  static_cast<long long>(report->unchanged), static_cast<long long>(report->error_count));
      return ImportOutcome(report->errors, report->error_count, report->dry_run);
    }
    if (*import_orders) {
      auto bytes = ReadFileBytes(orders_file);
      if (!bytes.ok()) return Fail(bytes.error());
      auto sys = cli::SystemPrincipal(**app);
      const auto t0 = std::chrono::steady_clock::now();
      auto report = (*app)->orders->Import(
          sys, *bytes,
          orders::OrderImportOptions{.mapping = orders_mapping, .dry_run = orders_dry_run,
                                     .create_customers = orders_create_customers, .sheet = orders_sheet},
          ImportProgressLine, ImportReadingLine);
      std::fprintf(stderr, "\n");
      if (!report.ok()) return Fail(report.error());
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("%s", WorkbookSheetLine(report->sheet, report->sheets).c_str());
      std::printf("mapping %s; %lld rows: %lld new, %lld updated, %lld unchanged, %lld new customers, %lld errors; "
                  "total amount %lld minor units; %.2f s\n",
                  report->mapping.c_str(), static_cast<long long>(report->rows), static_cast<long long>(report->created),
                  static_cast<long long>(report->updated), static_cast<long long>(report->unchanged),
                  static_cast<long long>(report->customers_created), static_cast<long long>(report->error_count),
                  static_cast<long long>(report->amount_minor), secs);
      return ImportOutcome(report->errors, report->error_count, report->dry_run);
    }
    if (*export_customers) {
      auto sys = cli::SystemPrincipal(**app);
      customers::ListRequest req{.q = export_q, .limit = 500};
      if (!export_category.empty()) req.category = export_category;
      if (!export_tag.empty()) req.tag = export_tag;
      std::optional<customers::ExportLabels> zh;
      if (export_lang == "zh-CN") {
        auto labels = customers::ChineseExportLabels(*(*app)->customers, *(*app)->identity, sys);
        if (!labels.ok()) return Fail(labels.error());
        zh = std::move(*labels);
      }
      std::vector<std::vector<std::string>> rows;
      for (;;) {
        auto page = (*app)->customers->List(sys, req);
        if (!page.ok()) return Fail(page.error());
        for (const auto& c : page->items) rows.push_back(customers::ExportRow(c, zh ? &*zh : nullptr));
        if (!page->next_cursor) break;
        req.cursor = *page->next_cursor;
      }
      const std::vector<std::string> header = customers::ExportHeaders(zh.has_value());
      if (export_format == "xlsx") {
        if (auto st = text::WriteXlsx(export_out, zh ? "客户" : "customers", header, rows); !st.ok()) return Fail(st.error());
      } else {
        std::ofstream out(export_out, std::ios::binary);
        if (!out) {
          std::fprintf(stderr, "kehu: cannot write %s\n", export_out.c_str());
          return 1;
        }
        out << "\xEF\xBB\xBF" << text::CsvLine(header);  // BOM: Excel reads it as UTF-8
        for (const auto& r : rows) out << text::CsvLine(r);
      }
      std::printf("exported %zu customers to %s\n", rows.size(), export_out.c_str());
      return 0;
    }
    if (*reindex) {
      std::atomic<bool> never{false};
      if (auto st = cli::RebuildSearchTexts(**app, reindex_all, never, /*background=*/false); !st.ok()) return Fail(st.error());
      return 0;
    }
    if (*backup) {
      if (auto st = store::sqlite::BackupTo(*(*app)->db, backup_file); !st.ok()) return Fail(st.error());
      std::printf("backup written to %s\n", backup_file.c_str());
      return 0;
    }
  } catch (const std::exception& e) {
    spdlog::error("unexpected: {}", e.what());
    return 1;
  }
  return 0;
}
