#pragma once
// Customer-value use cases: the analytics run (a consistent snapshot of orders, churn records
// and customer attributes in; RFM, BG/NBD, Gamma-Gamma, CLV, purchase cycle, at-risk flag,
// churn risk with reasons and ABC class out, stored per run), the views over the latest run,
// and the per-org settings.
//
// Access: org-level analytics (rfm, clv, churn, abc, relationship levels, runs, settings) are
// for marketing, manager and admin (others: kPermissionDenied); changing settings is admin
// only. A customer's value follows customer visibility (kNotFound when invisible).
//
//   ValueService values(repo, customer_service, clock);
//   Result<Run> run = values.RunNow(principal, {.trigger = "cli"}, progress);
//   Result<CustomerValueView> v = values.GetCustomerValue(principal, customer_id);

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/periodic_thread.h"
#include "core/result.h"
#include "core/time.h"
#include "domain/customers/customer_service.h"
#include "domain/identity/identity.h"
#include "domain/value/value.h"
#include "domain/value/value_repository.h"

namespace kehu::value {

struct RunRequest {
  std::string trigger{"api"};
  // Calibration end / snapshot day (Asia/Shanghai civil date): orders up to the end of this day
  // are read. Unset: today in Asia/Shanghai.
  std::optional<CivilDate> as_of{};
  // Tests: called between the snapshot's orders query and its customers query.
  std::function<void()> between_reads{};
};

// stage ("loading", "rfm", "bgnbd", ...), progress 0..1
using RunProgress = std::function<void(const std::string& stage, double progress)>;

// The run that results come from (every view carries it).
struct RunRef {
  int64_t run_id{0};
  UnixMillis computed_at{0};
  CivilDate as_of{};
  std::string model_version{};
};

struct CustomerValueView {
  int64_t customer_id{0};
  std::optional<RunRef> run{};           // none: no analytics run yet
  std::optional<CustomerValue> value{};  // none: the customer had no order in that run
  std::string diagnostics_json{"{}"};    // the run's fits (parameters the numbers came from)
  Settings settings{};
};

struct RfmCell {
  int r{0};
  int f{0};
  int64_t customers{0};
  int64_t monetary_minor{0};
  std::string segment{};  // the segment of (r, f) at m = 3 under the org's rules
};

struct SegmentRow {
  std::string segment{};
  std::string name_zh{};
  int64_t customers{0};
  double share{0.0};
  int64_t monetary_minor{0};
  double mean_recency_days{0.0};
  double mean_frequency{0.0};
};

struct RfmView {
  RunRef run{};
  std::vector<RfmCell> cells{};  // 25, r-major
  std::vector<SegmentRow> segments{};
};

struct HistogramBin {
  double lo{0.0};
  double hi{0.0};
  int64_t count{0};
};

struct ClvView {
  RunRef run{};
  int64_t customers{0};
  int64_t scored{0};
  double total_clv_minor{0.0};
  double mean_clv_minor{0.0};
  double median_clv_minor{0.0};
  double total_expected_purchases{0.0};
  std::vector<HistogramBin> histogram{};
  std::string diagnostics_json{"{}"};
  Settings settings{};
};

// Churn by RFM segment: of the run's customers in a segment, how many have an open churn record
// (lost and not won back) now, and the mean churn risk the model gives them.
struct SegmentChurnRow {
  std::string segment{};
  int64_t customers{0};
  int64_t churned{0};
  double churn_rate{0.0};              // churned / customers
  std::optional<double> mean_risk{};   // over those the model scored
};

struct ChurnView {
  RunRef run{};
  int64_t customers{0};
  int64_t scored{0};
  std::vector<HistogramBin> risk_distribution{};  // 10 bins over [0, 1]
  int64_t at_risk{0};
  int64_t at_risk_p_alive{0};
  int64_t at_risk_overdue{0};
  std::string diagnostics_json{"{}"};  // the run's diagnostics; "churn" holds the model and AUC
  std::vector<ChurnRatePoint> trend{};
  std::vector<SegmentChurnRow> by_segment{};  // the segments with customers, by churn rate
};

struct ParetoPoint {
  double customer_share{0.0};
  double margin_share{0.0};
};

struct AbcClassRow {
  std::string abc_class{};
  int64_t customers{0};
  int64_t margin_minor{0};
  double customer_share{0.0};
  double margin_share{0.0};
};

struct AbcView {
  RunRef run{};
  double a_share{0.8};
  double b_share{0.95};
  int64_t total_margin_minor{0};
  std::vector<ParetoPoint> curve{};
  std::vector<AbcClassRow> classes{};
};

struct LevelSegment {
  std::string segment{};  // customer category key
  int64_t customers{0};
  double share{0.0};
  double margin_per_customer_minor{0.0};
  std::string size_class{};    // many, medium, few
  std::string margin_class{};  // high, medium, low
  std::string recommended{};   // basic, reactive, accountable, proactive, partnership
  std::vector<std::pair<std::string, int64_t>> recorded{};  // recorded level -> customers
};

struct RelationshipView {
  RunRef run{};
  double org_margin_per_customer_minor{0.0};
  Settings settings{};
  std::vector<LevelSegment> segments{};
};

// The Kotler matrix (docs/analytics.md): size many/medium/few x margin high/medium/low.
std::string RecommendedLevel(const std::string& size_class, const std::string& margin_class);

// Settings <-> "key=value" lines (the stored form). ParseSettings reports unknown keys and bad
// values as field errors (kInvalidArgument).
std::string FormatSettings(const Settings& s);
Result<Settings> ParseSettings(const std::string& text);
Status ValidateSettings(const Settings& s);

class ValueService {
 public:
  ValueService(ValueRepository& repo, customers::CustomerService& customers, const Clock& clock,
               int64_t threads = 1)
      : repo_(repo), customers_(customers), clock_(clock), threads_(static_cast<int>(threads)) {}
  ~ValueService();
  ValueService(const ValueService&) = delete;
  ValueService& operator=(const ValueService&) = delete;

