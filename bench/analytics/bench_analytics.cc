// Analytics at the scale the issue asks for: 1,000,000 customers with ~20 orders each
// (~20 million rows), generated deterministically from the BG/NBD story itself so that the fit
// has something real to find. Targets (issue 5, on the 2-core machine): RFM < 1 s, BG/NBD fit
// < 10 s, scoring everyone (P(alive), expected purchases, 12-month CLV) < 2 s.
//
//   build-analytics/bench/analytics/bench_analytics            (about a minute, mostly data)

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "analytics/bgnbd.h"
#include "analytics/clv.h"
#include "analytics/gamma_gamma.h"
#include "analytics/rfm.h"
#include "analytics/transactions.h"

namespace kehu::analytics {
namespace {

constexpr int kCustomers = 1'000'000;
constexpr int32_t kStartDay = 19723;  // 2024-01-01
constexpr int32_t kDays = 730;        // two years of history
constexpr int32_t kCutoffDay = kStartDay + kDays - 1;

// SplitMix64: fast, deterministic everywhere, and a valid URBG for <random> distributions.
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

struct Synthetic {
  std::vector<int64_t> ids;
  std::vector<int32_t> days;
  std::vector<int64_t> cents;
  CustomerSummaries summaries;
  BgNbdData triples;
  std::vector<double> repeat_mean;  // yuan, for Gamma-Gamma
  BgNbdFit bg;
  GammaGammaFit gg;
};

// Per customer: rate ~ Gamma(2, 1/50 per day), dropout after each repeat day ~ Beta(1, 40),
// first purchase uniform over the first year, 20% of purchase days carry a second order;
// order values around a customer-level mean (Gamma-distributed), in fen.
Synthetic& Data() {
  static Synthetic* data = [] {
    auto* d = new Synthetic;
    SplitMix64 rng{20261123};
    std::gamma_distribution<double> rate(2.0, 1.0 / 50.0), beta_a(1.0, 1.0), beta_b(40.0, 1.0);
    std::gamma_distribution<double> spend(3.0, 4000.0);
    d->ids.reserve(22'000'000);
    d->days.reserve(22'000'000);
    d->cents.reserve(22'000'000);
    for (int c = 0; c < kCustomers; ++c) {
      const int64_t id = 1'000'000 + c;
      const double lambda = rate(rng), u = beta_a(rng), drop = u / (u + beta_b(rng));
      const double mean = 500.0 + spend(rng);
      double t = std::floor(rng.Unit() * 365.0);
      for (;;) {
        const auto day = static_cast<int32_t>(t);
        const int orders = rng.Unit() < 0.2 ? 2 : 1;
        for (int k = 0; k < orders; ++k) {
          d->ids.push_back(id);
          d->days.push_back(kStartDay + day);
          d->cents.push_back(static_cast<int64_t>(mean * (0.5 + rng.Unit())));
        }
        t += 1.0 - std::log(1.0 - rng.Unit()) / lambda;  // at least a day later
        if (t >= kDays || (t > 0 && rng.Unit() < drop)) break;
      }
    }
    d->summaries =
        std::move(SummarizeForCalibration(
                      {.customer_ids = d->ids, .days = d->days, .amounts = d->cents}, kCutoffDay))
            .value();
    d->triples =
        std::move(CompressTriples(d->summaries.x, d->summaries.t_x, d->summaries.T)).value();
    d->repeat_mean.resize(d->summaries.size());
    for (size_t i = 0; i < d->summaries.size(); ++i) {
      d->repeat_mean[i] = d->summaries.repeat_mean[i] / 100.0;
    }
    d->bg = std::move(FitBgNbd(d->triples, {.threads = 2})).value();
    d->gg = std::move(
                FitGammaGamma(std::move(PrepareGammaGamma(d->summaries.x, d->repeat_mean)).value()))
                .value();
    return d;
  }();
  return *data;
}

void BM_RfmFromOrders(benchmark::State& state) {
  Synthetic& d = Data();
  const RfmRules rules = RfmRules::Default();
  const TransactionColumns tx{.customer_ids = d.ids, .days = d.days, .amounts = d.cents};
  for (auto _ : state) {
    Result<RfmTable> t = ComputeRfm(tx, kCutoffDay, rules);
    benchmark::DoNotOptimize(t.ok());
  }
  state.counters["orders"] = static_cast<double>(d.ids.size());
  state.counters["customers"] = static_cast<double>(d.summaries.size());
}
BENCHMARK(BM_RfmFromOrders)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_CalibrationSummaries(benchmark::State& state) {
  Synthetic& d = Data();
  const TransactionColumns tx{.customer_ids = d.ids, .days = d.days, .amounts = d.cents};
  for (auto _ : state) {
    Result<CustomerSummaries> s = SummarizeForCalibration(tx, kCutoffDay);
    benchmark::DoNotOptimize(s.ok());
  }
}
BENCHMARK(BM_CalibrationSummaries)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

void BM_CompressTriples(benchmark::State& state) {
  Synthetic& d = Data();
  for (auto _ : state) {
    Result<BgNbdData> t = CompressTriples(d.summaries.x, d.summaries.t_x, d.summaries.T);
    benchmark::DoNotOptimize(t.ok());
  }
  state.counters["triples"] = static_cast<double>(d.triples.size());
}
BENCHMARK(BM_CompressTriples)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

void BM_BgNbdFit(benchmark::State& state) {
  Synthetic& d = Data();
  const int threads = static_cast<int>(state.range(0));
  BgNbdFit fit;
  for (auto _ : state) {
    Result<BgNbdFit> f = FitBgNbd(d.triples, {.threads = threads});
    if (!f.ok()) {
      state.SkipWithError(f.error().message.c_str());
      return;
    }
    fit = *f;
  }
  state.counters["triples"] = static_cast<double>(d.triples.size());
  state.counters["evals"] = fit.diagnostics.evaluations;
  state.counters["converged"] = fit.diagnostics.converged ? 1 : 0;
  state.counters["r"] = fit.params.r;
  state.counters["alpha"] = fit.params.alpha;
  state.counters["a"] = fit.params.a;
  state.counters["b"] = fit.params.b;
}
BENCHMARK(BM_BgNbdFit)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void BM_GammaGammaFit(benchmark::State& state) {
  Synthetic& d = Data();
  Result<GammaGammaData> data = PrepareGammaGamma(d.summaries.x, d.repeat_mean);
  GammaGammaFit fit;
  for (auto _ : state) {
    Result<GammaGammaFit> f = FitGammaGamma(*data);
    if (!f.ok()) {
      state.SkipWithError(f.error().message.c_str());
      return;
    }
    fit = *f;
  }
  state.counters["customers"] = static_cast<double>(data->size());
  state.counters["evals"] = fit.diagnostics.evaluations;
  state.counters["p"] = fit.params.p;
  state.counters["q"] = fit.params.q;
  state.counters["gamma"] = fit.params.gamma;
}
BENCHMARK(BM_GammaGammaFit)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void BM_ScoreEveryone(benchmark::State& state) {
  Synthetic& d = Data();
  const CustomerSummaries& s = d.summaries;
  const ScoreOptions options{.purchases_horizon_weeks = 52.0,
                             .clv = {.months = 12, .monthly_discount_rate = 0.01, .margin = 0.3},
                             .threads = static_cast<int>(state.range(0))};
  for (auto _ : state) {
    Result<CustomerScores> scores =
        ScoreCustomers(d.bg.params, d.gg.params, s.x, s.t_x, s.T, d.repeat_mean, options);
    benchmark::DoNotOptimize(scores.ok());
  }
  state.counters["customers"] = static_cast<double>(s.size());
}
BENCHMARK(BM_ScoreEveryone)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

}  // namespace
}  // namespace kehu::analytics

BENCHMARK_MAIN();
