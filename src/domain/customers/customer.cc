#include "domain/customers/customer.h"

namespace kehu::customers {

namespace {
template <typename E, size_t N>
std::optional<E> ParseBy(std::string_view s, const E (&all)[N]) {
  for (E e : all)
    if (s == Name(e)) return e;
  return std::nullopt;
}
}  // namespace

const char* Name(Kind v) {
  switch (v) {
    case Kind::kPerson: return "person";
    case Kind::kOrganization: return "organization";
  }
  return "person";
}
const char* Name(Gender v) {
  switch (v) {
    case Gender::kUnknown: return "unknown";
    case Gender::kMale: return "male";
    case Gender::kFemale: return "female";
  }
  return "unknown";
}
const char* Name(Lifecycle v) {
  switch (v) {
    case Lifecycle::kProspect: return "prospect";
    case Lifecycle::kActive: return "active";
    case Lifecycle::kAtRisk: return "at_risk";
    case Lifecycle::kLost: return "lost";
    case Lifecycle::kWonBack: return "won_back";
  }
  return "prospect";
}
const char* Name(Relationship v) {
  switch (v) {
    case Relationship::kBasic: return "basic";
    case Relationship::kReactive: return "reactive";
    case Relationship::kAccountable: return "accountable";
    case Relationship::kProactive: return "proactive";
    case Relationship::kPartnership: return "partnership";
  }
  return "basic";
}
const char* Name(BuyingRole v) {
  switch (v) {
    case BuyingRole::kUser: return "user";
    case BuyingRole::kInfluencer: return "influencer";
    case BuyingRole::kDecider: return "decider";
    case BuyingRole::kApprover: return "approver";
    case BuyingRole::kBuyer: return "buyer";
    case BuyingRole::kGatekeeper: return "gatekeeper";
  }
  return "user";
}
const char* Name(FieldType v) {
  switch (v) {
    case FieldType::kText: return "text";
    case FieldType::kNumber: return "number";
    case FieldType::kDate: return "date";
    case FieldType::kBoolean: return "boolean";
    case FieldType::kSelect: return "select";
  }
  return "text";
}

std::optional<Kind> ParseKind(std::string_view s) {
  static const Kind all[] = {Kind::kPerson, Kind::kOrganization};
  return ParseBy(s, all);
}
std::optional<Gender> ParseGender(std::string_view s) {
  static const Gender all[] = {Gender::kUnknown, Gender::kMale, Gender::kFemale};
  return ParseBy(s, all);
}
std::optional<Lifecycle> ParseLifecycle(std::string_view s) {
  static const Lifecycle all[] = {Lifecycle::kProspect, Lifecycle::kActive, Lifecycle::kAtRisk,
                                  Lifecycle::kLost, Lifecycle::kWonBack};
  return ParseBy(s, all);
}
std::optional<Relationship> ParseRelationship(std::string_view s) {
  static const Relationship all[] = {Relationship::kBasic, Relationship::kReactive,
                                     Relationship::kAccountable, Relationship::kProactive,
                                     Relationship::kPartnership};
  return ParseBy(s, all);
}
std::optional<BuyingRole> ParseBuyingRole(std::string_view s) {
  static const BuyingRole all[] = {BuyingRole::kUser, BuyingRole::kInfluencer,
                                   BuyingRole::kDecider, BuyingRole::kApprover,
                                   BuyingRole::kBuyer, BuyingRole::kGatekeeper};
  return ParseBy(s, all);
}
std::optional<FieldType> ParseFieldType(std::string_view s) {
  static const FieldType all[] = {FieldType::kText, FieldType::kNumber, FieldType::kDate,
                                  FieldType::kBoolean, FieldType::kSelect};
  return ParseBy(s, all);
}

}  // namespace kehu::customers
