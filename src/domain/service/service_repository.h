#pragma once
// The complaint desk's port: store/service_repository.cc implements it for SQLite and
// PostgreSQL. Every method is scoped to an org except the escalation scan and the email sender,
// which work across orgs (they run in the background job).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/identity/identity.h"
#include "domain/service/calendar.h"
#include "domain/service/complaint.h"
#include "domain/timeline/timeline.h"

namespace kehu::service {

struct SlaPolicy {
  int severity{3};
  std::string customer_category{"*"};  // "*" = any category
  bool vip{false};
  int response_minutes{0};    // business minutes
  int resolution_minutes{0};  // business minutes
};

struct ComplaintCategory {
  int64_t id{0};
  int64_t org_id{0};
  std::string key{};
  std::string name_zh{};
  std::string name_en{};
};

// customer category -> specialist team.
struct RouteRule {
  std::string customer_category{};
  int64_t team_id{0};
};

enum class Strategy { kRoundRobin, kLeastLoaded };
const char* Name(Strategy s);
std::optional<Strategy> ParseStrategy(std::string_view s);

struct TeamSetting {
  int64_t team_id{0};
  Strategy strategy{Strategy::kRoundRobin};
  std::optional<int64_t> last_assignee_id{};  // round-robin pointer
};

struct Notification {
  int64_t id{0};
  int64_t org_id{0};
  int64_t user_id{0};
  std::string kind{};  // escalation, assignment
  std::string title{};
  std::string body{};
  std::optional<int64_t> complaint_id{};
  UnixMillis created_at{0};
  std::optional<UnixMillis> read_at{};
};

struct Email {
  int64_t id{0};
  int64_t org_id{0};
  std::optional<int64_t> user_id{};
  std::string to_address{};  // empty: the user has no address (status no_address)
  std::string subject{};
  std::string body{};
  std::string status{"queued"};  // queued, sent, failed, no_address
  int attempts{0};
  std::string last_error{};
  UnixMillis created_at{0};
  std::optional<UnixMillis> sent_at{};
};

// One complaint write: the new state plus everything that commits with it.
struct ComplaintWrite {
  Complaint complaint{};
  int64_t expected_version{0};  // 0: create (id and number assigned)
  std::vector<Event> events{};
  std::optional<identity::AuditEntry> audit{};
  std::vector<Notification> notifications{};
  std::vector<Email> emails{};
  std::optional<TeamSetting> team_setting{};  // round-robin pointer moved by this write
};

// One escalation step with its side effects, written only when its key is new.
struct StepRecord {
  Target target{Target::kResponse};
  int step{0};
  Event event{};
  std::vector<Notification> notifications{};
  std::vector<Email> emails{};
};

struct ComplaintQuery {
  int64_t org_id{0};
  std::optional<int64_t> customer_id{};
  std::optional<int64_t> assignee_id{};
  std::vector<int64_t> team_ids{};
  bool any_team{false};  // with team_ids empty: every complaint of the org
  bool open_only{false};
  std::optional<UnixMillis> created_from{};
  std::optional<UnixMillis> created_to{};
  int limit{500};
};

// Aggregates of the complaints filed in a created_at range (ComplaintService::ServiceStats turns
// them into Stats). Sums are integer business milliseconds.
struct ComplaintAggregates {
  int64_t total{0};
  std::map<std::string, int64_t> by_category{};
  std::map<std::string, int64_t> by_channel{};
  std::map<std::optional<int64_t>, int64_t> by_team{};  // nullopt: no team
  std::map<int64_t, int64_t> by_day{};  // local day number (days since 1970-01-01 local) -> filed
  int64_t response_count{0};            // complaints with a first response
  int64_t response_sum_ms{0};
  int64_t resolution_count{0};  // closed statuses (not IsOpen) with a resolution time
  int64_t resolution_sum_ms{0};
  int64_t sla_measured{0};  // ... of those, with a resolution target
  int64_t sla_met{0};       // ... and resolved within it
  int64_t survey_count{0};  // answered surveys (CSAT and NPS present)
  int64_t csat_sum{0};
  int64_t promoters{0};   // NPS 9-10
  int64_t detractors{0};  // NPS 0-6
};

// One complaint's escalation outcome: its new levels and next_escalation_at, and the steps.
struct EscalationWrite {
  Complaint complaint{};
  std::vector<StepRecord> steps{};
};

class ServiceRepository {
 public:
  virtual ~ServiceRepository() = default;

  // The org's survey-signing secret: `candidate` is stored when none exists; returns the stored one.
  virtual Result<std::string> SurveySecret(int64_t org_id, const std::string& candidate) = 0;

