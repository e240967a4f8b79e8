#include "domain/customers/customer_service.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "core/cursor.h"
#include "core/strings.h"
#include "domain/customers/customer_search.h"
#include "text/chinese.h"
#include "text/phone.h"

namespace kehu::customers {

using identity::AuditEntry;
using identity::FieldChange;
using identity::Principal;

namespace {

constexpr const char* kBuiltinCategories[][3] = {
    {"group_purchase", "团购客户", "Group purchase"},
    {"distributor", "经销商", "Distributor"},
    {"consignment", "代销商", "Consignment agent"},
    {"online_consumer", "线上消费者", "Online consumer"},
};

bool ValidEmail(const std::string& e) {
  // Pragmatic RFC 5321 shape: local@domain.tld, no spaces, one '@', domain with a dot.
  if (e.size() < 3 || e.size() > 254) return false;
  size_t at = e.find('@');
  if (at == std::string::npos || at == 0 || e.find('@', at + 1) != std::string::npos) return false;
  std::string_view local(e.data(), at), domain(e.data() + at + 1, e.size() - at - 1);
  if (local.size() > 64 || domain.size() < 3) return false;
  if (domain.find('.') == std::string::npos || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string::npos)
    return false;
  for (char c : e)
    if (static_cast<unsigned char>(c) <= ' ' || c == '(' || c == ')' || c == ',' || c == ';' ||
        c == ':' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\' || c == '"')
      return false;
  return true;
}

std::string Q(const std::string& s) { return JsonQuote(s); }
std::string Q(const std::optional<std::string>& s) { return s ? JsonQuote(*s) : "null"; }
std::string Q(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }
std::string Q(bool b) { return b ? "true" : "false"; }
std::string Q(const std::optional<CivilDate>& d) { return d ? JsonQuote(FormatDate(*d)) : "null"; }

std::string FieldValueJson(const FieldValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return "null";
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* d = std::get_if<double>(&v)) {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return std::string(buf, p);
  }
  return JsonQuote(std::get<std::string>(v));
}

std::string ConsentsJson(const std::vector<Consent>& cs) {
  std::string out = "[";
  for (size_t i = 0; i < cs.size(); ++i) {
    if (i) out += ',';
    out += "{\"channel\":" + Q(cs[i].channel) + ",\"granted\":" + Q(cs[i].granted) +
           ",\"at\":" + Q(FormatTimestamp(cs[i].at)) + ",\"source\":" + Q(cs[i].source) + "}";
  }
  return out + "]";
}

std::string CustomJson(const std::map<std::string, FieldValue>& m) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ',';
    first = false;
    out += Q(k) + ":" + FieldValueJson(v);
  }
  return out + "}";
}

std::string AddressJson(const Address& a) {
  return "{\"province\":" + Q(a.province) + ",\"city\":" + Q(a.city) + ",\"district\":" +
         Q(a.district) + ",\"street\":" + Q(a.street) + "}";
}

}  // namespace

// Field-by-field audit changes from before to after (before == nullptr: creation, where each
// field set differs from an empty record's and its before is null: there was no record).
std::vector<FieldChange> Diff(const Customer* b, const Customer& a) {
  std::vector<FieldChange> out;
  auto add = [&](const char* field, std::string before, std::string after) {
    if (before == after) return;
    out.push_back({field, b ? std::move(before) : std::string("null"), std::move(after)});
  };
  const Customer empty{};
  const Customer& x = b ? *b : empty;
  const std::string none = "null";
  add("kind", b ? Q(std::string(Name(x.kind))) : none, Q(std::string(Name(a.kind))));
  add("name", b ? Q(x.name) : none, Q(a.name));
  add("family_name", Q(x.family_name), Q(a.family_name));
  add("given_name", Q(x.given_name), Q(a.given_name));
  add("gender", b ? Q(std::string(Name(x.gender))) : none, Q(std::string(Name(a.gender))));
  add("birthday", Q(x.birthday), Q(a.birthday));
  add("birthday_lunar", Q(x.birthday_lunar), Q(a.birthday_lunar));
  add("category", b ? Q(x.category) : none, Q(a.category));
  add("lifecycle_stage", b ? Q(std::string(Name(x.lifecycle_stage))) : none,
      Q(std::string(Name(a.lifecycle_stage))));
  add("relationship_level", b ? Q(std::string(Name(x.relationship_level))) : none,
      Q(std::string(Name(a.relationship_level))));
  add("owner_id", Q(x.owner_id), Q(a.owner_id));
  add("shared_with", JsonIntArray(x.shared_with), JsonIntArray(a.shared_with));
  add("tags", JsonStringArray(x.tags), JsonStringArray(a.tags));
  add("source_channel", Q(x.source_channel), Q(a.source_channel));
  add("vip", Q(x.vip), Q(a.vip));
  add("external_id", Q(x.external_id), Q(a.external_id));
  add("organization", Q(x.organization), Q(a.organization));
  add("note", Q(x.note), Q(a.note));
  add("address", AddressJson(x.address), AddressJson(a.address));
  add("phones", JsonStringArray(x.phones), JsonStringArray(a.phones));
  add("emails", JsonStringArray(x.emails), JsonStringArray(a.emails));
  add("consents", ConsentsJson(x.consents), ConsentsJson(a.consents));
  add("custom_fields", CustomJson(x.custom_fields), CustomJson(a.custom_fields));
  return out;
}

identity::AuditEntry Audit(const Principal& p, const std::string& action, const std::string& entity,
                           int64_t id, std::vector<FieldChange> changes, UnixMillis now) {
  AuditEntry e;
  e.org_id = p.org_id;
  e.at = now;
  e.actor_id = p.user_id;
  e.actor_name = p.name;
  e.action = action;
  e.entity = entity;
  e.entity_id = id;
  e.changes = std::move(changes);
  return e;
}

