#include "http/static_files.h"

#include <array>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kehu::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'";

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

void AddSecurityHeaders(Response& res) {
  res.SetHeader("Content-Security-Policy", std::string(kCsp));
  res.SetHeader("X-Content-Type-Options", "nosniff");
  res.SetHeader("Referrer-Policy", "same-origin");
}

Response TextResponse(int status, std::string body) {
  Response res;
  res.status = status;
  res.content_type = "text/plain; charset=utf-8";
  res.body = std::move(body);
  res.SetHeader("Cache-Control", "no-cache");
  AddSecurityHeaders(res);
  return res;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Paths that belong to the API and operations endpoints, never to the web app; "/api" also
// covers "/api/..." so that a mistyped API URL gets a JSON 404 rather than the SPA.
bool IsReservedPath(std::string_view path) {
  if (path == "/api" || StartsWith(path, "/api/")) return true;
  for (std::string_view p : {"/healthz", "/readyz", "/metrics"}) {
    if (path == p || (StartsWith(path, p) && path.size() > p.size() && path[p.size()] == '/')) {
      return true;
    }
  }
  return false;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a URL path. Fails on a truncated or non-hex escape and on an encoded NUL;
// '+' stays '+' (it means space only in query strings).
std::optional<std::string> PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;  // truncated escape
    const int hi = HexValue(in[i + 1]);
    const int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return std::nullopt;
    out.push_back(c);
    i += 2;
  }
  return out;
}

// Splits a decoded path into its non-empty segments; fails when a segment could climb out of
// the root ("..") or smuggle a Windows separator or a NUL.
std::optional<std::vector<std::string>> SafeSegments(const std::string& decoded) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= decoded.size()) {
    size_t end = decoded.find('/', start);
    if (end == std::string::npos) end = decoded.size();
    std::string seg = decoded.substr(start, end - start);
    if (seg == "..") return std::nullopt;
    if (seg.find('\\') != std::string::npos || seg.find('\0') != std::string::npos) {
      return std::nullopt;
    }
    if (!seg.empty() && seg != ".") segments.push_back(std::move(seg));
    start = end + 1;
  }
  return segments;
}

// True when `path` (canonical) lies inside `root` (canonical).
bool IsInside(const fs::path& root, const fs::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (p == path.end() || *r != *p) return false;
  }
  return true;
}

bool IsRegularFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// Whether the client accepts `coding` per Accept-Encoding (RFC 9110 12.5.3): listed with a
// non-zero q value, or covered by "*" with a non-zero q and not listed with q=0.
bool Accepts(std::string_view header, std::string_view coding) {
  bool star = false;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view item = header.substr(pos, comma - pos);
    pos = comma + 1;
    std::string_view name = item.substr(0, item.find(';'));
    auto trim = [](std::string_view s) {
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
      return s;
    };
    name = trim(name);
    bool zero_q = false;
    if (size_t semi = item.find(';'); semi != std::string_view::npos) {
      std::string_view param = trim(item.substr(semi + 1));
      if (StartsWith(param, "q=") || StartsWith(param, "Q=")) {
        std::string_view q = trim(param.substr(2));
        // q=0, q=0.0, q=0.000 all mean "not acceptable".
        zero_q = !q.empty() && q.front() == '0' &&
                 q.find_first_not_of("0.", 0) == std::string_view::npos;
      }
    }
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower == coding) return !zero_q;
    if (lower == "*") star = !zero_q;
  }
  return star;
}

}  // namespace

std::string ContentTypeForPath(const std::string& file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 21> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".avif", "image/avif"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".xml", "application/xml"},
  }};
  const std::string ext = fs::path(file_name).extension().string();
  std::string lower = ext;
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (const auto& [e, type] : kTypes) {
    if (lower == e) return std::string(type);
  }
  return "application/octet-stream";
}

std::optional<Response> ServeStatic(const Request& req, const std::string& root_dir) {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  // Request::path should hold no query, but strip one defensively: the query never names a file.
  std::string_view raw = req.path;
  raw = raw.substr(0, raw.find_first_of("?#"));
  if (raw.empty() || raw.front() != '/') return TextResponse(400, "bad path\n");
  if (IsReservedPath(raw)) return std::nullopt;

  std::optional<std::string> decoded = PercentDecode(raw);
  if (!decoded) return TextResponse(400, "bad percent-encoding in path\n");
  // Check the decoded form too: "/%61pi/v1" is still the API.
  if (IsReservedPath(*decoded)) return std::nullopt;
  std::optional<std::vector<std::string>> segments = SafeSegments(*decoded);
  if (!segments) return TextResponse(400, "bad path\n");

  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::path(root_dir), ec);
  if (ec) return std::nullopt;
  const fs::path index = root / "index.html";

  bool hidden = false;
  fs::path candidate = root;
  for (const std::string& seg : *segments) {
    if (seg.front() == '.') hidden = true;
    candidate /= seg;
  }
  if (hidden) return TextResponse(404, "not found\n");

  fs::path file;
  bool immutable = false;
  const bool has_extension = !segments->empty() && segments->back().find('.') != std::string::npos;
  if (!segments->empty() && IsRegularFile(candidate)) {
    const fs::path canonical = fs::weakly_canonical(candidate, ec);
    if (ec || !IsInside(root, canonical)) return TextResponse(404, "not found\n");
    file = canonical;
    immutable = segments->size() >= 2 && segments->front() == "assets";
  } else if (has_extension) {
    return TextResponse(404, "not found\n");
  } else {
    if (!IsRegularFile(index)) return std::nullopt;
    file = index;
  }

  Response res;
  res.status = 200;
  res.content_type = ContentTypeForPath(file.filename().string());
  res.SetHeader("Cache-Control", std::string(immutable ? kImmutable : "no-cache"));

  const std::string_view accept = req.Header("accept-encoding");
  const fs::path br = fs::path(file.string() + ".br");
  const fs::path gz = fs::path(file.string() + ".gz");
  const bool has_br = IsRegularFile(br);
  const bool has_gz = IsRegularFile(gz);
  if (has_br || has_gz) res.SetHeader("Vary", "Accept-Encoding");
  if (has_br && Accepts(accept, "br")) {
    res.SetHeader("Content-Encoding", "br");
    file = br;
  } else if (has_gz && Accepts(accept, "gzip")) {
    res.SetHeader("Content-Encoding", "gzip");
    file = gz;
  }
  res.file_path = file.string();
  AddSecurityHeaders(res);
  return res;
}

}  // namespace kehu::http
