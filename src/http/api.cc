#include "http/api.h"

#include <charconv>

#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <chrono>
#include <cstdio>
#include <memory>

#include "core/strings.h"
#include "http/json_io.h"
#include "http/problem.h"
#include "http/static_files.h"
#include "text/chinese.h"

namespace kehu::http {

namespace {

constexpr int64_t kBucketsUs[] = {500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
                                  250000, 500000, 1000000, 2500000};

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool Match(const Route& r, const std::vector<std::string>& segs, std::map<std::string, std::string>* params) {
  if (r.segments.size() != segs.size()) return false;
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string& p = r.segments[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      const std::string& s = segs[i];
      if (p == "{token}") {  // opaque tokens (signed survey links): [A-Za-z0-9._-], at most 200
        if (s.empty() || s.size() > 200 || !std::all_of(s.begin(), s.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
            }))
          return false;
        if (params) (*params)["token"] = s;
        continue;
      }
      if (s.empty() || s.size() > 18 ||
          !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
      if (params) (*params)[p.substr(1, p.size() - 2)] = s;
    } else if (p != segs[i]) {
      return false;
    }
  }
  return true;
}

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::string NewRequestId() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t boot = static_cast<uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch().count());
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%06llx", static_cast<unsigned long long>(boot & 0xffffffff),
                static_cast<unsigned long long>(counter.fetch_add(1) & 0xffffff));
  return buf;
}

}  // namespace

