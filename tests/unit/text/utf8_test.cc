#include <gtest/gtest.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text/chinese.h"

namespace kehu::text {
namespace {

using namespace std::string_view_literals;

TEST(IsValidUtf8, AcceptsWellFormedText) {
  const std::vector<std::string_view> good = {
      ""sv,
      "abc"sv,
      "a\0b"sv,  // NUL is a character
      "王小明"sv,
      "客戶關係 CRM 2024"sv,
      "\xC2\x80"sv,          // U+0080, the first two-byte code point
      "\xDF\xBF"sv,          // U+07FF
      "\xE0\xA0\x80"sv,      // U+0800, the first three-byte code point
      "\xED\x9F\xBF"sv,      // U+D7FF, just below the surrogates
      "\xEE\x80\x80"sv,      // U+E000, just above them
      "\xEF\xBF\xBF"sv,      // U+FFFF
      "\xF0\x90\x80\x80"sv,  // U+10000
      "\xF0\xA0\x80\x80"sv,  // U+20000 𠀀
      "\xF4\x8F\xBF\xBF"sv,  // U+10FFFF, the last code point
      "\xF0\x9F\x98\x80 smile"sv,
  };
  for (const std::string_view s : good) EXPECT_TRUE(IsValidUtf8(s)) << testing::PrintToString(s);
}

TEST(IsValidUtf8, RejectsOverlongsSurrogatesOutOfRangeAndTruncation) {
  const std::vector<std::string_view> bad = {
      "\x80"sv,  // stray continuation byte
      "\xBF"sv,
      "caf\xE9"sv,                   // Latin-1
      "\xC0\x80"sv,                  // overlong NUL
      "\xC1\xBF"sv,                  // overlong U+007F
      "\xE0\x80\x80"sv,              // overlong NUL
      "\xE0\x9F\xBF"sv,              // overlong U+07FF
      "\xF0\x80\x80\x80"sv,          // overlong NUL
      "\xF0\x8F\xBF\xBF"sv,          // overlong U+FFFF
      "\xED\xA0\x80"sv,              // U+D800, a surrogate
      "\xED\xBF\xBF"sv,              // U+DFFF
      "\xED\xA0\xBD\xED\xB8\x80"sv,  // CESU-8 surrogate pair
      "\xF4\x90\x80\x80"sv,          // U+110000
      "\xF5\x80\x80\x80"sv,
      "\xF8\x88\x80\x80\x80"sv,  // old five-byte form
      "\xFE"sv,
      "\xFF"sv,
      "\xE7\x8E"sv,      // 王 cut short
      "\xF0\x9F\x98"sv,  // emoji cut short
      "\xC2"sv,
      "abc\xE7"sv,
      "\xE7\x8E\x8B\x8B"sv,  // 王 and an extra continuation byte
      "\xC2\x41"sv,          // lead byte followed by ASCII
      "\xE7\x8E\x41"sv,
  };
  for (const std::string_view s : bad) EXPECT_FALSE(IsValidUtf8(s)) << testing::PrintToString(s);
}

// The ASCII fast path reads eight bytes at a time; a bad byte must be found at any offset.
TEST(IsValidUtf8, FindsABadSequenceAtEveryOffset) {
  for (size_t offset = 0; offset < 24; ++offset) {
    std::string s(offset, 'a');
    std::string good = s + "王" + std::string(9, 'b');
    EXPECT_TRUE(IsValidUtf8(good)) << offset;
    std::string truncated = s + "\xE7\x8E";
    EXPECT_FALSE(IsValidUtf8(truncated)) << offset;
    std::string surrogate = s + "\xED\xA0\x80" + std::string(9, 'b');
    EXPECT_FALSE(IsValidUtf8(surrogate)) << offset;
  }
}

// ICU's strict U8_NEXT decoder is the reference: for every sequence of one to three bytes, and
// four-byte sequences around every boundary, both must agree.
bool IcuAcceptsAll(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    UChar32 c;
    U8_NEXT(s.data(), i, s.size(), c);
    if (c < 0) return false;
  }
  return true;
}

TEST(IsValidUtf8, AgreesWithIcuOnAllShortSequences) {
  std::string s;
  int disagreements = 0;
  for (uint32_t n = 0; n < (1u << 24); ++n) {
    for (const size_t len : {size_t{1}, size_t{2}, size_t{3}}) {
      if (len == 1 && n >= 256) continue;
      if (len == 2 && n >= 65536) continue;
      s.assign(len, '\0');
      for (size_t k = 0; k < len; ++k) s[k] = static_cast<char>((n >> (8 * k)) & 0xFF);
      if (IsValidUtf8(s) != IcuAcceptsAll(s) && ++disagreements < 5) {
        ADD_FAILURE() << testing::PrintToString(s);
      }
    }
  }
  EXPECT_EQ(disagreements, 0);
}

TEST(IsValidUtf8, AgreesWithIcuOnFourByteSequences) {
  const unsigned char edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  std::string s(4, '\0');
  for (int lead = 0xE0; lead <= 0xFF; ++lead) {
    for (int second = 0; second < 256; ++second) {
      for (const unsigned char third : edges) {
        for (const unsigned char fourth : edges) {
          s[0] = static_cast<char>(lead);
          s[1] = static_cast<char>(second);
          s[2] = static_cast<char>(third);
          s[3] = static_cast<char>(fourth);
          ASSERT_EQ(IsValidUtf8(s), IcuAcceptsAll(s)) << testing::PrintToString(s);
        }
      }
    }
  }
}

}  // namespace
}  // namespace kehu::text
