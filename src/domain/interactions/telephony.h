#pragma once
// The contact center: signed telephony events (ringing, answered, hangup) keep calls by call_id,
// pop the caller's customer on the agent's screen, and log a call interaction on hangup.
//
// Signing: each org has one secret (created or rotated by an admin, shown once). A request
// carries X-Kehu-Timestamp (unix seconds) and X-Kehu-Signature: sha256=<hex of
// HMAC-SHA256(secret, timestamp + "." + raw body)>. A timestamp more than 5 minutes from now,
// a wrong signature, or a signature seen before (inside the window) is kUnauthenticated.
//
// Calls: ringing -> answered -> hangup. Repeated events change nothing; out-of-order events are
// merged (an answered after the hangup fills in the answer time and corrects the logged
// duration); nothing is ever a 500.
//
// Direction: the customer's number is `from` (inbound) unless `to` is a customer's phone and
// `from` is not (outbound). "Ours" is therefore any number that is not a customer's.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/customers/customer_service.h"
#include "domain/identity/identity.h"
#include "domain/identity/identity_repository.h"
#include "domain/interactions/interaction.h"
#include "domain/interactions/interaction_repository.h"
#include "domain/interactions/interaction_service.h"

namespace kehu::interactions {

// A part of the screen pop another capability contributes (open complaints, a value badge...):
// registered at start-up, asked for a JSON object text about one visible customer.
class PopSection {
 public:
  virtual ~PopSection() = default;
  virtual std::string name() const = 0;
  virtual Result<std::string> JsonFor(const identity::Principal& p, int64_t customer_id) = 0;
};

struct Pop {
  std::string call_id{};
  std::string phone{};                            // E.164 when valid, else the digits
  std::optional<customers::Customer> customer{};  // nullopt: unknown (or invisible) number
  std::optional<identity::User> owner{};
  std::optional<customers::Category> category{};
  std::vector<Interaction> recent{};                            // last five, newest first
  std::vector<std::pair<std::string, std::string>> sections{};  // name, JSON object text
};

// Delivers pops to the agents' open streams. Thread-safe.
class PopHub {
 public:
  struct Sink {
    std::function<bool(const Pop&)> deliver{};  // false: the stream is gone
    std::function<bool()> alive{};
  };
  // Returns a subscription id.
  int64_t Subscribe(int64_t org_id, int64_t user_id, Sink sink);
  void Unsubscribe(int64_t id);
  bool HasSubscribers(int64_t org_id, int64_t user_id);
  // Delivers to every stream of the user; returns how many took it.
  int Publish(int64_t org_id, int64_t user_id, const Pop& pop);

 private:
  struct Sub {
    int64_t org_id{0};
    int64_t user_id{0};
    Sink sink{};
  };
  std::mutex mu_;
  int64_t next_id_{1};
  std::map<int64_t, Sub> subs_;
};

struct CallEvent {
  std::string event{};  // ringing, answered, hangup
  std::string call_id{};
  std::string from{};
  std::string to{};
  std::string agent{};              // a Kehu username
  std::optional<std::string> at{};  // RFC 3339; default now
};

struct CallResult {
  Call call{};
  bool changed{false};  // false: a repeated event
};

inline constexpr int64_t kSignatureWindowMillis = 5LL * 60 * 1000;

// HMAC-SHA256(secret, timestamp + "." + body) in lower-case hex (libsodium).
std::string SignTelephony(const std::string& secret, const std::string& timestamp,
                          const std::string& body);

class TelephonyService {
 public:
  TelephonyService(InteractionRepository& repo, InteractionService& interactions,
                   customers::CustomerService& customers, identity::IdentityRepository& users,
                   PopHub& hub, const Clock& clock)
      : repo_(repo),
        interactions_(interactions),
        customers_(customers),
        users_(users),
        hub_(hub),
        clock_(clock) {}

