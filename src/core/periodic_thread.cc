#include "core/periodic_thread.h"

namespace kehu {

void PeriodicThread::Start(std::chrono::milliseconds period, std::function<void()> turn, bool first_turn_now) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this, period, turn = std::move(turn), first_turn_now] {
    std::unique_lock lock(mu_);
    if (!first_turn_now) cv_.wait_for(lock, period, [this] { return stop_; });
    while (!stop_) {
      lock.unlock();
      turn();
      lock.lock();
      cv_.wait_for(lock, period, [this] { return stop_; });
    }
  });
}

void PeriodicThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool PeriodicThread::Stopping() {
  std::lock_guard lock(mu_);
  return stop_;
}

}  // namespace kehu