namespace {

void CheckText(std::vector<FieldError>& errs, const std::string& field, const std::string& v,
               size_t max, bool required = false) {
  if (required && Trim(v).empty()) errs.push_back({field, "is required"});
  else if (v.size() > max) errs.push_back({field, "must be at most " + std::to_string(max) + " bytes"});
  else if (!text::IsValidUtf8(v)) errs.push_back({field, "must be valid UTF-8"});
}

Status NormalizePhones(const std::vector<std::string>& in, std::vector<std::string>& out,
                       std::vector<FieldError>& errs, const std::string& field) {
  out.clear();
  if (in.size() > kMaxListItems) {
    errs.push_back({field, "at most 20 phone numbers"});
    return Status::Ok();
  }
  for (size_t i = 0; i < in.size(); ++i) {
    auto r = text::NormalizePhone(in[i], "CN");
    if (!r.ok()) {
      errs.push_back({field + "[" + std::to_string(i) + "]", "is not a valid phone number"});
      continue;
    }
    if (std::find(out.begin(), out.end(), *r) == out.end()) out.push_back(*r);
  }
  return Status::Ok();
}

void NormalizeEmails(const std::vector<std::string>& in, std::vector<std::string>& out,
                     std::vector<FieldError>& errs, const std::string& field) {
  out.clear();
  if (in.size() > kMaxListItems) {
    errs.push_back({field, "at most 20 email addresses"});
    return;
  }
  for (size_t i = 0; i < in.size(); ++i) {
    std::string e = AsciiLower(Trim(in[i]));
    if (!ValidEmail(e)) {
      errs.push_back({field + "[" + std::to_string(i) + "]", "is not a valid email address"});
      continue;
    }
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
  }
}

bool IsVisibleLive(const Customer& c) { return !c.deleted_at && !c.merged_into; }

Error StaleVersion(int64_t current) {
  return MakeError(ErrorCode::kAborted,
                   "the customer was changed by someone else (current version " +
                       std::to_string(current) + ")");
}

}  // namespace

Status CustomerService::EnsureBuiltinCategories(int64_t org_id) {
  KEHU_ASSIGN_OR_RETURN(auto existing, repo_.ListCategories(org_id));
  for (const auto& b : kBuiltinCategories) {
    bool have = std::any_of(existing.begin(), existing.end(),
                            [&](const Category& c) { return c.key == b[0]; });
    if (have) continue;
    auto r = repo_.CreateCategory(
        Category{.org_id = org_id, .key = b[0], .name_zh = b[1], .name_en = b[2], .builtin = true});
    ForgetRules();
    if (!r.ok() && r.error().code != ErrorCode::kAlreadyExists) return r.error();
  }
  return Status::Ok();
}

Status CustomerService::EnsureSearchTextState(int64_t org_id) {
  return repo_.SetSearchTextVersionIfNoCustomers(org_id, kSearchTextVersion, clock_.Now());
}

Result<std::vector<int64_t>> CustomerService::OrgsWithOldSearchTexts(bool every_org) {
  KEHU_ASSIGN_OR_RETURN(auto versions, repo_.SearchTextVersions());
  std::vector<int64_t> out;
  for (const auto& [org, version] : versions)
    if (every_org || version < kSearchTextVersion) out.push_back(org);
  return out;
}

Result<CustomerService::RebuildProgress> CustomerService::RebuildSearchTexts(
    int64_t org_id, const std::function<bool(const RebuildProgress&)>& keep_going, int batch) {
  if (batch < 1) return InvalidArgument("batch must be at least 1");
  RebuildProgress progress;
  int64_t after = 0;
  for (;;) {
    KEHU_ASSIGN_OR_RETURN(auto rows, repo_.ListLiveAfter(org_id, after, batch));
    if (rows.empty()) break;
    std::vector<SearchRewrite> rewrites;
    rewrites.reserve(rows.size());
    for (const auto& c : rows)
      rewrites.push_back(SearchRewrite{.id = c.id, .version = c.version, .search = BuildSearchText(c)});
    after = rows.back().id;
    KEHU_ASSIGN_OR_RETURN(auto changed, repo_.RewriteSearchTexts(org_id, rewrites));
    progress.scanned += static_cast<int64_t>(rows.size());
    progress.rewritten += changed;
    if (static_cast<int>(rows.size()) < batch) break;  // that was the last one
    if (keep_going && !keep_going(progress)) return progress;
  }
  KEHU_RETURN_IF_ERROR(repo_.SetSearchTextVersion(org_id, kSearchTextVersion, clock_.Now()));
  return progress;
}

Result<CustomerService::Rules> CustomerService::LoadRules(int64_t org_id) {
  uint64_t generation = 0;
  {
    std::lock_guard lock(rules_mu_);
    generation = rules_generation_;
  }
  Rules r;
  KEHU_ASSIGN_OR_RETURN(r.categories, repo_.ListCategories(org_id));
  KEHU_ASSIGN_OR_RETURN(r.field_defs, repo_.ListFieldDefs(org_id));
  std::lock_guard lock(rules_mu_);
  // A change made while we read may not be in what we read: keep it out of the cache then.
  if (generation == rules_generation_)
    rules_cache_[org_id] = CachedRulesEntry{std::make_shared<const Rules>(r), clock_.Now() + kRulesCacheMs};
  return r;
}

Result<std::shared_ptr<const CustomerService::Rules>> CustomerService::CachedRules(int64_t org_id,
                                                                                   bool* from_cache) {
  {
    std::lock_guard lock(rules_mu_);
    auto it = rules_cache_.find(org_id);
    const UnixMillis now = clock_.Now();
    // A clock moved backwards (a test clock) must not keep an entry alive for ever.
    if (it != rules_cache_.end() && it->second.until > now && it->second.until - now <= kRulesCacheMs) {
      *from_cache = true;
      return it->second.rules;
    }
  }
  *from_cache = false;
  KEHU_ASSIGN_OR_RETURN(auto fresh, LoadRules(org_id));
  return std::make_shared<const Rules>(std::move(fresh));
}

void CustomerService::ForgetRules() {
  std::lock_guard lock(rules_mu_);
  ++rules_generation_;
  rules_cache_.clear();
}

