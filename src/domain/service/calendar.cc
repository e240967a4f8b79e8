#include "domain/service/calendar.h"

namespace kehu::service {

namespace {
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kMaxDays = 3660;  // ten years of search

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

Calendar::Calendar(WorkingHours hours, const std::vector<CalendarDay>& days) : hours_(std::move(hours)) {
  for (const auto& d : days) days_[DaysFromCivil(d.date)] = d.kind;
}

bool Calendar::IsWorkingDay(int64_t local_days) const {
  auto it = days_.find(local_days);
  if (it != days_.end()) return it->second == DayKind::kWorkday;
  // 1970-01-01 was a Thursday (4).
  int64_t wd = ((local_days % 7) + 7 + 4) % 7;
  return (hours_.weekdays >> wd) & 1;
}

int64_t Calendar::BusinessMillis(UnixMillis from, UnixMillis to) const {
  if (to <= from || hours_.end_minute <= hours_.start_minute) return 0;
  const int64_t off = static_cast<int64_t>(hours_.utc_offset_minutes) * kMinuteMs;
  const int64_t lf = from + off, lt = to + off;  // local "instants"
  int64_t total = 0;
  for (int64_t d = FloorDiv(lf, kDayMs); d * kDayMs < lt; ++d) {
    if (!IsWorkingDay(d)) continue;
    const int64_t open = d * kDayMs + hours_.start_minute * kMinuteMs;
    const int64_t close = d * kDayMs + hours_.end_minute * kMinuteMs;
    const int64_t a = std::max(open, lf), b = std::min(close, lt);
    if (b > a) total += b - a;
  }
  return total;
}

std::optional<UnixMillis> Calendar::AddBusinessMillis(UnixMillis from, int64_t millis) const {
  if (millis <= 0) return from;
  if (hours_.end_minute <= hours_.start_minute) return std::nullopt;
  const int64_t off = static_cast<int64_t>(hours_.utc_offset_minutes) * kMinuteMs;
  const int64_t lf = from + off;
  int64_t left = millis;
  const int64_t first = FloorDiv(lf, kDayMs);
  for (int64_t d = first; d < first + kMaxDays; ++d) {
    if (!IsWorkingDay(d)) continue;
    const int64_t open = d * kDayMs + hours_.start_minute * kMinuteMs;
    const int64_t close = d * kDayMs + hours_.end_minute * kMinuteMs;
    const int64_t a = std::max(open, lf);
    if (close <= a) continue;
    if (close - a >= left) return a + left - off;
    left -= close - a;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> ValidateWorkingHours(const WorkingHours& h) {
  std::vector<std::pair<std::string, std::string>> e;
  if (h.utc_offset_minutes < -14 * 60 || h.utc_offset_minutes > 14 * 60)
    e.push_back({"utc_offset_minutes", "must be between -840 and 840"});
  if (h.weekdays < 0 || h.weekdays > 127) e.push_back({"weekdays", "must be weekday numbers 0-6"});
  if (h.start_minute < 0 || h.start_minute >= 24 * 60) e.push_back({"start", "must be a time of day"});
  if (h.end_minute <= 0 || h.end_minute > 24 * 60) e.push_back({"end", "must be a time of day"});
  if (h.end_minute <= h.start_minute) e.push_back({"end", "must be after start"});
  if (h.time_zone.empty() || h.time_zone.size() > 64) e.push_back({"time_zone", "is required"});
  return e;
}

}  // namespace kehu::service
