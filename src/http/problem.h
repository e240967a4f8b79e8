#pragma once
// RFC 9457 problem+json responses. The one place where an ErrorCode becomes an HTTP status.

#include <string>
#include <vector>

#include "core/result.h"
#include "http/message.h"

namespace kehu::http {

// HTTP status for an error code (a switch without default: a new code is a compile warning).
int StatusFor(ErrorCode code);

// {"type","title","status","detail","errors":[{field,message}], ...}
Response Problem(int status, const std::string& type, const std::string& title,
                 const std::string& detail = "", const std::vector<FieldError>& errors = {});
// The problem for a domain error (conflict_id, retry_after and allowed carried through).
Response ErrorResponse(const Error& error);

}  // namespace kehu::http
