#include "domain/interactions/timeline_feed.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include "core/cursor.h"
#include "core/strings.h"

namespace kehu::timeline {

namespace {

// Feed order: newest first; equal times by kind desc, then id desc (the order After() uses).
bool Before(const Entry& a, const Entry& b) {
  if (a.occurred_at != b.occurred_at) return a.occurred_at > b.occurred_at;
  if (a.kind != b.kind) return a.kind > b.kind;
  return a.id > b.id;
}

bool ValidKind(std::string_view k) {
  if (k.empty() || k.size() > 40) return false;
  return std::all_of(k.begin(), k.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

}  // namespace

std::string EncodeFeedCursor(const Cursor& c) {
  return EncodeCursor(std::to_string(c.occurred_at) + "|" + c.kind + "|" + std::to_string(c.id));
}

std::optional<Cursor> DecodeFeedCursor(const std::string& text) {
  auto key = DecodeCursor(text);
  if (!key) return std::nullopt;
  size_t a = key->find('|');
  size_t b = a == std::string::npos ? a : key->find('|', a + 1);
  if (b == std::string::npos) return std::nullopt;
  Cursor c;
  auto at = std::string_view(*key).substr(0, a);
  auto id = std::string_view(*key).substr(b + 1);
  c.kind = key->substr(a + 1, b - a - 1);
  auto r1 = std::from_chars(at.data(), at.data() + at.size(), c.occurred_at);
  auto r2 = std::from_chars(id.data(), id.data() + id.size(), c.id);
  if (r1.ec != std::errc() || r1.ptr != at.data() + at.size() || r2.ec != std::errc() ||
      r2.ptr != id.data() + id.size() || !ValidKind(c.kind))
    return std::nullopt;
  return c;
}

interactions::Before BoundFor(const std::string& kind, const Cursor& c) {
  // Same kind: strictly before (at, id). A kind that sorts lower than the cursor's comes after
  // it at an equal time, so every id at c.occurred_at is still to come; a higher kind came
  // before it, so none is.
  if (kind == c.kind) return {c.occurred_at, c.id};
  if (kind < c.kind) return {c.occurred_at, std::numeric_limits<int64_t>::max()};
  return {c.occurred_at, std::numeric_limits<int64_t>::min()};
}

Result<FeedPage> Feed(const identity::Principal& p, customers::CustomerService& customers,
                      const std::vector<Source*>& sources, int64_t customer_id,
                      const std::string& cursor, int limit, const std::vector<std::string>& kinds) {
  std::vector<FieldError> errs;
  std::optional<Cursor> after;
  if (!cursor.empty()) {
    after = DecodeFeedCursor(cursor);
    if (!after) errs.push_back({"cursor", "is not a cursor this feed gave out"});
  }
  if (limit < 1 || limit > 200) errs.push_back({"limit", "must be 1-200"});
  for (const auto& k : kinds)
    if (!ValidKind(k)) errs.push_back({"kinds", "must be a comma-separated list of kinds"});
  if (!errs.empty()) return InvalidArgument("invalid timeline query", std::move(errs));
  KEHU_RETURN_IF_ERROR(customers.CheckVisible(p, customer_id));
  const std::set<std::string> wanted(kinds.begin(), kinds.end());
  auto keep = [&](const Entry& e) { return wanted.empty() || wanted.count(e.kind) > 0; };

  std::vector<Entry> all;
  for (Source* s : sources) {
    // Each source gives limit + 1 wanted entries or runs out. With a kinds filter, a source whose
    // whole first page is of one unwanted kind is taken to be a source of that kind and skipped.
    std::optional<Cursor> pos = after;
    int kept = 0;
    for (int round = 0; round < 50 && kept <= limit; ++round) {
      KEHU_ASSIGN_OR_RETURN(auto page, s->Page(p, customer_id, pos, limit + 1));
      bool any_wanted = false;
      std::set<std::string> page_kinds;
      for (auto& e : page) {
        page_kinds.insert(e.kind);
        if (!keep(e)) continue;
        any_wanted = true;
        ++kept;
        all.push_back(std::move(e));
      }
      if (static_cast<int>(page.size()) < limit + 1) break;
      if (!any_wanted && page_kinds.size() == 1 && round == 0) break;
      const Entry& last = page.back();
      pos = Cursor{last.occurred_at, last.kind, last.id};
    }
  }
  std::sort(all.begin(), all.end(), Before);
  // A source that ignored `after` must not repeat entries of the previous page.
  if (after)
    all.erase(
        std::remove_if(all.begin(), all.end(), [&](const Entry& e) { return !After(e, *after); }),
        all.end());
  FeedPage out;
  const bool more = static_cast<int>(all.size()) > limit;
  if (more) all.resize(limit);
  if (more && !all.empty())
    out.next_cursor = EncodeFeedCursor({all.back().occurred_at, all.back().kind, all.back().id});
  out.items = std::move(all);
  return out;
}

}  // namespace kehu::timeline

namespace kehu::interactions {

std::string InteractionJson(const Interaction& i) {
  std::string parts = "[";
  for (size_t k = 0; k < i.participants.size(); ++k) {
    if (k) parts += ',';
    parts += "{\"kind\":" + JsonQuote(i.participants[k].kind) +
             ",\"id\":" + std::to_string(i.participants[k].id) + "}";
  }
  parts += ']';
  std::string out = "{\"id\":" + std::to_string(i.id);
  out += ",\"type\":" + JsonQuote(Name(i.type));
  out += ",\"subtype\":" + JsonQuote(i.subtype);
  out += ",\"direction\":" + JsonQuote(Name(i.direction));
  out += ",\"channel\":" + JsonQuote(i.channel);
  out += ",\"subject\":" + JsonQuote(i.subject);
  out += ",\"body\":" + JsonQuote(i.body);
  out += ",\"outcome\":" + JsonQuote(i.outcome);
  out += ",\"duration_seconds\":" + std::to_string(i.duration_seconds);
  out += ",\"occurred_at\":" + JsonQuote(FormatTimestamp(i.occurred_at));
  out += ",\"customer_ids\":" + JsonIntArray(i.customer_ids);
  out += ",\"participants\":" + parts;
  out += ",\"call_id\":" + (i.call_id ? JsonQuote(*i.call_id) : std::string("null"));
  out += ",\"created_by\":" + (i.created_by ? std::to_string(*i.created_by) : std::string("null"));
  out += ",\"created_by_name\":" + JsonQuote(i.created_by_name);
  out += ",\"created_at\":" + JsonQuote(FormatTimestamp(i.created_at));
  out += ",\"updated_at\":" + JsonQuote(FormatTimestamp(i.updated_at));
  out += ",\"version\":" + std::to_string(i.version);
  out += '}';
  return out;
}

Result<std::vector<timeline::Entry>> AuditTimelineSource::Page(
    const identity::Principal& who, int64_t customer_id,
    const std::optional<timeline::Cursor>& after, int limit) {
  std::optional<Before> before;
  if (after) before = timeline::BoundFor("audit", *after);
  KEHU_ASSIGN_OR_RETURN(auto rows, repo_.CustomerAudit(who.org_id, customer_id, before, limit));
  std::vector<timeline::Entry> out;
  out.reserve(rows.size());
  for (const auto& a : rows) {
    std::string changes = "[";
    std::string fields;
    for (size_t k = 0; k < a.changes.size(); ++k) {
      const auto& ch = a.changes[k];
      if (k) {
        changes += ',';
        fields += ", ";
      }
      changes += "{\"field\":" + JsonQuote(ch.field) +
                 ",\"before\":" + (ch.before.empty() ? "null" : ch.before) +
                 ",\"after\":" + (ch.after.empty() ? "null" : ch.after) + "}";
      fields += ch.field;
    }
    changes += ']';
    std::string data =
        "{\"id\":" + std::to_string(a.id) + ",\"action\":" + JsonQuote(a.action) +
        ",\"entity\":" + JsonQuote(a.entity) + ",\"entity_id\":" + std::to_string(a.entity_id) +
        ",\"actor_id\":" + (a.actor_id ? std::to_string(*a.actor_id) : std::string("null")) +
        ",\"actor_name\":" + JsonQuote(a.actor_name) + ",\"changes\":" + changes + "}";
    out.push_back(timeline::Entry{.kind = "audit",
                                  .id = a.id,
                                  .occurred_at = a.at,
                                  .title = a.action,
                                  .summary = fields,
                                  .actor = a.actor_name,
                                  .data_json = std::move(data)});
  }
  return out;
}

Result<std::vector<timeline::Entry>> InteractionTimelineSource::Page(
    const identity::Principal& who, int64_t customer_id,
    const std::optional<timeline::Cursor>& after, int limit) {
  std::optional<Before> before;
  if (after) before = timeline::BoundFor("interaction", *after);
  KEHU_ASSIGN_OR_RETURN(auto rows, service_.ForCustomer(who, customer_id, before, limit));
  std::vector<timeline::Entry> out;
  out.reserve(rows.size());
  for (const auto& i : rows) {
    std::string title = Name(i.type);
    if (!i.subject.empty()) title += " · " + i.subject;
    std::string summary = i.body;
    if (summary.size() > 280) {  // cut on a UTF-8 character boundary
      size_t n = 280;
      while (n > 0 && (static_cast<unsigned char>(summary[n]) & 0xC0) == 0x80) --n;
      summary.resize(n);
    }
    out.push_back(timeline::Entry{.kind = "interaction",
                                  .id = i.id,
                                  .occurred_at = i.occurred_at,
                                  .title = std::move(title),
                                  .summary = std::move(summary),
                                  .actor = i.created_by_name,
                                  .data_json = InteractionJson(i)});
  }
  return out;
}

}  // namespace kehu::interactions
