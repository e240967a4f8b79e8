#pragma once
// The customer timeline: one feed, newest first, merged from every capability that has
// something dated about a customer (audit events, interactions, complaints, orders, loyalty...).
// A capability plugs in by implementing Source and registering it in the composition root
// (cli/app.cc); the timeline endpoint merges the sources without knowing them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/identity/identity.h"

namespace kehu::timeline {

// One item on the feed. (occurred_at, kind, id) orders the feed and is its cursor.
struct Entry {
  std::string kind{};        // "audit", "interaction", "complaint", "order", ...
  int64_t id{0};             // the object's id within its kind
  UnixMillis occurred_at{0};
  std::string title{};       // one line for the feed ("来电 · 询价", "投诉 C-2026-000123")
  std::string summary{};     // a short body, may be empty
  std::string actor{};       // who did it, may be empty
  std::string data_json{};   // the object as JSON (a JSON object text), "{}" when none
};

// Position after which the next page starts: entries strictly older than this key, where
// keys compare by occurred_at desc, then kind desc, then id desc.
struct Cursor {
  UnixMillis occurred_at{0};
  std::string kind{};
  int64_t id{0};
};

// True when entry `e` comes after cursor `c` in feed order (so belongs to the next page).
inline bool After(const Entry& e, const Cursor& c) {
  if (e.occurred_at != c.occurred_at) return e.occurred_at < c.occurred_at;
  if (e.kind != c.kind) return e.kind < c.kind;
  return e.id < c.id;
}

class Source {
 public:
  virtual ~Source() = default;
  // Up to `limit` entries for the customer, newest first, strictly after `after` when given.
  // The caller has already checked that the principal may see the customer.
  virtual Result<std::vector<Entry>> Page(const identity::Principal& who, int64_t customer_id,
                                          const std::optional<Cursor>& after, int limit) = 0;
};

}  // namespace kehu::timeline
