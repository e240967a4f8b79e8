// bench_service_stats: ComplaintService::ServiceStats (GET /service/stats) over a month of
// complaints, beside the read the statistics used to do before they were aggregated in SQL
// (every complaint of the range loaded with ListComplaints, then counted in C++).
//
//   KEHU_BENCH_STATS_COMPLAINTS  complaints in the range (default 200,000)
//   KEHU_BENCH_DB=postgresql://...  runs on PostgreSQL instead of a fresh SQLite file (the
//                                   schema must be empty)
//
// bench/run.sh runs it with the other bench_* binaries; docs/benchmarks.md records the figures.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "domain/customers/customer_service.h"
#include "domain/identity/identity_service.h"
#include "domain/service/complaint_service.h"
#include "store/migrate.h"
#include "store/repositories.h"

using namespace kehu;

namespace {

constexpr UnixMillis kFrom = 1793462400000;  // 2026-11-01 00:00 Asia/Shanghai
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kDays = 30;

struct World {
  std::filesystem::path dir{};
  std::unique_ptr<store::Database> db{};
  std::unique_ptr<identity::IdentityRepository> ids{};
  std::unique_ptr<customers::CustomerRepository> cus{};
  std::unique_ptr<service::ServiceRepository> srv{};
  std::unique_ptr<ManualClock> clock{};
  std::unique_ptr<customers::CustomerService> customers{};
  std::unique_ptr<service::ComplaintService> complaints{};
  identity::Principal admin{};
  std::vector<int64_t> teams{};
  int64_t n{0};
  ~World() {
    complaints.reset();
    srv.reset();
    cus.reset();
    ids.reset();
    db.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

int Fail(const std::string& what, const Error& e) {
  std::fprintf(stderr, "bench_service_stats: %s: %s\n", what.c_str(), e.message.c_str());
  return 3;
}

// n complaints spread evenly over 30 days: 6 categories, 7 channels, 5 teams and none, a third
// open, the rest resolved or closed with response and resolution times, half of those surveyed.
Status Load(World& w, int64_t customer_id) {
  static const char* kCategories[] = {"product_quality",  "logistics", "counterfeit",
                                      "service_attitude", "pricing",   "other"};
  static const char* kStatuses[] = {"new",    "in_progress", "resolved",
                                    "closed", "closed",      "resolved"};
  constexpr size_t kCols = 17, kPerStatement = 500;
  const std::string head =
      "INSERT INTO complaints(org_id, number, customer_id, channel, category, severity, "
      "description, status, "
      "team_id, customer_category, created_at, updated_at, resolution_target_ms, "
      "response_elapsed_ms, "
      "resolution_elapsed_ms, csat, nps, survey_answered_at) VALUES ";
  for (int64_t done = 0; done < w.n; done += 20'000) {
    KEHU_RETURN_IF_ERROR(w.db->Write([&](store::Connection& c) -> Status {
      for (int64_t i = done; i < std::min(w.n, done + 20'000); i += kPerStatement) {
        std::string sql = head;
        std::vector<store::Value> params;
        for (int64_t j = i;
             j < std::min({w.n, done + 20'000, i + static_cast<int64_t>(kPerStatement)}); ++j) {
          sql += j == i ? "(1, " : ", (1, ";
          for (size_t k = 0; k < kCols; ++k) sql += k == 0 ? "?" : ", ?";
          sql += ')';
          const UnixMillis at = kFrom + j * (kDays * kDayMs / w.n);
          const std::string status = kStatuses[j % 6];
          const bool finished = status == "resolved" || status == "closed";
          const bool surveyed = finished && j % 2 == 0;
          char num[32];
          std::snprintf(num, sizeof num, "TS-B-%09lld", static_cast<long long>(j));
          params.insert(
              params.end(),
              {std::string(num), customer_id, std::string(service::kChannels[j % 7]),
               std::string(kCategories[j % 6]), int64_t{1 + j % 4}, std::string("bench"), status,
               j % 6 == 5 ? store::Value(store::Null{})
                          : store::Value(w.teams[static_cast<size_t>(j % 5)]),
               std::string("distributor"), at, at, int64_t{(j % 3) * 8 * 3'600'000},
               status == "new" ? store::Value(store::Null{}) : store::Value((j * 7919) % 7'200'000),
               finished ? store::Value((j * 104'729) % 86'400'000) : store::Value(store::Null{}),
               surveyed ? store::Value(int64_t{1 + j % 5}) : store::Value(store::Null{}),
               surveyed ? store::Value(int64_t{j % 11}) : store::Value(store::Null{}),
               surveyed ? store::Value(at + kDayMs) : store::Value(store::Null{})});
        }
        KEHU_RETURN_IF_ERROR(c.Exec(sql, params));
      }
      return Status::Ok();
    }));
  }
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  World w;
  const char* env_n = std::getenv("KEHU_BENCH_STATS_COMPLAINTS");
  w.n = env_n != nullptr ? std::atoll(env_n) : 200'000;
  if (w.n <= 0) w.n = 200'000;
  std::string url;
  if (const char* u = std::getenv("KEHU_BENCH_DB")) {
    url = u;
  } else {
    w.dir =
        std::filesystem::temp_directory_path() / ("kehu-stats-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(w.dir);
    url = "sqlite:" + (w.dir / "bench.db").string();
  }
  auto db = store::Open(url);
  if (!db.ok()) return Fail("open", db.error());
  w.db = std::move(*db);
  if (auto m = store::Migrate(*w.db); !m.ok()) return Fail("migrate", m.error());
  w.clock = std::make_unique<ManualClock>(kFrom + kDays * kDayMs);
  w.ids = store::MakeIdentityRepository(*w.db);
  w.cus = store::MakeCustomerRepository(*w.db);
  w.srv = store::MakeServiceRepository(*w.db);
  identity::IdentityOptions io;
  identity::IdentityService identity(*w.ids, *w.clock, io);
  w.customers = std::make_unique<customers::CustomerService>(*w.cus, *w.clock);
  w.complaints =
      std::make_unique<service::ComplaintService>(*w.srv, *w.customers, *w.ids, *w.clock);
  if (auto st = w.ids->EnsureOrg(1, "bench", w.clock->Now()); !st.ok())
    return Fail("org", st.error());
  if (auto st = w.customers->EnsureBuiltinCategories(1); !st.ok())
    return Fail("categories", st.error());
  if (auto st = w.complaints->EnsureDefaults(1); !st.ok()) return Fail("defaults", st.error());
  auto admin = identity.CreateUserUnchecked(1, {.username = "bench",
                                                .display_name = "bench",
                                                .role = "admin",
                                                .password = "bench-password-1"});
  if (!admin.ok()) return Fail("admin", admin.error());
  w.admin = {.org_id = 1, .user_id = admin->id, .name = "bench", .role = identity::Role::kAdmin};
  for (int t = 1; t <= 5; ++t) {
    auto team = identity.CreateTeam(
        w.admin, {.name = "客服" + std::to_string(t), .lead_user_id = admin->id});
    if (!team.ok()) return Fail("team", team.error());
    w.teams.push_back(team->id);
  }
  customers::CustomerPatch cp;
  cp.name = "基准客户";
  cp.category = "distributor";
  auto customer = w.customers->Create(w.admin, cp);
  if (!customer.ok()) return Fail("customer", customer.error());
  if (auto st = Load(w, customer->id); !st.ok()) return Fail("load", st.error());
  if (w.db->dialect() == store::Dialect::kPostgres) {  // what autovacuum would do after the load
    auto st = w.db->Write([](store::Connection& c) -> Status {
      KEHU_RETURN_IF_ERROR(c.Exec("ANALYZE complaints", {}));
      return Status::Ok();
    });
    if (!st.ok()) return Fail("analyze", st.error());
  }
  const UnixMillis to = kFrom + kDays * kDayMs;

  benchmark::AddCustomContext("complaints", std::to_string(w.n));
  benchmark::AddCustomContext("database",
                              url.rfind("sqlite:", 0) == 0 ? "SQLite file" : "PostgreSQL");
  benchmark::RegisterBenchmark(
      "BM_ServiceStats_AggregatedInSql",
      [&](benchmark::State& state) {
        for (auto _ : state) {
          auto s = w.complaints->ServiceStats(w.admin, kFrom, to);
          if (!s.ok() || s->total != w.n) {
            state.SkipWithError(s.ok() ? "wrong total" : s.error().message.c_str());
            break;
          }
          benchmark::DoNotOptimize(s);
        }
        state.SetItemsProcessed(state.iterations() * w.n);
      })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  // The former ServiceStats' read, before it counted in C++: every complaint of the range.
  benchmark::RegisterBenchmark(
      "BM_Baseline_ListComplaintsOfTheRange",
      [&](benchmark::State& state) {
        for (auto _ : state) {
          auto l = w.srv->ListComplaints({.org_id = 1,
                                          .any_team = true,
                                          .created_from = kFrom,
                                          .created_to = to,
                                          .limit = 1'000'000});
          if (!l.ok() || static_cast<int64_t>(l->size()) != w.n) {
            state.SkipWithError(l.ok() ? "wrong count" : l.error().message.c_str());
            break;
          }
          benchmark::DoNotOptimize(l);
        }
        state.SetItemsProcessed(state.iterations() * w.n);
      })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
