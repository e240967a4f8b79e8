#pragma once
// What the search indexes hold for a customer and how a user's query is folded to match them.
// See docs/search.md. Both functions are pure (no I/O).

#include <string>

#include "domain/customers/customer.h"
#include "domain/customers/customer_repository.h"

namespace kehu::customers {

// doc: Simplified lower-case name, pinyin (full and initials), organisation, tags, emails and
//      phone digits (E.164), one field a line, for substring (trigram) search. Spaces and middle
//      dots between two Han characters of a name, an organisation or a tag are dropped
//      ("欧阳 娜娜" -> "欧阳娜娜"), so three or more Han characters are found as one substring.
// tokens: name, organisation and tags with every CJK character spaced out, pinyin and initials
//      (of the organisation too) and each phone's national form, so a token index finds 1-2
//      character Chinese terms as phrases and pinyin/initials/phone prefixes. Emails and E.164
//      digits are not words: every query of 3+ characters finds them in doc. Last, every two
//      neighbouring Han characters of the name, the organisation and each tag as one word
//      ("李娜"), which a query of two Han characters looks up.
SearchText BuildSearchText(const Customer& c);

// The version of BuildSearchText's output. Raise it with every change to the texts (what a
// field contributes, separators, folding): a server whose org index holds an older version
// rebuilds it in the background at start (CustomerService::RebuildSearchTexts), so rows
// written before the change are found the way new ones are. 1: up to 2716d13; 2: leaner texts
// with the trunk 0 of Beijing landlines; 3: Han runs whole in doc; 4: Han pairs in tokens.
inline constexpr int kSearchTextVersion = 4;

// Folds a user's query. Returns nullopt for a query with nothing searchable (only spaces or
// punctuation). Han text is folded to Simplified: three or more Han characters and nothing else
// become a substring only, two a whole pair word of the token index, other Han text a token
// phrase plus a substring when >= 3 characters. Latin letters become a token prefix (pinyin,
// initials, email words) plus a substring when >= 3 characters; phone-like input its digits
// (with a leading 86 and trunk 0 variants).
std::optional<SearchSpec> FoldQuery(const std::string& q);

}  // namespace kehu::customers
