#pragma once
// The business calendar: an org's working hours, its public holidays and make-up working days
// (调休), and the two pure functions SLA clocks need: business milliseconds between two
// instants, and the instant after adding business milliseconds. No I/O.
//
// Day kinds decide first: a date listed as a holiday is never a working day, a date listed as a
// make-up workday always is (even on a weekend); any other date works when its weekday is in
// `weekdays`. A working day's business hours are [start_minute, end_minute) local time; the
// local time is UTC + utc_offset_minutes (Asia/Shanghai is UTC+8 all year, no DST since 1991).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace kehu::service {

enum class DayKind { kHoliday, kWorkday };

struct CalendarDay {
  CivilDate date{};
  DayKind kind{DayKind::kHoliday};
  std::string name{};  // "春节", "调休上班", ...
};

struct WorkingHours {
  std::string time_zone{"Asia/Shanghai"};
  int utc_offset_minutes{480};
  // Bit d set: weekday d works (0 = Sunday ... 6 = Saturday). Default Mon-Fri.
  int weekdays{0b0111110};
  int start_minute{9 * 60};   // 09:00
  int end_minute{18 * 60};    // 18:00
};

class Calendar {
 public:
  Calendar() = default;
  Calendar(WorkingHours hours, const std::vector<CalendarDay>& days);

  const WorkingHours& hours() const { return hours_; }
  // True when the local civil day (days since 1970-01-01) is a working day.
  bool IsWorkingDay(int64_t local_days) const;
  bool IsWorkingDate(const CivilDate& d) const { return IsWorkingDay(DaysFromCivil(d)); }
  // Business milliseconds in [from, to); 0 when to <= from.
  int64_t BusinessMillis(UnixMillis from, UnixMillis to) const;
  // The earliest instant t >= from with BusinessMillis(from, t) == millis (millis >= 0). When
  // millis is 0 the answer is `from` itself. nullopt when no working day lies within ten years.
  std::optional<UnixMillis> AddBusinessMillis(UnixMillis from, int64_t millis) const;

 private:
  WorkingHours hours_{};
  std::map<int64_t, DayKind> days_{};  // local days since epoch -> kind
};

// Validation of working hours; returns field errors (empty when valid).
std::vector<std::pair<std::string, std::string>> ValidateWorkingHours(const WorkingHours& h);

// The shipped holiday data (data/calendars/cn-YYYY.json, embedded at build time): the years
// available and one year's days. Each file comes from the State Council notice for that year.
std::vector<int> ShippedCalendarYears();
std::vector<CalendarDay> ShippedCalendarDays(int year);

}  // namespace kehu::service
