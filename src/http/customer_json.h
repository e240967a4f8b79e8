#pragma once
// A customer as the API shows it (docs/openapi.yaml, Customer): as a Boost.JSON object, for
// answers that embed it, and written straight into a string, for the answers that are mostly
// customers (the point read, the list, a create or an update), without building the tree first.
// Both give the same JSON, member for member and in the same order (customer_json_test.cc).

#include <boost/json/object.hpp>

#include <string>

#include "domain/customers/customer.h"

namespace kehu::http {

boost::json::object EncodeCustomer(const customers::Customer& c);
// Appends EncodeCustomer(c)'s serialization to out.
void AppendCustomerJson(std::string& out, const customers::Customer& c);

}  // namespace kehu::http