  virtual Result<WorkingHours> GetWorkingHours(int64_t org_id) = 0;
  virtual Status PutWorkingHours(int64_t org_id, const WorkingHours& h, const identity::AuditEntry& a) = 0;
  // year 0: every year.
  virtual Result<std::vector<CalendarDay>> ListCalendarDays(int64_t org_id, int year) = 0;
  virtual Status ReplaceCalendarYear(int64_t org_id, int year, const std::vector<CalendarDay>& days,
                                     const identity::AuditEntry& a) = 0;
  // Writes the shipped days of `year` once per org (an edited or emptied year is never reseeded).
  virtual Result<bool> SeedCalendarYear(int64_t org_id, int year, const std::vector<CalendarDay>& days,
                                        UnixMillis now) = 0;

  virtual Result<std::vector<ComplaintCategory>> ListCategories(int64_t org_id) = 0;
  // kAlreadyExists when the key is taken.
  virtual Result<ComplaintCategory> CreateCategory(const ComplaintCategory& c, UnixMillis now) = 0;

  virtual Result<std::vector<RouteRule>> ListRoutes(int64_t org_id) = 0;
  virtual Result<std::vector<TeamSetting>> ListTeamSettings(int64_t org_id) = 0;
  // Replaces the whole mapping and the given teams' strategies.
  virtual Status PutRouting(int64_t org_id, const std::vector<RouteRule>& routes,
                            const std::vector<TeamSetting>& teams, const identity::AuditEntry& a) = 0;

  virtual Result<std::vector<SlaPolicy>> ListPolicies(int64_t org_id) = 0;
  // Replaces every policy of the org.
  virtual Status PutPolicies(int64_t org_id, const std::vector<SlaPolicy>& policies,
                             const identity::AuditEntry& a, UnixMillis now) = 0;

  // Creates (expected_version 0: id and number "TS-<year>-NNNNNN" assigned; `year` from
  // complaint.number's placeholder "TS-<year>-") or updates (kAborted when stale) a complaint.
  virtual Result<Complaint> WriteComplaint(ComplaintWrite w) = 0;
  virtual Result<std::optional<Complaint>> GetComplaint(int64_t org_id, int64_t id) = 0;
  // Newest first.
  virtual Result<std::vector<Complaint>> ListComplaints(const ComplaintQuery& q) = 0;
  // Aggregates over the org's complaints with created_at in [from, to), computed in the database.
  // Local days are floor((created_at + utc_offset_minutes * 60,000) / 86,400,000).
  virtual Result<ComplaintAggregates> AggregateComplaints(int64_t org_id, UnixMillis from, UnixMillis to,
                                                          int utc_offset_minutes) = 0;
  virtual Result<std::vector<Event>> ListEvents(int64_t org_id, int64_t complaint_id) = 0;
  // Open complaints per assignee.
  virtual Result<std::map<int64_t, int64_t>> OpenCounts(int64_t org_id, const std::vector<int64_t>& users) = 0;

  // Escalation: complaints (of every org) whose next_escalation_at <= now, oldest due first; an
  // index range scan, so the cost follows the number due, not the number open.
  virtual Result<std::vector<Complaint>> DueComplaints(UnixMillis now, int limit) = 0;
  // In one transaction, for each write: records the steps whose (complaint, target, step) key is
  // new, with their event, notifications and emails, and stores the complaint's levels and
  // next_escalation_at. Returns how many steps were new.
  virtual Result<int> ApplyEscalations(const std::vector<EscalationWrite>& writes) = 0;
  // Open complaints of the org (the benchmark's baseline).
  virtual Result<int64_t> CountOpen(int64_t org_id) = 0;

  virtual Result<std::vector<Notification>> ListNotifications(int64_t org_id, int64_t user_id, int limit) = 0;
  // kNotFound unless the notification is the user's.
  virtual Status MarkNotificationRead(int64_t org_id, int64_t user_id, int64_t id, UnixMillis now) = 0;
  virtual Status SetUserEmail(int64_t org_id, int64_t user_id, const std::string& email) = 0;
  virtual Result<std::map<int64_t, std::string>> UserEmails(int64_t org_id) = 0;
  virtual Result<std::vector<Email>> ListOutbox(int64_t org_id, int limit) = 0;
  virtual Result<std::vector<Email>> QueuedEmails(int limit) = 0;
  virtual Status MarkEmail(int64_t id, const std::string& status, const std::string& error, UnixMillis now) = 0;

  // Events of the customer's complaints for the timeline, in feed order.
  virtual Result<std::vector<std::pair<Event, std::string>>> TimelineEvents(
      int64_t org_id, int64_t customer_id, const std::optional<timeline::Cursor>& after, int limit) = 0;
};

}  // namespace kehu::service