Status CustomerService::Apply(const Principal& p, const Rules& rules, const CustomerPatch& in,
                              Customer& c, const Customer* before) {
  std::vector<FieldError> errs;
  const bool creating = before == nullptr;
  if (in.kind) {
    if (auto k = ParseKind(*in.kind)) c.kind = *k;
    else errs.push_back({"kind", "must be person or organization"});
  }
  if (in.name) {
    c.name = std::string(Trim(*in.name));
    CheckText(errs, "name", c.name, kMaxNameBytes, true);
  } else if (creating) {
    errs.push_back({"name", "is required"});
  }
  if (in.family_name) { c.family_name = *in.family_name; CheckText(errs, "family_name", c.family_name, 100); }
  if (in.given_name) { c.given_name = *in.given_name; CheckText(errs, "given_name", c.given_name, 100); }
  if (in.gender) {
    if (auto g = ParseGender(*in.gender)) c.gender = *g;
    else errs.push_back({"gender", "must be male, female or unknown"});
  }
  if (in.birthday) {
    if (!*in.birthday) {
      c.birthday.reset();
    } else if (auto d = ParseDate(**in.birthday)) {
      CivilDate today = CivilFromDays(clock_.Now() / 86400000);
      if (d->year < 1900 || DaysFromCivil(*d) > DaysFromCivil(today))
        errs.push_back({"birthday", "must be between 1900-01-01 and today"});
      c.birthday = *d;
    } else {
      errs.push_back({"birthday", "must be a date YYYY-MM-DD"});
    }
  }
  if (in.birthday_lunar) c.birthday_lunar = *in.birthday_lunar;
  if (in.lifecycle_stage) {
    if (auto v = ParseLifecycle(*in.lifecycle_stage)) c.lifecycle_stage = *v;
    else errs.push_back({"lifecycle_stage", "must be prospect, active, at_risk, lost or won_back"});
  }
  if (in.relationship_level) {
    if (auto v = ParseRelationship(*in.relationship_level)) c.relationship_level = *v;
    else errs.push_back({"relationship_level",
                         "must be basic, reactive, accountable, proactive or partnership"});
  }
  if (in.category) c.category = *in.category;
  if (creating && c.category.empty())
    c.category = c.kind == Kind::kOrganization ? "group_purchase" : "online_consumer";
  if (in.category || creating) {
    const auto& cats = rules.categories;
    if (std::none_of(cats.begin(), cats.end(), [&](const Category& k) { return k.key == c.category; }))
      errs.push_back({"category", "is not a category of this organisation"});
  }
  if (in.owner_id) {
    c.owner_id = *in.owner_id;
    if (p.role == identity::Role::kSales && c.owner_id && *c.owner_id != p.user_id)
      errs.push_back({"owner_id", "sales users may only own customers themselves"});
  } else if (creating && p.role == identity::Role::kSales) {
    c.owner_id = p.user_id;
  }
  if (in.shared_with) {
    if (in.shared_with->size() > 50) errs.push_back({"shared_with", "at most 50 users"});
    std::set<int64_t> s(in.shared_with->begin(), in.shared_with->end());
    c.shared_with.assign(s.begin(), s.end());
  }
  if (in.tags) {
    c.tags.clear();
    if (in.tags->size() > kMaxListItems) errs.push_back({"tags", "at most 20 tags"});
    for (size_t i = 0; i < in.tags->size(); ++i) {
      std::string t(Trim((*in.tags)[i]));
      if (t.empty() || t.size() > kMaxTagBytes || !text::IsValidUtf8(t))
        errs.push_back({"tags[" + std::to_string(i) + "]", "must be 1-50 bytes of text"});
      else if (std::find(c.tags.begin(), c.tags.end(), t) == c.tags.end())
        c.tags.push_back(t);
    }
  }
  if (in.source_channel) { c.source_channel = *in.source_channel; CheckText(errs, "source_channel", c.source_channel, 50); }
  if (in.vip) c.vip = *in.vip;
  if (in.external_id) {
    c.external_id = *in.external_id;
    if (c.external_id && Trim(*c.external_id).empty()) c.external_id.reset();  // "" clears it
    if (c.external_id && (c.external_id->empty() || c.external_id->size() > 100))
      errs.push_back({"external_id", "must be 1-100 bytes"});
  }
  if (in.organization) { c.organization = *in.organization; CheckText(errs, "organization", c.organization, kMaxTextBytes); }
  if (in.note) { c.note = *in.note; CheckText(errs, "note", c.note, kMaxNoteBytes); }
  if (in.address) {
    c.address = *in.address;
    CheckText(errs, "address.province", c.address.province, 50);
    CheckText(errs, "address.city", c.address.city, 50);
    CheckText(errs, "address.district", c.address.district, 50);
    CheckText(errs, "address.street", c.address.street, kMaxTextBytes);
  }
  if (in.phones) KEHU_RETURN_IF_ERROR(NormalizePhones(*in.phones, c.phones, errs, "phones"));
  if (in.emails) NormalizeEmails(*in.emails, c.emails, errs, "emails");
  if (in.consents) {
    std::vector<Consent> out;
    for (size_t i = 0; i < in.consents->size(); ++i) {
      const auto& ci = (*in.consents)[i];
      std::string f = "consents[" + std::to_string(i) + "]";
      bool known = std::any_of(std::begin(kConsentChannels), std::end(kConsentChannels),
                               [&](const char* ch) { return ci.channel == ch; });
      if (!known) { errs.push_back({f + ".channel", "must be sms, email, phone, wechat or mail"}); continue; }
      if (std::any_of(out.begin(), out.end(), [&](const Consent& o) { return o.channel == ci.channel; })) {
        errs.push_back({f + ".channel", "appears twice"});
        continue;
      }
      CheckText(errs, f + ".source", ci.source, 200);
      Consent k{.channel = ci.channel, .granted = ci.granted, .at = clock_.Now(), .source = ci.source};
      if (ci.at) {
        if (auto t = ParseTimestamp(*ci.at)) k.at = *t;
        else errs.push_back({f + ".at", "must be an RFC 3339 timestamp"});
      } else if (before) {
        // Unchanged consent keeps its original time: the time is when it was given.
        for (const auto& old : before->consents)
          if (old.channel == k.channel && old.granted == k.granted && old.source == k.source) k.at = old.at;
      }
      out.push_back(k);
    }
    c.consents = std::move(out);
  }
  if (in.custom_fields) {
    const auto& defs = rules.field_defs;
    std::map<std::string, FieldValue> out;
    for (const auto& [key, v] : *in.custom_fields) {
      const std::string& k = key;  // a plain reference: lambdas may not capture bindings (C++20)
      std::string f = "custom_fields." + k;
      auto def = std::find_if(defs.begin(), defs.end(), [&k](const CustomFieldDef& d) { return d.key == k; });
      if (def == defs.end()) { errs.push_back({f, "is not a defined custom field"}); continue; }
      if (std::holds_alternative<std::monostate>(v)) continue;  // null clears
      bool ok = false;
      switch (def->type) {
        case FieldType::kText: ok = std::holds_alternative<std::string>(v) && std::get<std::string>(v).size() <= 1000; break;
        case FieldType::kNumber: ok = std::holds_alternative<double>(v) && std::isfinite(std::get<double>(v)); break;
        case FieldType::kBoolean: ok = std::holds_alternative<bool>(v); break;
        case FieldType::kDate: ok = std::holds_alternative<std::string>(v) && ParseDate(std::get<std::string>(v)).has_value(); break;
        case FieldType::kSelect:
          ok = std::holds_alternative<std::string>(v) &&
               std::find(def->options.begin(), def->options.end(), std::get<std::string>(v)) != def->options.end();
          break;
      }
      if (!ok) { errs.push_back({f, std::string("must be a valid ") + Name(def->type)}); continue; }
      out[k] = v;
    }
    for (const auto& d : defs)
      if (d.required && !out.count(d.key)) errs.push_back({"custom_fields." + d.key, "is required"});
    c.custom_fields = std::move(out);
  } else if (creating) {
    for (const auto& d : rules.field_defs)
      if (d.required) errs.push_back({"custom_fields." + d.key, "is required"});
  }
  if (!errs.empty()) return InvalidArgument("the customer has invalid fields", std::move(errs));
  return Status::Ok();
}

