#include "domain/service/complaint.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>

namespace kehu::service {

namespace {
constexpr const char* kStatusNames[] = {"new", "assigned", "in_progress", "waiting_customer",
                                        "resolved", "closed"};
}  // namespace

const char* Name(ComplaintStatus s) { return kStatusNames[static_cast<int>(s)]; }

std::optional<ComplaintStatus> ParseStatus(std::string_view s) {
  for (int i = 0; i < 6; ++i)
    if (s == kStatusNames[i]) return static_cast<ComplaintStatus>(i);
  return std::nullopt;
}

std::vector<ComplaintStatus> AllowedTransitions(ComplaintStatus from) {
  switch (from) {
    case ComplaintStatus::kNew: return {ComplaintStatus::kAssigned};
    case ComplaintStatus::kAssigned: return {ComplaintStatus::kInProgress};
    case ComplaintStatus::kInProgress: return {ComplaintStatus::kWaitingCustomer, ComplaintStatus::kResolved};
    case ComplaintStatus::kWaitingCustomer: return {ComplaintStatus::kInProgress, ComplaintStatus::kResolved};
    case ComplaintStatus::kResolved: return {ComplaintStatus::kClosed, ComplaintStatus::kInProgress};
    case ComplaintStatus::kClosed: return {ComplaintStatus::kInProgress};
  }
  return {};
}

bool IsOpen(ComplaintStatus s) { return s != ComplaintStatus::kResolved && s != ComplaintStatus::kClosed; }

bool ValidChannel(std::string_view s) {
  return std::any_of(std::begin(kChannels), std::end(kChannels), [&](const char* c) { return s == c; });
}

std::string Clip(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

const char* Name(Target t) { return t == Target::kResponse ? "response" : "resolution"; }

int64_t ElapsedMillis(const Complaint& c, const Calendar& cal, UnixMillis now) {
  int64_t e = c.sla_elapsed_ms;
  if (c.sla_running_since && now > *c.sla_running_since) e += cal.BusinessMillis(*c.sla_running_since, now);
  return e;
}

void PauseClock(Complaint& c, const Calendar& cal, UnixMillis now) {
  c.sla_elapsed_ms = ElapsedMillis(c, cal, now);
  c.sla_running_since.reset();
}

void StartClock(Complaint& c, UnixMillis now) {
  if (!c.sla_running_since) c.sla_running_since = now;
}

bool TargetActive(const Complaint& c, Target t) {
  if (t == Target::kResponse) return !c.first_response_at && IsOpen(c.status);
  return IsOpen(c.status);
}

int64_t TargetMillis(const Complaint& c, Target t) {
  return t == Target::kResponse ? c.response_target_ms : c.resolution_target_ms;
}

int& Level(Complaint& c, Target t) { return t == Target::kResponse ? c.response_level : c.resolution_level; }
int LevelOf(const Complaint& c, Target t) {
  return t == Target::kResponse ? c.response_level : c.resolution_level;
}

namespace {
int64_t Threshold(int64_t target_ms, int step) { return target_ms * step / 100; }
}  // namespace

std::vector<DueStep> DueSteps(const Complaint& c, const Calendar& cal, UnixMillis now) {
  std::vector<DueStep> out;
  const int64_t elapsed = ElapsedMillis(c, cal, now);
  for (Target t : {Target::kResponse, Target::kResolution}) {
    if (!TargetActive(c, t) || TargetMillis(c, t) <= 0) continue;
    for (int i = LevelOf(c, t); i < 3; ++i) {
      if (Threshold(TargetMillis(c, t), kSteps[i]) > elapsed) break;
      out.push_back({t, kSteps[i], now});
    }
  }
  return out;
}

std::optional<UnixMillis> NextEscalationAt(const Complaint& c, const Calendar& cal) {
  if (!c.sla_running_since) return std::nullopt;
  std::optional<UnixMillis> best;
  for (Target t : {Target::kResponse, Target::kResolution}) {
    const int level = LevelOf(c, t);
    if (!TargetActive(c, t) || TargetMillis(c, t) <= 0 || level >= 3) continue;
    const int64_t left = Threshold(TargetMillis(c, t), kSteps[level]) - c.sla_elapsed_ms;
    auto at = cal.AddBusinessMillis(*c.sla_running_since, std::max<int64_t>(left, 0));
    if (at && (!best || *at < *best)) best = at;
  }
  return best;
}

int CategoryWeight(std::string_view cat) {
  if (cat == "group_purchase" || cat == "distributor") return 30;
  if (cat == "consignment") return 20;
  return 10;
}

double PriorityScore(const PriorityInput& in) {
  double importance = CategoryWeight(in.customer_category) + (in.vip ? 20.0 : 0.0);
  if (in.value_percentile) importance += 20.0 * std::clamp(*in.value_percentile, 0.0, 1.0);
  const double severity = 10.0 * (5 - std::clamp(in.severity, 1, 4));
  double urgency = 0;
  if (in.sla_fraction_used) urgency = 40.0 * std::clamp(*in.sla_fraction_used, 0.0, 1.5) / 1.5;
  return importance + severity + urgency;
}

namespace {
std::string Hmac(const std::string& secret, const std::string& msg) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex);
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 0;
}
}  // namespace

std::string SignSurveyToken(const std::string& secret, int64_t org_id, int64_t complaint_id,
                            UnixMillis expires_at) {
  std::string msg = std::to_string(org_id);
  msg += '-';
  msg += std::to_string(complaint_id);
  msg += '-';
  msg += std::to_string(expires_at);
  std::string mac = Hmac(secret, msg);
  msg += '-';
  msg += mac;
  return msg;
}

Result<SurveyClaim> VerifySurveyToken(const std::string& secret, std::string_view token, UnixMillis now) {
  const Error bad = NotFound("no such survey");
  if (token.size() > 200) return bad;
  size_t d1 = token.find('-'), d2 = d1 == std::string_view::npos ? d1 : token.find('-', d1 + 1),
         d3 = d2 == std::string_view::npos ? d2 : token.find('-', d2 + 1);
  if (d3 == std::string_view::npos) return bad;
  SurveyClaim c;
  if (!ParseInt(token.substr(0, d1), &c.org_id) || !ParseInt(token.substr(d1 + 1, d2 - d1 - 1), &c.complaint_id) ||
      !ParseInt(token.substr(d2 + 1, d3 - d2 - 1), &c.expires_at))
    return bad;
  std::string_view mac = token.substr(d3 + 1);
  const std::string want = Hmac(secret, std::string(token.substr(0, d3)));
  if (mac.size() != want.size() || sodium_memcmp(mac.data(), want.data(), want.size()) != 0) return bad;
  if (now >= c.expires_at) return MakeError(ErrorCode::kFailedPrecondition, "this survey link has expired");
  return c;
}

}  // namespace kehu::service