  // Admin only (kPermissionDenied): a new random secret for the org, replacing the old one.
  Result<std::string> RotateSecret(const identity::Principal& p);

  // Checks the signature headers against the body. Errors: kUnauthenticated (no secret set,
  // missing or malformed headers, stale timestamp, wrong signature). Returns the signature hex.
  Result<std::string> Verify(const identity::Principal& p, const std::string& timestamp,
                             const std::string& signature, const std::string& body);
  // Applies a verified event. Errors: kUnauthenticated for a replayed signature;
  // kInvalidArgument with field errors (event, call_id, from, to, agent, at).
  Result<CallResult> Apply(const identity::Principal& p, const std::string& signature,
                           const CallEvent& ev);
  // As Apply, for a caller that must not wait (the HTTP server's I/O thread). The checks and
  // reads run on the calling thread; a bad event gets done at once. The write joins the
  // database writer's queue (InteractionRepository::AsyncWrites); once it has committed, done is
  // called on the writer's thread with a function that makes the result (and publishes the
  // screen pop of a newly ringing call), to be run where done's caller runs its answer, not on
  // the writer's thread.
  using ApplyDone = std::function<void(std::function<Result<CallResult>()>)>;
  void ApplyAsync(const identity::Principal& p, const std::string& signature, const CallEvent& ev, ApplyDone done);
  bool AsyncApply() const { return repo_.AsyncWrites(); }

  // The screen pop for a phone number as `agent` sees it. Errors: kInvalidArgument (no digits).
  Result<Pop> Lookup(const identity::Principal& agent, const std::string& phone,
                     const std::string& call_id = "");

  // Registers a section (at start-up, before serving).
  void AddSection(PopSection* s) { sections_.push_back(s); }

 private:
  Result<std::optional<identity::Principal>> Agent(int64_t org_id, const std::string& username);
  // Apply's parts: the checks and reads before the write (with the decision the write asks),
  // and what follows the commit.
  struct EventPlan;
  Result<std::shared_ptr<EventPlan>> PlanEvent(const identity::Principal& p, const CallEvent& ev);
  Result<CallResult> FinishEvent(EventPlan& plan, Result<Call> stored);
  // The write's decision for the call as stored (or not yet): its new state, the interaction a
  // hang-up creates, the update an answer makes to it. Runs on the writer's thread.
  static CallDecision Decide(std::shared_ptr<EventPlan> plan);

  InteractionRepository& repo_;
  InteractionService& interactions_;
  customers::CustomerService& customers_;
  identity::IdentityRepository& users_;
  PopHub& hub_;
  const Clock& clock_;
  std::vector<PopSection*> sections_;
  std::mutex agents_mu_;
  struct CachedAgent {
    std::optional<identity::Principal> principal{};
    UnixMillis until{0};
  };
  std::map<std::pair<int64_t, std::string>, CachedAgent> agents_;
  // The org's secret, read at most every few seconds (a rotation in this process applies at
  // once; one made by another process within kSecretCacheMillis).
  Result<std::optional<std::string>> Secret(int64_t org_id);
  struct CachedSecret {
    std::optional<std::string> secret{};
    UnixMillis until{0};
  };
  std::mutex secrets_mu_;
  std::map<int64_t, CachedSecret> secrets_;
  // The pop's reference data (category names, the owner's name) changes rarely: kept for a few
  // seconds so a pop costs two reads (the phone, the interactions).
  std::optional<customers::Category> CategoryOf(const identity::Principal& p,
                                                const std::string& key);
  std::optional<identity::User> UserOf(int64_t org_id, int64_t id);
  std::mutex refs_mu_;
  std::map<int64_t, std::pair<UnixMillis, std::vector<customers::Category>>> categories_;
  std::map<std::pair<int64_t, int64_t>, std::pair<UnixMillis, std::optional<identity::User>>>
      users_cache_;
};

inline constexpr int64_t kSecretCacheMillis = 5000;

}  // namespace kehu::interactions
