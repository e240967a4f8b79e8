#include "http/problem.h"

#include <boost/json.hpp>

#include <algorithm>

namespace kehu::http {

int StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kFailedPrecondition: return 409;
    case ErrorCode::kAborted: return 412;
    case ErrorCode::kResourceExhausted: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

namespace {
const char* TitleFor(int status) {
  switch (status) {
    case 400: return "Invalid request";
    case 401: return "Authentication required";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 409: return "Conflict";
    case 412: return "Precondition failed";
    case 413: return "Request body too large";
    case 415: return "Unsupported media type";
    case 428: return "Precondition required";
    case 429: return "Too many requests";
    case 503: return "Service unavailable";
    default: return "Internal error";
  }
}
}  // namespace

Response Problem(int status, const std::string& type, const std::string& title,
                 const std::string& detail, const std::vector<FieldError>& errors) {
  boost::json::object o;
  o["type"] = "https://kehu.dev/problems/" + type;
  o["title"] = title.empty() ? TitleFor(status) : title;
  o["status"] = status;
  if (!detail.empty()) o["detail"] = detail;
  if (!errors.empty()) {
    boost::json::array a;
    for (const auto& e : errors) a.push_back(boost::json::object{{"field", e.field}, {"message", e.message}});
    o["errors"] = std::move(a);
  }
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = boost::json::serialize(o);
  return r;
}

Response ErrorResponse(const Error& e) {
  int status = StatusFor(e.code);
  std::string type = ErrorCodeName(e.code);
  if (e.code == ErrorCode::kInvalidArgument) type = "validation";
  if (e.code == ErrorCode::kAlreadyExists) type = "duplicate";
  if (e.code == ErrorCode::kAborted) type = "stale-version";
  if (e.code == ErrorCode::kResourceExhausted) type = "too-many-requests";
  std::replace(type.begin(), type.end(), '_', '-');
  Response r = Problem(status, type, TitleFor(status), e.message, e.fields);
  if (e.conflict_id || !e.allowed.empty() || !e.sheets.empty()) {
    auto o = boost::json::parse(r.body).as_object();
    if (e.conflict_id) o["conflict_id"] = *e.conflict_id;
    if (!e.allowed.empty()) {
      boost::json::array a;
      for (const auto& s : e.allowed) a.push_back(boost::json::string(s));
      o["allowed"] = std::move(a);
    }
    if (!e.sheets.empty()) {
      boost::json::array a;
      for (const auto& s : e.sheets) a.push_back(boost::json::string(s));
      o["sheets"] = std::move(a);
    }
    r.body = boost::json::serialize(o);
  }
  if (e.retry_after_seconds > 0) r.SetHeader("Retry-After", std::to_string(e.retry_after_seconds));
  return r;
}

}  // namespace kehu::http
