#include "text/phone.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstddef>
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
