// The same RFM aggregation three ways, on the synthetic orders of bench_analytics.cc (same
// generator, same seed): kehu's columnar C++ (analytics::ComputeRfm), SQL in SQLite, and (by
// sql/rfm_duckdb.mjs) SQL in DuckDB. Writes the orders once to DATA_DIR as a SQLite database and
// a CSV (cached: later runs reuse them), prints the times and leaves them in DATA_DIR/rfm_times.
//
//   rfm_sql_compare DATA_DIR [CUSTOMERS]        (bench/analytics/sql/run.sh runs all three)
//
// The SQL computes recency, frequency and monetary per customer and NTILE(5) scores over them
// and returns a checksum row (so no engine ships a million rows to the client); the C++ builds
// the full table with scores and segments. NTILE splits ties across quintiles where ComputeRfm
// keeps equal values together, so the scores can differ at the boundaries; the aggregates agree
// and the program checks they do.

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "analytics/rfm.h"
#include "analytics/transactions.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int32_t kStartDay = 19723;  // 2024-01-01
constexpr int32_t kDays = 730;
constexpr int32_t kCutoffDay = kStartDay + kDays - 1;

struct SplitMix64 {
  using result_type = uint64_t;
  uint64_t state;
  static constexpr uint64_t min() { return 0; }
  static constexpr uint64_t max() { return ~0ull; }
  uint64_t operator()() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double Unit() { return ((*this)() >> 11) * 0x1.0p-53; }
};

struct Orders {
  std::vector<int64_t> ids;
  std::vector<int32_t> days;
  std::vector<int64_t> cents;
};

