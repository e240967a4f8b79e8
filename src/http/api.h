#pragma once
// The JSON API: a route table, the middleware every request passes (request id, auth, CSRF,
// idempotency keys, access log, metrics), and dispatch to the handlers of each capability.
// Plain C++: no Beast here; server.cc calls Api::Handle on a worker thread (or on the I/O thread
// for cheap reads), or Api::HandleAsync on the I/O thread for routes with an asynchronous form.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "domain/customers/customer_service.h"
#include "domain/identity/identity_service.h"
#include "domain/orders/order_service.h"
#include "domain/interactions/interaction_service.h"
#include "domain/interactions/telephony.h"
#include "domain/service/complaint_service.h"
#include "domain/timeline/timeline.h"
#include "domain/value/value_service.h"
#include "http/message.h"

namespace kehu::http {

struct Services {
  identity::IdentityService* identity{nullptr};
  identity::IdentityRepository* identity_repo{nullptr};  // idempotency keys
  customers::CustomerService* customers{nullptr};
  std::vector<timeline::Source*> timeline_sources{};  // merged by GET /customers/{id}/timeline
  value::ValueService* values{nullptr};               // customer-value analytics (optional)
  const Clock* clock{nullptr};
  std::function<bool()> ready{};                 // database reachable
  std::function<std::string()> pool_metrics{};   // extra Prometheus lines
  std::string web_root{};                        // built web assets; empty: API only
  bool secure_cookies{false};                    // add Secure to cookies (behind TLS)
  orders::OrderService* orders{nullptr};         // orders, churn, retention (orders_handler.cc)
  interactions::InteractionService* interactions{nullptr};  // interactions and tasks
  interactions::TelephonyService* telephony{nullptr};       // contact center
  interactions::PopHub* pop_hub{nullptr};                   // screen-pop streams
  service::ComplaintService* complaints{nullptr};  // the complaint desk (service_handler.cc)
  ManualClock* manual_clock{nullptr};  // `serve --manual-clock` only: enables POST /system/clock
  // Cheap reads (Route::cheap_read) may run on the I/O thread; the composition root turns this
  // on for SQLite only. idle_reader says whether a reader connection is free right now, so an
  // inline read never waits for the pool behind slow searches.
  bool inline_cheap_reads{false};
  std::function<bool()> idle_reader{};
  // Routes with an asynchronous form (Route::async_fn) use it: the composition root turns this
  // on when the database writes without a waiting thread (Database::AsyncWrites, SQLite).
  bool async_writes{false};
};

// What a handler sees.
struct Ctx {
  Request& req;
  const identity::Principal* principal{nullptr};
  std::map<std::string, std::string> params{};            // path parameters
  std::vector<std::pair<std::string, std::string>> query{};  // decoded query parameters
  std::string request_id{};

