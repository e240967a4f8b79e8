#pragma once
// Request-body decoders of the customers API, exposed for the fuzzer (fuzz/fuzz_json_decode.cc)
// and tests. Each returns the decoded patch or kInvalidArgument with one FieldError per problem;
// none throws or crashes on any input.

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/result.h"
#include "domain/customers/customer_service.h"
#include "http/api.h"

namespace kehu::http {

Result<customers::CustomerPatch> DecodeCustomer(const std::string& body);
Result<customers::ContactPatch> DecodeContact(const std::string& body);

// The customer list's filters and sort from the query string (the list, its export). Query
// parameters other than the filters and `extra` are a 400.
Result<customers::ListRequest> ReadListRequest(const Ctx& c, std::initializer_list<const char*> extra);

// Runs every decoder on the bytes (the fuzzing entry point).
void FuzzDecodeAll(std::string_view bytes);

}  // namespace kehu::http