Result<Customer> CustomerService::Create(const Principal& p, const CustomerPatch& in) {
  KEHU_ASSIGN_OR_RETURN(auto w, PrepareCreate(p, in));
  KEHU_ASSIGN_OR_RETURN(auto written, repo_.Write({std::move(w)}));
  return written.at(0);
}

void CustomerService::CreateAsync(const Principal& p, const CustomerPatch& in,
                                  std::function<void(Result<Customer>)> done) {
  auto w = PrepareCreate(p, in);
  if (!w.ok()) return done(w.error());
  std::vector<CustomerWrite> writes;
  writes.push_back(std::move(*w));
  repo_.WriteAsync(std::move(writes), [done = std::move(done)](Result<std::vector<Customer>> written) {
    if (!written.ok()) return done(written.error());
    done(std::move(written->at(0)));
  });
}

Result<CustomerWrite> CustomerService::PrepareCreate(const Principal& p, const CustomerPatch& in) {
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not create customers");
  Customer c;
  c.org_id = p.org_id;
  bool cached = false;
  KEHU_ASSIGN_OR_RETURN(auto rules, CachedRules(p.org_id, &cached));
  if (Status st = Apply(p, *rules, in, c, nullptr); !st.ok()) {
    if (!cached) return st.error();
    KEHU_ASSIGN_OR_RETURN(auto fresh, LoadRules(p.org_id));  // refused by rules read earlier
    c = Customer{};
    c.org_id = p.org_id;
    KEHU_RETURN_IF_ERROR(Apply(p, fresh, in, c, nullptr));
  }
  const UnixMillis now = clock_.Now();
  c.created_at = c.updated_at = now;
  c.created_by = p.user_id;
  c.version = 1;
  CustomerWrite w{.customer = c, .expected_version = 0, .search = BuildSearchText(c),
                  .audit = Audit(p, "create", "customer", 0, Diff(nullptr, c), now)};
  return w;
}

Result<std::vector<Customer>> CustomerService::CreateMany(const Principal& p,
                                                         const std::vector<CustomerPatch>& in) {
  KEHU_ASSIGN_OR_RETURN(auto writes, PrepareMany(p, in));
  return repo_.Write(std::move(writes));
}

Status CustomerService::WriteMany(const Principal& p, const CustomerRepository::NextBatch& next,
                                  int64_t expected_rows) {
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not create customers");
  return repo_.WriteStream(next, expected_rows);
}

Result<std::vector<CustomerWrite>> CustomerService::PrepareMany(const Principal& p,
                                                               const std::vector<CustomerPatch>& in) {
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not create customers");
  KEHU_ASSIGN_OR_RETURN(auto rules, LoadRules(p.org_id));
  std::vector<CustomerWrite> writes;
  writes.reserve(in.size());
  const UnixMillis now = clock_.Now();
  for (size_t i = 0; i < in.size(); ++i) {
    Customer c;
    c.org_id = p.org_id;
    if (auto st = Apply(p, rules, in[i], c, nullptr); !st.ok()) {
      Error e = st.error();
      for (auto& f : e.fields) f.field = "[" + std::to_string(i) + "]." + f.field;
      return e;
    }
    c.created_at = c.updated_at = now;
    c.created_by = p.user_id;
    c.version = 1;
    writes.push_back(CustomerWrite{.customer = c, .expected_version = 0, .search = BuildSearchText(c),
                                   .audit = Audit(p, "create", "customer", 0, Diff(nullptr, c), now)});
  }
  return writes;
}

Result<Customer> CustomerService::LoadVisible(const Principal& p, int64_t id) {
  KEHU_ASSIGN_OR_RETURN(auto found, repo_.Get(p.org_id, id));
  if (!found || found->deleted_at) {
    if (found && found->merged_into) {
      Error e = NotFound("the customer was merged into another");
      e.conflict_id = found->merged_into;
      return e;
    }
    return NotFound("no such customer");
  }
  KEHU_ASSIGN_OR_RETURN(bool visible, repo_.IsVisible(p.org_id, id, identity::CustomerVisibility(p)));
  if (!visible) return NotFound("no such customer");
  return *found;
}

