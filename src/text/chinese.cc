#include "text/chinese.h"

#include <opencc/opencc.h>
#include <unicode/bytestream.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace kehu::text {
namespace {

constexpr UChar32 kReplacementCharacter = 0xFFFD;
constexpr UChar32 kFirstHan = 0x2E80;  // CJK Radicals Supplement: nothing below is Han script.

bool IsAsciiSpace(unsigned char b) { return b == ' ' || (b >= '\t' && b <= '\r'); }
char ToLowerAscii(unsigned char b) {
  return static_cast<char>(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
}

void AppendUtf8(std::string& out, UChar32 c) {
  char buf[U8_MAX_LENGTH];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, c);
  out.append(buf, static_cast<size_t>(n));
}

// Decodes the code point at s[*i] and advances *i past it. An ill-formed sequence (ICU consumes
// its maximal subpart, as Unicode recommends) gives U+FFFD.
UChar32 NextCodePoint(std::string_view s, size_t* i) {
  UChar32 c;
  U8_NEXT(s.data(), *i, s.size(), c);
  return c < 0 ? kReplacementCharacter : c;
}

UScriptCode ScriptOf(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &status);
  return U_SUCCESS(status) ? script : USCRIPT_INVALID_CODE;
}

bool IsHan(UChar32 c) { return c >= kFirstHan && ScriptOf(c) == USCRIPT_HAN; }

bool IsCjk(UChar32 c) {
  if (c < 0x1100) return false;  // Hangul Jamo is the first CJK block.
  switch (ScriptOf(c)) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_BOPOMOFO:
    case USCRIPT_HANGUL:
      return true;
    default:
      return false;
  }
}

// Marks (including variation selectors) belong to the character before them; separating them
// would leave a lone mark as an index token.
bool IsMark(UChar32 c) {
  const int8_t type = u_charType(c);
  return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_COMBINING_SPACING_MARK;
}

std::string ReplaceIllFormed(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + 8);
  for (size_t i = 0; i < utf8.size();) AppendUtf8(out, NextCodePoint(utf8, &i));
  return out;
}

std::string WellFormed(std::string_view utf8) {
  return IsValidUtf8(utf8) ? std::string(utf8) : ReplaceIllFormed(utf8);
}

bool IsAscii(std::string_view s) {
  for (const char ch : s) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

// NFKC (full-width ASCII to ASCII, compatibility ideographs to unified ones, decomposed accents
// composed) as well-formed UTF-8. Names are mostly ASCII or already NFKC, so both are detected
// without copying through UTF-16.
std::string FoldNfkc(std::string_view utf8) {
  if (IsAscii(utf8)) return std::string(utf8);
  std::string text = WellFormed(utf8);
  if (text.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) return text;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) return text;
  const icu::StringPiece piece(text.data(), static_cast<int32_t>(text.size()));
  const bool normalized = nfkc->isNormalizedUTF8(piece, status);
  if (U_FAILURE(status) || normalized) return text;
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(text.size()));
  nfkc->normalizeUTF8(0, piece, sink, nullptr, status);
  return U_SUCCESS(status) ? out : text;
}

// One OpenCC instance for the process: its documentation states that every C API function except
// opencc_error() is thread-safe (conversion only reads the loaded dictionaries). Loading takes
// milliseconds, so it happens once; the handle is deliberately never closed, so no thread can
// use it after a static destructor ran.
opencc_t T2s() {
  static const opencc_t handle = []() -> opencc_t {
    const auto failed = reinterpret_cast<opencc_t>(-1);
    opencc_t h = opencc_open("t2s.json");
    if (h == failed) h = opencc_open("/usr/share/opencc/t2s.json");
    return h == failed ? nullptr : h;
  }();
  return handle;
}

// ICU transliterators keep per-call state and are not thread-safe; building one from its rules
// takes milliseconds. So the prototype is built once and each thread clones it on first use.
icu::Transliterator* ThreadTransliterator() {
  static std::mutex clone_mutex;
  static icu::Transliterator* const prototype = []() -> icu::Transliterator* {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(
        icu::Transliterator::createInstance("Han-Latin; Latin-ASCII", UTRANS_FORWARD, status));
    return U_SUCCESS(status) ? t.release() : nullptr;
  }();
  thread_local const std::unique_ptr<icu::Transliterator> local = []() {
    std::lock_guard lock(clone_mutex);
    return std::unique_ptr<icu::Transliterator>(prototype ? prototype->clone() : nullptr);
  }();
  return local.get();
}

