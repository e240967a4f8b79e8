#pragma once
// Result<T> and Status: expected failures as values (see ../shared/CONVENTIONS.md, "Errors").
//
//   Result<Customer> r = service.Get(principal, id);
//   if (!r.ok()) return r.error();        // propagate
//   const Customer& c = *r;               // or r.value()
//
// ErrorCode names follow Abseil's canonical codes. http/problem.cc maps each to an HTTP status
// and cli/ to an exit status; both switch without a default, so a new code is a compile warning.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace kehu {

enum class ErrorCode {
  kInvalidArgument,     // bad input; FieldErrors say which fields (HTTP 400/422)
  kUnauthenticated,     // no or bad credentials (401)
  kPermissionDenied,    // authenticated but not allowed (403; objects you may not see are kNotFound)
  kNotFound,            // (404)
  kAlreadyExists,       // unique rule broken, e.g. duplicate phone; conflict_id names the holder (409)
  kFailedPrecondition,  // the object's state forbids it, e.g. invalid status transition (409)
  kAborted,             // stale version: someone else changed it first (412)
  kResourceExhausted,   // throttled or over a limit; retry_after_seconds when known (429)
  kUnavailable,         // busy or unreachable database; retrying may help (503)
  kInternal,            // a bug or the truly unexpected (500)
};

// Stable lower_snake name of a code ("not_found"), used in problem types and logs.
const char* ErrorCodeName(ErrorCode code);

struct FieldError {
  std::string field{};    // JSON path of the offending field: "phones[1]", "birthday"
  std::string message{};  // human-readable, English
};

struct Error {
  ErrorCode code{ErrorCode::kInternal};
  std::string message{};
  std::vector<FieldError> fields{};
  std::optional<int64_t> conflict_id{};   // kAlreadyExists: the existing object's id
  int retry_after_seconds{0};             // kResourceExhausted
  std::vector<std::string> allowed{};     // kFailedPrecondition: e.g. allowed transitions
  std::vector<std::string> sheets{};      // a workbook import's refusal: its worksheets, to pick another
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{.code = code, .message = std::move(message)};
}
inline Error InvalidArgument(std::string message, std::vector<FieldError> fields = {}) {
  return Error{.code = ErrorCode::kInvalidArgument, .message = std::move(message),
               .fields = std::move(fields)};
}
inline Error NotFound(std::string message) { return MakeError(ErrorCode::kNotFound, std::move(message)); }
inline Error Internal(std::string message) { return MakeError(ErrorCode::kInternal, std::move(message)); }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT implicit
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT implicit

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Status is a Result with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT implicit
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_{};
};

}  // namespace kehu

// Propagates a failed Status or Result from the enclosing function.
#define KEHU_RETURN_IF_ERROR(expr)                     \
  do {                                                 \
    auto&& kehu_status_ = (expr);                      \
    if (!kehu_status_.ok()) return kehu_status_.error(); \
  } while (0)

#define KEHU_CONCAT_INNER_(a, b) a##b
#define KEHU_CONCAT_(a, b) KEHU_CONCAT_INNER_(a, b)
// KEHU_ASSIGN_OR_RETURN(auto x, MaybeX()); declares x from a Result or propagates its error.
#define KEHU_ASSIGN_OR_RETURN(lhs, expr) \
  KEHU_ASSIGN_OR_RETURN_IMPL_(KEHU_CONCAT_(kehu_result_, __LINE__), lhs, expr)
#define KEHU_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).error();     \
  lhs = std::move(tmp).value()
