#pragma once
// One HTTP/1.1 request parsed from bytes held in memory, with exactly the parser settings and the
// Beast-to-Request conversion that the live server (server.cc) uses on its sockets. It exists so
// the fuzz target (fuzz/fuzz_http_request.cc) exercises our code path without opening sockets,
// and so tests can check the conversion without Beast headers.
//
//   Request req;
//   if (ParseHttpRequest("GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n", 1 << 20, &req) ==
//       ParseOutcome::kComplete) { /* req.path == "/a", req.query == "b=1" */ }

#include <cstdint>
#include <string_view>

#include "http/message.h"

namespace kehu::http {

// Largest accepted request line plus header block, in bytes (the server answers 431 beyond it).
inline constexpr uint32_t kRequestHeaderLimit = 16 * 1024;

// Why a plain enum and not Result<T>: the caller needs to pick between "read more bytes" and three
// distinct HTTP answers (400, 413, 431), which the canonical ErrorCodes do not name.
enum class ParseOutcome {
  kComplete,        // *out holds the first request in the bytes
  kIncomplete,      // the bytes end before the request does (a socket reader would read more)
  kBadRequest,      // not a valid HTTP/1.x request: answered 400
  kBodyTooLarge,    // declared or received body exceeds body_limit: answered 413
  kHeaderTooLarge,  // request line + headers exceed kRequestHeaderLimit: answered 431
};

// Parses the first request in `bytes` (bytes after it, e.g. a pipelined second request, are
// ignored). On kComplete fills *out: method, target, path (target up to '?'), query (after '?',
// without it), headers with lower-cased names in arrival order, and the (de-chunked) body;
// remote_addr is left empty. On any other outcome *out is left unchanged. `out` must not be null.
ParseOutcome ParseHttpRequest(std::string_view bytes, uint64_t body_limit, Request* out);

}  // namespace kehu::http
