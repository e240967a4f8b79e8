#include <cstdint>
#include <cstring>
#include <string_view>

#include "text/chinese.h"

namespace kehu::text {

// Unicode 15, table 3-7 ("Well-Formed UTF-8 Byte Sequences"). The second byte's range depends
// on the lead byte; that is what excludes overlongs (E0, F0), surrogates (ED) and code points
// above U+10FFFF (F4). C0, C1 and F5..FF never occur.
bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  while (p < end) {
    // Names and notes are mostly ASCII: skip eight ASCII bytes at a time.
    while (end - p >= 8) {
      uint64_t chunk;
      std::memcpy(&chunk, p, sizeof(chunk));
      if (chunk & 0x8080808080808080ULL) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned char lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    int trail = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      trail = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      trail = 2;
      if (lead == 0xE0) lo = 0xA0;
      if (lead == 0xED) hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      trail = 3;
      if (lead == 0xF0) lo = 0x90;
      if (lead == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end - p <= trail) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i <= trail; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
    }
    p += trail + 1;
  }
  return true;
}

}  // namespace kehu::text
