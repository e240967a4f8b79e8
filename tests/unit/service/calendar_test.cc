// Business-calendar math around the 2026 Chinese holidays (the shipped data) and day boundaries.

#include "domain/service/calendar.h"

#include <gtest/gtest.h>

namespace kehu::service {
namespace {

UnixMillis T(const char* s) {
  auto t = ParseTimestamp(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t.value_or(0);
}
constexpr int64_t kHour = 3'600'000;
constexpr int64_t kMin = 60'000;

class CalendarTest : public ::testing::Test {
 protected:
  Calendar cal_{WorkingHours{}, ShippedCalendarDays(2026)};
};

TEST(ShippedCalendar, Has2026HolidaysAndMakeUpDays) {
  auto years = ShippedCalendarYears();
  ASSERT_NE(std::find(years.begin(), years.end(), 2026), years.end());
  auto days = ShippedCalendarDays(2026);
  int holidays = 0, workdays = 0;
  for (const auto& d : days) (d.kind == DayKind::kHoliday ? holidays : workdays)++;
  // 3 + 9 + 3 + 5 + 3 + 3 + 7 days off; six make-up working days.
  EXPECT_EQ(holidays, 33);
  EXPECT_EQ(workdays, 6);
  EXPECT_TRUE(ShippedCalendarDays(1999).empty());
}

TEST_F(CalendarTest, WorkingDaysAroundSpringFestival) {
  EXPECT_TRUE(cal_.IsWorkingDate({2026, 2, 13}));   // Friday
  EXPECT_TRUE(cal_.IsWorkingDate({2026, 2, 14}));   // Saturday, make-up day
  for (int d = 15; d <= 23; ++d) EXPECT_FALSE(cal_.IsWorkingDate({2026, 2, d})) << d;
  EXPECT_TRUE(cal_.IsWorkingDate({2026, 2, 24}));   // Tuesday
  EXPECT_FALSE(cal_.IsWorkingDate({2026, 2, 22}));  // Sunday inside the holiday
  EXPECT_TRUE(cal_.IsWorkingDate({2026, 2, 28}));   // Saturday, make-up day
  EXPECT_FALSE(cal_.IsWorkingDate({2026, 3, 1}));   // ordinary Sunday
  EXPECT_TRUE(cal_.IsWorkingDate({2026, 1, 4}));    // Sunday, make-up day after New Year
  EXPECT_FALSE(cal_.IsWorkingDate({2026, 1, 2}));   // Friday, New Year holiday
}

TEST_F(CalendarTest, BusinessTimeAcrossSpringFestival) {
  // Fri 17:00 -> Tue after the holiday 10:00: 1 h Friday + 9 h make-up Saturday + 1 h Tuesday.
  EXPECT_EQ(cal_.BusinessMillis(T("2026-02-13T17:00:00+08:00"), T("2026-02-24T10:00:00+08:00")), 11 * kHour);
  EXPECT_EQ(*cal_.AddBusinessMillis(T("2026-02-13T17:00:00+08:00"), 2 * kHour), T("2026-02-14T10:00:00+08:00"));
  EXPECT_EQ(*cal_.AddBusinessMillis(T("2026-02-14T17:30:00+08:00"), kHour), T("2026-02-24T09:30:00+08:00"));
  // Inside the holiday nothing counts.
  EXPECT_EQ(cal_.BusinessMillis(T("2026-02-15T00:00:00+08:00"), T("2026-02-24T00:00:00+08:00")), 0);
}

TEST_F(CalendarTest, NationalDayAndItsMakeUpSaturday) {
  EXPECT_EQ(*cal_.AddBusinessMillis(T("2026-09-30T17:00:00+08:00"), 2 * kHour), T("2026-10-08T10:00:00+08:00"));
  // Thu 8th and Fri 9th work, Sat 10th is a make-up day, Sun 11th is off.
  EXPECT_EQ(cal_.BusinessMillis(T("2026-10-08T00:00:00+08:00"), T("2026-10-12T00:00:00+08:00")), 27 * kHour);
  EXPECT_EQ(*cal_.AddBusinessMillis(T("2026-10-10T17:00:00+08:00"), 2 * kHour), T("2026-10-12T10:00:00+08:00"));
}

TEST_F(CalendarTest, MakeUpSundayAfterNewYear) {
  EXPECT_EQ(*cal_.AddBusinessMillis(T("2026-01-03T12:00:00+08:00"), kHour), T("2026-01-04T10:00:00+08:00"));
}

TEST_F(CalendarTest, DayBoundaries) {
  // Closing time is exclusive: the evening and night count nothing.
  EXPECT_EQ(cal_.BusinessMillis(T("2026-11-23T18:00:00+08:00"), T("2026-11-24T09:00:00+08:00")), 0);
  EXPECT_EQ(*cal_.AddBusinessMillis(T("2026-11-23T18:00:00+08:00"), 0), T("2026-11-23T18:00:00+08:00"));
  // Adding exactly the rest of the day ends at closing time, not the next morning.
  EXPECT_EQ(*cal_.AddBusinessMillis(T("2026-11-23T17:00:00+08:00"), kHour), T("2026-11-23T18:00:00+08:00"));
  EXPECT_EQ(*cal_.AddBusinessMillis(T("2026-11-23T17:00:00+08:00"), kHour + 1), T("2026-11-24T09:00:00.001+08:00"));
  EXPECT_EQ(*cal_.AddBusinessMillis(T("2026-11-23T08:00:00+08:00"), 1), T("2026-11-23T09:00:00.001+08:00"));
  // UTC midnight is 08:00 in Shanghai: a UTC day boundary is not a business-day boundary.
  EXPECT_EQ(cal_.BusinessMillis(T("2026-11-23T23:00:00Z"), T("2026-11-24T03:00:00Z")), 2 * kHour);  // 07-11 local
  // Friday evening to Monday morning.
  EXPECT_EQ(cal_.BusinessMillis(T("2026-11-27T17:59:00+08:00"), T("2026-11-30T09:01:00+08:00")), 2 * kMin);
  EXPECT_EQ(cal_.BusinessMillis(T("2026-11-24T12:00:00+08:00"), T("2026-11-24T11:00:00+08:00")), 0);
}

// Brute force: minute by minute over the Spring Festival and National Day periods, the business
// minutes counted directly must equal BusinessMillis, and AddBusinessMillis must invert it.
TEST_F(CalendarTest, ExhaustiveMinuteByMinuteAroundTheHolidays) {
  for (const char* from : {"2026-02-09T00:00:00+08:00", "2026-09-28T00:00:00+08:00", "2025-12-29T00:00:00+08:00"}) {
    const UnixMillis start = T(from);
    int64_t counted = 0;
    for (int64_t m = 0; m < 21 * 24 * 60; ++m) {
      const UnixMillis t = start + m * kMin;
      if (m % 37 == 0) {
        ASSERT_EQ(cal_.BusinessMillis(start, t), counted * kMin) << FormatTimestamp(t);
        if (counted > 0) {
          auto back = cal_.AddBusinessMillis(start, counted * kMin);
          ASSERT_TRUE(back.has_value());
          ASSERT_LE(*back, t);
          ASSERT_EQ(cal_.BusinessMillis(start, *back), counted * kMin);
        }
      }
      const int64_t local = t + 8 * kHour;
      const int64_t day = local / 86'400'000, minute = (local % 86'400'000) / kMin;
      if (cal_.IsWorkingDay(day) && minute >= 9 * 60 && minute < 18 * 60) ++counted;
    }
  }
}

TEST_F(CalendarTest, AdditivityOnPseudoRandomInstants) {
  uint64_t x = 88172645463325252ULL;
  auto next = [&] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  const UnixMillis base = T("2026-01-01T00:00:00+08:00");
  for (int i = 0; i < 2000; ++i) {
    UnixMillis a = base + static_cast<int64_t>(next() % (365ULL * 86'400'000ULL));
    int64_t add = static_cast<int64_t>(next() % (200ULL * kHour));
    auto b = cal_.AddBusinessMillis(a, add);
    ASSERT_TRUE(b.has_value());
    ASSERT_EQ(cal_.BusinessMillis(a, *b), add);
    UnixMillis c = *b + static_cast<int64_t>(next() % (30ULL * 86'400'000ULL));
    ASSERT_EQ(cal_.BusinessMillis(a, c), cal_.BusinessMillis(a, *b) + cal_.BusinessMillis(*b, c));
  }
}

TEST(CalendarRules, NoWorkingDayMeansNoAnswer) {
  WorkingHours h;
  h.weekdays = 0;
  Calendar cal(h, {});
  EXPECT_FALSE(cal.AddBusinessMillis(0, 1).has_value());
  EXPECT_EQ(cal.BusinessMillis(0, 86'400'000LL * 30), 0);
  h.start_minute = 600;
  h.end_minute = 500;
  EXPECT_FALSE(ValidateWorkingHours(h).empty());
  EXPECT_TRUE(ValidateWorkingHours(WorkingHours{}).empty());
}

}  // namespace
}  // namespace kehu::service
