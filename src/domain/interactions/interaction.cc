#include "domain/interactions/interaction.h"

#include <array>
#include <utility>

namespace kehu::interactions {

namespace {

constexpr std::array<std::pair<Type, const char*>, 10> kTypes{{{Type::kCall, "call"},
                                                               {Type::kVisit, "visit"},
                                                               {Type::kEmail, "email"},
                                                               {Type::kSms, "sms"},
                                                               {Type::kWechat, "wechat"},
                                                               {Type::kLetter, "letter"},
                                                               {Type::kFax, "fax"},
                                                               {Type::kMeeting, "meeting"},
                                                               {Type::kEvent, "event"},
                                                               {Type::kNote, "note"}}};
constexpr std::array<std::pair<Direction, const char*>, 3> kDirections{
    {{Direction::kInbound, "inbound"},
     {Direction::kOutbound, "outbound"},
     {Direction::kInternal, "internal"}}};
constexpr std::array<std::pair<TaskStatus, const char*>, 3> kStatuses{
    {{TaskStatus::kOpen, "open"},
     {TaskStatus::kDone, "done"},
     {TaskStatus::kCancelled, "cancelled"}}};
constexpr std::array<std::pair<CallState, const char*>, 3> kCallStates{
    {{CallState::kRinging, "ringing"},
     {CallState::kAnswered, "answered"},
     {CallState::kHangup, "hangup"}}};

template <typename E, size_t N>
const char* NameOf(const std::array<std::pair<E, const char*>, N>& table, E e) {
  for (const auto& [k, v] : table)
    if (k == e) return v;
  return "";
}

template <typename E, size_t N>
std::optional<E> ParseOf(const std::array<std::pair<E, const char*>, N>& table,
                         std::string_view s) {
  for (const auto& [k, v] : table)
    if (s == v) return k;
  return std::nullopt;
}

}  // namespace

const char* Name(Type t) { return NameOf(kTypes, t); }
const char* Name(Direction d) { return NameOf(kDirections, d); }
const char* Name(TaskStatus s) { return NameOf(kStatuses, s); }
const char* Name(CallState s) { return NameOf(kCallStates, s); }
std::optional<Type> ParseType(std::string_view s) { return ParseOf(kTypes, s); }
std::optional<Direction> ParseDirection(std::string_view s) { return ParseOf(kDirections, s); }
std::optional<TaskStatus> ParseTaskStatus(std::string_view s) { return ParseOf(kStatuses, s); }
std::optional<CallState> ParseCallState(std::string_view s) { return ParseOf(kCallStates, s); }

}  // namespace kehu::interactions