Status CustomerService::CheckVisible(const Principal& p, int64_t id) {
  // The same answers as LoadVisible, from one light read.
  KEHU_ASSIGN_OR_RETURN(auto a, repo_.Access(p.org_id, id, identity::CustomerVisibility(p)));
  if (!a.exists || a.deleted) {
    if (a.exists && a.merged_into) {
      Error e = NotFound("the customer was merged into another");
      e.conflict_id = a.merged_into;
      return e;
    }
    return NotFound("no such customer");
  }
  if (!a.visible) return NotFound("no such customer");
  return Status::Ok();
}

Result<Customer> CustomerService::Get(const Principal& p, int64_t id) { return LoadVisible(p, id); }

Result<Page> CustomerService::List(const Principal& p, const ListRequest& req) {
  std::vector<FieldError> errs;
  ListQuery q;
  q.org_id = p.org_id;
  q.visibility = identity::CustomerVisibility(p);
  if (req.q.size() > 200) errs.push_back({"q", "must be at most 200 bytes"});
  else if (!text::IsValidUtf8(req.q)) errs.push_back({"q", "must be valid UTF-8"});
  else if (!Trim(req.q).empty()) q.search = FoldQuery(req.q);
  if (req.lifecycle_stage && !ParseLifecycle(*req.lifecycle_stage))
    errs.push_back({"lifecycle_stage", "unknown lifecycle stage"});
  if (req.relationship_level && !ParseRelationship(*req.relationship_level))
    errs.push_back({"relationship_level", "unknown relationship level"});
  if (req.kind && !ParseKind(*req.kind)) errs.push_back({"kind", "must be person or organization"});
  q.category = req.category;
  q.lifecycle_stage = req.lifecycle_stage;
  q.relationship_level = req.relationship_level;
  q.kind = req.kind;
  q.tag = req.tag;
  q.owner_id = req.owner_id;
  q.vip = req.vip;
  std::string sort = req.sort.empty() ? "-created_at" : req.sort;
  q.descending = sort[0] == '-';
  std::string key = q.descending ? sort.substr(1) : sort;
  if (key == "created_at") q.sort = SortKey::kCreatedAt;
  else if (key == "updated_at") q.sort = SortKey::kUpdatedAt;
  else if (key == "name") q.sort = SortKey::kName;
  else errs.push_back({"sort", "must be one of name, created_at, updated_at, optionally prefixed by -"});
  if (req.limit < 1 || req.limit > 500) errs.push_back({"limit", "must be between 1 and 500"});
  q.limit = req.limit;
  if (!req.cursor.empty()) {
    auto raw = DecodeCursor(req.cursor);
    size_t bar = raw ? raw->rfind('|') : std::string::npos;
    int64_t id = 0;
    if (bar != std::string::npos) {
      auto [ptr, ec] = std::from_chars(raw->data() + bar + 1, raw->data() + raw->size(), id);
      if (ec != std::errc() || ptr != raw->data() + raw->size() || raw->substr(0, 2) != key.substr(0, 2))
        bar = std::string::npos;
    }
    if (bar == std::string::npos) errs.push_back({"cursor", "is not a cursor this list gave out"});
    else {
      q.after_key = raw->substr(3, bar - 3);
      q.after_id = id;
    }
  }
  if (!errs.empty()) return InvalidArgument("invalid list query", std::move(errs));
  if (!req.q.empty() && !q.search) return Page{};  // nothing searchable: no match
  q.limit = req.limit + 1;
  KEHU_ASSIGN_OR_RETURN(auto rows, repo_.List(q));
  Page page;
  if (static_cast<int>(rows.size()) > req.limit) {
    rows.resize(req.limit);
    const Customer& last = rows.back();
    std::string k;
    switch (q.sort) {
      case SortKey::kCreatedAt: k = std::to_string(last.created_at); break;
      case SortKey::kUpdatedAt: k = std::to_string(last.updated_at); break;
      case SortKey::kName: k = text::Pinyin(last.name); break;
    }
    page.next_cursor = EncodeCursor(key.substr(0, 2) + "|" + k + "|" + std::to_string(last.id));
  }
  page.items = std::move(rows);
  return page;
}

Result<Customer> CustomerService::Update(const Principal& p, int64_t id, int64_t expected_version,
                                         const CustomerPatch& patch) {
  KEHU_ASSIGN_OR_RETURN(Customer before, LoadVisible(p, id));
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not change customers");
  if (before.erased_at) return MakeError(ErrorCode::kFailedPrecondition, "the customer was erased");
  if (before.version != expected_version) return StaleVersion(before.version);
  Customer after = before;
  bool cached = false;
  KEHU_ASSIGN_OR_RETURN(auto rules, CachedRules(p.org_id, &cached));
  if (Status st = Apply(p, *rules, patch, after, &before); !st.ok()) {
    if (!cached) return st.error();
    KEHU_ASSIGN_OR_RETURN(auto fresh, LoadRules(p.org_id));  // refused by rules read earlier
    after = before;
    KEHU_RETURN_IF_ERROR(Apply(p, fresh, patch, after, &before));
  }
  auto changes = Diff(&before, after);
  if (changes.empty()) return before;
  const UnixMillis now = clock_.Now();
  after.updated_at = now;
  after.version = before.version + 1;
  CustomerWrite w{.customer = after, .expected_version = expected_version,
                  .search = BuildSearchText(after),
                  .audit = Audit(p, "update", "customer", id, std::move(changes), now)};
  KEHU_ASSIGN_OR_RETURN(auto written, repo_.Write({std::move(w)}));
  return written.at(0);
}

