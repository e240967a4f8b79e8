#include "cli/search_merger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace kehu::cli {
namespace {

// A fake index with `left` steps of work and the database's count of committed writes. Each
// step commits a transaction of its own; `during_step` lets a test commit another one meanwhile.
struct FakeIndex {
  int left = 0;
  int steps = 0;
  int64_t writes = 0;
  std::function<void()> during_step;

  SearchIndexMerger Merger() {
    return SearchIndexMerger(
        [this]() -> Result<bool> {
          ++steps;
          if (during_step) during_step();
          ++writes;
          if (left == 0) return false;
          --left;
          return true;
        },
        [this] { return writes; });
  }
};

TEST(SearchIndexMerger, WaitsForAQuietPeriodThenMergesUntilNothingIsLeft) {
  FakeIndex index;
  index.left = 5;
  auto merger = index.Merger();
  EXPECT_EQ(merger.RunOnce(), 0);  // first turn: the write count is new, so it waits
  EXPECT_EQ(index.steps, 0);
  EXPECT_EQ(merger.RunOnce(), 5);  // quiet: merges all, and one more step finds nothing
  EXPECT_EQ(index.steps, 6);
  EXPECT_EQ(merger.RunOnce(), 0);  // nothing left and nobody wrote: no step at all
  EXPECT_EQ(index.steps, 6);
}

TEST(SearchIndexMerger, AWriteDuringAPeriodPostponesTheMerge) {
  FakeIndex index;
  auto merger = index.Merger();
  merger.RunOnce();
  merger.RunOnce();  // clean
  const int steps = index.steps;
  index.left = 2;
  index.writes += 3;  // creates came
  EXPECT_EQ(merger.RunOnce(), 0);  // busy period: nothing yet
  EXPECT_EQ(index.steps, steps);
  EXPECT_EQ(merger.RunOnce(), 2);  // quiet now
}

TEST(SearchIndexMerger, AWriteDuringAStepEndsTheTurnAndTheRestWaitsForTheNextOne) {
  FakeIndex index;
  index.left = 10;
  auto merger = index.Merger();
  merger.RunOnce();
  int n = 0;
  index.during_step = [&] {
    if (++n == 2) ++index.writes;  // a create commits during the second step
  };
  EXPECT_EQ(merger.RunOnce(), 2);  // that step's work counts, then it yields
  EXPECT_EQ(index.steps, 2);
  index.during_step = nullptr;
  EXPECT_EQ(merger.RunOnce(), 8);  // the rest, one period later (nobody wrote in between)
  index.left = 3;
  index.writes += 1;
  EXPECT_EQ(merger.RunOnce(), 0);  // but a write in between postpones it again
}

TEST(SearchIndexMerger, AFailedStepIsTriedAgainLater) {
  FakeIndex index;
  int calls = 0;
  SearchIndexMerger merger(
      [&]() -> Result<bool> {
        ++index.writes;
        if (++calls == 1) return MakeError(ErrorCode::kUnavailable, "disk I/O error");
        return calls < 3;
      },
      [&] { return index.writes; });
  merger.RunOnce();
  EXPECT_EQ(merger.RunOnce(), 0);  // the failure ends the turn
  EXPECT_EQ(calls, 1);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(merger.RunOnce(), 0);  // 30 turns without a step
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(merger.RunOnce(), 1);  // then it tries again and goes on
  EXPECT_EQ(calls, 3);
}

TEST(SearchIndexMerger, TheThreadRunsEveryPeriodAndStops) {
  std::atomic<int> steps{0};
  std::atomic<int64_t> writes{0};
  SearchIndexMerger merger(
      [&]() -> Result<bool> {
        ++writes;
        return ++steps < 3;
      },
      [&] { return writes.load(); }, std::chrono::milliseconds(5));
  merger.Start();
  for (int i = 0; i < 400 && steps < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  merger.Stop();
  EXPECT_EQ(steps.load(), 3);
  merger.Stop();  // idempotent
}

}  // namespace
}  // namespace kehu::cli
