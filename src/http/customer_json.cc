#include "http/customer_json.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <variant>

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

// A JSON string as Boost.JSON's serializer writes it: '"', '\\', and control characters escaped
// (the short forms where JSON has one, else \u00XX with lower-case hex), everything else as is.
void AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t plain = 0;  // start of the run not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
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

void AppendStrings(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    AppendString(out, v[i]);
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
  Key(out, "kind");
  AppendString(out, customers::Name(c.kind));
  Key(out, "name");
  AppendString(out, c.name);
  Key(out, "family_name");
  AppendString(out, c.family_name);
  Key(out, "given_name");
  AppendString(out, c.given_name);
  Key(out, "gender");
  AppendString(out, customers::Name(c.gender));
  Key(out, "birthday");
  if (c.birthday) AppendString(out, FormatDate(*c.birthday));
  else out += "null";
  Key(out, "birthday_lunar");
  out += c.birthday_lunar ? "true" : "false";
  Key(out, "category");
  AppendString(out, c.category);
  Key(out, "lifecycle_stage");
  AppendString(out, customers::Name(c.lifecycle_stage));
  Key(out, "relationship_level");
  AppendString(out, customers::Name(c.relationship_level));
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
  Key(out, "source_channel");
  AppendString(out, c.source_channel);
  Key(out, "vip");
  out += c.vip ? "true" : "false";
  Key(out, "external_id");
  if (c.external_id) AppendString(out, *c.external_id);
  else out += "null";
  Key(out, "organization");
  AppendString(out, c.organization);
  Key(out, "note");
  AppendString(out, c.note);
  Key(out, "address");
  out += '{';
  Key(out, "province", true);
  AppendString(out, c.address.province);
  Key(out, "city");
  AppendString(out, c.address.city);
  Key(out, "district");
  AppendString(out, c.address.district);
  Key(out, "street");
  AppendString(out, c.address.street);
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
    Key(out, "channel", true);
    AppendString(out, k.channel);
    Key(out, "granted");
    out += k.granted ? "true" : "false";
    Key(out, "at");
    AppendString(out, FormatTimestamp(k.at));
    Key(out, "source");
    AppendString(out, k.source);
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
  Key(out, "created_at");
  AppendString(out, FormatTimestamp(c.created_at));
  Key(out, "updated_at");
  AppendString(out, FormatTimestamp(c.updated_at));
  Key(out, "version");
  AppendInt(out, c.version);
  if (c.erased_at) {
    Key(out, "erased_at");
    AppendString(out, FormatTimestamp(*c.erased_at));
  }
  out += '}';
}

}  // namespace kehu::http
