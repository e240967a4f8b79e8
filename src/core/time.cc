#include "core/time.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace kehu {

UnixMillis SystemClock::Now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const Clock& DefaultClock() {
  static const SystemClock clock;
  return clock;
}

namespace {

bool ParseInt(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

}  // namespace

bool IsValidDate(const CivilDate& d) {
  return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
         d.day <= DaysInMonth(d.year, d.month);
}

std::optional<CivilDate> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  CivilDate d;
  if (!ParseInt(s.substr(0, 4), d.year) || !ParseInt(s.substr(5, 2), d.month) ||
      !ParseInt(s.substr(8, 2), d.day))
    return std::nullopt;
  if (!IsValidDate(d)) return std::nullopt;
  return d;
}

namespace {

// n's last `width` decimal digits at p (n >= 0).
void Digits(char* p, int n, int width) {
  for (int i = width - 1; i >= 0; --i, n /= 10) p[i] = static_cast<char>('0' + n % 10);
}

bool PlainYear(const CivilDate& d) {
  return d.year >= 0 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31;
}

}  // namespace

// Digit by digit for years 0-9999 (the API answers with many timestamps; snprintf was a few per
// cent of a point read's CPU), snprintf for anything else.
std::string FormatDate(const CivilDate& d) {
  if (!PlainYear(d)) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
  }
  std::string out(10, '-');
  Digits(&out[0], d.year, 4);
  Digits(&out[5], d.month, 2);
  Digits(&out[8], d.day, 2);
  return out;
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(const CivilDate& d) {
  int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (d.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{static_cast<int>(y + (m <= 2 ? 1 : 0)), m, d};
}

std::string FormatTimestamp(UnixMillis t) {
  int64_t days = t >= 0 ? t / 86400000 : (t - 86399999) / 86400000;
  int64_t ms_of_day = t - days * 86400000;
  CivilDate d = CivilFromDays(days);
  if (!PlainYear(d)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day,
                  static_cast<int>(ms_of_day / 3600000), static_cast<int>(ms_of_day / 60000 % 60),
                  static_cast<int>(ms_of_day / 1000 % 60), static_cast<int>(ms_of_day % 1000));
    return buf;
  }
  std::string out = "0000-00-00T00:00:00.000Z";
  Digits(&out[0], d.year, 4);
  Digits(&out[5], d.month, 2);
  Digits(&out[8], d.day, 2);
  Digits(&out[11], static_cast<int>(ms_of_day / 3600000), 2);
  Digits(&out[14], static_cast<int>(ms_of_day / 60000 % 60), 2);
  Digits(&out[17], static_cast<int>(ms_of_day / 1000 % 60), 2);
  Digits(&out[20], static_cast<int>(ms_of_day % 1000), 3);
  return out;
}

std::optional<UnixMillis> ParseTimestamp(std::string_view s) {
  if (s.size() < 10) return std::nullopt;
  auto date = ParseDate(s.substr(0, 10));
  if (!date) return std::nullopt;
  int64_t ms = DaysFromCivil(*date) * 86400000;
  if (s.size() == 10) return ms;
  if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s.size() < 19 || s[13] != ':' ||
      s[16] != ':')
    return std::nullopt;
  int hh, mm, ss;
  if (!ParseInt(s.substr(11, 2), hh) || !ParseInt(s.substr(14, 2), mm) ||
      !ParseInt(s.substr(17, 2), ss) || hh > 23 || mm > 59 || ss > 60)
    return std::nullopt;
  ms += (hh * 3600 + mm * 60 + ss) * 1000LL;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    int frac = 0, digits = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') {
      if (digits < 3) frac = frac * 10 + (s[j] - '0'), ++digits;
      ++j;
    }
    if (j == i + 1) return std::nullopt;
    while (digits < 3) frac *= 10, ++digits;
    ms += frac;
    i = j;
  }
  if (i == s.size()) return std::nullopt;  // a zone is required with a time
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size() ? std::optional<UnixMillis>(ms) : std::nullopt;
  if ((s[i] == '+' || s[i] == '-') && s.size() == i + 6 && s[i + 3] == ':') {
    int oh, om;
    if (!ParseInt(s.substr(i + 1, 2), oh) || !ParseInt(s.substr(i + 4, 2), om) || oh > 23 ||
        om > 59)
      return std::nullopt;
    int64_t off = (oh * 60 + om) * 60000LL;
    return s[i] == '+' ? ms - off : ms + off;
  }
  return std::nullopt;
}

}  // namespace kehu