Status CustomerService::Delete(const Principal& p, int64_t id, std::optional<int64_t> expected_version) {
  KEHU_ASSIGN_OR_RETURN(Customer before, LoadVisible(p, id));
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not delete customers");
  if (expected_version && *expected_version != before.version) return StaleVersion(before.version);
  const UnixMillis now = clock_.Now();
  Customer after = before;
  after.deleted_at = now;
  after.updated_at = now;
  after.version = before.version + 1;
  CustomerWrite w{.customer = after, .expected_version = before.version,
                  .search = BuildSearchText(after),
                  .audit = Audit(p, "delete", "customer", id,
                                 {{"deleted_at", "null", JsonQuote(FormatTimestamp(now))}}, now),
                  .index_contacts = false};
  KEHU_ASSIGN_OR_RETURN(auto written, repo_.Write({std::move(w)}));
  return Status::Ok();
}

Result<Customer> CustomerService::Erase(const Principal& p, int64_t id) {
  if (!identity::IsAdmin(p))
    return MakeError(ErrorCode::kPermissionDenied, "only an admin may erase personal data");
  KEHU_ASSIGN_OR_RETURN(auto found, repo_.Get(p.org_id, id));
  if (!found) return NotFound("no such customer");
  const Customer before = *found;
  const UnixMillis now = clock_.Now();
  Customer after = before;
  after.name = "已删除 / erased #" + std::to_string(id);
  after.family_name.clear();
  after.given_name.clear();
  after.birthday.reset();
  after.gender = Gender::kUnknown;
  after.phones.clear();
  after.emails.clear();
  after.address = Address{.province = before.address.province, .city = before.address.city};
  after.note.clear();
  after.organization.clear();
  after.custom_fields.clear();
  after.external_id.reset();
  after.tags.clear();
  after.consents.clear();
  after.erased_at = now;
  after.updated_at = now;
  after.version = before.version + 1;
  // The audit keeps which fields were erased, not their values: the log must not keep what
  // the erasure removed.
  auto changes = Diff(&before, after);
  for (auto& ch : changes)
    if (ch.field != "external_id") ch.before = "\"[erased]\"";
  CustomerWrite w{.customer = after, .expected_version = before.version,
                  .search = BuildSearchText(after),
                  .audit = Audit(p, "erase", "customer", id, std::move(changes), now),
                  .index_contacts = false,
                  .redact_audit_fields = {"name", "family_name", "given_name", "gender", "birthday",
                                          "birthday_lunar", "phones", "emails", "address", "note",
                                          "organization", "custom_fields", "external_id", "tags",
                                          "consents", "merged_from"}};
  KEHU_ASSIGN_OR_RETURN(auto written, repo_.Write({std::move(w)}));
  // Contacts hold personal data too.
  KEHU_ASSIGN_OR_RETURN(auto contacts, repo_.ListContacts(p.org_id, id));
  for (const auto& ct : contacts) {
    KEHU_ASSIGN_OR_RETURN(auto gone, repo_.WriteContact(ct, ct.version, true,
                                                        Audit(p, "erase", "contact", ct.id, {}, now)));
    (void)gone;
  }
  return written.at(0);
}

Result<std::vector<Duplicate>> CustomerService::Duplicates(const Principal& p, int64_t id) {
  KEHU_ASSIGN_OR_RETURN(Customer c, LoadVisible(p, id));
  KEHU_ASSIGN_OR_RETURN(auto cands, repo_.FindDuplicates(c, BuildSearchText(c)));
  std::vector<Duplicate> out;
  auto vis = identity::CustomerVisibility(p);
  for (const auto& cand : cands) {
    KEHU_ASSIGN_OR_RETURN(bool visible, repo_.IsVisible(p.org_id, cand.customer_id, vis));
    if (!visible) continue;
    KEHU_ASSIGN_OR_RETURN(auto other, repo_.Get(p.org_id, cand.customer_id));
    if (other && IsVisibleLive(*other)) out.push_back({*other, cand.reasons});
  }
  return out;
}

Result<Customer> CustomerService::Merge(const Principal& p, int64_t id, int64_t from_id) {
  if (id == from_id)
    return InvalidArgument("cannot merge a customer into itself", {{"from_id", "must differ from the target"}});
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not merge customers");
  KEHU_ASSIGN_OR_RETURN(Customer survivor, LoadVisible(p, id));
  auto from_r = LoadVisible(p, from_id);
  if (!from_r.ok()) {
    Error e = from_r.error();
    e.fields = {{"from_id", "no such customer"}};
    return e;
  }
  Customer from = *from_r;
  const UnixMillis now = clock_.Now();
  Customer after = survivor;
  auto add_unique = [](auto& to, const auto& from_list) {
    for (const auto& v : from_list)
      if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
  };
  add_unique(after.phones, from.phones);
  add_unique(after.emails, from.emails);
  add_unique(after.tags, from.tags);
  add_unique(after.shared_with, from.shared_with);
  if (from.owner_id && after.owner_id != from.owner_id &&
      std::find(after.shared_with.begin(), after.shared_with.end(), *from.owner_id) == after.shared_with.end())
    after.shared_with.push_back(*from.owner_id);  // the other owner keeps access
  for (const auto& [k, v] : from.custom_fields) after.custom_fields.try_emplace(k, v);
  for (const auto& cs : from.consents)
    if (std::none_of(after.consents.begin(), after.consents.end(),
                     [&](const Consent& x) { return x.channel == cs.channel; }))
      after.consents.push_back(cs);
  auto fill = [](std::string& to, const std::string& v) { if (to.empty()) to = v; };
  fill(after.family_name, from.family_name);
  fill(after.given_name, from.given_name);
  fill(after.organization, from.organization);
  fill(after.source_channel, from.source_channel);
  if (!after.birthday) { after.birthday = from.birthday; after.birthday_lunar = from.birthday_lunar; }
  if (after.address == Address{}) after.address = from.address;
  if (!after.note.empty() && !from.note.empty()) after.note += "\n" + from.note;
  else fill(after.note, from.note);
  if (after.note.size() > kMaxNoteBytes) after.note.resize(kMaxNoteBytes);  // may cut UTF-8: fix below
  while (!after.note.empty() && !text::IsValidUtf8(after.note)) after.note.pop_back();
  after.vip = after.vip || from.vip;
  if (!after.external_id) after.external_id = from.external_id;
  after.updated_at = now;
  after.version = survivor.version + 1;
  auto changes = Diff(&survivor, after);
  changes.push_back({"merged_from", "null", std::to_string(from_id)});

  Customer gone = from;
  gone.merged_into = id;
  gone.deleted_at = now;
  gone.updated_at = now;
  gone.version = from.version + 1;
  if (after.external_id == from.external_id) gone.external_id.reset();
  CustomerWrite sw{.customer = after, .expected_version = survivor.version,
                   .search = BuildSearchText(after),
                   .audit = Audit(p, "merge", "customer", id, std::move(changes), now)};
  CustomerWrite fw{.customer = gone, .expected_version = from.version,
                   .search = BuildSearchText(gone),
                   .audit = Audit(p, "merge", "customer", from_id,
                                  {{"merged_into", "null", std::to_string(id)}}, now),
                   .index_contacts = false};
  return repo_.Merge(std::move(sw), std::move(fw));
}

