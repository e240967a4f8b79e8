// The shipped holiday files (data/calendars/cn-YYYY.json), embedded by CMake into
// calendar_embedded.cc as kShippedCalendars. Parsed here with Boost.JSON (in this .cc only).

#include <boost/json.hpp>

#include <string_view>
#include <utility>

#include "domain/service/calendar.h"

namespace kehu::service {

// Generated: {year, json text} pairs, one per shipped file.
extern const std::pair<int, std::string_view> kShippedCalendars[];
extern const size_t kShippedCalendarCount;

std::vector<int> ShippedCalendarYears() {
  std::vector<int> out;
  for (size_t i = 0; i < kShippedCalendarCount; ++i) out.push_back(kShippedCalendars[i].first);
  return out;
}

std::vector<CalendarDay> ShippedCalendarDays(int year) {
  namespace json = boost::json;
  std::vector<CalendarDay> out;
  for (size_t i = 0; i < kShippedCalendarCount; ++i) {
    if (kShippedCalendars[i].first != year) continue;
    boost::system::error_code ec;
    json::value v = json::parse(kShippedCalendars[i].second, ec);
    if (ec || !v.is_object()) return out;  // the build embeds only files that parse (tested)
    const json::object& o = v.as_object();
    if (auto* hs = o.if_contains("holidays"); hs && hs->is_array()) {
      for (const auto& h : hs->as_array()) {
        if (!h.is_object()) continue;
        const auto& ho = h.as_object();
        auto* from = ho.if_contains("from");
        auto* to = ho.if_contains("to");
        auto* name = ho.if_contains("name");
        if (!from || !to || !from->is_string() || !to->is_string()) continue;
        auto a = ParseDate(from->as_string()), b = ParseDate(to->as_string());
        if (!a || !b) continue;
        for (int64_t d = DaysFromCivil(*a); d <= DaysFromCivil(*b); ++d)
          out.push_back({CivilFromDays(d), DayKind::kHoliday,
                         name && name->is_string() ? std::string(name->as_string()) : std::string()});
      }
    }
    if (auto* ws = o.if_contains("make_up_workdays"); ws && ws->is_array()) {
      for (const auto& w : ws->as_array()) {
        if (!w.is_string()) continue;
        if (auto d = ParseDate(w.as_string())) out.push_back({*d, DayKind::kWorkday, "调休上班"});
      }
    }
  }
  return out;
}

}  // namespace kehu::service