// ICU's reading of one Han character: syllables in lower-case ASCII separated by one space, or
// "" when ICU has none (it returns the character unchanged). Han-Latin reads each character on
// its own: for all of U+4E00..U+9FFF, one character at a time gives the same syllables as the
// whole block in one string (checked against ICU 72).
std::string TransliterateHan(UChar32 c) {
  icu::Transliterator* t = ThreadTransliterator();
  if (t == nullptr) return {};
  icu::UnicodeString text(c);
  t->transliterate(text);
  if (text == icu::UnicodeString(c)) return {};
  std::string raw;
  text.toUTF8String(raw);
  std::string reading;
  bool pending_space = false;
  for (const char ch : raw) {
    if (IsAsciiSpace(static_cast<unsigned char>(ch))) {
      pending_space = !reading.empty();
      continue;
    }
    if (pending_space) reading += ' ';
    pending_space = false;
    reading += ToLowerAscii(static_cast<unsigned char>(ch));
  }
  return reading;
}

// A character of another script (accented Latin, Cyrillic, punctuation) through the same ICU
// chain, then lower-cased: "é" -> "e", "Ж" -> "ж". Latin-ASCII's only context rules concern
// the case of ligatures, which lower-casing erases, so one character at a time is exact.
std::string FoldOther(UChar32 c) {
  icu::UnicodeString text(c);
  if (icu::Transliterator* t = ThreadTransliterator()) t->transliterate(text);
  text.toLower(icu::Locale::getRoot());
  std::string out;
  text.toUTF8String(out);
  return out;
}

// ICU transliteration costs ~20 µs per call, far too slow for every customer written, so each
// distinct non-ASCII character is transliterated once per process and the result kept here.
// Han characters (~100k code points, a few MB at most) are always kept; other characters only up
// to kMaxOtherEntries, so text made of arbitrary code points cannot grow the cache without bound.
class FoldCache {
 public:
  // TransliterateHan(c) when han, else FoldOther(c). Results are short enough for the small
  // string buffer, so returning a copy allocates nothing.
  std::string Get(UChar32 c, bool han) {
    {
      std::shared_lock lock(mutex_);
      const auto it = folds_.find(c);
      if (it != folds_.end()) return it->second;
    }
    // Outside the lock: two threads may both compute a new character; the first insert wins
    // and both results are identical.
    std::string folded = han ? TransliterateHan(c) : FoldOther(c);
    std::unique_lock lock(mutex_);
    if (!han && other_entries_ >= kMaxOtherEntries) return folded;
    const auto [it, inserted] = folds_.try_emplace(c, std::move(folded));
    if (inserted && !han) ++other_entries_;
    return it->second;
  }

 private:
  static constexpr size_t kMaxOtherEntries = 16384;

  std::shared_mutex mutex_;
  std::unordered_map<UChar32, std::string> folds_;
  size_t other_entries_ = 0;
};

FoldCache& Folds() {
  static FoldCache* const cache = new FoldCache();  // never destroyed; see T2s()
  return *cache;
}

// Walks utf8 after NFKC for Pinyin and PinyinInitials. on_han(c, reading) is called for each Han
// character; on_text(piece) for everything else, folded: ASCII lower-cased, other characters
// through FoldOther, every white-space character as " ".
template <typename OnHan, typename OnText>
void ForEachPinyinPiece(std::string_view utf8, OnHan&& on_han, OnText&& on_text) {
  const std::string text = FoldNfkc(utf8);
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      const char ch = IsAsciiSpace(b) ? ' ' : ToLowerAscii(b);
      on_text(std::string_view(&ch, 1));
      ++i;
      continue;
    }
    const UChar32 c = NextCodePoint(text, &i);
    if (IsHan(c)) {
      on_han(c, Folds().Get(c, /*han=*/true));
    } else if (u_isUWhiteSpace(c)) {
      on_text(std::string_view(" "));
    } else {
      on_text(Folds().Get(c, /*han=*/false));
    }
  }
}

// OpenCC takes ~10-20 µs per call; the short texts Kehu converts on every customer written
// (names, tags, organisation names) repeat a lot, so short texts' conversions are remembered:
// 16 shards, each bounded, so arbitrary input cannot grow memory without limit.
class SimplifiedCache {
 public:
  static constexpr size_t kMaxKeyBytes = 64;
  std::optional<std::string> Find(const std::string& key) {
    Shard& s = ShardOf(key);
    std::shared_lock lock(s.mutex);
    const auto it = s.map.find(key);
    if (it == s.map.end()) return std::nullopt;
    return it->second;
  }
  void Put(const std::string& key, const std::string& value) {
    Shard& s = ShardOf(key);
    std::unique_lock lock(s.mutex);
    if (s.map.size() < kMaxEntriesPerShard) s.map.try_emplace(key, value);
  }

 private:
  static constexpr size_t kShards = 16;
  static constexpr size_t kMaxEntriesPerShard = 32768;
  struct Shard {
    std::shared_mutex mutex;
    std::unordered_map<std::string, std::string> map;
  };
  Shard& ShardOf(const std::string& key) { return shards_[std::hash<std::string>{}(key) % kShards]; }
  Shard shards_[kShards];
};

