#pragma once
// Value types of the interactions capability: interactions (every touchpoint with a customer),
// follow-up tasks, and contact-center calls. No I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace kehu::interactions {

enum class Type { kCall, kVisit, kEmail, kSms, kWechat, kLetter, kFax, kMeeting, kEvent, kNote };
enum class Direction { kInbound, kOutbound, kInternal };
enum class TaskStatus { kOpen, kDone, kCancelled };
enum class CallState { kRinging, kAnswered, kHangup };

const char* Name(Type t);
const char* Name(Direction d);
const char* Name(TaskStatus s);
const char* Name(CallState s);
std::optional<Type> ParseType(std::string_view s);
std::optional<Direction> ParseDirection(std::string_view s);
std::optional<TaskStatus> ParseTaskStatus(std::string_view s);
std::optional<CallState> ParseCallState(std::string_view s);

struct Participant {
  std::string kind{};  // "user" or "contact"
  int64_t id{0};
  bool operator==(const Participant&) const = default;
};

struct Interaction {
  int64_t id{0};
  int64_t org_id{0};
  Type type{Type::kNote};
  std::string subtype{};  // events: tasting, factory_visit, year_end_thanks, ... (free text)
  Direction direction{Direction::kInternal};
  std::string channel{};
  std::string subject{};
  std::string body{};
  std::string outcome{};
  int64_t duration_seconds{0};
  UnixMillis occurred_at{0};
  std::vector<int64_t> customer_ids{};
  std::vector<Participant> participants{};
  std::optional<std::string> call_id{};
  std::optional<int64_t> created_by{};
  std::string created_by_name{};
  UnixMillis created_at{0};
  UnixMillis updated_at{0};
  int64_t version{0};
};

struct Task {
  int64_t id{0};
  int64_t org_id{0};
  std::string title{};
  std::string note{};
  std::optional<int64_t> customer_id{};
  std::string customer_name{};  // read with the task, never written with it
  std::optional<int64_t> interaction_id{};
  UnixMillis due_at{0};
  std::optional<UnixMillis> remind_at{};
  std::optional<UnixMillis> reminder_dismissed_at{};
  int64_t assignee_id{0};
  TaskStatus status{TaskStatus::kOpen};
  std::optional<int64_t> created_by{};
  UnixMillis created_at{0};
  UnixMillis updated_at{0};
  std::optional<UnixMillis> completed_at{};
  int64_t version{0};
};

struct Call {
  int64_t id{0};
  int64_t org_id{0};
  std::string call_id{};
  CallState state{CallState::kRinging};
  std::string from_number{};
  std::string to_number{};
  Direction direction{Direction::kInbound};
  std::optional<int64_t> agent_id{};
  std::optional<int64_t> customer_id{};
  std::optional<UnixMillis> ringing_at{};
  std::optional<UnixMillis> answered_at{};
  std::optional<UnixMillis> hangup_at{};
  std::optional<int64_t> interaction_id{};
  UnixMillis created_at{0};
  UnixMillis updated_at{0};
};

// The org's business day is Asia/Shanghai (UTC+8, no daylight saving time since 1991).
inline constexpr int64_t kOrgUtcOffsetMillis = 8LL * 3600 * 1000;
inline constexpr int64_t kDayMillis = 24LL * 3600 * 1000;
// [start, end) of the org's calendar day holding `t`.
inline UnixMillis OrgDayStart(UnixMillis t) {
  int64_t local = t + kOrgUtcOffsetMillis;
  int64_t day = local >= 0 ? local / kDayMillis : (local - kDayMillis + 1) / kDayMillis;
  return day * kDayMillis - kOrgUtcOffsetMillis;
}

// Limits, exposed for tests and the API document.
inline constexpr size_t kMaxSubjectBytes = 200;
inline constexpr size_t kMaxBodyBytes = 20000;
inline constexpr size_t kMaxShortTextBytes = 100;
inline constexpr size_t kMaxCustomersPerInteraction = 20;
inline constexpr size_t kMaxParticipants = 50;
inline constexpr int64_t kMaxDurationSeconds = 7LL * 24 * 3600;

}  // namespace kehu::interactions
