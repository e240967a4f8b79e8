#pragma once
// The customer timeline feed: merges pages from every registered timeline::Source without
// knowing them (k-way merge on (occurred_at, kind, id) descending), and the two sources this
// capability provides: the customer's audit log (kind "audit") and its interactions (kind
// "interaction").
//
// Paging: each source is asked for limit + 1 entries after the cursor; the merged list is cut
// at `limit`, and next_cursor (base64url of "occurred_at|kind|id" of the last entry) is set only
// when more entries exist. Entries with equal timestamps are ordered by kind, then id, so a
// page boundary never skips or repeats an entry.

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/customers/customer_service.h"
#include "domain/identity/identity.h"
#include "domain/interactions/interaction_repository.h"
#include "domain/interactions/interaction_service.h"
#include "domain/timeline/timeline.h"

namespace kehu::timeline {

struct FeedPage {
  std::vector<Entry> items{};
  std::optional<std::string> next_cursor{};
};

std::string EncodeFeedCursor(const Cursor& c);
std::optional<Cursor> DecodeFeedCursor(const std::string& text);

// Errors: kNotFound when the customer is not visible (checked through `customers`),
// kInvalidArgument for a bad cursor, limit (1-200) or an unknown kind in `kinds` (empty: all).
Result<FeedPage> Feed(const identity::Principal& p, customers::CustomerService& customers,
                      const std::vector<Source*>& sources, int64_t customer_id,
                      const std::string& cursor, int limit, const std::vector<std::string>& kinds);

// The bound for a source of kind `kind` whose rows are ordered by (at desc, id desc): rows
// strictly after the cursor are those with (at, id) < the returned Before.
interactions::Before BoundFor(const std::string& kind, const Cursor& c);

}  // namespace kehu::timeline

namespace kehu::interactions {

class AuditTimelineSource final : public timeline::Source {
 public:
  explicit AuditTimelineSource(InteractionRepository& repo) : repo_(repo) {}
  Result<std::vector<timeline::Entry>> Page(const identity::Principal& who, int64_t customer_id,
                                            const std::optional<timeline::Cursor>& after,
                                            int limit) override;

 private:
  InteractionRepository& repo_;
};

class InteractionTimelineSource final : public timeline::Source {
 public:
  explicit InteractionTimelineSource(InteractionService& service) : service_(service) {}
  Result<std::vector<timeline::Entry>> Page(const identity::Principal& who, int64_t customer_id,
                                            const std::optional<timeline::Cursor>& after,
                                            int limit) override;

 private:
  InteractionService& service_;
};

// The interaction as a JSON object text (the timeline's data_json, the screen pop).
std::string InteractionJson(const Interaction& i);

}  // namespace kehu::interactions
