#pragma once
// Complaint (service request) value types and the pure rules around them: the status machine,
// the SLA clock, the escalation ladder, the priority score and survey-link signing. No I/O.
// See docs/service.md for the rules in prose.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/service/calendar.h"

namespace kehu::service {

enum class ComplaintStatus { kNew, kAssigned, kInProgress, kWaitingCustomer, kResolved, kClosed };
const char* Name(ComplaintStatus s);
std::optional<ComplaintStatus> ParseStatus(std::string_view s);
// The statuses `from` may move to (reopen: resolved/closed -> in_progress).
std::vector<ComplaintStatus> AllowedTransitions(ComplaintStatus from);
bool IsOpen(ComplaintStatus s);  // not resolved and not closed

inline constexpr const char* kChannels[] = {"hotline", "letter", "visit", "web",
                                            "wechat", "survey", "service_center"};
bool ValidChannel(std::string_view s);

// The two SLA targets and the escalation ladder's steps (percent of a target).
enum class Target { kResponse, kResolution };
const char* Name(Target t);
inline constexpr int kSteps[] = {75, 100, 150};

struct Complaint {
  int64_t id{0};
  int64_t org_id{0};
  std::string number{};  // "TS-2026-000123", unique per org
  int64_t customer_id{0};
  std::string customer_name{};  // read with the complaint, never written with it
  std::string channel{};
  std::string category{};  // a complaint category key
  int severity{3};         // 1 (most severe) .. 4
  std::string description{};
  ComplaintStatus status{ComplaintStatus::kNew};
  std::optional<int64_t> assignee_id{};
  std::optional<int64_t> team_id{};
  std::string customer_category{};  // the customer's category when filed (SLA, priority)
  bool vip{false};
  std::optional<int64_t> created_by{};
  UnixMillis created_at{0};
  UnixMillis updated_at{0};
  int64_t version{1};

  // SLA: targets in business milliseconds; the clock's business time used so far is
  // sla_elapsed_ms plus, while running, business time since sla_running_since.
  int64_t response_target_ms{0};
  int64_t resolution_target_ms{0};
  int64_t sla_elapsed_ms{0};
  std::optional<UnixMillis> sla_running_since{};  // nullopt: paused or stopped
  std::optional<UnixMillis> first_response_at{};
  std::optional<int64_t> response_elapsed_ms{};    // business time at first response
  std::optional<UnixMillis> resolved_at{};
  std::optional<int64_t> resolution_elapsed_ms{};  // business time at (last) resolution
  std::optional<UnixMillis> closed_at{};
  int response_level{0};    // escalation steps fired on the response target (0..3)
  int resolution_level{0};  // ... on the resolution target
  std::optional<UnixMillis> next_escalation_at{};  // absolute instant of the next step; indexed

  // Resolution.
  std::string root_cause{};
  std::string resolution_note{};
  std::optional<int64_t> compensation_minor{};
  std::string compensation_currency{"CNY"};
  std::string compensation_text{};
  std::string reward_status{};  // "", "pending_loyalty" (no RewardHook registered), "granted"
  std::string reward_reference{};

  // Satisfaction survey.
  std::optional<UnixMillis> survey_expires_at{};
  std::optional<int> csat{};
  std::optional<int> nps{};
  std::string survey_comment{};
  std::optional<UnixMillis> survey_answered_at{};
};

struct Event {
  int64_t id{0};
  int64_t org_id{0};
  int64_t complaint_id{0};
  UnixMillis at{0};
  std::optional<int64_t> actor_id{};
  std::string actor_name{};
  std::string kind{};  // created, status, assignment, note, escalation, resolution, survey
  std::string from_status{};
  std::string to_status{};
  std::string body{};
  bool to_customer{false};  // a note sent to the customer (counts as first response)
  std::string target{};     // escalation: response / resolution
  int step{0};              // escalation: 75 / 100 / 150
  std::optional<int64_t> assignee_id{};
};

// --- SLA clock -----------------------------------------------------------------------------

// Business milliseconds the SLA clock has counted at `now`.
int64_t ElapsedMillis(const Complaint& c, const Calendar& cal, UnixMillis now);
// Pauses (running -> stopped, folding the elapsed time) or starts the clock at `now`.
void PauseClock(Complaint& c, const Calendar& cal, UnixMillis now);
void StartClock(Complaint& c, UnixMillis now);
// True while the target still counts (response: no first response yet; resolution: open).
bool TargetActive(const Complaint& c, Target t);
int64_t TargetMillis(const Complaint& c, Target t);
int& Level(Complaint& c, Target t);
int LevelOf(const Complaint& c, Target t);

struct DueStep {
  Target target{Target::kResponse};
  int step{0};
  UnixMillis due_at{0};
};
// Steps not yet fired whose threshold the clock has reached at `now`, in ladder order.
std::vector<DueStep> DueSteps(const Complaint& c, const Calendar& cal, UnixMillis now);
// The absolute instant the next unfired step falls due while the clock runs; nullopt when the
// clock is stopped or no step is left.
std::optional<UnixMillis> NextEscalationAt(const Complaint& c, const Calendar& cal);

// --- Priority --------------------------------------------------------------------------------

struct PriorityInput {
  std::string customer_category{};
  bool vip{false};
  std::optional<double> value_percentile{};  // 0..1, from analytics once they exist; else absent
  int severity{3};
  std::optional<double> sla_fraction_used{};  // largest used/target over the active targets
};
// importance (category weight 10-30 + VIP 20 + 20 x value percentile) + severity (10-40) +
// urgency (40 x min(used, 1.5) / 1.5): 0..150, higher first. See docs/service.md.
double PriorityScore(const PriorityInput& in);
int CategoryWeight(std::string_view customer_category);

// The longest prefix of UTF-8 text `s` of at most max_bytes that ends on a character boundary.
std::string Clip(std::string_view s, size_t max_bytes);

// --- Survey links ------------------------------------------------------------------------------

// "org-complaint-expires-hex(HMAC-SHA256(secret, "org-complaint-expires"))" (no dots: the web
// server treats a last path segment with a dot as a file, and the link is /survey/<token>).
std::string SignSurveyToken(const std::string& secret, int64_t org_id, int64_t complaint_id,
                            UnixMillis expires_at);
struct SurveyClaim {
  int64_t org_id{0};
  int64_t complaint_id{0};
  UnixMillis expires_at{0};
};
// kNotFound for a malformed or forged token (no oracle for which), kFailedPrecondition when
// expired at `now`.
Result<SurveyClaim> VerifySurveyToken(const std::string& secret, std::string_view token,
                                      UnixMillis now);

}  // namespace kehu::service
