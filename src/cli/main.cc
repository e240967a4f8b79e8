// kehu: the server and its command-line tools (CLI11). Exit codes: 0 ok, 1 failure, 2 bad
// arguments.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <pthread.h>
#include <string>

#include "cli/app.h"
#include "http/api.h"
#include "http/server.h"
#include "store/migrate.h"
#include "store/sqlite/sqlite_db.h"

#ifndef KEHU_VERSION
#define KEHU_VERSION "0.1.0"
#endif

namespace {

using namespace kehu;

int Fail(const Error& e) {
  std::fprintf(stderr, "kehu: %s\n", e.message.c_str());
  for (const auto& f : e.fields) std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.message.c_str());
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

int Serve(const Config& cfg, int64_t demo_if_empty, int threads) {
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
  store::Database* db = (*app)->db.get();
  http::Services services{
      .identity = (*app)->identity.get(),
      .identity_repo = (*app)->identity_repo.get(),
      .customers = (*app)->customers.get(),
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
  };
  auto api = http::MakeApi(services);
  http::ServerOptions opts;
  opts.host = host;
  opts.port = port;
  opts.io_threads = threads;
  // Block SIGINT/SIGTERM before any thread starts (threads inherit the mask) and wait for them
  // with sigwait below: a signal that arrives right after start-up is never lost.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
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
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("signal {} received: finishing in-flight requests", sig);
  server.Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

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

  auto* backup = cli.add_subcommand("backup", "online backup of a SQLite database while it serves");
  add_db(backup);
  std::string backup_file;
  backup->add_option("FILE", backup_file, "destination file")->required();

  auto* routes = cli.add_subcommand("routes", "print the API routes (METHOD PATTERN)");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);
    return rc == 0 ? 0 : 2;
  }

  Config cfg = LoadConfig(config_path);
  if (!db_flag.empty()) cfg.db = db_flag;
  if (!listen_flag.empty()) cfg.listen = listen_flag;
  if (!web_root_flag.empty()) cfg.web_root = web_root_flag;
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);

  try {
    if (*serve) return Serve(cfg, demo_if_empty, threads);
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
    auto app = cli::OpenApp(cfg.db);
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