Result<Customer> CustomerService::LookupByPhone(const Principal& p, const std::string& phone) {
  auto e164 = text::NormalizePhone(phone, "CN");
  if (!e164.ok()) return InvalidArgument("invalid phone", {{"phone", "is not a valid phone number"}});
  KEHU_ASSIGN_OR_RETURN(auto found, repo_.FindByPhone(p.org_id, *e164));
  if (!found) return NotFound("no customer has this phone number");
  KEHU_ASSIGN_OR_RETURN(bool visible, repo_.IsVisible(p.org_id, found->id, identity::CustomerVisibility(p)));
  if (!visible) return NotFound("no customer has this phone number");
  return *found;
}

Result<int64_t> CustomerService::Bulk(const Principal& p, const BulkRequest& req) {
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not change customers");
  std::vector<FieldError> errs;
  if (req.ids.empty() || req.ids.size() > 500) errs.push_back({"ids", "must hold 1-500 ids"});
  if (!req.owner_id && req.add_tags.empty()) errs.push_back({"owner_id", "give owner_id or add_tags"});
  if (!errs.empty()) return InvalidArgument("invalid bulk change", std::move(errs));
  std::vector<CustomerWrite> writes;
  const UnixMillis now = clock_.Now();
  std::set<int64_t> seen;
  KEHU_ASSIGN_OR_RETURN(auto rules, LoadRules(p.org_id));
  for (size_t i = 0; i < req.ids.size(); ++i) {
    if (!seen.insert(req.ids[i]).second) continue;
    auto before = LoadVisible(p, req.ids[i]);
    if (!before.ok()) {
      Error e = before.error();
      e.fields = {{"ids[" + std::to_string(i) + "]", "no such customer"}};
      return e;
    }
    CustomerPatch patch;
    if (req.owner_id) patch.owner_id = std::optional<int64_t>(*req.owner_id);
    if (!req.add_tags.empty()) {
      std::vector<std::string> tags = before->tags;
      for (const auto& t : req.add_tags)
        if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
      patch.tags = tags;
    }
    Customer after = *before;
    KEHU_RETURN_IF_ERROR(Apply(p, rules, patch, after, &*before));
    auto changes = Diff(&*before, after);
    if (changes.empty()) continue;
    after.updated_at = now;
    after.version = before->version + 1;
    writes.push_back(CustomerWrite{.customer = after, .expected_version = before->version,
                                   .search = BuildSearchText(after),
                                   .audit = Audit(p, "update", "customer", after.id, std::move(changes), now)});
  }
  int64_t n = static_cast<int64_t>(writes.size());
  if (n) KEHU_RETURN_IF_ERROR(repo_.Write(std::move(writes)));
  return n;
}

namespace {
Status ApplyContact(const ContactPatch& in, Contact& c, bool creating) {
  std::vector<FieldError> errs;
  if (in.name) { c.name = std::string(Trim(*in.name)); CheckText(errs, "name", c.name, kMaxNameBytes, true); }
  else if (creating) errs.push_back({"name", "is required"});
  if (in.title) { c.title = *in.title; CheckText(errs, "title", c.title, 100); }
  if (in.role) {
    if (auto r = ParseBuyingRole(*in.role)) c.role = *r;
    else errs.push_back({"role", "must be user, influencer, decider, approver, buyer or gatekeeper"});
  }
  if (in.phones) (void)NormalizePhones(*in.phones, c.phones, errs, "phones");
  if (in.emails) NormalizeEmails(*in.emails, c.emails, errs, "emails");
  if (in.note) { c.note = *in.note; CheckText(errs, "note", c.note, kMaxNoteBytes); }
  if (!errs.empty()) return InvalidArgument("the contact has invalid fields", std::move(errs));
  return Status::Ok();
}

std::vector<FieldChange> ContactDiff(const Contact* b, const Contact& a) {
  std::vector<FieldChange> out;
  const Contact empty{};
  const Contact& x = b ? *b : empty;
  auto add = [&](const char* f, std::string be, std::string af) {  // as Diff: a create's before is null
    if (be != af) out.push_back({f, b ? std::move(be) : std::string("null"), std::move(af)});
  };
  add("name", b ? Q(x.name) : "null", Q(a.name));
  add("title", Q(x.title), Q(a.title));
  add("role", b ? Q(std::string(Name(x.role))) : "null", Q(std::string(Name(a.role))));
  add("phones", JsonStringArray(x.phones), JsonStringArray(a.phones));
  add("emails", JsonStringArray(x.emails), JsonStringArray(a.emails));
  add("note", Q(x.note), Q(a.note));
  return out;
}
}  // namespace

Result<std::vector<Contact>> CustomerService::ListContacts(const Principal& p, int64_t customer_id) {
  KEHU_RETURN_IF_ERROR(CheckVisible(p, customer_id));
  return repo_.ListContacts(p.org_id, customer_id);
}

