#include "domain/customers/customer_search.h"

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

}  // namespace

SearchText BuildSearchText(const Customer& c) {
  SearchText t;
  std::string simple_name = AsciiLower(text::ToSimplified(c.name));
  std::string pinyin = text::Pinyin(c.name);
  std::string initials = text::PinyinInitials(c.name);
  std::string org = AsciiLower(text::ToSimplified(c.organization));
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
  std::string tags;
  for (const auto& tag : c.tags) AddWord(tags, AsciiLower(text::ToSimplified(tag)));
  std::string emails;
  for (const auto& e : c.emails) AddWord(emails, e);

  for (const std::string* part : {&simple_name, &pinyin, &initials, &org, &tags, &emails, &phone_digits})
    AddPart(t.doc, *part);
  std::string org_pinyin = text::ContainsHan(c.organization) ? text::Pinyin(c.organization) + " " +
                                                                   text::PinyinInitials(c.organization)
                                                             : std::string();
  t.tokens = text::SpacedCjk(c.name + " " + c.organization + " " + tags) + " " + pinyin + " " + initials + " " +
             org_pinyin + " " + phone_words;
  t.name_sort = pinyin;
  for (char ch : simple_name)
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
    // A phrase of single characters: 王芳 -> "王 芳"; also finds longer names containing it.
    spec.token_prefixes.push_back(spaced);
    // Every Han character is a token of its own in the index, so a phrase ending in one needs
    // no prefix match ("王 a" still does).
    spec.whole_tokens = text::ContainsHan(spaced.substr(spaced.rfind(' ') + 1));
    std::string joined;
    for (char c : spaced)
      if (c != ' ') joined += c;
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
