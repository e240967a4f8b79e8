#include "text/phone.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include <string>
#include <vector>

namespace kehu::text {
namespace {

struct PhoneCase {
  std::string input;
  std::string region;
  std::string e164;
};

TEST(NormalizePhone, AcceptsChineseAndForeignFormats) {
  const std::vector<PhoneCase> cases = {
      {"13800138000", "CN", "+8613800138000"},
      {"138-0013-8000", "CN", "+8613800138000"},
      {"138 0013 8000", "CN", "+8613800138000"},
      {"+86 138 0013 8000", "CN", "+8613800138000"},
      {"0086 13800138000", "CN", "+8613800138000"},
      {"１３８００１３８０００", "CN", "+8613800138000"},
      {"＋８６ １３８－００１３－８０００", "CN", "+8613800138000"},
      {"\t13800138000\n", "CN", "+8613800138000"},
      {"(010) 6552 9988", "CN", "+861065529988"},
      {"（010）6552 9988", "CN", "+861065529988"},
      {"010-65529988", "CN", "+861065529988"},
      {"+86-10-6552-9988", "CN", "+861065529988"},
      {"+86 (0)10 6552 9988", "CN", "+861065529988"},
      {"010.6552.9988", "CN", "+861065529988"},
      {"400-810-8888", "CN", "+864008108888"},
      {"+1 650-253-0000", "CN", "+16502530000"},
      {"+44 20 7031 3000", "CN", "+442070313000"},
      {"+852 2123 4567", "CN", "+85221234567"},
      {"650-253-0000", "US", "+16502530000"},
      {"(650) 253-0000", "us", "+16502530000"},
      {"+86 138 0013 8000", "XX", "+8613800138000"},
  };
  for (const PhoneCase& c : cases) {
    const Result<std::string> r = NormalizePhone(c.input, c.region);
    ASSERT_TRUE(r.ok()) << c.input << " (" << c.region << "): " << r.error().message;
    EXPECT_EQ(*r, c.e164) << c.input;
  }
}

TEST(NormalizePhone, DefaultsToChina) {
  const Result<std::string> r = NormalizePhone("138 0013 8000");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "+8613800138000");
}

TEST(NormalizePhone, RejectsWhatIsNotAValidNumber) {
  const std::vector<PhoneCase> cases = {
      {"", "CN", ""},
      {"   ", "CN", ""},
      {"+", "CN", ""},
      {"12345", "CN", ""},            // parses, but no such number
      {"1380013", "CN", ""},          // too short
      {"138001380001234", "CN", ""},  // too long
      {"23800138000", "CN", ""},      // no such mobile range
      {"abc", "CN", ""},
      {"1380013800a", "CN", ""},
      {"1-800-FLOWERS", "CN", ""},  // libphonenumber alone would accept the keypad letters
      {"13800138000!!", "CN", ""},  // libphonenumber alone would drop the junk
      {"13800138000 ext. 12", "CN", ""},
      {"010 6552 9988 转 8001", "CN", ""},
      {"138\xFF"
       "00138000",
       "CN", ""},  // not UTF-8
      {std::string(200, '1'), "CN", ""},
      {"650-253-0000", "CN", ""},  // American number without +1
      {"6552 9988", "XX", ""},     // no country to read it in
  };
  for (const PhoneCase& c : cases) {
    const Result<std::string> r = NormalizePhone(c.input, c.region);
    ASSERT_FALSE(r.ok()) << c.input << " gave " << *r;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.input;
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(NormalizePhone, ErrorMessageDoesNotRepeatTheNumber) {
  const Result<std::string> r = NormalizePhone("13800138");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("13800138"), std::string::npos) << r.error().message;
}

TEST(PhoneSearchKey, IsE164WhenValidAndDigitsOtherwise) {
  const std::vector<PhoneCase> cases = {
      {"138-0013-8000", "CN", "+8613800138000"},
      {"１３８００１３８０００", "CN", "+8613800138000"},
      {"(010) 6552 9988", "CN", "+861065529988"},
      {"0013-8000", "CN", "00138000"},
      {"１３８", "CN", "138"},
      {"+86 138", "CN", "86138"},
      {"ext 12", "CN", "12"},
      {"1-800-FLOWERS", "CN", "1800"},
      {"abc", "CN", ""},
      {"", "CN", ""},
      {"13\xFF"
       "8",
       "CN", "138"},
      {"650-253-0000", "US", "+16502530000"},
      {"650-253-0000", "CN", "6502530000"},
  };
  for (const PhoneCase& c : cases) {
    EXPECT_EQ(PhoneSearchKey(c.input, c.region), c.e164) << c.input;
  }
}

}  // namespace
}  // namespace kehu::text

// NormalizePhone remembers libphonenumber's verdict per seven-digit block of 11-digit mobile
// numbers; a sample of blocks across the whole 1xx range, three numbers each (the first fills
// the cache, the others are answered from it), must agree with libphonenumber itself.
TEST(PhoneTest, RememberedMobileBlockVerdictsAgreeWithLibphonenumber) {
  std::mt19937_64 rng(20261123);
  int valid = 0;
  for (int i = 0; i < 8000; ++i) {
    const unsigned block = 1000000 + static_cast<unsigned>(rng() % 1000000);
    for (int k = 0; k < 3; ++k) {
      char number[16];
      std::snprintf(number, sizeof number, "%07u%04u", block, static_cast<unsigned>(rng() % 10000));
      ASSERT_TRUE(kehu::text::PhoneVerdictsAgreeWithLibphonenumber(number)) << number;
      // The E.164 form shares the block's verdict, under any default region.
      const std::string e164 = std::string("+86") + number;
      ASSERT_TRUE(kehu::text::PhoneVerdictsAgreeWithLibphonenumber(e164)) << e164;
      ASSERT_TRUE(kehu::text::PhoneVerdictsAgreeWithLibphonenumber(e164, "US")) << e164;
      if (k == 2 && kehu::text::NormalizePhone(number).ok()) ++valid;
    }
  }
  EXPECT_GT(valid, 1000);  // the sample covers real mobile ranges, not only invalid ones
  EXPECT_EQ(*kehu::text::NormalizePhone("13800138000"), "+8613800138000");
  EXPECT_FALSE(kehu::text::NormalizePhone("12000000000").ok());
}
