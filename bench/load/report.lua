-- Shared by every load script in this folder (found through LUA_PATH, set by bench/run.sh).
--
-- wrk's own summary has no p95 and prints durations for humans ("1.23ms"). done() prints one
-- machine-readable line instead, which bench/run.sh parses:
--   KEHU_RESULT requests=N duration_us=N rps=X p50_us=N p95_us=N p99_us=N max_us=N
--               non2xx=N socket_errors=N
-- Latencies are microseconds, as wrk records them. Non-2xx answers are counted separately
-- because a 404 or 409 is cheap for the server and would otherwise inflate req/s unnoticed.
local report = {}

-- Paced load: with KEHU_PACE_MS=D in the environment each connection waits a random 0..2D ms
-- (mean D) before each request instead of sending the next one at once, so N connections offer
-- about N / (D + latency) requests a second: a load below saturation, at which a latency figure
-- means something (a closed loop at full speed measures queueing behind the other connections).
-- Scripts opt in with `if report.paced() then delay = report.delay end`.
local pace_ms = tonumber(os.getenv("KEHU_PACE_MS") or "")
function report.paced() return pace_ms ~= nil and pace_ms > 0 end
function report.delay() return math.random(0, 2 * pace_ms) end

function report.done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "KEHU_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p95_us=%d p99_us=%d max_us=%d " ..
    "non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, summary.requests / seconds,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(95)),
    math.floor(latency:percentile(99)), math.floor(latency.max),
    e.status, e.connect + e.read + e.write + e.timeout))
end

-- A raw HTTP/1.1 GET for `path` with the Host of the target and, when given, a bearer token.
-- Scripts build these by concatenation rather than wrk.format() so the load generator, which
-- shares the two cores with the server, spends as little CPU per request as it can.
function report.get_prefix_suffix(token)
  local suffix = " HTTP/1.1\r\nHost: " .. wrk.headers["Host"] .. "\r\n"
  if token and token ~= "" then
    suffix = suffix .. "Authorization: Bearer " .. token .. "\r\n"
  end
  return "GET ", suffix .. "\r\n"
end

return report
