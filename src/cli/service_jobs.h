#pragma once
// The complaint desk's background job in `kehu serve`: every period (one minute) it runs the
// escalation pass (due times come from the service's injectable Clock, so a restart misses none
// and the unique step keys repeat none) and, when SMTP is configured, delivers queued emails.

#include <chrono>

#include "core/periodic_thread.h"
#include "domain/service/complaint_service.h"

namespace kehu::cli {

class ServiceJobs {
 public:
  // transport may be null: emails stay queued (visible to admins in the outbox).
  ServiceJobs(service::ComplaintService& svc, service::EmailTransport* transport,
              std::chrono::milliseconds period = std::chrono::minutes(1))
      : svc_(svc), transport_(transport), period_(period) {}
  ~ServiceJobs() { Stop(); }
  void Start();
  void Stop();
  // One pass now (also what the thread runs each period).
  void RunOnce();

 private:
  service::ComplaintService& svc_;
  service::EmailTransport* transport_;
  std::chrono::milliseconds period_;
  PeriodicThread thread_;
};

}  // namespace kehu::cli
