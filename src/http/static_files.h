#pragma once
// Serving the built web workspace (web/dist) from `kehu serve`.
//
// The router calls ServeStatic() for requests that no API route claimed:
//
//   if (auto r = ServeStatic(req, options.web_root)) return *r;
//   return NotFoundProblem(req);
//
// It is plain C++ (no Beast): it decides *which* file answers and with which headers, and sets
// Response::file_path so that the server streams the file instead of holding it in memory.

#include <optional>
#include <string>

#include "http/message.h"

namespace kehu::http {

// Answers a GET or HEAD request for the single-page web app rooted at `root_dir`.
//
// Returns std::nullopt when the request is not the static server's business, so the caller can
// answer it (usually 404 or 405 problem+json):
//   - the method is neither GET nor HEAD;
//   - the path is an API or operations path: /api, /api/..., /healthz, /readyz, /metrics;
//   - the SPA fallback is needed but root_dir has no index.html (the web app was not built).
//
// Otherwise returns a Response:
//   - 200 with file_path set (body empty) for an existing regular file below root_dir;
//     for HEAD the same response: the server sends the headers and no body;
//   - 200 with file_path = root_dir/index.html for a path that names no file and whose last
//     segment has no extension ("/", "/customers/42"): client-side routes (SPA fallback);
//   - 404 text/plain for a missing path whose last segment has an extension ("/assets/x.js"):
//     answering index.html there would cache HTML under a script's name;
//   - 400 text/plain for a path that could escape root_dir or is malformed: a ".." segment
//     (also when percent-encoded), invalid %xx escapes, an encoded NUL, a backslash;
//     a hidden segment (".env") or a symlink resolving outside root_dir answers 404.
// Caching: files under /assets/ (content-hashed by Vite) get
// "Cache-Control: public, max-age=31536000, immutable"; everything else "no-cache".
// Compression: when Accept-Encoding accepts br (preferred) or gzip and "file.br" / "file.gz"
// exists beside the file, that file is served with Content-Encoding; any file that has such a
// sibling answers "Vary: Accept-Encoding". Content-Type follows the original file's extension.
// Every returned Response carries the security headers (Content-Security-Policy without inline
// script, X-Content-Type-Options: nosniff, Referrer-Policy: same-origin).
std::optional<Response> ServeStatic(const Request& req, const std::string& root_dir);

// The Content-Type for a file name, chosen by extension ("app.js" -> "text/javascript;
// charset=utf-8"); "application/octet-stream" when unknown. Exposed for tests and the server.
std::string ContentTypeForPath(const std::string& file_name);

}  // namespace kehu::http
