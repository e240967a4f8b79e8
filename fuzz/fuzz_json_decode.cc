// Feeds arbitrary bytes to boost::json::parse and checks that what parses survives a
// serialise/parse round trip; built with -DKEHU_FUZZ_DECODERS=ON (KEHU_FUZZ_JSON_DECODE), the same
// bytes also go through the API's decoders.

#include <boost/json.hpp>
// The library compiled into this target (not linked from libboost_json.so) so that the parser
// carries the coverage instrumentation libFuzzer steers by.
#include <boost/json/src.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#if defined(KEHU_FUZZ_JSON_DECODE)
#include "http/json_decode.h"
#endif

namespace kehu::fuzz {

// True when a and b hold the same JSON. Doubles may differ in the last bits after a decimal
// round trip (Boost.JSON 1.81 does not promise exact decimal→binary conversion), so they are
// compared with a relative tolerance.
bool SameJson(const boost::json::value& a, const boost::json::value& b, int depth = 0) {
  if (depth > 64) return false;  // parse() stops at depth 32; deeper means a bug
  if (a.is_double() || b.is_double()) {
    if (!a.is_number() || !b.is_number()) return false;
    double x = a.to_number<double>();
    double y = b.to_number<double>();
    return std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) {
    // An integer may come back as the other integer kind (e.g. uint64 written, int64 read).
    return a.is_number() && b.is_number() && a.to_number<double>() == b.to_number<double>();
  }
  switch (a.kind()) {
    case boost::json::kind::object: {
      const auto& ao = a.get_object();
      const auto& bo = b.get_object();
      if (ao.size() != bo.size()) return false;
      for (auto ai = ao.begin(), bi = bo.begin(); ai != ao.end(); ++ai, ++bi) {
        if (ai->key() != bi->key() || !SameJson(ai->value(), bi->value(), depth + 1)) return false;
      }
      return true;
    }
    case boost::json::kind::array: {
      const auto& aa = a.get_array();
      const auto& ba = b.get_array();
      if (aa.size() != ba.size()) return false;
      for (std::size_t i = 0; i < aa.size(); ++i) {
        if (!SameJson(aa[i], ba[i], depth + 1)) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

// True when any number in the tree is infinite or NaN. Boost.JSON 1.81 behaviour found by this
// fuzzer: an out-of-range literal such as 1e400 parses to an infinite double, and `0e400` to NaN
// (0 times an overflowed power of ten); serialize() writes them as `Infinity` / `NaN`, which are
// not JSON. Our decoders must reject non-finite numbers; the round trip below skips such values
// rather than report the same known finding on every run.
bool HasNonFinite(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      return !std::isfinite(v.get_double());
    case boost::json::kind::array:
      for (const auto& item : v.get_array()) {
        if (HasNonFinite(item)) return true;
      }
      return false;
    case boost::json::kind::object:
      for (const auto& member : v.get_object()) {
        if (HasNonFinite(member.value())) return true;
      }
      return false;
    default:
      return false;
  }
}

// Parses, walks and round-trips one input; aborts (a fuzzer finding) when a parsed value does
// not come back the same.
void ParseAndWalk(std::string_view bytes) {
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(bytes, ec);
  if (ec || HasNonFinite(value)) return;
  std::string text = boost::json::serialize(value);
  boost::json::value again = boost::json::parse(text, ec);
  if (ec || !SameJson(value, again)) std::abort();
}

}  // namespace kehu::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  kehu::fuzz::ParseAndWalk(bytes);
#if defined(KEHU_FUZZ_JSON_DECODE)
  kehu::http::FuzzDecodeAll(bytes);
#endif
  return 0;
}
