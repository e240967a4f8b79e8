// Feeds arbitrary bytes to the server's request parser (same limits, same conversion into
// kehu::http::Request) and checks what a successful parse promises.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/request_parse.h"

namespace {

// Small enough that the fuzzer reaches the over-limit path often.
constexpr uint64_t kFuzzBodyLimit = 4096;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  kehu::http::Request request;
  if (kehu::http::ParseHttpRequest(bytes, kFuzzBodyLimit, &request) !=
      kehu::http::ParseOutcome::kComplete) {
    return 0;
  }
  Check(!request.method.empty());
  Check(request.body.size() <= kFuzzBodyLimit);
  // path + ('?' + query) rebuilds the target exactly.
  std::string_view target = request.target;
  Check(target.substr(0, request.path.size()) == request.path);
  if (request.path.size() < target.size()) {
    Check(target[request.path.size()] == '?');
    Check(target.substr(request.path.size() + 1) == request.query);
  } else {
    Check(request.query.empty());
  }
  for (const auto& [name, value] : request.headers) {
    for (char c : name) Check(!(c >= 'A' && c <= 'Z'));
  }
  return 0;
}
