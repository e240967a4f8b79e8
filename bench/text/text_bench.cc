// Cost of the per-customer text folding (pinyin, initials, FTS form) and phone normalisation.
// Run: build/bench/text/bench_text
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "text/chinese.h"
#include "text/phone.h"

namespace {

// Short names as customers type them: Simplified, Traditional, mixed with Latin and full-width.
const std::vector<std::string>& Names() {
  static const std::vector<std::string> names = {
      "王小明", "张伟", "欧阳娜娜", "李娜",   "客戶關係", "王芳 Ltd", "ＡＢＣ客戶", "陈静",
      "刘洋",   "杨帆", "赵丽颖",   "黄晓明", "周杰伦",   "吴磊",     "徐静蕾",     "孙俪",
  };
  return names;
}

// The three search forms written for every customer (the figure the brief targets).
void BM_FoldName(benchmark::State& state) {
  const auto& names = Names();
  size_t i = 0;
  for (auto _ : state) {
    const std::string& name = names[i++ % names.size()];
    benchmark::DoNotOptimize(kehu::text::Pinyin(name));
    benchmark::DoNotOptimize(kehu::text::PinyinInitials(name));
    benchmark::DoNotOptimize(kehu::text::SpacedCjk(name));
  }
}
BENCHMARK(BM_FoldName);
BENCHMARK(BM_FoldName)->Threads(2);

template <std::string (*Fn)(std::string_view)>
void BM_One(benchmark::State& state) {
  const auto& names = Names();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(Fn(names[i++ % names.size()]));
}
BENCHMARK(BM_One<kehu::text::Pinyin>)->Name("BM_Pinyin");
BENCHMARK(BM_One<kehu::text::PinyinInitials>)->Name("BM_PinyinInitials");
BENCHMARK(BM_One<kehu::text::SpacedCjk>)->Name("BM_SpacedCjk");
BENCHMARK(BM_One<kehu::text::ToSimplified>)->Name("BM_ToSimplified");

void BM_SpacedCjkAscii(benchmark::State& state) {
  const std::string name = "Acme Trading Company Ltd";
  for (auto _ : state) benchmark::DoNotOptimize(kehu::text::SpacedCjk(name));
}
BENCHMARK(BM_SpacedCjkAscii);

void BM_IsValidUtf8(benchmark::State& state) {
  std::string text;
  for (int i = 0; i < 64; ++i) text += "客户关系管理 CRM customer notes, ";
  for (auto _ : state) benchmark::DoNotOptimize(kehu::text::IsValidUtf8(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_IsValidUtf8);

void BM_NormalizePhone(benchmark::State& state) {
  const std::vector<std::string> phones = {"138-0013-8000", "+86 138 0013 8000", "(010) 6552 9988",
                                           "１３８００１３８０００"};
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(kehu::text::NormalizePhone(phones[i++ % phones.size()]));
  }
}
BENCHMARK(BM_NormalizePhone);

}  // namespace

BENCHMARK_MAIN();
