#pragma once
// Phone numbers normalised to E.164 with libphonenumber (default region CN).
//
//   NormalizePhone("138 0013 8000")      -> "+8613800138000"
//   NormalizePhone("+86-10-6552-9988")   -> "+861065529988"
//   NormalizePhone("12345")              -> kInvalidArgument (parses, but is not a valid number)
//
// Accepted forms include "13800138000", "138-0013-8000", "+86 138 0013 8000",
// "0086 13800138000" (the international prefix of the default region), "(010) 6552 9988",
// full-width digits "１３８００１３８０００" and foreign numbers written with "+" and their
// country code ("+1 650-253-0000"). Both functions are thread-safe.

#include <string>
#include <string_view>

#include "core/result.h"

namespace kehu::text {

// Errors: kInvalidArgument when the input is not a valid phone number for the region.
// That is: empty or without digits; longer than 128 bytes; not well-formed UTF-8; containing
// anything but decimal digits (any script; full-width ones included), white space, a plus sign
// and the separators - . / ( ) (ASCII and full-width) - so letters, extensions ("转 8001",
// "ext. 12") and vanity numbers ("1-800-FLOWERS", which libphonenumber would read as keypad
// digits) are refused; or parsed by libphonenumber but not IsValidNumber (too short, too long,
// unassigned range). default_region is an ISO 3166 code, case-insensitive; an unknown region
// leaves only numbers written with "+" valid. Messages never repeat the input (it is personal
// data and messages reach logs).
Result<std::string> NormalizePhone(std::string_view input, std::string_view default_region = "CN");

// Lenient form for search and screen-pop lookups: E.164 when valid, otherwise the digits only
// ("" when none), so a partial number can still be matched by prefix/substring.
// Digits of any script are folded to ASCII ("１３８" -> "138"); everything else is dropped.
std::string PhoneSearchKey(std::string_view input, std::string_view default_region = "CN");

// For tests: whether NormalizePhone (with its remembered verdicts for 11-digit Chinese mobile
// numbers) gives exactly libphonenumber's own answer for this number.
bool PhoneVerdictsAgreeWithLibphonenumber(std::string_view number, std::string_view default_region = "CN");

}  // namespace kehu::text
