#pragma once
// A background thread that runs a turn every period until stopped: the shape of kehu serve's
// jobs (the complaint desk's escalation pass, the nightly analytics, the search-index merger).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace kehu {

class PeriodicThread {
 public:
  PeriodicThread() = default;
  ~PeriodicThread() { Stop(); }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  // Starts calling turn every period (the first call at once when first_turn_now, else after one
  // period); does nothing while already running. A stopped thread may be started again.
  void Start(std::chrono::milliseconds period, std::function<void()> turn, bool first_turn_now);
  // Wakes the thread, waits for a turn in progress to end and joins it. Idempotent.
  void Stop();
  // True once Stop was called: a long turn may end early.
  bool Stopping();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_{false};  // guarded by mu_
  std::thread thread_;
};

}  // namespace kehu
