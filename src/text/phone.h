#pragma once
// Phone numbers normalised to E.164 with libphonenumber (default region CN).
//
//   NormalizePhone("138 0013 8000")      -> "+8613800138000"
//   NormalizePhone("+86-10-6552-9988")   -> "+861065529988"
//   NormalizePhone("12345")              -> kInvalidArgument (parses, but is not a valid number)

#include <string>
#include <string_view>

#include "core/result.h"

namespace kehu::text {

// Errors: kInvalidArgument when the input is not a valid phone number for the region.
Result<std::string> NormalizePhone(std::string_view input, std::string_view default_region = "CN");

// Lenient form for search and screen-pop lookups: E.164 when valid, otherwise the digits only
// ("" when none), so a partial number can still be matched by prefix/substring.
std::string PhoneSearchKey(std::string_view input, std::string_view default_region = "CN");

}  // namespace kehu::text
