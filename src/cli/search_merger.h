#pragma once
// kehu serve's merger of the search indexes' segments (CustomerRepository::MergeSearchIndex).
//
// SQLite's FTS5 indexes let up to 16 segments pile up on a level before merging them (migration
// 0013), which keeps creates cheap while they keep coming but leaves searches more segments to
// look into. Every period this job looks at the count of committed write transactions: when
// nobody else wrote during the last period, it merges, one bounded step (a write transaction of
// its own) at a time, until a step finds nothing left, another write commits meanwhile (it then
// waits for the next quiet period) or it is stopped. Once nothing is left it does nothing until
// someone writes again. A step that fails is logged and tried again 30 periods later. On
// PostgreSQL the first step reports nothing to do.

#include <chrono>
#include <cstdint>
#include <functional>

#include "core/periodic_thread.h"
#include "core/result.h"

namespace kehu::cli {

class SearchIndexMerger {
 public:
  // step: one bounded merge step, true when it found work. writes: the number of write
  // transactions committed so far (the merger's own steps included).
  SearchIndexMerger(std::function<Result<bool>()> step, std::function<int64_t()> writes,
                    std::chrono::milliseconds period = std::chrono::seconds(1))
      : step_(std::move(step)), writes_(std::move(writes)), period_(period) {}
  ~SearchIndexMerger() { Stop(); }
  SearchIndexMerger(const SearchIndexMerger&) = delete;
  SearchIndexMerger& operator=(const SearchIndexMerger&) = delete;

  void Start() { thread_.Start(period_, [this] { RunOnce(); }, /*first_turn_now=*/false); }
  void Stop() { thread_.Stop(); }
  // One turn (what the thread runs each period); returns the number of steps that found work.
  int RunOnce();

 private:
  std::function<Result<bool>()> step_;
  std::function<int64_t()> writes_;
  std::chrono::milliseconds period_;
  int64_t seen_{-1};   // the write count at the end of the last turn (thread-only)
  bool dirty_{true};   // something may be left to merge (thread-only)
  int pause_{0};       // turns still to skip after a failed step (thread-only)
  PeriodicThread thread_;
};

}  // namespace kehu::cli
