#include "domain/customers/customer_search.h"

#include "core/strings.h"
#include "text/chinese.h"
#include "text/phone.h"

namespace kehu::customers {

namespace {

// Digit forms of an E.164 number a user may type: the E.164 digits and the national form
// (CN mobiles "138...", CN landlines with the trunk 0: "010...").
void PhoneForms(const std::string& e164, std::string& out) {
  std::string digits = e164.substr(e164.empty() || e164[0] != '+' ? 0 : 1);
  out += digits;
  out += ' ';
  if (digits.rfind("86", 0) == 0 && digits.size() > 2) {
    std::string nsn = digits.substr(2);
    out += (nsn[0] == '1' ? nsn : "0" + nsn);
    out += ' ';
  }
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
  std::string phones;
  for (const auto& p : c.phones) PhoneForms(p, phones);
  std::string tags;
  for (const auto& tag : c.tags) tags += AsciiLower(text::ToSimplified(tag)) + " ";
  std::string emails;
  for (const auto& e : c.emails) emails += e + " ";

  t.doc = simple_name + " | " + pinyin + " | " + initials + " | " + org + " | " + tags + "| " +
          emails + "| " + phones;
  std::string org_pinyin = text::ContainsHan(c.organization) ? text::Pinyin(c.organization) + " " +
                                                                   text::PinyinInitials(c.organization)
                                                             : std::string();
  t.tokens = text::SpacedCjk(c.name + " " + c.organization + " " + tags) + " " + pinyin + " " +
             initials + " " + org_pinyin + " " + emails + phones;
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