  // First query parameter with this name.
  std::optional<std::string> Query(const std::string& name) const;
  // A path parameter that must be a positive id (the router only routes digits).
  int64_t Id(const std::string& name) const;
};

using RouteFn = std::function<Response(Ctx&)>;
// The asynchronous form of a route. It runs on the I/O thread that read the request and must
// not wait: it checks what it can, starts its work (a database write that completes on the
// writer's thread) and returns. Exactly once, from any thread, it calls finish with a function
// that makes the response, which then runs on the I/O thread (so the work's thread only hands
// the result over). The Ctx is gone once async_fn returns: copy what finish's function needs.
using AsyncFinish = std::function<void(std::function<Response()>)>;
using AsyncRouteFn = std::function<void(Ctx&, AsyncFinish)>;

// Per-route counters for /metrics (lock-free once the route table is built).
struct RouteMetrics {
  std::atomic<int64_t> count_2xx{0}, count_4xx{0}, count_5xx{0};
  std::atomic<int64_t> buckets[12]{};  // latency histogram: requests in each bucket alone (not cumulative)
  std::atomic<int64_t> sum_us{0};
};

struct Route {
  std::string method{};
  std::string pattern{};  // "/api/v1/customers/{id}"
  bool needs_auth{true};
  RouteFn fn{};
  std::vector<std::string> segments{};
  // A cheap, bounded read (one customer, a screen pop): on SQLite it may run on the I/O thread
  // instead of hopping to the worker pool and back (see Api::RunsInline).
  bool cheap_read{false};
  // Used instead of fn when Api::RunsAsync says so (fn stays for the other cases).
  AsyncRouteFn async_fn{};
  std::string name{};  // "GET /api/v1/customers/{id}": access log and metrics label
  RouteMetrics* metrics{nullptr};
};

class Api {
 public:
  explicit Api(Services services);
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Handles one request; never throws (a handler's exception becomes a 500 problem).
  Response Handle(Request& req);
  void Add(std::string method, std::string pattern, RouteFn fn, bool needs_auth = true);
  // Marks an added GET route as a cheap read (Route::cheap_read).
  void MarkCheapRead(const std::string& pattern);
  // True when this request may be handled on the I/O thread that read it: its route is a cheap
  // read and Services::inline_cheap_reads is on (SQLite, whose reads take microseconds; on
  // PostgreSQL every read is a network round trip and keeps to the worker pool).
  // Remembers the matched route in req.route_index, so Handle does not match it again.
  bool RunsInline(Request& req) const;
  // Gives an added route an asynchronous form (Route::async_fn).
  void SetAsync(const std::string& method, const std::string& pattern, AsyncRouteFn fn);
  // True when this request may be handled by HandleAsync: its route has an asynchronous form,
  // Services::async_writes is on, it carries no Idempotency-Key (replays are stored by the
  // worker-pool path), and a reader connection is free for the checks. Remembers the matched
  // route in req.route_index.
  bool RunsAsync(Request& req) const;
  // Handles a request whose RunsAsync was true: the same middleware as Handle (request id,
  // auth, CSRF, metrics, access log), then the route's async_fn. Calls resume exactly once, with
  // the function that makes the response (for ServerOptions::handle_async). Never throws.
  void HandleAsync(Request& req, std::function<void(std::function<Response()>)> resume);
  const std::vector<Route>& routes() const { return routes_; }
  const Services& services() const { return services_; }
  // Prometheus text for /metrics.
  Response Metrics();

 private:
  Response Dispatch(Request& req, const std::string& request_id, const Route** route_out,
                    std::string* user_out);
  // Dispatch's first part, shared with HandleAsync: finds the route, decodes the query, and
  // authenticates (ctx.principal then points at *principal). Returns the response when the
  // request ends here (404, 405, 400, 401, 403).
  std::optional<Response> Begin(Request& req, const std::string& request_id, const Route** route_out,
                                std::string* user_out, Ctx& ctx, identity::Principal& principal);
  // The request id and access-log line every response gets.
  void End(const Request& req, const std::string& request_id, const Route& route, const std::string& user,
           std::chrono::steady_clock::time_point start, Response& res);
  void Observe(RouteMetrics& m, int status, int64_t micros);
  RouteMetrics* MetricsFor(const std::string& name);
  // The route for this method and path (HEAD finds GET); nullptr when none. *allowed collects
  // the methods the path has when the method does not match.
  const Route* FindRoute(const Request& req, std::vector<std::string>* allowed) const;

  Services services_;
  std::vector<Route> routes_;
  std::mutex metrics_mu_;
  std::map<std::string, std::unique_ptr<RouteMetrics>> metrics_;
  Route unmatched_route_{}, static_route_{};  // labels for requests no API route answers
  std::atomic<int64_t> in_flight_{0};
};

// Route registration, one function per capability (identity_handler.cc, customers_handler.cc).
void AddSystemRoutes(Api& api);
void AddIdentityRoutes(Api& api);
void AddCustomerRoutes(Api& api);
void AddImportRoutes(Api& api);
void AddOrderRoutes(Api& api);
void AddInteractionRoutes(Api& api);  // interactions, timeline, tasks, telephony
void AddAnalyticsRoutes(Api& api);  // analytics_handler.cc
void AddServiceRoutes(Api& api);  // service_handler.cc: complaints, notifications, surveys

// Builds the Api with every capability's routes.
std::unique_ptr<Api> MakeApi(Services services);

// docs/openapi.yaml as JSON (generated at build time).
std::string_view OpenApiJson();

// Helpers shared by handlers.
Response JsonResponse(int status, std::string body);
std::string CookieValue(const Request& req, const std::string& name);
// The version an If-Match header asks for ("3", W/"3" or 3); nullopt when absent, and
// *malformed when present but not a positive integer.
std::optional<int64_t> IfMatchVersion(const Request& req, bool* malformed);

}  // namespace kehu::http
