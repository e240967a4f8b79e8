#pragma once
// Customer value types: people and organisations, their contacts, consent, custom fields.
// No I/O here.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/time.h"

namespace kehu::customers {

enum class Kind { kPerson, kOrganization };
enum class Gender { kUnknown, kMale, kFemale };
enum class Lifecycle { kProspect, kActive, kAtRisk, kLost, kWonBack };
enum class Relationship { kBasic, kReactive, kAccountable, kProactive, kPartnership };
enum class BuyingRole { kUser, kInfluencer, kDecider, kApprover, kBuyer, kGatekeeper };

const char* Name(Kind v);
const char* Name(Gender v);
const char* Name(Lifecycle v);
const char* Name(Relationship v);
const char* Name(BuyingRole v);
std::optional<Kind> ParseKind(std::string_view s);
std::optional<Gender> ParseGender(std::string_view s);
std::optional<Lifecycle> ParseLifecycle(std::string_view s);
std::optional<Relationship> ParseRelationship(std::string_view s);
std::optional<BuyingRole> ParseBuyingRole(std::string_view s);

// The consent channels PIPL asks us to record separately.
inline constexpr const char* kConsentChannels[] = {"sms", "email", "phone", "wechat", "mail"};

struct Consent {
  std::string channel{};
  bool granted{false};
  UnixMillis at{0};
  std::string source{};  // where it was given: "web form", "call 2026-11-02", ...
  bool operator==(const Consent&) const = default;
};

struct Address {
  std::string province{};
  std::string city{};
  std::string district{};
  std::string street{};
  bool operator==(const Address&) const = default;
};

// A custom field value: null, boolean, number or text (dates and select options are text).
using FieldValue = std::variant<std::monostate, bool, double, std::string>;

struct Customer {
  int64_t id{0};
  int64_t org_id{0};
  Kind kind{Kind::kPerson};
  std::string name{};         // Chinese names as one field, surname first: "王小明"
  std::string family_name{};  // optional parts: "王" / "小明"
  std::string given_name{};
  Gender gender{Gender::kUnknown};
  std::optional<CivilDate> birthday{};
  bool birthday_lunar{false};  // the date is in the Chinese lunar calendar (农历)
  std::string category{};      // a category key: group_purchase, distributor, ...
  Lifecycle lifecycle_stage{Lifecycle::kProspect};
  Relationship relationship_level{Relationship::kBasic};
  std::optional<int64_t> owner_id{};
  std::vector<int64_t> shared_with{};
  std::vector<std::string> tags{};
  std::string source_channel{};
  bool vip{false};
  std::optional<std::string> external_id{};
  std::string organization{};  // for a person: employer or company
  std::string note{};
  Address address{};
  std::vector<std::string> phones{};  // E.164
  std::vector<std::string> emails{};  // lower-case
  std::vector<Consent> consents{};
  std::map<std::string, FieldValue> custom_fields{};
  std::optional<int64_t> merged_into{};
  std::optional<UnixMillis> deleted_at{};
  std::optional<UnixMillis> erased_at{};
  std::optional<int64_t> created_by{};
  UnixMillis created_at{0};
  UnixMillis updated_at{0};
  int64_t version{1};
};

struct Contact {
  int64_t id{0};
  int64_t org_id{0};
  int64_t customer_id{0};
  std::string name{};
  std::string title{};
  BuyingRole role{BuyingRole::kUser};
  std::vector<std::string> phones{};
  std::vector<std::string> emails{};
  std::string note{};
  UnixMillis created_at{0};
  UnixMillis updated_at{0};
  int64_t version{1};
};

struct Category {
  int64_t id{0};
  int64_t org_id{0};
  std::string key{};
  std::string name_zh{};
  std::string name_en{};
  bool builtin{false};
};

enum class FieldType { kText, kNumber, kDate, kBoolean, kSelect };
const char* Name(FieldType v);
std::optional<FieldType> ParseFieldType(std::string_view s);

struct CustomFieldDef {
  int64_t id{0};
  int64_t org_id{0};
  std::string key{};
  std::string label{};
  FieldType type{FieldType::kText};
  std::vector<std::string> options{};
  bool required{false};
};

struct SavedView {
  int64_t id{0};
  int64_t org_id{0};
  int64_t user_id{0};
  std::string name{};
  std::string query_json{};  // the list query as the client sent it (an object, JSON text)
};

}  // namespace kehu::customers
