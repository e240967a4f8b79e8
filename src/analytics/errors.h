#pragma once
// Internal to analytics/*.cc: validation errors that name the offending column element.
// (Built by appending: g++ 12 at -O3 warns falsely (-Wrestrict) on "literal" + std::string.)

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kehu::analytics::internal {

inline std::string Indexed(std::string_view column, size_t i) {
  std::string s(column);
  s += '[';
  s += std::to_string(i);
  s += ']';
  return s;
}

// kInvalidArgument with one FieldError {column[i], message}.
inline Error BadElement(std::string_view column, size_t i, std::string_view message) {
  std::string field = Indexed(column, i);
  std::string text = field;
  text += ' ';
  text += message;
  return InvalidArgument(std::move(text),
                         {{.field = std::move(field), .message = std::string(message)}});
}

}  // namespace kehu::analytics::internal
