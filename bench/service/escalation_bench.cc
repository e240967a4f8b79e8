// escalation_bench [N] [DUE]: N open complaints (default 1,000,000) in a fresh SQLite file, DUE of
// them (default 1,000) with an escalation step already due; times one escalation pass (the
// background job's minute) beside a baseline in the same run: SELECT COUNT(*) of the open
// complaints. Prints the figures and PASS/MISS for the < 1 s target; exit 1 on MISS.
// KEHU_BENCH_DB=postgresql://... runs it on PostgreSQL instead (the schema must be empty).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "domain/customers/customer_service.h"
#include "domain/identity/identity_service.h"
#include "domain/service/complaint_service.h"
#include "store/migrate.h"
#include "store/repositories.h"

using namespace kehu;

namespace {
double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}
int Fail(const std::string& what, const Error& e) {
  std::fprintf(stderr, "escalation_bench: %s: %s\n", what.c_str(), e.message.c_str());
  return 3;
}
}  // namespace

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const int64_t due = argc > 2 ? std::atoll(argv[2]) : 1'000;
  std::string url;
  std::filesystem::path dir;
  if (const char* u = std::getenv("KEHU_BENCH_DB")) {
    url = u;
  } else {
    dir = std::filesystem::temp_directory_path() / ("kehu-esc-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    url = "sqlite:" + (dir / "bench.db").string();
  }
  struct Cleanup {
    std::filesystem::path d;
    ~Cleanup() {
      if (!d.empty()) std::filesystem::remove_all(d);
    }
  } cleanup{dir};

  auto db = store::Open(url);
  if (!db.ok()) return Fail("open", db.error());
  if (auto m = store::Migrate(**db); !m.ok()) return Fail("migrate", m.error());
  ManualClock clock(1795420800000);  // Monday 2026-11-23 16:00 Asia/Shanghai
  auto ids = store::MakeIdentityRepository(**db);
  auto cus = store::MakeCustomerRepository(**db);
  auto srv = store::MakeServiceRepository(**db);
  identity::IdentityOptions io;
  identity::IdentityService identity(*ids, clock, io);
  customers::CustomerService customers(*cus, clock);
  service::ComplaintService complaints(*srv, customers, *ids, clock);
  if (auto st = ids->EnsureOrg(1, "bench", clock.Now()); !st.ok()) return Fail("org", st.error());
  if (auto st = customers.EnsureBuiltinCategories(1); !st.ok()) return Fail("categories", st.error());
  if (auto st = complaints.EnsureDefaults(1); !st.ok()) return Fail("defaults", st.error());
  auto admin = identity.CreateUserUnchecked(1, {.username = "bench", .display_name = "bench", .role = "admin",
                                                .password = "bench-password-1"});
  if (!admin.ok()) return Fail("admin", admin.error());
  identity::Principal p{.org_id = 1, .user_id = admin->id, .name = "bench", .role = identity::Role::kAdmin};
  customers::CustomerPatch cp;
  cp.name = "基准客户";
  cp.category = "distributor";
  auto customer = customers.Create(p, cp);
  if (!customer.ok()) return Fail("customer", customer.error());

  // One real complaint (through the use case) as the template, then N rows by bulk SQL.
  auto tmpl = complaints.Create(p, {.customer_id = customer->id, .channel = "hotline", .category = "other",
                                    .severity = 2, .description = "bench", .assignee_id = admin->id});
  if (!tmpl.ok()) return Fail("complaint", tmpl.error());
  const service::Complaint& t = tmpl->complaint;
  auto t0 = std::chrono::steady_clock::now();
  const int64_t batch = 20'000;
  for (int64_t done = 1; done < n; done += batch) {
    auto st = (*db)->Write([&](store::Connection& c) -> Status {
      for (int64_t i = done; i < std::min(n, done + batch); ++i) {
        // DUE complaints are past their 75% step; the rest fall due within the next 30 days.
        const bool is_due = i <= due;
        const int64_t next = is_due ? clock.Now() - 60'000 : clock.Now() + 3'600'000 + (i * 7919) % (30LL * 86'400'000);
        const int64_t started = is_due ? clock.Now() - 2 * 3'600'000 : clock.Now();
        char num[32];
        std::snprintf(num, sizeof num, "TS-B-%09lld", static_cast<long long>(i));
        KEHU_RETURN_IF_ERROR(c.Exec(
            "INSERT INTO complaints(org_id, number, customer_id, channel, category, severity, description, status, "
            "assignee_id, customer_category, vip, created_at, updated_at, version, response_target_ms, "
            "resolution_target_ms, sla_elapsed_ms, sla_running_since, next_escalation_at) "
            "VALUES (?, ?, ?, 'hotline', 'other', 2, 'bench', 'assigned', ?, 'distributor', 0, ?, ?, 1, ?, ?, 0, ?, ?)",
            {int64_t{1}, std::string(num), t.customer_id, admin->id, started, started, t.response_target_ms,
             t.resolution_target_ms, started, next}));
      }
      return Status::Ok();
    });
    if (!st.ok()) return Fail("insert", st.error());
  }
  const double load_ms = Ms(std::chrono::steady_clock::now() - t0);

  auto b0 = std::chrono::steady_clock::now();
  auto open = srv->CountOpen(1);
  const double count_ms = Ms(std::chrono::steady_clock::now() - b0);
  if (!open.ok()) return Fail("count", open.error());

  auto p0 = std::chrono::steady_clock::now();
  auto fired = complaints.RunEscalationPass(10'000);
  const double pass_ms = Ms(std::chrono::steady_clock::now() - p0);
  if (!fired.ok()) return Fail("pass", fired.error());
  auto q0 = std::chrono::steady_clock::now();
  auto again = complaints.RunEscalationPass(10'000);  // the next minute: nothing due
  const double idle_ms = Ms(std::chrono::steady_clock::now() - q0);
  if (!again.ok()) return Fail("pass", again.error());

  const bool pass = pass_ms < 1000.0;
  std::printf("escalation pass (%s): %lld open complaints (loaded in %.1f s), %lld due\n",
              url.rfind("sqlite:", 0) == 0 ? "SQLite" : "PostgreSQL", static_cast<long long>(*open),
              load_ms / 1000.0, static_cast<long long>(due));
  std::printf("  baseline SELECT COUNT(*) of open complaints   %9.1f ms\n", count_ms);
  std::printf("  escalation pass, %5lld due -> %5d steps      %9.1f ms   target < 1000 ms: %s\n",
              static_cast<long long>(due), *fired, pass_ms, pass ? "PASS" : "MISS");
  std::printf("  next pass, nothing due (%d steps)             %9.1f ms\n", *again, idle_ms);
  return pass ? 0 : 1;
}
