#pragma once
// Time in Kehu: instants are UTC milliseconds since the Unix epoch (int64), stored as integers
// in both databases and written in JSON as RFC 3339 strings ("2026-11-23T10:36:00.000Z").
// Business dates (birthdays, holidays) are civil dates without a time zone.
// Time comes from a Clock so that expiry and SLA rules are tested without sleeping.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kehu {

using UnixMillis = int64_t;

inline constexpr int64_t kDayMillis = 86'400'000;
// Kehu's business zone, Asia/Shanghai: UTC+8 all year (no DST since 1991). Business days,
// local dates in imports and Beijing times in exports are counted in it.
inline constexpr int64_t kBusinessOffsetMillis = 8 * 3600 * 1000;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMillis Now() const = 0;
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  UnixMillis Now() const override;
};

// A clock tests move by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixMillis start) : now_(start) {}
  UnixMillis Now() const override { return now_.load(); }
  void Set(UnixMillis t) { now_.store(t); }
  void Advance(int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<int64_t> now_;
};

// The process-wide real clock.
const Clock& DefaultClock();

struct CivilDate {
  int year{0};
  int month{0};  // 1..12
  int day{0};    // 1..31
  bool operator==(const CivilDate&) const = default;
};

// "2026-02-17" -> date; nullopt for anything else, including impossible dates (2026-02-30).
std::optional<CivilDate> ParseDate(std::string_view s);
std::string FormatDate(const CivilDate& d);
bool IsValidDate(const CivilDate& d);
// Days since 1970-01-01 (proleptic Gregorian), and back.
int64_t DaysFromCivil(const CivilDate& d);
CivilDate CivilFromDays(int64_t days);

// RFC 3339 / ISO 8601 UTC with milliseconds: "2026-11-23T10:36:00.000Z".
std::string FormatTimestamp(UnixMillis t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm|-hh:mm)" and a bare date (midnight UTC).
std::optional<UnixMillis> ParseTimestamp(std::string_view s);

}  // namespace kehu
