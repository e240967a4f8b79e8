#pragma once
// Chinese text folding for search: Traditional -> Simplified (OpenCC t2s), pinyin (ICU
// "Han-Latin; Latin-ASCII"), pinyin initials, and the space-separated character form that
// lets an FTS5 unicode61 index find one- and two-character Chinese terms.
//
//   ToSimplified("客戶關係")      -> "客户关系"
//   Pinyin("王小明")              -> "wangxiaoming"
//   PinyinInitials("欧阳娜娜")    -> "oynn"
//   SpacedCjk("ＡＢＣ客戶")       -> "abc 客 户"
//
// All functions are thread-safe and never fail: text that cannot be converted is returned
// unchanged (lower-cased where that applies). Ill-formed UTF-8 sequences are replaced by U+FFFD,
// so every result is well-formed UTF-8; callers that must reject such input check IsValidUtf8
// first.
//
// Pinyin comes from ICU, one reading per character: polyphonic characters get the reading ICU
// picks, whatever the context ("长城" -> "zhangcheng", "银行" -> "yinxing"), tones and the
// umlaut are dropped ("女" -> "nu"). Han characters for which ICU has no reading (rare
// extension characters, the iteration mark "々") are kept unchanged. Readings are looked up in
// ICU once per distinct character and process, then served from a shared cache, so a call costs
// about a microsecond for a short name.

#include <string>
#include <string_view>

namespace kehu::text {

// "客戶關係" -> "客户关系". ASCII and Simplified text pass through unchanged; text without Han
// characters never reaches OpenCC. If the OpenCC t2s configuration cannot be loaded, the input
// is returned unchanged.
std::string ToSimplified(std::string_view utf8);

// Full pinyin without tones or spaces, lower-case: "王小明" -> "wangxiaoming".
// Non-Han characters are kept (lower-cased ASCII). The input is NFKC-normalised first, and
// characters of other scripts go through the same ICU chain, so full-width and accented Latin
// become ASCII ("ＡＢＣ" -> "abc", "Çelik" -> "celik") and other scripts are lower-cased.
// White space in the input is kept as one ASCII space, trimmed at both ends:
// "王 Tom 3号" -> "wang tom 3hao", "  Li  Na " -> "li na".
std::string Pinyin(std::string_view utf8);

// Pinyin initials of each Han character: "王小明" -> "wxm". Latin words contribute their
// first letter ("王 Tom" -> "wt"). Digits are kept.
// Precisely: each Han character gives the first letter of its syllable (or itself when ICU has
// no reading); a word (a maximal run of letters of another script, after folding to ASCII and
// lower-casing) gives its first letter; each digit is kept (full-width folded to ASCII);
// white space and punctuation give nothing: "王 Tom 3号" -> "wt3h", "IBM中国" -> "izg".
std::string PinyinInitials(std::string_view utf8);

// Folded text for indexing and for queries: Simplified, lower-case, NFKC (full-width ASCII to
// half-width), every CJK character separated by a space so a unicode61 tokenizer sees each
// character as a token: "王芳 Ltd" -> "王 芳 ltd".
// Steps, in order: NFKC, ToSimplified, simple lower-casing of each code point, then one space
// between two CJK characters and between a CJK character and any neighbouring non-CJK run;
// runs of white space collapse to one ASCII space, trimmed at both ends. CJK means the Han,
// Hiragana, Katakana, Bopomofo and Hangul scripts. Combining marks and variation selectors stay
// attached to the character before them. "  客戶關係 IBM " -> "客 户 关 系 ibm".
std::string SpacedCjk(std::string_view utf8);

// True when the string contains at least one Han character (Unicode script Han, which includes
// "〇" and "々"). Ill-formed sequences are skipped.
bool ContainsHan(std::string_view utf8);

// True when s is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
// Truncated sequences and stray continuation bytes are ill-formed; "" and embedded NUL bytes
// are well-formed.
bool IsValidUtf8(std::string_view s);

}  // namespace kehu::text
