#pragma once
// The composition root: opens the database, applies migrations, and wires repositories into
// the domain services. Shared by every sub-command.

#include <atomic>
#include <memory>
#include <string>

#include "core/result.h"
#include "core/time.h"
#include "domain/customers/customer_service.h"
#include "domain/identity/identity_service.h"
#include "domain/orders/order_service.h"
#include "domain/orders/order_timeline.h"
#include "domain/interactions/interaction_service.h"
#include "domain/interactions/telephony.h"
#include "domain/interactions/timeline_feed.h"
#include "domain/value/value_service.h"
#include "domain/service/complaint_service.h"
#include "store/db.h"

namespace kehu::cli {

inline constexpr int64_t kDefaultOrg = 1;

struct App {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<identity::IdentityRepository> identity_repo;
  std::unique_ptr<customers::CustomerRepository> customer_repo;
  std::unique_ptr<identity::IdentityService> identity;
  std::unique_ptr<customers::CustomerService> customers;
  std::unique_ptr<orders::OrderRepository> order_repo;
  std::unique_ptr<orders::OrderService> orders;
  std::unique_ptr<orders::OrderTimelineSource> order_timeline;
  std::unique_ptr<interactions::InteractionRepository> interaction_repo;
  std::unique_ptr<interactions::InteractionService> interactions;
  std::unique_ptr<interactions::PopHub> pop_hub;
  std::unique_ptr<interactions::TelephonyService> telephony;
  std::unique_ptr<interactions::AuditTimelineSource> audit_timeline;
  std::unique_ptr<interactions::InteractionTimelineSource> interaction_timeline;
  std::unique_ptr<value::ValueRepository> value_repo;
  std::unique_ptr<value::ValueService> values;
  std::unique_ptr<service::ServiceRepository> service_repo;
  std::unique_ptr<service::ComplaintService> complaints;
};

// Opens `url`, migrates it, ensures the default org and its built-in categories.
// one_shot_load: the process loads data and exits (`kehu demo`, `kehu import customers`); see
// store::OpenOptions.
Result<std::unique_ptr<App>> OpenApp(const std::string& url, bool migrate = true, bool one_shot_load = false);

// The first admin account when the org has no users: returns its one-time password ("" when
// users exist already).
Result<std::string> EnsureAdmin(App& app);

// A principal acting for the system (CLI, demo data), with admin rights in the default org.
identity::Principal SystemPrincipal(App& app);

// Creates n realistic zh-CN customers (people and organisations, phones, categories, owners)
// through the customers use cases, created over the last kDemoHistoryDays days (each batch on a
// clock of its own), in one transaction (all or nothing), printing progress to stderr when
// `progress` is set.
// Up to kDemoOrdersMaxCustomers customers, also creates plausible orders (a few per customer
// after it was created, channels matching the category) and a few churn records for them, then runs
// an analytics pass.
Status GenerateDemo(App& app, int64_t n, bool progress);

// Demo sets larger than this get no orders (and no analytics pass).
inline constexpr int64_t kDemoOrdersMaxCustomers = 100000;
// Demo customers are created over this many days before now, their orders after that.
inline constexpr int kDemoHistoryDays = 3 * 365;

// Demo orders and churn records for every live customer of the default org that has no order.
Status GenerateDemoOrders(App& app, uint64_t seed);

// Demo service history (cli/demo_service.cc): three service agents in a 客户服务中心 team; calls,
// visits, WeChat messages, tastings and other interactions over the last 120 days for about a
// third of the customers, logged by their owners; a few follow-up tasks per salesperson (one
// overdue, some due today); complaints over the last 30 days (one per 40 customers, 6 to 300),
// most resolved and closed with survey answers, recent ones open. GenerateDemo adds it for sets
// of kDemoServiceMinCustomers to kDemoOrdersMaxCustomers customers.
Status GenerateDemoService(App& app, uint64_t seed, bool progress);

// Smaller demo sets (the browser tests' 50 customers) keep an empty service desk and timeline.
inline constexpr int64_t kDemoServiceMinCustomers = 100;

// Rebuilds customers' search texts (CustomerService::RebuildSearchTexts): of every org when
// `all`, otherwise of the orgs whose texts are older than this binary's. Stops between batches
// once `stop` is set (that org's version is then not recorded). In the foreground (`kehu
// reindex`): batches of 500, progress on stderr. In the background (`kehu serve`): batches of
// 100 with a pause as long as each batch took, progress in the log.
Status RebuildSearchTexts(App& app, bool all, const std::atomic<bool>& stop, bool background);

}  // namespace kehu::cli
