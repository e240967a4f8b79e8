#include "text/phone.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace kehu::text {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Written phone numbers are a few dozen bytes even in full-width digits; the bound also keeps
// libphonenumber's regular expressions away from arbitrarily long input.
constexpr size_t kMaxInputBytes = 128;

// Decodes the code point at s[*i] and advances *i past it; negative when ill-formed.
UChar32 NextCodePoint(std::string_view s, size_t* i) {
  UChar32 c;
  U8_NEXT(s.data(), *i, s.size(), c);
  return c;
}

bool IsDecimalDigit(UChar32 c) { return u_charType(c) == U_DECIMAL_DIGIT_NUMBER; }

// libphonenumber reads letters as keypad digits ("1-800-FLOWERS" becomes a valid number) and
// ignores trailing junk ("13800138000!!"), so the characters are checked before it sees them.
bool IsPhoneCharacter(UChar32 c) {
  if (IsDecimalDigit(c) || u_isUWhiteSpace(c)) return true;
  switch (c) {
    case '+':
    case 0xFF0B:  // ＋
    case '-':
    case 0x2010:  // hyphen
    case 0x2011:  // non-breaking hyphen
    case 0x2012:  // figure dash
    case 0x2013:  // en dash
    case 0x2014:  // em dash
    case 0x2015:  // horizontal bar
    case 0x2212:  // minus sign
    case 0xFF0D:  // －
    case '.':
    case 0xFF0E:  // ．
    case '/':
    case 0xFF0F:  // ／
    case '(':
    case ')':
    case 0xFF08:  // （
    case 0xFF09:  // ）
      return true;
    default:
      return false;
  }
}

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - ('a' - 'A'));
  }
  return out;
}

// Chinese mobile numbers written as 11 plain digits are most of what Kehu normalises (imports,
// demo data, the contact center), and libphonenumber's parse takes tens of microseconds. Their
// validity is decided by the first seven digits (the 号段 and HLR block; libphonenumber's CN
// mobile patterns never look further: every one of the 10^6 blocks was checked with suffixes
// 0000, 9999 and a random one against Debian's libphonenumber 8.12, no disagreement; a unit test
// repeats a sample), so the
// verdict libphonenumber gives for one number is remembered for its whole block.
// 0: not known yet, 1: valid mobile, 2: not valid.
std::atomic<uint8_t> g_cn_block_verdict[1000000];

bool IsPlainCnMobileShape(std::string_view input) {
  if (input.size() != 11 || input[0] != '1') return false;
  for (char ch : input)
    if (ch < '0' || ch > '9') return false;
  return true;
}

Result<std::string> ParseWithLibphonenumber(std::string_view input, const std::string& region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(std::string(input), region, &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
      !util.IsValidNumber(number)) {
    return InvalidArgument("not a valid phone number (default region " + region + ")");
  }
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

}  // namespace

Result<std::string> NormalizePhone(std::string_view input, std::string_view default_region) {
  if (input.size() > kMaxInputBytes) return InvalidArgument("phone number is too long");
  bool has_digit = false;
  for (size_t i = 0; i < input.size();) {
    const UChar32 c = NextCodePoint(input, &i);
    if (c < 0) return InvalidArgument("phone number is not valid UTF-8");
    if (!IsPhoneCharacter(c)) {
      return InvalidArgument(
          "phone number may contain only digits, spaces, '+' and the separators - . / ( )");
    }
    has_digit = has_digit || IsDecimalDigit(c);
  }
  if (!has_digit) return InvalidArgument("phone number has no digits");

  const std::string region = UpperAscii(default_region);
  // "+86" and an 11-digit mobile number is the same national number whatever the default
  // region, so it shares the block's verdict (screen pops look callers up in E.164).
  if (input.size() == 14 && input.substr(0, 3) == "+86" && IsPlainCnMobileShape(input.substr(3))) {
    return NormalizePhone(input.substr(3), "CN");
  }
  if (region == "CN" && IsPlainCnMobileShape(input)) {
    std::atomic<uint8_t>& verdict = g_cn_block_verdict[std::stoi(std::string(input.substr(0, 7))) - 1000000];
    const uint8_t known = verdict.load(std::memory_order_relaxed);
    if (known == 1) return "+86" + std::string(input);
    if (known == 2) return InvalidArgument("not a valid phone number (default region " + region + ")");
    Result<std::string> r = ParseWithLibphonenumber(input, region);
    // Remember only the two shapes of answer the block can have: "+86" and the same 11 digits,
    // or invalid. Anything else (never seen) is simply not cached.
    if (r.ok() && *r == "+86" + std::string(input)) verdict.store(1, std::memory_order_relaxed);
    else if (!r.ok()) verdict.store(2, std::memory_order_relaxed);
    return r;
  }
  return ParseWithLibphonenumber(input, region);
}

bool PhoneVerdictsAgreeWithLibphonenumber(std::string_view number, std::string_view default_region) {
  const std::string region = UpperAscii(default_region);
  Result<std::string> fast = NormalizePhone(number, region);
  Result<std::string> slow = ParseWithLibphonenumber(number, region);
  if (fast.ok() != slow.ok()) return false;
  return !fast.ok() || *fast == *slow;
}

std::string PhoneSearchKey(std::string_view input, std::string_view default_region) {
  Result<std::string> normalized = NormalizePhone(input, default_region);
  if (normalized.ok()) return std::move(normalized).value();
  std::string digits;
  for (size_t i = 0; i < input.size();) {
    const UChar32 c = NextCodePoint(input, &i);
    if (c >= 0 && IsDecimalDigit(c)) digits += static_cast<char>('0' + u_charDigitValue(c));
  }
  return digits;
}

}  // namespace kehu::text