std::optional<std::string> Ctx::Query(const std::string& name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

int64_t Ctx::Id(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? 0 : std::stoll(it->second);
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string CookieValue(const Request& req, const std::string& name) {
  std::string_view all = req.Header("cookie");
  size_t i = 0;
  while (i < all.size()) {
    size_t j = all.find(';', i);
    if (j == std::string_view::npos) j = all.size();
    std::string_view part = Trim(all.substr(i, j - i));
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
    i = j + 1;
  }
  return {};
}

Api::Api(Services services) : services_(std::move(services)) {
  unmatched_route_.name = "unmatched";
  unmatched_route_.metrics = MetricsFor("unmatched");
  static_route_.name = "static";
  static_route_.metrics = MetricsFor("static");
}

RouteMetrics* Api::MetricsFor(const std::string& name) {
  std::lock_guard lock(metrics_mu_);
  auto it = metrics_.find(name);
  if (it == metrics_.end()) it = metrics_.emplace(name, std::make_unique<RouteMetrics>()).first;
  return it->second.get();
}

void Api::Add(std::string method, std::string pattern, RouteFn fn, bool needs_auth) {
  Route r{.method = std::move(method), .pattern = pattern, .needs_auth = needs_auth, .fn = std::move(fn),
          .segments = Split(pattern)};
  r.name = r.method + " " + pattern;
  r.metrics = MetricsFor(r.name);
  routes_.push_back(std::move(r));
}

void Api::MarkCheapRead(const std::string& pattern) {
  for (auto& r : routes_)
    if (r.method == "GET" && r.pattern == pattern) r.cheap_read = true;
}

const Route* Api::FindRoute(const Request& req, std::vector<std::string>* allowed) const {
  const auto segs = Split(req.path);
  for (const auto& r : routes_) {
    if (!Match(r, segs, nullptr)) continue;
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) return &r;
    if (allowed) allowed->push_back(r.method);
  }
  return nullptr;
}

namespace {

bool UsesApiKey(const Request& req) {
  const std::string_view authz = req.Header("authorization");
  return !req.Header("x-api-key").empty() ||
         (authz.size() > 12 && authz.substr(7, 5) == "kehu_");  // "Bearer kehu_...": an API key
}

}  // namespace

bool Api::RunsInline(Request& req) const {
  if (!services_.inline_cheap_reads || req.method != "GET") return false;
  // API keys may touch their last-used time: a write, which could wait behind an import, unless
  // the database writes it without waiting (IdentityRepository::TouchApiKey).
  if (!services_.async_writes && UsesApiKey(req)) return false;
  const Route* r = FindRoute(req, nullptr);
  if (!r) return false;
  req.route_index = static_cast<int>(r - routes_.data());
  if (!r->cheap_read) return false;
  return !services_.idle_reader || services_.idle_reader();
}

void Api::Observe(RouteMetrics& m, int status, int64_t us) {
  (status >= 500 ? m.count_5xx : status >= 400 ? m.count_4xx : m.count_2xx).fetch_add(1, std::memory_order_relaxed);
  // One count in the first bucket that holds it (the exposition adds them up): a request used
  // to add to every bucket above its time, a dozen atomic writes shared by the I/O threads.
  for (size_t i = 0; i < std::size(kBucketsUs); ++i) {
    if (us <= kBucketsUs[i]) {
      m.buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  m.sum_us.fetch_add(us, std::memory_order_relaxed);
}

Response Api::Metrics() {
  std::string out;
  out += "# HELP kehu_http_requests_total HTTP requests by route and status class.\n";
  out += "# TYPE kehu_http_requests_total counter\n";
  std::string hist = "# HELP kehu_http_request_duration_seconds Request latency by route.\n"
                     "# TYPE kehu_http_request_duration_seconds histogram\n";
  std::lock_guard lock(metrics_mu_);
  for (const auto& [route, m] : metrics_) {
    std::string label = "route=" + JsonQuote(route);
    int64_t total = m->count_2xx + m->count_4xx + m->count_5xx;
    out += "kehu_http_requests_total{" + label + ",code=\"2xx\"} " + std::to_string(m->count_2xx.load()) + "\n";
    out += "kehu_http_requests_total{" + label + ",code=\"4xx\"} " + std::to_string(m->count_4xx.load()) + "\n";
    out += "kehu_http_requests_total{" + label + ",code=\"5xx\"} " + std::to_string(m->count_5xx.load()) + "\n";
    int64_t cumulative = 0;
    for (size_t i = 0; i < std::size(kBucketsUs); ++i) {
      cumulative += m->buckets[i].load();
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBucketsUs[i] / 1e6);
      hist += "kehu_http_request_duration_seconds_bucket{" + label + ",le=\"" + le + "\"} " +
              std::to_string(cumulative) + "\n";
    }
    hist += "kehu_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(total) + "\n";
    char sum[32];
    std::snprintf(sum, sizeof sum, "%.6f", m->sum_us.load() / 1e6);
    hist += "kehu_http_request_duration_seconds_sum{" + label + "} " + sum + "\n";
    hist += "kehu_http_request_duration_seconds_count{" + label + "} " + std::to_string(total) + "\n";
  }
  out += hist;
  out += "# HELP kehu_http_in_flight Requests being handled.\n# TYPE kehu_http_in_flight gauge\n";
  out += "kehu_http_in_flight " + std::to_string(in_flight_.load()) + "\n";
  if (services_.pool_metrics) out += services_.pool_metrics();
  Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = std::move(out);
  return r;
}

Response Api::Handle(Request& req) {
  const auto start = std::chrono::steady_clock::now();
  in_flight_.fetch_add(1);
  std::string request_id(req.Header("x-request-id"));
  if (!SaneRequestId(request_id)) request_id = NewRequestId();
  const Route* route = &unmatched_route_;
  std::string user = "-";
  Response res;
  try {
    res = Dispatch(req, request_id, &route, &user);
  } catch (const std::exception& e) {
    spdlog::error("request_id={} unhandled exception: {}", request_id, e.what());
    res = Problem(500, "internal", "Internal error", "request " + request_id + " failed; see the server log");
  }
  End(req, request_id, *route, user, start, res);
  return res;
}

void Api::End(const Request& req, const std::string& request_id, const Route& route, const std::string& user,
              std::chrono::steady_clock::time_point start, Response& res) {
  res.SetHeader("X-Request-Id", request_id);
  const int64_t us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  Observe(*route.metrics, res.status, us);
  in_flight_.fetch_sub(1);
  spdlog::info("access method={} path={} route=\"{}\" status={} dur_us={} bytes={} user={} ip={} request_id={}",
               req.method, req.path, route.name, res.status, us, res.body.size(), user, req.remote_addr, request_id);
}

void Api::SetAsync(const std::string& method, const std::string& pattern, AsyncRouteFn fn) {
  for (auto& r : routes_)
    if (r.method == method && r.pattern == pattern) r.async_fn = fn;
}

bool Api::RunsAsync(Request& req) const {
  if (!services_.async_writes || req.method != "POST" || !req.Header("idempotency-key").empty()) return false;
  const Route* r = FindRoute(req, nullptr);
  if (!r) return false;
  req.route_index = static_cast<int>(r - routes_.data());
  if (!r->async_fn) return false;
  return !services_.idle_reader || services_.idle_reader();
}

void Api::HandleAsync(Request& req, std::function<void(std::function<Response()>)> resume) {
  const auto start = std::chrono::steady_clock::now();
  in_flight_.fetch_add(1);
  // What the access log and the response need once the work has ended (the request itself
  // outlives the call: the server's session waits for resume).
  struct State {
    std::string request_id;
    const Route* route;
    std::string user{"-"};
  };
  auto state = std::make_shared<State>();
  state->request_id = std::string(req.Header("x-request-id"));
  if (!SaneRequestId(state->request_id)) state->request_id = NewRequestId();
  state->route = &unmatched_route_;
  auto finish = [this, &req, start, state, resume](std::function<Response()> make) {
    resume([this, &req, start, state, make = std::move(make)] {
      Response res;
      try {
        res = make();
      } catch (const std::exception& e) {
        spdlog::error("request_id={} unhandled exception: {}", state->request_id, e.what());
        res = Problem(500, "internal", "Internal error", "request " + state->request_id + " failed; see the server log");
      }
      End(req, state->request_id, *state->route, state->user, start, res);
      return res;
    });
  };
  auto called = std::make_shared<std::atomic<bool>>(false);
  AsyncFinish once = [called, finish](std::function<Response()> make) {
    called->store(true);
    finish(std::move(make));
  };
  try {
    Ctx ctx{.req = req};
    identity::Principal principal;
    if (auto early = Begin(req, state->request_id, &state->route, &state->user, ctx, principal)) {
      return once([r = std::move(*early)] { return r; });
    }
    state->route->async_fn(ctx, once);
  } catch (const std::exception& e) {
    spdlog::error("request_id={} unhandled exception: {}", state->request_id, e.what());
    if (!called->load()) {
      finish([id = state->request_id] {
        return Problem(500, "internal", "Internal error", "request " + id + " failed; see the server log");
      });
    }
  } catch (...) {
    spdlog::error("request_id={} unhandled non-standard exception", state->request_id);
    if (!called->load()) {
      finish([id = state->request_id] {
        return Problem(500, "internal", "Internal error", "request " + id + " failed; see the server log");
      });
    }
  }
}

std::optional<Response> Api::Begin(Request& req, const std::string& request_id, const Route** route_out,
                                   std::string* user_out, Ctx& ctx, identity::Principal& principal) {
  std::vector<std::string> allowed;
  const Route* found = req.route_index >= 0 && static_cast<size_t>(req.route_index) < routes_.size()
                           ? &routes_[static_cast<size_t>(req.route_index)]
                           : FindRoute(req, &allowed);
  if (found) (void)Match(*found, Split(req.path), &ctx.params);
  if (!found) {
    if (!allowed.empty()) {
      std::string allow;
      for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
      Response r = Problem(405, "method-not-allowed", "Method not allowed",
                           req.method + " is not allowed here; use " + allow);
      r.SetHeader("Allow", allow);
      return r;
    }
    if (req.path.rfind("/api/", 0) != 0 && !services_.web_root.empty()) {
      if (auto r = ServeStatic(req, services_.web_root)) {
        *route_out = &static_route_;
        return *r;
      }
    }
    return Problem(404, "not-found", "Not found", "no route for " + req.path);
  }
  *route_out = found;

  // Query string (Boost.URL decodes percent-escapes and '+').
  if (!req.query.empty()) {
    const std::string target = "/?" + req.query;  // the url_view below refers into it
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) return Problem(400, "validation", "Invalid request", "malformed query string");
    for (auto p : parsed->params()) {
      if (!p.has_value && p.key.empty()) continue;
      // Decoded %xx may be any bytes; text that reaches the domain or a database is UTF-8.
      if (!text::IsValidUtf8(p.key) || !text::IsValidUtf8(p.value))
        return Problem(400, "validation", "Invalid request", "query parameters must be UTF-8",
                       {{p.key, "is not valid UTF-8"}});
      ctx.query.emplace_back(p.key, p.value);
    }
  }

  if (found->needs_auth) {
    std::string_view authz = req.Header("authorization");
    std::string token;
    bool by_cookie = false;
    if (authz.size() > 7 && (authz.substr(0, 7) == "Bearer " || authz.substr(0, 7) == "bearer ")) {
      token = std::string(Trim(authz.substr(7)));
    } else if (auto k = req.Header("x-api-key"); !k.empty()) {
      token = std::string(k);
    } else {
      token = CookieValue(req, "kehu_session");
      by_cookie = true;
    }
    if (token.empty()) return Problem(401, "unauthenticated", "Authentication required", "sign in first");
    auto p = token.rfind("kehu_", 0) == 0 ? services_.identity->AuthenticateApiKey(token)
                                          : services_.identity->AuthenticateSession(token);
    if (!p.ok()) {
      Response r = ErrorResponse(p.error());
      r.SetHeader("WWW-Authenticate", "Bearer");
      return r;
    }
    principal = std::move(*p);
    *user_out = std::to_string(principal.user_id);
    if (by_cookie && req.method != "GET" && req.method != "HEAD") {
      std::string_view csrf = req.Header("x-csrf-token");
      if (csrf.empty() || csrf != principal.csrf_token)
        return Problem(403, "csrf", "Forbidden", "cookie-authenticated writes need the X-CSRF-Token header");
    }
    ctx.principal = &principal;
  }
  ctx.request_id = request_id;
  return std::nullopt;
}

Response Api::Dispatch(Request& req, const std::string& request_id, const Route** route_out,
                       std::string* user_out) {
  Ctx ctx{.req = req};
  identity::Principal principal;
  if (auto early = Begin(req, request_id, route_out, user_out, ctx, principal)) return std::move(*early);
  const Route* found = *route_out;

  // Idempotency-Key on POST: a retried request returns the first result.
  std::string idem(req.Header("idempotency-key"));
  if (req.method == "POST" && !idem.empty() && ctx.principal && services_.identity_repo) {
    if (idem.size() > 200 || !std::all_of(idem.begin(), idem.end(), [](char ch) { return ch > ' ' && ch < 127; }))
      return Problem(400, "validation", "Invalid request",
                     "Idempotency-Key must be 1-200 printable ASCII characters");
    const std::string hash = identity::IdentityService::Sha256Hex(req.method + " " + req.path + "\n" + req.body);
    auto prior = services_.identity_repo->FindIdempotent(principal.org_id, principal.user_id, idem);
    if (!prior.ok()) return ErrorResponse(prior.error());
    if (*prior) {
      if ((*prior)->request_hash != hash)
        return Problem(422, "idempotency-key-reused", "Idempotency key reused",
                       "this Idempotency-Key was used for a different request");
      Response r;
      r.status = (*prior)->status;
      r.body = (*prior)->body;
      const std::string& hs = (*prior)->headers;
      size_t i = 0;
      while (i < hs.size()) {
        size_t j = hs.find('\n', i);
        if (j == std::string::npos) j = hs.size();
        std::string line = hs.substr(i, j - i);
        size_t colon = line.find(": ");
        if (colon != std::string::npos) {
          if (line.substr(0, colon) == "Content-Type") r.content_type = line.substr(colon + 2);
          else r.SetHeader(line.substr(0, colon), line.substr(colon + 2));
        }
        i = j + 1;
      }
      r.SetHeader("Idempotent-Replayed", "true");
      return r;
    }
    Response r = found->fn(ctx);
    if (r.status < 500) {
      std::string hs = "Content-Type: " + r.content_type + "\n";
      for (const auto& [k, v] : r.headers)
        if (k == "Location") hs += k + ": " + v + "\n";
      (void)services_.identity_repo->SaveIdempotent(
          principal.org_id, principal.user_id, idem,
          identity::StoredResponse{.request_hash = hash, .status = r.status, .headers = hs, .body = r.body},
          services_.clock->Now());
    }
    return r;
  }
  return found->fn(ctx);
}

void AddSystemRoutes(Api& api) {
  api.Add("GET", "/healthz", [](Ctx&) { return JsonResponse(200, R"({"status":"ok"})"); }, false);
  api.MarkCheapRead("/healthz");
  api.Add("GET", "/readyz", [&api](Ctx&) {
    bool ok = api.services().ready ? api.services().ready() : true;
    return ok ? JsonResponse(200, R"({"status":"ready"})")
              : Problem(503, "unavailable", "Service unavailable", "the database does not answer");
  }, false);
  api.Add("GET", "/metrics", [&api](Ctx&) { return api.Metrics(); }, false);
  api.Add("GET", "/api/v1/openapi.json", [](Ctx&) {
    Response r = JsonResponse(200, std::string(OpenApiJson()));
    r.SetHeader("Cache-Control", "no-cache");
    return r;
  }, false);
}

std::unique_ptr<Api> MakeApi(Services services) {
  auto api = std::make_unique<Api>(std::move(services));
  AddSystemRoutes(*api);
  AddIdentityRoutes(*api);
  AddImportRoutes(*api);  // before the customer routes: /customers/export is not /customers/{id}
  AddCustomerRoutes(*api);
  AddOrderRoutes(*api);
  AddInteractionRoutes(*api);
  AddAnalyticsRoutes(*api);
  AddServiceRoutes(*api);
  // Reads of one object by key: a few indexed lookups, microseconds on SQLite.
  for (const char* p : {"/api/v1/customers/{id}", "/api/v1/telephony/pop", "/api/v1/customers/{id}/value"})
    api->MarkCheapRead(p);
  return api;
}

std::optional<int64_t> IfMatchVersion(const Request& req, bool* malformed) {
  std::string_view v = req.Header("if-match");
  *malformed = false;
  if (v.empty()) return std::nullopt;
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out < 1) {
    *malformed = true;
    return std::nullopt;
  }
  return out;
}

}  // namespace kehu::http
