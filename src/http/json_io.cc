#include "http/json_io.h"

namespace kehu::http {

namespace json = boost::json;

Result<json::object> ParseObject(const std::string& body) {
  if (body.empty()) return InvalidArgument("the request body must be a JSON object");
  json::parse_options opt;
  opt.max_depth = 32;
  boost::system::error_code ec;
  json::monotonic_resource mr;
  json::value v = json::parse(body, ec, json::storage_ptr(), opt);
  if (ec) return InvalidArgument("malformed JSON: " + ec.message());
  if (!v.is_object()) return InvalidArgument("the request body must be a JSON object");
  return std::move(v.as_object());
}

const json::value* ObjectReader::Get(const char* key, bool required) {
  seen_.insert(key);
  const json::value* v = o_.if_contains(key);
  if (!v) {
    if (required) AddError(key, "is required");
    return nullptr;
  }
  return v;
}

std::optional<std::string> ObjectReader::String(const char* key, bool required) {
  const json::value* v = Get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    AddError(key, "must be a string");
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<bool> ObjectReader::Bool(const char* key, bool required) {
  const json::value* v = Get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    AddError(key, "must be true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<int64_t> ObjectReader::Int(const char* key, bool required) {
  const json::value* v = Get(key, required);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<int64_t>(v->as_uint64());
  AddError(key, "must be an integer");
  return std::nullopt;
}

std::optional<std::vector<std::string>> ObjectReader::Strings(const char* key) {
  const json::value* v = Get(key, false);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    AddError(key, "must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  const auto& a = v->as_array();
  if (a.size() > 100) {
    AddError(key, "must have at most 100 items");
    return std::nullopt;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) {
      AddError(std::string(key) + "[" + std::to_string(i) + "]", "must be a string");
      return std::nullopt;
    }
    out.emplace_back(a[i].as_string());
  }
  return out;
}

std::optional<std::vector<int64_t>> ObjectReader::Ints(const char* key) {
  const json::value* v = Get(key, false);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    AddError(key, "must be an array of integers");
    return std::nullopt;
  }
  std::vector<int64_t> out;
  const auto& a = v->as_array();
  if (a.size() > 1000) {
    AddError(key, "must have at most 1000 items");
    return std::nullopt;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_int64()) {
      AddError(std::string(key) + "[" + std::to_string(i) + "]", "must be an integer");
      return std::nullopt;
    }
    out.push_back(a[i].as_int64());
  }
  return out;
}

std::optional<std::optional<std::string>> ObjectReader::NullableString(const char* key) {
  const json::value* v = Get(key, false);
  if (!v) return std::nullopt;
  if (v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) {
    AddError(key, "must be a string or null");
    return std::nullopt;
  }
  return std::optional<std::string>(std::string(v->as_string()));
}

std::optional<std::optional<int64_t>> ObjectReader::NullableInt(const char* key) {
  const json::value* v = Get(key, false);
  if (!v) return std::nullopt;
  if (v->is_null()) return std::optional<int64_t>();
  if (!v->is_int64()) {
    AddError(key, "must be an integer or null");
    return std::nullopt;
  }
  return std::optional<int64_t>(v->as_int64());
}

Status ObjectReader::Finish() {
  for (const auto& [k, v] : o_)
    if (!seen_.count(std::string(k))) AddError(std::string(k), "is not a known field");
  if (errors_.empty()) return Status::Ok();
  return InvalidArgument("the request has invalid fields", errors_);
}

std::string ToJson(const json::value& v) { return json::serialize(v); }

}  // namespace kehu::http
