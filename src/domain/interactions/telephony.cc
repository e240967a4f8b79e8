#include "domain/interactions/telephony.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "text/phone.h"

namespace kehu::interactions {

using identity::Principal;

int64_t PopHub::Subscribe(int64_t org_id, int64_t user_id, Sink sink) {
  std::lock_guard lock(mu_);
  for (auto it = subs_.begin(); it != subs_.end();)  // drop streams that went away
    it = it->second.sink.alive && !it->second.sink.alive() ? subs_.erase(it) : std::next(it);
  int64_t id = next_id_++;
  subs_[id] = Sub{org_id, user_id, std::move(sink)};
  return id;
}

void PopHub::Unsubscribe(int64_t id) {
  std::lock_guard lock(mu_);
  subs_.erase(id);
}

bool PopHub::HasSubscribers(int64_t org_id, int64_t user_id) {
  std::lock_guard lock(mu_);
  for (const auto& [id, s] : subs_)
    if (s.org_id == org_id && s.user_id == user_id) return true;
  return false;
}

int PopHub::Publish(int64_t org_id, int64_t user_id, const Pop& pop) {
  std::lock_guard lock(mu_);
  int n = 0;
  for (auto it = subs_.begin(); it != subs_.end();) {
    if (it->second.org_id == org_id && it->second.user_id == user_id) {
      if (!it->second.sink.deliver(pop)) {
        it = subs_.erase(it);
        continue;
      }
      ++n;
    }
    ++it;
  }
  return n;
}

std::string SignTelephony(const std::string& secret, const std::string& timestamp,
                          const std::string& body) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(timestamp.data()),
                                timestamp.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>("."), 1);
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

Result<std::string> TelephonyService::RotateSecret(const Principal& p) {
  if (!identity::IsAdmin(p))
    return MakeError(ErrorCode::kPermissionDenied, "only an admin may set the telephony secret");
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  std::string secret = std::string("whsec_") + hex;
  KEHU_RETURN_IF_ERROR(repo_.SetTelephonySecret(p.org_id, secret, p.user_id, clock_.Now()));
  std::lock_guard lock(secrets_mu_);
  secrets_.erase(p.org_id);
  return secret;
}

Result<std::optional<std::string>> TelephonyService::Secret(int64_t org_id) {
  const UnixMillis now = clock_.Now();
  {
    std::lock_guard lock(secrets_mu_);
    auto it = secrets_.find(org_id);
    if (it != secrets_.end() && it->second.until > now) return it->second.secret;
  }
  KEHU_ASSIGN_OR_RETURN(auto secret, repo_.GetTelephonySecret(org_id));
  std::lock_guard lock(secrets_mu_);
  secrets_[org_id] = CachedSecret{secret, now + kSecretCacheMillis};
  return secret;
}

