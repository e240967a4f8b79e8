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

void ServiceJobs::Start() { thread_.Start(period_, [this] { RunOnce(); }, /*first_turn_now=*/true); }

void ServiceJobs::Stop() { thread_.Stop(); }

}  // namespace kehu::cli
