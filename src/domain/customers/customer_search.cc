#include "domain/customers/customer_search.h"

#include <algorithm>

#include "core/strings.h"
#include "text/chinese.h"
#include "text/phone.h"

namespace kehu::customers {

namespace {

// The digits of an E.164 number ("+8613800138000" -> "8613800138000").
std::string E164Digits(const std::string& e164) { return e164.substr(e164.empty() || e164[0] != '+' ? 0 : 1); }

// The national form a user types for a Chinese number: a mobile's 11 digits ("139..."), any other
// number with the trunk 0 ("010..." for Beijing, whose area code 10 also starts with 1; "0755...");
// empty for other countries.
std::string NationalForm(const std::string& digits) {
  if (digits.rfind("86", 0) != 0 || digits.size() <= 2) return {};
  const bool mobile = digits.size() == 13 && digits[2] == '1';
  std::string national = mobile ? std::string() : std::string("0");
  national.append(digits, 2, std::string::npos);
  return national;
}

// Appends word to out with a space before it unless out is empty.
void AddWord(std::string& out, const std::string& word) {
  if (!out.empty()) out += ' ';
  out += word;
}

// Appends part to out with a line break before it (fields of the substring text never touch, and
// empty fields add nothing).
void AddPart(std::string& out, const std::string& part) {
  if (part.empty()) return;
  if (!out.empty()) out += '\n';
  out += part;
}

bool IsPhoneLike(std::string_view q) {
  int digits = 0;
  for (char c : q) {
    if (c >= '0' && c <= '9') ++digits;
    else if (c != '+' && c != '-' && c != ' ' && c != '(' && c != ')') return false;
  }
  return digits > 0;
}

// Words of folded text separated by ASCII spaces.
std::vector<std::string> Words(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// The first and the last code point of a non-empty UTF-8 string.
std::string_view FirstChar(std::string_view s) {
  size_t n = 1;
  while (n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) ++n;
  return s.substr(0, n);
}
std::string_view LastChar(std::string_view s) {
  size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return s.substr(i);
}

// The length of the separator at s[i] that JoinHan drops between Han characters (a space, an
// ideographic space, a middle dot), or 0.
size_t SeparatorAt(std::string_view s, size_t i) {
  if (s[i] == ' ') return 1;
  for (std::string_view sep : {std::string_view("\u3000"), std::string_view("\u00b7"), std::string_view("\u30fb")})
    if (s.compare(i, sep.size(), sep) == 0) return sep.size();
  return 0;
}

// Han text as one run: separators between two Han characters are dropped ("欧阳 娜娜" ->
// "欧阳娜娜", "阿卜杜·热合曼" -> "阿卜杜热合曼"); elsewhere they stay. A query of three or more
// Han characters searches the substring text only (FoldQuery), so it must see names whole.
std::string JoinHan(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t j = i;
    while (j < s.size() && SeparatorAt(s, j) > 0) j += SeparatorAt(s, j);
    if (j == i) {
      out += s[i++];
      continue;
    }
    const bool between_han = !out.empty() && j < s.size() && text::ContainsHan(LastChar(out)) &&
                             text::ContainsHan(FirstChar(s.substr(j)));
    if (!between_han) out.append(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Appends to out, as words, every two neighbouring Han characters of folded text (JoinHan'd:
// "李娜" for 李娜, "欧阳 阳娜 娜娜" for 欧阳娜娜). A query of exactly two Han characters is one of
// these words in the token index, not a phrase of two single-character tokens: one short list
// read instead of two long position lists walked side by side.
void AddHanBigrams(std::string& out, std::string_view folded) {
  std::string_view prev;
  for (size_t i = 0; i < folded.size();) {
    const std::string_view ch = FirstChar(folded.substr(i));
    const bool han = static_cast<unsigned char>(ch[0]) >= 0x80 && text::ContainsHan(ch);
    if (han && !prev.empty()) {
      if (!out.empty()) out += ' ';
      out.append(prev).append(ch);
    }
    prev = han ? ch : std::string_view();
    i += ch.size();
  }
}

}  // namespace

SearchText BuildSearchText(const Customer& c) {
  SearchText t;
  const std::string folded_name = AsciiLower(text::ToSimplified(c.name));
  std::string simple_name = JoinHan(folded_name);
  std::string pinyin = text::Pinyin(c.name);
  std::string initials = text::PinyinInitials(c.name);
  std::string org = JoinHan(AsciiLower(text::ToSimplified(c.organization)));
  // Substring text: each phone's E.164 digits (a mobile's national form is inside them); token
  // text: the national form, which is how a prefix is typed (a landline's "010..." is not inside
  // "8610..."). Every substring of three or more characters of an email or a phone is found
  // through the substring text, so neither is repeated as words.
  std::string phone_digits, phone_words;
  for (const auto& p : c.phones) {
    const std::string digits = E164Digits(p);
    const std::string national = NationalForm(digits);
    AddWord(phone_digits, digits);
    AddWord(phone_words, national.empty() ? digits : national);
  }
  // Tags: in doc each one's Han text whole (tags apart); in tokens spaced out, with their pairs.
  std::string doc_tags, spaced_tags, tag_pairs;
  for (const auto& tag : c.tags) {
    AddWord(doc_tags, JoinHan(AsciiLower(text::ToSimplified(tag))));
    const std::string spaced = text::SpacedCjk(tag);
    AddWord(spaced_tags, spaced);
    if (text::ContainsHan(spaced)) AddHanBigrams(tag_pairs, JoinHan(spaced));
  }
  std::string emails;
  for (const auto& e : c.emails) AddWord(emails, e);

  for (const std::string* part : {&simple_name, &pinyin, &initials, &org, &doc_tags, &emails, &phone_digits})
    AddPart(t.doc, *part);
  std::string org_pinyin = text::ContainsHan(c.organization) ? text::Pinyin(c.organization) + " " +
                                                                   text::PinyinInitials(c.organization)
                                                             : std::string();
  // Each field spaced out once; its Han pairs go last, after every run of single characters, so
  // a phrase of single characters never spans one of them.
  const std::string spaced_name = text::SpacedCjk(c.name), spaced_org = text::SpacedCjk(c.organization);
  std::string pairs;
  for (const std::string* spaced : {&spaced_name, &spaced_org})
    if (text::ContainsHan(*spaced)) AddHanBigrams(pairs, JoinHan(*spaced));
  if (!tag_pairs.empty()) AddWord(pairs, tag_pairs);  // after the name's and the organisation's
  for (const std::string* part : std::initializer_list<const std::string*>{
           &spaced_name, &spaced_org, &spaced_tags, &pinyin, &initials, &org_pinyin, &phone_words, &pairs})
    if (!part->empty()) AddWord(t.tokens, *part);
  t.name_sort = pinyin;
  for (char ch : folded_name)
    if (ch != ' ') t.name_fold += ch;
  return t;
}

std::optional<SearchSpec> FoldQuery(const std::string& raw) {
  std::string_view q = Trim(raw);
  if (q.empty()) return std::nullopt;
  SearchSpec spec;
  if (IsPhoneLike(q)) {
    std::string digits;
    for (char c : q)
      if (c >= '0' && c <= '9') digits += c;
    spec.token_prefixes.push_back(digits);
    if (digits.size() >= 3) spec.substring = digits;
    return spec;
  }
  std::string spaced = text::SpacedCjk(std::string(q));
  if (spaced.empty()) return std::nullopt;
  if (text::ContainsHan(spaced)) {
    std::string joined;
    for (char c : spaced)
      if (c != ' ') joined += c;
    // Three or more Han characters and nothing else: the substring text alone (it holds names,
    // organisations and tags with their Han runs whole, see JoinHan), one trigram phrase —
    // ten to a hundred times cheaper than the same text as a phrase of single-character tokens.
    const std::vector<std::string> chars = Words(spaced);
    const bool only_han = std::all_of(chars.begin(), chars.end(), [](const std::string& w) {
      return Utf8Length(w) == 1 && text::ContainsHan(w);
    });
    if (only_han && chars.size() >= 3) {
      spec.substring = joined;
      return spec;
    }
    // Exactly two Han characters: the pair, one word of the token index (AddHanBigrams).
    if (only_han && chars.size() == 2) {
      spec.token_prefixes.push_back(joined);
      spec.whole_tokens = true;
      return spec;
    }
    // A phrase of single characters: 王芳 -> "王 芳"; also finds longer names containing it.
    spec.token_prefixes.push_back(spaced);
    // Every Han character is a token of its own in the index, so a phrase ending in one needs
    // no prefix match ("王 a" still does).
    spec.whole_tokens = text::ContainsHan(spaced.substr(spaced.rfind(' ') + 1));
    if (Utf8Length(joined) >= 3) spec.substring = joined;
    return spec;
  }
  // Latin text: pinyin (full or initials), email or organisation words. Each word is a prefix.
  std::vector<std::string> words = Words(spaced);
  if (words.empty()) return std::nullopt;
  std::string phrase;
  for (const auto& w : words) phrase += (phrase.empty() ? "" : " ") + w;
  spec.token_prefixes.push_back(phrase);
  // Pinyin typed with spaces ("wang xiao ming") matches the joined form too.
  if (words.size() > 1) {
    std::string joined;
    for (const auto& w : words) joined += w;
    spec.token_prefixes.push_back(joined);
  }
  std::string lowered = AsciiLower(q);
  if (lowered.size() >= 3) spec.substring = lowered;
  return spec;
}

}  // namespace kehu::customers
