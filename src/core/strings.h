#pragma once
// Small string helpers shared by every layer.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kehu {

// JSON string literal for s (quotes included), escaping per RFC 8259. s must be valid UTF-8.
std::string JsonQuote(std::string_view s);
// Appends JsonQuote(s): '"', '\\' and control characters escaped (the short forms where JSON
// has one, else \u00xx), everything else as is; the same text as Boost.JSON's serializer.
void AppendJsonString(std::string& out, std::string_view s);
// JSON array of strings / integers: ["a","b"], [1,2].
std::string JsonStringArray(const std::vector<std::string>& v);
// The strings of a JSON array as JsonStringArray writes it when none needs an escape
// (["a","b"], no spaces); nullopt for anything else (escapes, spaces, other values), which the
// caller then reads with a full JSON parser. Stored phone, email and tag lists are almost always
// of this form, and a point read parses three of them.
std::optional<std::vector<std::string>> ParsePlainJsonStringArray(std::string_view text);
std::string JsonIntArray(const std::vector<int64_t>& v);
// ASCII whitespace trimmed from both ends.
std::string_view Trim(std::string_view s);
// ASCII lower-case (other bytes unchanged).
std::string AsciiLower(std::string_view s);
// Number of Unicode code points in valid UTF-8.
size_t Utf8Length(std::string_view s);

}  // namespace kehu
