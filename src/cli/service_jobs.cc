#include "cli/service_jobs.h"

#include <spdlog/spdlog.h>

namespace kehu::cli {

void ServiceJobs::RunOnce() {
  try {
    auto n = svc_.RunEscalationPass();
    if (!n.ok()) spdlog::warn("escalation pass: {}", n.error().message);
    else if (*n > 0) spdlog::info("escalation pass: {} steps", *n);
    if (transport_) {
      auto sent = svc_.DeliverEmails(*transport_);
      if (!sent.ok()) spdlog::warn("email delivery: {}", sent.error().message);
    }
  } catch (const std::exception& e) {
    spdlog::error("service job: {}", e.what());
  }
}

void ServiceJobs::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      RunOnce();
      lock.lock();
      cv_.wait_for(lock, period_, [this] { return stop_; });
    }
  });
}

void ServiceJobs::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace kehu::cli
