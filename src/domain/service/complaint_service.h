#pragma once
// Complaint desk use cases. Every call takes the caller's Principal: a complaint is visible when
// its customer is (CustomerService::CheckVisible; otherwise kNotFound); admin, manager and
// service work complaints (others read only: kPermissionDenied). Writes append an audit entry
// in the same transaction. Time comes from the injected Clock.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/customers/customer_service.h"
#include "domain/identity/identity_repository.h"
#include "domain/service/calendar.h"
#include "domain/service/complaint.h"
#include "domain/service/service_repository.h"
#include "domain/timeline/timeline.h"

namespace kehu::service {

// The thank-you reward for a complainant. Loyalty implements it once it exists; until then no
// hook is registered and a requested reward stays "pending_loyalty" (no points are invented).
class RewardHook {
 public:
  virtual ~RewardHook() = default;
  // Grants the reward; returns a reference (e.g. a points-ledger id).
  virtual Result<std::string> Grant(int64_t org_id, int64_t customer_id, int64_t complaint_id) = 0;
};

// Customer value for the priority score. Analytics answers it (cli/integrations.h); without it,
// or for customers no analytics run has valued, the value percentile is absent from the score.
class ValueRanking {
 public:
  virtual ~ValueRanking() = default;
  // The value percentile (0..1) of each of these customers that has one.
  virtual Result<std::map<int64_t, double>> Percentiles(int64_t org_id, const std::vector<int64_t>& customer_ids) = 0;
};

// Delivers one email (SMTP in notify/). Errors: kUnavailable (retry later) or kInvalidArgument.
class EmailTransport {
 public:
  virtual ~EmailTransport() = default;
  virtual Status Send(const std::string& to, const std::string& subject, const std::string& body) = 0;
};

struct NewComplaint {
  int64_t customer_id{0};
  std::string channel{};
  std::string category{};
  int severity{0};
  std::string description{};
  std::optional<int64_t> assignee_id{};  // absent: routed by the customer's category
};

struct ResolutionInput {
  std::optional<std::string> root_cause{};
  std::optional<std::string> resolution_note{};
  std::optional<std::optional<int64_t>> compensation_minor{};
  std::optional<std::string> compensation_currency{};
  std::optional<std::string> compensation_text{};
  bool reward{false};
};

struct SlaView {
  int64_t elapsed_ms{0};
  bool running{false};
  int64_t response_target_ms{0};
  int64_t resolution_target_ms{0};
  std::optional<UnixMillis> response_due_at{};    // while the clock runs and not yet responded
  std::optional<UnixMillis> resolution_due_at{};  // while the clock runs and open
  bool response_breached{false};
  bool resolution_breached{false};
};

struct ComplaintView {
  Complaint complaint{};
  std::vector<ComplaintStatus> allowed{};
  SlaView sla{};
  double priority{0};
  std::optional<double> value_percentile{};  // the customer's, as used in the priority
  std::string survey_token{};  // closed complaints, staff only
};

struct SurveyView {
  std::string number{};
  std::string category{};
  bool answered{false};
  UnixMillis expires_at{0};
};

struct Stats {
  int64_t total{0};
  std::map<std::string, int64_t> by_category{}, by_channel{}, by_team{};
  std::optional<double> sla_compliance{};  // share of resolved complaints resolved within target
  int64_t sla_measured{0};
  std::optional<double> mean_first_response_ms{};  // business time
  std::optional<double> mean_resolution_ms{};      // business time
  std::optional<double> csat_average{};
  std::optional<double> nps{};  // % promoters (9-10) - % detractors (0-6)
  int64_t survey_answers{0};
  std::map<std::string, int64_t> per_day{};  // local date -> complaints filed
};

struct CalendarView {
  WorkingHours hours{};
  std::vector<CalendarDay> days{};
  std::vector<int> shipped_years{};
};

struct RoutingView {
  std::vector<RouteRule> routes{};
  std::vector<TeamSetting> teams{};
};

inline constexpr int64_t kSurveyValidityMs = 30LL * 86'400'000;
inline constexpr size_t kMaxDescriptionBytes = 4000;

class ComplaintService {
 public:
  ComplaintService(ServiceRepository& repo, customers::CustomerService& customers,
                   identity::IdentityRepository& identity, const Clock& clock,
                   RewardHook* reward = nullptr)
      : repo_(repo), customers_(customers), identity_(identity), clock_(clock), reward_(reward) {}

  // The survey-signing secret (--survey-secret); without it a random one is stored in the database.
  void SetSurveySecret(std::string secret);
  // Feeds the customer's value percentile into the priority score (optional; not owned).
  void SetValueRanking(ValueRanking* ranking) { ranking_ = ranking; }
  // First start: default categories, policies, routing mapping and the shipped holiday years.
  Status EnsureDefaults(int64_t org_id);