Result<std::string> TelephonyService::Verify(const Principal& p, const std::string& timestamp,
                                             const std::string& signature,
                                             const std::string& body) {
  auto denied = [](std::string m) { return MakeError(ErrorCode::kUnauthenticated, std::move(m)); };
  int64_t ts = 0;
  auto [ptr, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (timestamp.empty() || timestamp.size() > 12 || ec != std::errc() ||
      ptr != timestamp.data() + timestamp.size())
    return denied("X-Kehu-Timestamp must be unix seconds");
  const int64_t skew = clock_.Now() - ts * 1000;
  if (skew > kSignatureWindowMillis || skew < -kSignatureWindowMillis)
    return denied("X-Kehu-Timestamp is more than 5 minutes from now");
  const std::string prefix = "sha256=";
  if (signature.size() != prefix.size() + 64 || signature.compare(0, prefix.size(), prefix) != 0)
    return denied("X-Kehu-Signature must be sha256=<64 hex digits>");
  std::string given = signature.substr(prefix.size());
  std::transform(given.begin(), given.end(), given.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  KEHU_ASSIGN_OR_RETURN(auto secret, Secret(p.org_id));
  if (!secret)
    return denied("no telephony secret is set for this org (POST /api/v1/telephony/secret)");
  const std::string expected = SignTelephony(*secret, timestamp, body);
  if (sodium_memcmp(expected.data(), given.data(), expected.size()) != 0)
    return denied("bad signature");
  return given;
}

Result<std::optional<Principal>> TelephonyService::Agent(int64_t org_id,
                                                         const std::string& username) {
  const UnixMillis now = clock_.Now();
  {
    std::lock_guard lock(agents_mu_);
    auto it = agents_.find({org_id, username});
    if (it != agents_.end() && it->second.until > now) return it->second.principal;
  }
  std::optional<Principal> out;
  KEHU_ASSIGN_OR_RETURN(auto rec, users_.FindUserByUsername(username));
  if (rec && rec->user.org_id == org_id && rec->user.active) {
    Principal p{.org_id = org_id,
                .user_id = rec->user.id,
                .name = rec->user.display_name,
                .role = rec->user.role};
    std::set<int64_t> teams(rec->user.team_ids.begin(), rec->user.team_ids.end());
    if (p.role == identity::Role::kManager) {
      KEHU_ASSIGN_OR_RETURN(auto led, users_.TeamsLedBy(org_id, rec->user.id));
      teams.insert(led.begin(), led.end());
    }
    p.team_ids.assign(teams.begin(), teams.end());
    out = std::move(p);
  }
  std::lock_guard lock(agents_mu_);
  if (agents_.size() > 10000) agents_.clear();
  agents_[{org_id, username}] = CachedAgent{out, now + 10000};
  return out;
}

namespace {

std::optional<customers::Customer> Find(customers::CustomerService& cs, const Principal& p,
                                        const std::string& phone) {
  if (phone.empty()) return std::nullopt;
  auto r = cs.LookupByPhone(p, phone);
  if (!r.ok()) return std::nullopt;
  return *r;
}

Interaction CallInteraction(const Call& c, const std::string& agent_name) {
  Interaction i;
  i.org_id = c.org_id;
  i.type = Type::kCall;
  i.direction = c.direction;
  i.channel = "phone";
  i.outcome = c.answered_at ? "answered" : "missed";
  i.duration_seconds = (c.answered_at && c.hangup_at)
                           ? std::max<int64_t>(0, (*c.hangup_at - *c.answered_at) / 1000)
                           : 0;
  i.occurred_at = c.ringing_at    ? *c.ringing_at
                  : c.answered_at ? *c.answered_at
                                  : c.hangup_at.value_or(c.created_at);
  i.body = c.from_number + " → " + c.to_number;
  if (c.customer_id) i.customer_ids.push_back(*c.customer_id);
  if (c.agent_id) i.participants.push_back({"user", *c.agent_id});
  i.call_id = c.call_id;
  i.created_by = c.agent_id;
  i.created_by_name = agent_name;
  i.version = 1;
  return i;
}

}  // namespace

// What Apply knows before the write, and what the write's decision leaves for after it.
struct TelephonyService::EventPlan {
  int64_t org_id{0};
  std::string call_id{};
  CallState state{CallState::kRinging};
  UnixMillis now{0};
  UnixMillis at{0};
  Principal agent{};
  std::string from{}, to{};
  Direction direction{Direction::kInbound};
  std::optional<customers::Customer> customer{};
  // Set by the decision (on the writer's thread, read after the commit).
  bool changed{false};
  bool newly_ringing{false};
};

Result<std::shared_ptr<TelephonyService::EventPlan>> TelephonyService::PlanEvent(const Principal& p,
                                                                                 const CallEvent& ev) {
  std::vector<FieldError> errs;
  auto state = ParseCallState(ev.event);
  if (!state) errs.push_back({"event", "must be ringing, answered or hangup"});
  if (ev.call_id.empty() || ev.call_id.size() > 128)
    errs.push_back({"call_id", "must be 1-128 bytes"});
  if (ev.from.size() > 64) errs.push_back({"from", "must be at most 64 bytes"});
  if (ev.to.size() > 64) errs.push_back({"to", "must be at most 64 bytes"});
  const UnixMillis now = clock_.Now();
  UnixMillis at = now;
  if (ev.at) {
    if (auto t = ParseTimestamp(*ev.at))
      at = *t;
    else
      errs.push_back({"at", "must be an RFC 3339 timestamp"});
  }
  std::optional<Principal> agent;
  if (ev.agent.empty()) {
    errs.push_back({"agent", "is required"});
  } else {
    KEHU_ASSIGN_OR_RETURN(agent, Agent(p.org_id, ev.agent));
    if (!agent) errs.push_back({"agent", "no such active user"});
  }
  if (!errs.empty()) return InvalidArgument("invalid telephony event", std::move(errs));

  auto plan = std::make_shared<EventPlan>();
  plan->org_id = p.org_id;
  plan->call_id = ev.call_id;
  plan->state = *state;
  plan->now = now;
  plan->at = at;
  plan->agent = std::move(*agent);
  plan->from = text::PhoneSearchKey(ev.from);
  plan->to = text::PhoneSearchKey(ev.to);
  // Who the caller is matters only for a call seen for the first time.
  // Ringing normally opens a call, so it skips the read; another first event reads it.
  std::optional<Call> known;
  if (*state != CallState::kRinging) {
    KEHU_ASSIGN_OR_RETURN(known, repo_.GetCall(p.org_id, ev.call_id));
  }
  if (!known) {
    plan->customer = Find(customers_, p, plan->from);
    if (!plan->customer) {
      if (auto c = Find(customers_, p, plan->to)) {
        plan->customer = std::move(c);
        plan->direction = Direction::kOutbound;
      }
    }
  }
  return plan;
}

Result<CallResult> TelephonyService::Apply(const Principal& p, const std::string& signature,
                                           const CallEvent& ev) {
  KEHU_ASSIGN_OR_RETURN(auto plan, PlanEvent(p, ev));
  auto call = repo_.ApplyCallEvent(p.org_id, signature, plan->now, plan->now - 2 * kSignatureWindowMillis,
                                   ev.call_id, Decide(plan));
  return FinishEvent(*plan, std::move(call));
}

void TelephonyService::ApplyAsync(const Principal& p, const std::string& signature, const CallEvent& ev,
                                  ApplyDone done) {
  auto plan = PlanEvent(p, ev);
  if (!plan.ok()) {
    Error e = plan.error();
    return done([e] { return Result<CallResult>(e); });
  }
  std::shared_ptr<EventPlan> shared = *plan;
  repo_.ApplyCallEventAsync(p.org_id, signature, shared->now, shared->now - 2 * kSignatureWindowMillis,
                            ev.call_id, Decide(shared),
                            [this, shared, done = std::move(done)](Result<Call> call) {
                              done([this, shared, call = std::move(call)]() mutable {
                                return FinishEvent(*shared, std::move(call));
                              });
                            });
}

Result<CallResult> TelephonyService::FinishEvent(EventPlan& plan, Result<Call> call) {
  if (!call.ok()) {
    if (call.error().code == ErrorCode::kAlreadyExists)
      return MakeError(ErrorCode::kUnauthenticated,
                       "replayed request: this signature was seen already");
    return call.error();
  }
  if (plan.newly_ringing && hub_.HasSubscribers(plan.org_id, plan.agent.user_id)) {
    auto pop = Lookup(plan.agent,
                      call->direction == Direction::kOutbound ? call->to_number : call->from_number,
                      call->call_id);
    if (pop.ok()) hub_.Publish(plan.org_id, plan.agent.user_id, *pop);
  }
  return CallResult{.call = std::move(*call), .changed = plan.changed};
}

CallDecision TelephonyService::Decide(std::shared_ptr<EventPlan> plan_ptr) {
  return [plan_ptr = std::move(plan_ptr)](const std::optional<Call>& stored) -> Result<CallWrite> {
    EventPlan& plan = *plan_ptr;
    const Principal& agent = plan.agent;
    const UnixMillis now = plan.now, at = plan.at;
    CallWrite w;
    plan.newly_ringing = false;
    if (stored) {
      w.call = *stored;
    } else {
      w.call = Call{.org_id = plan.org_id,
                    .call_id = plan.call_id,
                    .state = CallState::kRinging,
                    .from_number = plan.from,
                    .to_number = plan.to,
                    .direction = plan.direction,
                    .agent_id = agent.user_id,
                    .customer_id = plan.customer ? std::optional<int64_t>(plan.customer->id) : std::nullopt,
                    .created_at = now};
      w.changed = true;
    }
    Call& c = w.call;
    if (!c.agent_id) c.agent_id = agent.user_id;
    switch (plan.state) {
      case CallState::kRinging:
        if (!c.ringing_at) {
          c.ringing_at = at;
          w.changed = true;
          plan.newly_ringing = !c.hangup_at;
        }
        break;
      case CallState::kAnswered:
        if (!c.answered_at && (!c.hangup_at || at <= *c.hangup_at)) {
          c.answered_at = at;
          if (c.state == CallState::kRinging) c.state = CallState::kAnswered;
          w.changed = true;
          if (c.interaction_id) {
            const Interaction i = CallInteraction(c, agent.name);
            w.update_interaction = std::pair{i.duration_seconds, i.outcome};
          }
        }
        break;
      case CallState::kHangup:
        if (!c.hangup_at) {
          c.hangup_at =
              std::max(at, std::max(c.ringing_at.value_or(at), c.answered_at.value_or(at)));
          c.state = CallState::kHangup;
          w.changed = true;
          Interaction i = CallInteraction(c, agent.name);
          i.created_at = i.updated_at = now;
          w.interaction_audit = customers::Audit(agent, "create", "interaction", 0,
                                                 DiffInteraction(nullptr, i), now);
          w.create_interaction = std::move(i);
        }
        break;
    }
    c.updated_at = now;
    plan.changed = w.changed;
    return w;
  };
}

Result<Pop> TelephonyService::Lookup(const Principal& agent, const std::string& phone,
                                     const std::string& call_id) {
  Pop pop;
  pop.call_id = call_id;
  pop.phone = text::PhoneSearchKey(phone);
  if (pop.phone.empty()) return InvalidArgument("invalid phone", {{"phone", "must hold digits"}});
  auto c = customers_.LookupByPhone(agent, phone);
  if (!c.ok()) {
    if (c.error().code == ErrorCode::kNotFound || c.error().code == ErrorCode::kInvalidArgument)
      return pop;
    return c.error();
  }
  pop.customer = std::move(*c);
  if (pop.customer->owner_id) pop.owner = UserOf(agent.org_id, *pop.customer->owner_id);
  pop.category = CategoryOf(agent, pop.customer->category);
  KEHU_ASSIGN_OR_RETURN(pop.recent,
                        interactions_.ForCustomer(agent, pop.customer->id, std::nullopt, 5));
  for (PopSection* s : sections_) {
    auto j = s->JsonFor(agent, pop.customer->id);
    if (j.ok()) pop.sections.emplace_back(s->name(), std::move(*j));
  }
  return pop;
}

std::optional<customers::Category> TelephonyService::CategoryOf(const Principal& p,
                                                                const std::string& key) {
  const UnixMillis now = clock_.Now();
  std::vector<customers::Category> cats;
  {
    std::lock_guard lock(refs_mu_);
    auto it = categories_.find(p.org_id);
    if (it != categories_.end() && it->second.first > now) cats = it->second.second;
  }
  if (cats.empty()) {
    auto r = customers_.ListCategories(p);
    if (!r.ok()) return std::nullopt;
    cats = std::move(*r);
    std::lock_guard lock(refs_mu_);
    categories_[p.org_id] = {now + kSecretCacheMillis, cats};
  }
  for (auto& k : cats)
    if (k.key == key) return k;
  return std::nullopt;
}

std::optional<identity::User> TelephonyService::UserOf(int64_t org_id, int64_t id) {
  const UnixMillis now = clock_.Now();
  {
    std::lock_guard lock(refs_mu_);
    auto it = users_cache_.find({org_id, id});
    if (it != users_cache_.end() && it->second.first > now) return it->second.second;
  }
  auto u = users_.GetUser(org_id, id);
  if (!u.ok()) return std::nullopt;
  std::lock_guard lock(refs_mu_);
  if (users_cache_.size() > 10000) users_cache_.clear();
  users_cache_[{org_id, id}] = {now + kSecretCacheMillis, *u};
  return *u;
}

}  // namespace kehu::interactions