  // Runs the analytics for the principal's org now, in this thread.
  // Errors: kPermissionDenied; kAlreadyExists when a run is in progress; kInvalidArgument for
  // bad stored settings; store errors. A failure after the run row was created marks it failed.
  Result<Run> RunNow(const identity::Principal& p, const RunRequest& req,
                     const RunProgress& progress = {});
  // Creates the run row and computes it on a background thread; returns the running run.
  // Errors as RunNow (before the run starts).
  Result<Run> StartRun(const identity::Principal& p, const RunRequest& req);
  // Waits for a background run started by StartRun (tests, shutdown).
  void WaitForBackground();

  // For the system (CLI, nightly job): runs without a principal check.
  Result<Run> RunForOrg(int64_t org_id, const RunRequest& req, const RunProgress& progress = {});

  Result<Run> GetRun(const identity::Principal& p, int64_t run_id);
  Result<std::vector<Run>> ListRuns(const identity::Principal& p);
  Result<CustomerValueView> GetCustomerValue(const identity::Principal& p, int64_t customer_id);
  Result<RfmView> Rfm(const identity::Principal& p);
  Result<ClvView> Clv(const identity::Principal& p);
  Result<ChurnView> Churn(const identity::Principal& p);
  Result<AbcView> Abc(const identity::Principal& p);
  Result<RelationshipView> RelationshipLevels(const identity::Principal& p);
  Result<Settings> GetSettings(const identity::Principal& p);
  Result<Settings> UpdateSettings(const identity::Principal& p, const Settings& s);

  // The org's settings (defaults when none are stored).
  Result<Settings> LoadSettings(int64_t org_id);
  // The latest succeeded run, if any.
  Result<std::optional<Run>> LatestRun(int64_t org_id) { return repo_.LatestSucceeded(org_id); }
  Result<std::optional<Run>> LatestStarted(int64_t org_id) { return repo_.LatestStarted(org_id); }
  ValueRepository& repo() { return repo_; }

 private:
  Result<Run> Begin(int64_t org_id, const RunRequest& req, CivilDate& as_of, Settings& settings);
  Result<Run> Execute(Run run, const RunRequest& req, const Settings& settings,
                      const RunProgress& progress);
  Result<RunRef> Latest(const identity::Principal& p);
  // A succeeded run's rows for the org-level views (RFM, CLV, ABC, churn, relationship levels).
  // A run never changes once it has succeeded, so the latest run's rows of an org of up to
  // kCachedRunRows customers are read once and shared by every view until the next run (reading
  // them took 343 ms of each view on a 100,000-customer demo); larger runs are read each time.
  using RunRows = std::shared_ptr<const std::vector<CustomerValue>>;
  Result<RunRows> RunValues(int64_t org_id, int64_t run_id);
  static constexpr size_t kCachedRunRows = 300'000;

  ValueRepository& repo_;
  customers::CustomerService& customers_;
  const Clock& clock_;
  int threads_{1};
  std::mutex bg_mu_;
  std::thread bg_;
  std::mutex rows_mu_;
  std::map<int64_t, std::pair<int64_t, RunRows>> run_rows_;  // guarded by rows_mu_: org → (run, rows)
};

// Expected margin over the org's CLV horizon from the latest run: the "value estimator" of the
// orders capability (the lead engineer adapts it to orders::ValueEstimator).
class LatestClvEstimator {
 public:
  explicit LatestClvEstimator(ValueRepository& repo) : repo_(repo) {}
  // nullopt when there is no run, the customer had no order in it, or the model was not fitted.
  std::optional<int64_t> ExpectedMarginMinor(int64_t org_id, int64_t customer_id);

 private:
  ValueRepository& repo_;
};

// Value percentiles (0..1) from the latest succeeded run, for other capabilities (the complaint
// desk's priority). Customers the run did not value are left out; no run: an empty map.
class LatestValuePercentiles {
 public:
  explicit LatestValuePercentiles(ValueRepository& repo) : repo_(repo) {}
  Result<std::map<int64_t, double>> For(int64_t org_id, const std::vector<int64_t>& customer_ids);

 private:
  ValueRepository& repo_;
};

// The nightly job: runs the analytics at 02:00 Asia/Shanghai; at start-up and on every tick,
// if no run has started since the most recent 02:00, it runs once (so a missed night is made up
// once). Never two at once (the repository refuses a second running run).
class NightlyJob {
 public:
  NightlyJob(ValueService& values, const Clock& clock, int64_t org_id)
      : values_(values), clock_(clock), org_id_(org_id) {}
  ~NightlyJob() { Stop(); }
  // The most recent 02:00 Asia/Shanghai at or before `now`.
  static UnixMillis LastDue(UnixMillis now);
  // The next 02:00 Asia/Shanghai strictly after `now`.
  static UnixMillis NextDue(UnixMillis now);
  // One check: runs (in this thread) when due. Returns the run when it ran one.
  Result<std::optional<Run>> Tick();
  // A thread that calls Tick every `poll_seconds` of real time until Stop.
  void Start(int poll_seconds = 60) {
    thread_.Start(std::chrono::seconds(poll_seconds), [this] { (void)Tick(); }, /*first_turn_now=*/true);
  }
  void Stop() { thread_.Stop(); }

 private:
  ValueService& values_;
  const Clock& clock_;
  int64_t org_id_;
  PeriodicThread thread_;
};

}  // namespace kehu::value
