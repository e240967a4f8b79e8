#pragma once
// Chinese text folding for search: Traditional -> Simplified (OpenCC t2s), pinyin (ICU
// "Han-Latin; Latin-ASCII"), pinyin initials, and the space-separated character form that
// lets an FTS5 unicode61 index find one- and two-character Chinese terms.
//
// All functions are thread-safe and never fail: text that cannot be converted is returned
// unchanged (lower-cased where that applies).

#include <string>
#include <string_view>

namespace kehu::text {

// "客戶關係" -> "客户关系". ASCII and Simplified text pass through unchanged.
std::string ToSimplified(std::string_view utf8);

// Full pinyin without tones or spaces, lower-case: "王小明" -> "wangxiaoming".
// Non-Han characters are kept (lower-cased ASCII).
std::string Pinyin(std::string_view utf8);

// Pinyin initials of each Han character: "王小明" -> "wxm". Latin words contribute their
// first letter ("王 Tom" -> "wt"). Digits are kept.
std::string PinyinInitials(std::string_view utf8);

// Folded text for indexing and for queries: Simplified, lower-case, NFKC (full-width ASCII to
// half-width), every CJK character separated by a space so a unicode61 tokenizer sees each
// character as a token: "王芳 Ltd" -> "王 芳 ltd".
std::string SpacedCjk(std::string_view utf8);

// True when the string contains at least one Han character.
bool ContainsHan(std::string_view utf8);

// True when s is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace kehu::text