SimplifiedCache& Simplified() {
  static SimplifiedCache* const cache = new SimplifiedCache();  // never destroyed; see T2s()
  return *cache;
}

std::string ConvertT2s(const std::string& text);

}  // namespace

std::string ToSimplified(std::string_view utf8) {
  std::string text = WellFormed(utf8);
  // OpenCC's t2s dictionaries map Han characters only (checked for every non-Han code point
  // below U+30000), so text without Han needs no conversion.
  if (!ContainsHan(text)) return text;
  if (text.size() > SimplifiedCache::kMaxKeyBytes) return ConvertT2s(text);
  if (auto hit = Simplified().Find(text)) return *std::move(hit);
  std::string out = ConvertT2s(text);
  Simplified().Put(text, out);
  return out;
}

namespace {

std::string ConvertT2s(const std::string& text) {
  const opencc_t converter = T2s();
  if (converter == nullptr) return text;
  // OpenCC stops at the first NUL byte, so convert the NUL-free pieces one by one.
  std::string out;
  out.reserve(text.size());
  size_t start = 0;
  while (true) {
    const size_t nul = text.find('\0', start);
    const size_t stop = nul == std::string::npos ? text.size() : nul;
    if (stop > start) {
      char* converted = opencc_convert_utf8(converter, text.data() + start, stop - start);
      if (converted == nullptr) {
        out.append(text, start, stop - start);
      } else {
        out += converted;
        opencc_convert_utf8_free(converted);
      }
    }
    if (nul == std::string::npos) break;
    out += '\0';
    start = nul + 1;
  }
  return out;
}

}  // namespace

std::string Pinyin(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() * 2);
  bool pending_space = false;
  const auto put = [&](std::string_view piece, bool keep_spaces) {
    for (const char ch : piece) {
      if (ch == ' ') {
        if (keep_spaces) pending_space = !out.empty();
        continue;
      }
      if (pending_space) out += ' ';
      pending_space = false;
      out += ch;
    }
  };
  ForEachPinyinPiece(
      utf8,
      [&](UChar32 c, const std::string& reading) {
        if (!reading.empty()) {
          put(reading, /*keep_spaces=*/false);
          return;
        }
        std::string original;
        AppendUtf8(original, c);
        put(original, false);
      },
      [&](std::string_view text) { put(text, /*keep_spaces=*/true); });
  return out;
}

std::string PinyinInitials(std::string_view utf8) {
  std::string out;
  bool in_word = false;
  ForEachPinyinPiece(
      utf8,
      [&](UChar32 c, const std::string& reading) {
        in_word = false;
        if (reading.empty()) {
          AppendUtf8(out, c);
          return;
        }
        // One initial per syllable; a character with a two-syllable reading gives two.
        bool at_syllable_start = true;
        for (const char ch : reading) {
          if (at_syllable_start && ch != ' ') out += ch;
          at_syllable_start = ch == ' ';
        }
      },
      [&](std::string_view text) {
        for (size_t i = 0; i < text.size();) {
          const UChar32 c = NextCodePoint(text, &i);
          if (u_isdigit(c)) {
            AppendUtf8(out, c);
            in_word = false;
          } else if (u_isalpha(c)) {
            if (!in_word) AppendUtf8(out, c);
            in_word = true;
          } else {
            in_word = false;
          }
        }
      });
  return out;
}

std::string SpacedCjk(std::string_view utf8) {
  std::string folded = FoldNfkc(utf8);
  if (ContainsHan(folded)) folded = ToSimplified(folded);

  std::string out;
  out.reserve(folded.size() * 2);
  bool pending_space = false;
  bool previous_cjk = false;
  for (size_t i = 0; i < folded.size();) {
    const auto b = static_cast<unsigned char>(folded[i]);
    UChar32 c;
    if (b < 0x80) {
      c = ToLowerAscii(b);
      ++i;
      if (IsAsciiSpace(b)) {
        pending_space = !out.empty();
        continue;
      }
    } else {
      c = NextCodePoint(folded, &i);
      if (u_isUWhiteSpace(c)) {
        pending_space = !out.empty();
        continue;
      }
      c = u_tolower(c);
      if (IsMark(c) && !pending_space && !out.empty()) {
        AppendUtf8(out, c);
        continue;
      }
    }
    const bool cjk = IsCjk(c);
    if (!out.empty() && (pending_space || cjk || previous_cjk)) out += ' ';
    AppendUtf8(out, c);
    previous_cjk = cjk;
    pending_space = false;
  }
  return out;
}

bool ContainsHan(std::string_view utf8) {
  for (size_t i = 0; i < utf8.size();) {
    if (static_cast<unsigned char>(utf8[i]) < 0x80) {
      ++i;
      continue;
    }
    if (IsHan(NextCodePoint(utf8, &i))) return true;
  }
  return false;
}

}  // namespace kehu::text
