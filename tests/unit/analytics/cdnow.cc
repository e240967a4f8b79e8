#include "cdnow.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/time.h"

namespace kehu::analytics::testing {
namespace {

bool ParseInt64(const std::string& s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "29.33" -> 2933, without going through a double.
bool ParseCents(const std::string& s, int64_t& out) {
  const size_t dot = s.find('.');
  int64_t whole = 0, frac = 0;
  if (dot == std::string::npos) {
    if (!ParseInt64(s, whole)) return false;
    out = whole * 100;
    return true;
  }
  const std::string f = s.substr(dot + 1);
  if (f.empty() || f.size() > 2 || !ParseInt64(s.substr(0, dot), whole) || !ParseInt64(f, frac)) {
    return false;
  }
  out = whole * 100 + (f.size() == 1 ? frac * 10 : frac);
  return true;
}

}  // namespace

std::string SharedDataDir() {
  if (const char* env = std::getenv("KEHU_SHARED_DATA"); env != nullptr && *env != '\0') {
    return env;
  }
#ifdef KEHU_SOURCE_DIR
  return KEHU_SOURCE_DIR "/../shared/data";
#else
  return "../shared/data";
#endif
}

Result<CdnowTransactions> LoadCdnow(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path);
  CdnowTransactions out;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    if (f.empty() || f[0].empty() || f[0][0] < '0' || f[0][0] > '9') continue;  // header
    if (f.size() != 4 && f.size() != 5) {
      return InvalidArgument(path + ":" + std::to_string(line_no) + ": expected 4 or 5 fields");
    }
    const size_t date_at = f.size() - 3;
    int64_t id = 0, ymd = 0, cents = 0;
    if (!ParseInt64(f[date_at - 1], id) || !ParseInt64(f[date_at], ymd) ||
        !ParseCents(f[date_at + 2], cents)) {
      return InvalidArgument(path + ":" + std::to_string(line_no) + ": malformed row");
    }
    const CivilDate date{.year = static_cast<int>(ymd / 10000),
                         .month = static_cast<int>(ymd / 100 % 100),
                         .day = static_cast<int>(ymd % 100)};
    if (!IsValidDate(date)) {
      return InvalidArgument(path + ":" + std::to_string(line_no) + ": bad date");
    }
    out.customer_ids.push_back(id);
    out.days.push_back(static_cast<int32_t>(DaysFromCivil(date)));
    out.cents.push_back(cents);
  }
  return out;
}

}  // namespace kehu::analytics::testing