Result<Contact> CustomerService::CreateContact(const Principal& p, int64_t customer_id, const ContactPatch& in) {
  KEHU_ASSIGN_OR_RETURN(Customer c, LoadVisible(p, customer_id));
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not change customers");
  Contact ct;
  ct.org_id = p.org_id;
  ct.customer_id = c.id;
  KEHU_RETURN_IF_ERROR(ApplyContact(in, ct, true));
  ct.created_at = ct.updated_at = clock_.Now();
  return repo_.WriteContact(ct, 0, false, Audit(p, "create", "contact", 0, ContactDiff(nullptr, ct), ct.created_at));
}

Result<Contact> CustomerService::UpdateContact(const Principal& p, int64_t customer_id, int64_t contact_id,
                                               int64_t expected_version, const ContactPatch& patch) {
  KEHU_RETURN_IF_ERROR(CheckVisible(p, customer_id));
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not change customers");
  KEHU_ASSIGN_OR_RETURN(auto found, repo_.GetContact(p.org_id, contact_id));
  if (!found || found->customer_id != customer_id) return NotFound("no such contact");
  if (found->version != expected_version)
    return MakeError(ErrorCode::kAborted, "the contact was changed by someone else (current version " +
                                              std::to_string(found->version) + ")");
  Contact after = *found;
  KEHU_RETURN_IF_ERROR(ApplyContact(patch, after, false));
  auto changes = ContactDiff(&*found, after);
  if (changes.empty()) return *found;
  after.updated_at = clock_.Now();
  return repo_.WriteContact(after, expected_version, false,
                            Audit(p, "update", "contact", contact_id, std::move(changes), after.updated_at));
}

Status CustomerService::DeleteContact(const Principal& p, int64_t customer_id, int64_t contact_id) {
  KEHU_RETURN_IF_ERROR(CheckVisible(p, customer_id));
  if (!identity::CanWriteCustomers(p))
    return MakeError(ErrorCode::kPermissionDenied, "your role may not change customers");
  KEHU_ASSIGN_OR_RETURN(auto found, repo_.GetContact(p.org_id, contact_id));
  if (!found || found->customer_id != customer_id) return NotFound("no such contact");
  const UnixMillis now = clock_.Now();
  auto r = repo_.WriteContact(*found, found->version, true, Audit(p, "delete", "contact", contact_id, {}, now));
  if (!r.ok()) return r.error();
  return Status::Ok();
}

Result<std::vector<Category>> CustomerService::ListCategories(const Principal& p) {
  return repo_.ListCategories(p.org_id);
}

Result<Category> CustomerService::CreateCategory(const Principal& p, const Category& in) {
  if (!identity::IsAdmin(p)) return MakeError(ErrorCode::kPermissionDenied, "only an admin may add categories");
  std::vector<FieldError> errs;
  bool key_ok = !in.key.empty() && in.key.size() <= 40 &&
                std::all_of(in.key.begin(), in.key.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                });
  if (!key_ok) errs.push_back({"key", "1-40 characters: a-z, 0-9, _"});
  CheckText(errs, "name_zh", in.name_zh, 100, true);
  CheckText(errs, "name_en", in.name_en, 100, true);
  if (!errs.empty()) return InvalidArgument("invalid category", std::move(errs));
  Category c = in;
  c.org_id = p.org_id;
  c.builtin = false;
  auto r = repo_.CreateCategory(c);
  ForgetRules();
  if (!r.ok() && r.error().code == ErrorCode::kAlreadyExists)
    return Error{.code = ErrorCode::kAlreadyExists, .message = "a category with this key exists",
                 .fields = {{"key", "is taken"}}};
  return r;
}

Result<std::vector<CustomFieldDef>> CustomerService::ListFieldDefs(const Principal& p) {
  return repo_.ListFieldDefs(p.org_id);
}

Result<CustomFieldDef> CustomerService::CreateFieldDef(const Principal& p, const CustomFieldDef& in) {
  if (!identity::IsAdmin(p)) return MakeError(ErrorCode::kPermissionDenied, "only an admin may define custom fields");
  std::vector<FieldError> errs;
  bool key_ok = !in.key.empty() && in.key.size() <= 40 &&
                std::all_of(in.key.begin(), in.key.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                });
  if (!key_ok) errs.push_back({"key", "1-40 characters: a-z, 0-9, _"});
  CheckText(errs, "label", in.label, 100, true);
  if (in.type == FieldType::kSelect && in.options.empty()) errs.push_back({"options", "a select field needs options"});
  if (in.options.size() > 100) errs.push_back({"options", "at most 100 options"});
  if (!errs.empty()) return InvalidArgument("invalid custom field", std::move(errs));
  CustomFieldDef d = in;
  d.org_id = p.org_id;
  auto r = repo_.CreateFieldDef(d);
  ForgetRules();
  if (!r.ok() && r.error().code == ErrorCode::kAlreadyExists)
    return Error{.code = ErrorCode::kAlreadyExists, .message = "a custom field with this key exists",
                 .fields = {{"key", "is taken"}}};
  return r;
}

Status CustomerService::DeleteFieldDef(const Principal& p, int64_t id) {
  if (!identity::IsAdmin(p)) return MakeError(ErrorCode::kPermissionDenied, "only an admin may delete custom fields");
  Status st = repo_.DeleteFieldDef(p.org_id, id);
  ForgetRules();
  return st;
}

Result<std::vector<SavedView>> CustomerService::ListSavedViews(const Principal& p) {
  return repo_.ListSavedViews(p.org_id, p.user_id);
}

Result<SavedView> CustomerService::CreateSavedView(const Principal& p, const SavedView& in) {
  std::vector<FieldError> errs;
  CheckText(errs, "name", in.name, 100, true);
  if (in.query_json.size() > 4000) errs.push_back({"query", "is too large"});
  if (!errs.empty()) return InvalidArgument("invalid saved view", std::move(errs));
  SavedView v = in;
  v.org_id = p.org_id;
  v.user_id = p.user_id;
  return repo_.CreateSavedView(v);
}

Status CustomerService::DeleteSavedView(const Principal& p, int64_t id) {
  return repo_.DeleteSavedView(p.org_id, p.user_id, id);
}

}  // namespace kehu::customers