  // Errors: kInvalidArgument (fields), kNotFound (customer not visible), kPermissionDenied.
  Result<ComplaintView> Create(const identity::Principal& p, const NewComplaint& in);
  Result<ComplaintView> Get(const identity::Principal& p, int64_t id);
  Result<std::vector<Event>> Events(const identity::Principal& p, int64_t id);
  Result<std::vector<ComplaintView>> ListForCustomer(const identity::Principal& p, int64_t customer_id);
  // scope "mine" (assigned to me) or "team" (my teams' and the teams I lead; admin: all), open
  // complaints sorted by priority, highest first.
  Result<std::vector<ComplaintView>> Queue(const identity::Principal& p, const std::string& scope);
  // kFailedPrecondition (409) with `allowed` for an invalid transition; kAborted when stale.
  Result<ComplaintView> Transition(const identity::Principal& p, int64_t id, const std::string& to,
                                   const std::string& note, std::optional<int64_t> expected_version);
  Result<ComplaintView> Assign(const identity::Principal& p, int64_t id, int64_t assignee_id,
                               std::optional<int64_t> team_id);
  Result<ComplaintView> AddNote(const identity::Principal& p, int64_t id, const std::string& body,
                                bool to_customer);
  Result<ComplaintView> Resolve(const identity::Principal& p, int64_t id, const ResolutionInput& in);

  // Public survey (no principal): kNotFound for forged/unknown, kFailedPrecondition expired,
  // kAlreadyExists when answered.
  Result<SurveyView> GetSurvey(const std::string& token);
  Result<SurveyView> AnswerSurvey(const std::string& token, int csat, int nps, const std::string& comment);
  Result<std::vector<Complaint>> Satisfaction(const identity::Principal& p, int64_t customer_id);

  Result<Stats> ServiceStats(const identity::Principal& p, UnixMillis from, UnixMillis to);
  // The org calendar's fixed UTC offset: a bare date in a request means that local day.
  Result<int> UtcOffsetMinutes(const identity::Principal& p);

  Result<std::vector<ComplaintCategory>> ListCategories(const identity::Principal& p);
  Result<ComplaintCategory> CreateCategory(const identity::Principal& p, const ComplaintCategory& in);
  Result<RoutingView> GetRouting(const identity::Principal& p);
  Result<RoutingView> PutRouting(const identity::Principal& p, const RoutingView& in);
  Result<std::vector<SlaPolicy>> ListPolicies(const identity::Principal& p);
  Result<std::vector<SlaPolicy>> PutPolicies(const identity::Principal& p, const std::vector<SlaPolicy>& in);
  Result<CalendarView> GetCalendar(const identity::Principal& p, int year);
  Result<CalendarView> PutWorkingHours(const identity::Principal& p, const WorkingHours& h);
  Result<CalendarView> PutCalendarYear(const identity::Principal& p, int year,
                                       const std::vector<CalendarDay>& days);

  Result<std::vector<Notification>> Notifications(const identity::Principal& p);
  Status MarkRead(const identity::Principal& p, int64_t id);
  Status SetMyEmail(const identity::Principal& p, const std::string& email);
  Result<std::vector<Email>> Outbox(const identity::Principal& p);  // admin only

  // The background job: fires every due escalation step once. Returns the steps recorded.
  Result<int> RunEscalationPass(int limit = 10000);
  // Delivers queued emails through `t`. Returns how many were sent.
  Result<int> DeliverEmails(EmailTransport& t, int limit = 100);

  // The timeline source for complaints (kind "complaint").
  timeline::Source* TimelineSource() { return &timeline_; }

 private:
  class Timeline final : public timeline::Source {
   public:
    explicit Timeline(ServiceRepository& repo) : repo_(repo) {}
    Result<std::vector<timeline::Entry>> Page(const identity::Principal& who, int64_t customer_id,
                                              const std::optional<timeline::Cursor>& after, int limit) override;
   private:
    ServiceRepository& repo_;
  };

  Result<Calendar> LoadCalendar(int64_t org_id);
  Result<Complaint> LoadVisible(const identity::Principal& p, int64_t id);
  ComplaintView View(const Complaint& c, const Calendar& cal, UnixMillis now, bool staff,
                     std::optional<double> value_percentile = std::nullopt);
  // Value percentiles for these customers; empty without a ranking or when it fails (the score
  // then simply has no value part: priority must never make a complaint unreadable).
  std::map<int64_t, double> ValuePercentiles(int64_t org_id, const std::vector<int64_t>& customer_ids);
  std::optional<double> ValuePercentile(int64_t org_id, int64_t customer_id);
  Result<std::string> Secret();
  Result<ComplaintView> Save(const identity::Principal& p, Complaint c, int64_t expected_version,
                             std::vector<Event> events, const Calendar& cal, const std::string& action,
                             std::vector<Notification> notes = {});
  // Per-org data the escalation pass reads once per pass.
  struct OrgCache {
    Calendar calendar{};
    std::vector<identity::User> users{};
    std::map<int64_t, std::optional<identity::Team>> teams{};
    std::map<int64_t, std::string> emails{};
  };
  Result<std::vector<StepRecord>> StepsFor(const Complaint& c, const std::vector<DueStep>& due, OrgCache& org);

  ServiceRepository& repo_;
  customers::CustomerService& customers_;
  identity::IdentityRepository& identity_;
  const Clock& clock_;
  RewardHook* reward_;
  ValueRanking* ranking_{nullptr};
  Timeline timeline_{repo_};
  std::mutex secret_mu_;
  std::string secret_;
};

bool CanWorkComplaints(const identity::Principal& p);

}  // namespace kehu::service
