#pragma once
// Strict JSON decoding for request bodies: wrong types, unknown fields and missing required
// fields become FieldErrors (never exceptions), so the API answers 400 with every problem at once.

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace kehu::http {

// Parses a request body that must be one JSON object (valid UTF-8, at most depth 32).
Result<boost::json::object> ParseObject(const std::string& body);

// Reads fields of one JSON object, collecting errors; call Finish() to reject unknown fields.
class ObjectReader {
 public:
  ObjectReader(const boost::json::object& o, std::string prefix = "") : o_(o), prefix_(std::move(prefix)) {}

  bool Has(const char* key) const { return o_.contains(key); }
  bool IsNull(const char* key) const { auto* v = o_.if_contains(key); return v && v->is_null(); }
  std::optional<std::string> String(const char* key, bool required = false);
  std::optional<bool> Bool(const char* key, bool required = false);
  std::optional<int64_t> Int(const char* key, bool required = false);
  std::optional<std::vector<std::string>> Strings(const char* key);
  std::optional<std::vector<int64_t>> Ints(const char* key);
  // Present with null → inner nullopt; absent → outer nullopt.
  std::optional<std::optional<std::string>> NullableString(const char* key);
  std::optional<std::optional<int64_t>> NullableInt(const char* key);
  const boost::json::value* Raw(const char* key) { seen_.insert(key); return o_.if_contains(key); }

  void AddError(const std::string& key, const std::string& message) {
    errors_.push_back({prefix_ + key, message});
  }
  std::vector<FieldError>& errors() { return errors_; }
  // Adds an "unknown field" error for every key not read; returns all errors as one Status.
  Status Finish();

 private:
  const boost::json::value* Get(const char* key, bool required);
  const boost::json::object& o_;
  std::string prefix_;
  std::set<std::string> seen_;
  std::vector<FieldError> errors_;
};

std::string ToJson(const boost::json::value& v);

// A complete (unpaged) list as the API's list shape: {"items": [...], "next_cursor": null}.
template <typename T, typename Encode>
std::string ItemsJson(const std::vector<T>& items, Encode encode) {
  boost::json::array a;
  a.reserve(items.size());
  for (const auto& item : items) a.push_back(encode(item));
  return boost::json::serialize(boost::json::object{{"items", std::move(a)}, {"next_cursor", nullptr}});
}

}  // namespace kehu::http
