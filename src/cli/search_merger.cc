#include "cli/search_merger.h"

#include <spdlog/spdlog.h>

namespace kehu::cli {

int SearchIndexMerger::RunOnce() {
  if (pause_ > 0) {
    --pause_;
    return 0;
  }
  int64_t now = writes_();
  if (now != seen_) {
    // Writes came during the last period (or this is the first turn): they may have left
    // segments to merge, and more may be coming. Wait for a quiet period.
    seen_ = now;
    dirty_ = true;
    return 0;
  }
  int worked = 0;
  while (dirty_ && !thread_.Stopping()) {
    auto found = step_();
    const int64_t after = writes_();
    seen_ = after;
    if (!found.ok()) {
      spdlog::warn("search index merge: {} (tried again in 30 periods)", found.error().message);
      pause_ = 30;
      return worked;
    }
    if (!*found) {
      dirty_ = false;  // nothing left until someone writes
      break;
    }
    ++worked;
    if (after != now + 1) break;  // another write committed meanwhile: the writers go first
    now = after;
  }
  return worked;
}

}  // namespace kehu::cli