// bench_analytics.cc's generator (keep the two in step).
Orders Generate(int customers) {
  Orders d;
  SplitMix64 rng{20261123};
  std::gamma_distribution<double> rate(2.0, 1.0 / 50.0), beta_a(1.0, 1.0), beta_b(40.0, 1.0);
  std::gamma_distribution<double> spend(3.0, 4000.0);
  for (int c = 0; c < customers; ++c) {
    const int64_t id = 1'000'000 + c;
    const double lambda = rate(rng), u = beta_a(rng), drop = u / (u + beta_b(rng));
    const double mean = 500.0 + spend(rng);
    double t = std::floor(rng.Unit() * 365.0);
    for (;;) {
      const auto day = static_cast<int32_t>(t);
      const int orders = rng.Unit() < 0.2 ? 2 : 1;
      for (int k = 0; k < orders; ++k) {
        d.ids.push_back(id);
        d.days.push_back(kStartDay + day);
        d.cents.push_back(static_cast<int64_t>(mean * (0.5 + rng.Unit())));
      }
      t += 1.0 - std::log(1.0 - rng.Unit()) / lambda;
      if (t >= kDays || (t > 0 && rng.Unit() < drop)) break;
    }
  }
  return d;
}

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "rfm_sql_compare: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(3);
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: rfm_sql_compare DATA_DIR [CUSTOMERS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int customers = argc > 2 ? std::atoi(argv[2]) : 1'000'000;
  std::filesystem::create_directories(dir);
  const std::string base = dir + "/analytics-orders-" + std::to_string(customers);

  auto t0 = Clock::now();
  Orders o = Generate(customers);
  std::printf("orders: %zu for %d customers (generated in %.0f ms)\n", o.ids.size(), customers,
              Ms(t0, Clock::now()));

  // Cached inputs for the SQL engines: written under a temporary name, renamed when complete.
  if (!std::filesystem::exists(base + ".db")) {
    auto w0 = Clock::now();
    const std::string tmp = base + ".db.partial";
    std::filesystem::remove(tmp);
    sqlite3* db = nullptr;
    Check(sqlite3_open(tmp.c_str(), &db), db, "open");
    Check(sqlite3_exec(db,
                       "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                       "CREATE TABLE orders(customer_id INTEGER NOT NULL, day INTEGER NOT NULL, "
                       "amount INTEGER NOT NULL); BEGIN",
                       nullptr, nullptr, nullptr),
          db, "schema");
    sqlite3_stmt* st = nullptr;
    Check(sqlite3_prepare_v2(db, "INSERT INTO orders VALUES (?, ?, ?)", -1, &st, nullptr), db,
          "prepare");
    for (size_t i = 0; i < o.ids.size(); ++i) {
      sqlite3_bind_int64(st, 1, o.ids[i]);
      sqlite3_bind_int(st, 2, o.days[i]);
      sqlite3_bind_int64(st, 3, o.cents[i]);
      Check(sqlite3_step(st), db, "insert");
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    Check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    sqlite3_close(db);
    std::filesystem::rename(tmp, base + ".db");
    std::printf("wrote %s.db in %.0f ms (once)\n", base.c_str(), Ms(w0, Clock::now()));
  }
  if (!std::filesystem::exists(base + ".csv")) {
    const std::string tmp = base + ".csv.partial";
    {
      std::ofstream out(tmp);
      out << "customer_id,day,amount\n";
      std::string line;
      for (size_t i = 0; i < o.ids.size(); ++i) {
        line = std::to_string(o.ids[i]);
        line.append(",")
            .append(std::to_string(o.days[i]))
            .append(",")
            .append(std::to_string(o.cents[i]))
            .append("\n");
        out << line;
      }
    }
    std::filesystem::rename(tmp, base + ".csv");
  }

  // 1. Columnar C++ (best of 3).
  const kehu::analytics::RfmRules rules = kehu::analytics::RfmRules::Default();
  const kehu::analytics::TransactionColumns tx{
      .customer_ids = o.ids, .days = o.days, .amounts = o.cents};
  double cpp_ms = 1e300;
  kehu::analytics::RfmTable table;
  for (int k = 0; k < 3; ++k) {
    auto a = Clock::now();
    auto t = kehu::analytics::ComputeRfm(tx, kCutoffDay, rules);
    cpp_ms = std::min(cpp_ms, Ms(a, Clock::now()));
    if (!t.ok()) return 3;
    table = std::move(*t);
  }
  int64_t cpp_rec = 0, cpp_freq = 0, cpp_mon = 0;
  for (size_t i = 0; i < table.size(); ++i) {
    cpp_rec += table.recency_days[i];
    cpp_freq += table.frequency[i];
    cpp_mon += table.monetary[i];
  }

  // 2. SQLite (best of 3), reading the cached database.
  const std::string sql =
      "WITH agg AS (SELECT customer_id, " + std::to_string(kCutoffDay) +
      " - max(day) AS recency, count(*) AS frequency, sum(amount) AS monetary FROM orders WHERE "
      "day <= " +
      std::to_string(kCutoffDay) +
      " GROUP BY customer_id), scored AS (SELECT recency, frequency, monetary, "
      "ntile(5) OVER (ORDER BY recency DESC) AS r, ntile(5) OVER (ORDER BY frequency) AS f, "
      "ntile(5) OVER (ORDER BY monetary) AS m FROM agg) "
      "SELECT count(*), sum(recency), sum(frequency), sum(monetary), sum(r), sum(f), sum(m) FROM "
      "scored";
  sqlite3* db = nullptr;
  Check(sqlite3_open_v2((base + ".db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), db, "open");
  sqlite3_exec(db, "PRAGMA cache_size=-1000000; PRAGMA temp_store=MEMORY", nullptr, nullptr,
               nullptr);
  double sqlite_ms = 1e300;
  int64_t sq[7] = {};
  for (int k = 0; k < 3; ++k) {
    auto a = Clock::now();
    sqlite3_stmt* st = nullptr;
    Check(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), db, "prepare");
    Check(sqlite3_step(st), db, "query");
    for (int c = 0; c < 7; ++c) sq[c] = sqlite3_column_int64(st, c);
    sqlite3_finalize(st);
    sqlite_ms = std::min(sqlite_ms, Ms(a, Clock::now()));
  }
  sqlite3_close(db);
  const bool same = sq[0] == static_cast<int64_t>(table.size()) && sq[1] == cpp_rec &&
                    sq[2] == cpp_freq && sq[3] == cpp_mon;
  std::printf("RFM, %zu customers from %zu orders (best of 3):\n", table.size(), o.ids.size());
  std::printf("  C++ columnar (analytics::ComputeRfm)   %9.1f ms\n", cpp_ms);
  std::printf("  SQLite SQL (GROUP BY + NTILE)          %9.1f ms   %.1fx the C++ time\n", sqlite_ms,
              sqlite_ms / cpp_ms);
  std::printf("  aggregates agree: %s\n", same ? "yes" : "NO");
  std::ofstream(dir + "/rfm_times")
      << "cpp_ms=" << cpp_ms << "\nsqlite_ms=" << sqlite_ms << "\ncsv=" << base
      << ".csv\ncutoff_day=" << kCutoffDay << "\ncustomers=" << table.size()
      << "\nrecency_sum=" << cpp_rec << "\nfrequency_sum=" << cpp_freq
      << "\nmonetary_sum=" << cpp_mon << "\n";
  return same ? 0 : 1;
}
