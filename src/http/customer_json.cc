#include "http/customer_json.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <variant>

#include "core/strings.h"
#include "core/time.h"

namespace kehu::http {
namespace json = boost::json;
using customers::Customer;
using customers::FieldValue;

namespace {

json::value FieldValueJson(const FieldValue& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b;
  if (auto* d = std::get_if<double>(&v)) {
    if (*d == static_cast<double>(static_cast<int64_t>(*d)) && std::abs(*d) < 9e15)
      return static_cast<int64_t>(*d);
    return *d;
  }
  if (auto* s = std::get_if<std::string>(&v)) return json::string(*s);
  return nullptr;
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// "key": (with the comma before every member but the first).
void Key(std::string& out, std::string_view key, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += key;  // the keys are ours: plain ASCII, nothing to escape
  out += "\":";
}

// "key":"value" and "key":"a"|null.
void StringMember(std::string& out, std::string_view key, std::string_view value, bool first = false) {
  Key(out, key, first);
  AppendJsonString(out, value);
}
void OptionalStringMember(std::string& out, std::string_view key, const std::optional<std::string>& value) {
  Key(out, key);
  if (value) AppendJsonString(out, *value);
  else out += "null";
}
void BoolMember(std::string& out, std::string_view key, bool value) {
  Key(out, key);
  out += value ? "true" : "false";
}

void AppendStrings(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(out, v[i]);
  }
  out += ']';
}

}  // namespace

json::object EncodeCustomer(const Customer& c) {
  json::array consents;
  for (const auto& k : c.consents)
    consents.push_back(json::object{{"channel", k.channel}, {"granted", k.granted},
                                    {"at", FormatTimestamp(k.at)}, {"source", k.source}});
  json::object custom;
  for (const auto& [k, v] : c.custom_fields) custom[k] = FieldValueJson(v);
  json::array tags, phones, emails;
  for (const auto& t : c.tags) tags.push_back(json::string(t));
  for (const auto& t : c.phones) phones.push_back(json::string(t));
  for (const auto& t : c.emails) emails.push_back(json::string(t));
  json::object o{
      {"id", c.id},
      {"kind", customers::Name(c.kind)},
      {"name", c.name},
      {"family_name", c.family_name},
      {"given_name", c.given_name},
      {"gender", customers::Name(c.gender)},
      {"birthday", c.birthday ? json::value(FormatDate(*c.birthday)) : json::value(nullptr)},
      {"birthday_lunar", c.birthday_lunar},
      {"category", c.category},
      {"lifecycle_stage", customers::Name(c.lifecycle_stage)},
      {"relationship_level", customers::Name(c.relationship_level)},
      {"owner_id", c.owner_id ? json::value(*c.owner_id) : json::value(nullptr)},
      {"shared_with", json::array(c.shared_with.begin(), c.shared_with.end())},
      {"tags", std::move(tags)},
      {"source_channel", c.source_channel},
      {"vip", c.vip},
      {"external_id", c.external_id ? json::value(*c.external_id) : json::value(nullptr)},
      {"organization", c.organization},
      {"note", c.note},
      {"address", json::object{{"province", c.address.province}, {"city", c.address.city},
                               {"district", c.address.district}, {"street", c.address.street}}},
      {"phones", std::move(phones)},
      {"emails", std::move(emails)},
      {"consents", std::move(consents)},
      {"custom_fields", std::move(custom)},
      {"created_at", FormatTimestamp(c.created_at)},
      {"updated_at", FormatTimestamp(c.updated_at)},
      {"version", c.version}};
  if (c.erased_at) o["erased_at"] = FormatTimestamp(*c.erased_at);
  return o;
}

void AppendCustomerJson(std::string& out, const Customer& c) {
  out.reserve(out.size() + 640);
  out += '{';
  Key(out, "id", true);
  AppendInt(out, c.id);
  StringMember(out, "kind", customers::Name(c.kind));
  StringMember(out, "name", c.name);
  StringMember(out, "family_name", c.family_name);
  StringMember(out, "given_name", c.given_name);
  StringMember(out, "gender", customers::Name(c.gender));
  OptionalStringMember(out, "birthday", c.birthday ? std::optional<std::string>(FormatDate(*c.birthday)) : std::nullopt);
  BoolMember(out, "birthday_lunar", c.birthday_lunar);
  StringMember(out, "category", c.category);
  StringMember(out, "lifecycle_stage", customers::Name(c.lifecycle_stage));
  StringMember(out, "relationship_level", customers::Name(c.relationship_level));
  Key(out, "owner_id");
  if (c.owner_id) AppendInt(out, *c.owner_id);
  else out += "null";
  Key(out, "shared_with");
  out += '[';
  for (size_t i = 0; i < c.shared_with.size(); ++i) {
    if (i) out += ',';
    AppendInt(out, c.shared_with[i]);
  }
  out += ']';
  Key(out, "tags");
  AppendStrings(out, c.tags);
  StringMember(out, "source_channel", c.source_channel);
  BoolMember(out, "vip", c.vip);
  OptionalStringMember(out, "external_id", c.external_id);
  StringMember(out, "organization", c.organization);
  StringMember(out, "note", c.note);
  Key(out, "address");
  out += '{';
  StringMember(out, "province", c.address.province, true);
  StringMember(out, "city", c.address.city);
  StringMember(out, "district", c.address.district);
  StringMember(out, "street", c.address.street);
  out += '}';
  Key(out, "phones");
  AppendStrings(out, c.phones);
  Key(out, "emails");
  AppendStrings(out, c.emails);
  Key(out, "consents");
  out += '[';
  for (size_t i = 0; i < c.consents.size(); ++i) {
    const auto& k = c.consents[i];
    if (i) out += ',';
    out += '{';
    StringMember(out, "channel", k.channel, true);
    BoolMember(out, "granted", k.granted);
    StringMember(out, "at", FormatTimestamp(k.at));
    StringMember(out, "source", k.source);
    out += '}';
  }
  out += ']';
  Key(out, "custom_fields");
  if (c.custom_fields.empty()) {
    out += "{}";
  } else {  // rare, and numbers must print exactly as Boost.JSON prints them
    json::object custom;
    for (const auto& [k, v] : c.custom_fields) custom[k] = FieldValueJson(v);
    out += json::serialize(custom);
  }
  StringMember(out, "created_at", FormatTimestamp(c.created_at));
  StringMember(out, "updated_at", FormatTimestamp(c.updated_at));
  Key(out, "version");
  AppendInt(out, c.version);
  if (c.erased_at) StringMember(out, "erased_at", FormatTimestamp(*c.erased_at));
  out += '}';
}

}  // namespace kehu::http
