#!/usr/bin/env bash
# Contact-center load (issue 4) against a running kehu:
#   bench/telephony/run.sh KEHU_URL ADMIN_TOKEN AGENT_USERNAME [KEHU_ACCESS_LOG]
# 1. Screen-pop look-up: wrk GET /api/v1/telephony/pop?phone= over 500 customers' phones and
#    500 unknown numbers; target p99 < 5 ms at BENCH_CONNECTIONS; also run at 8 connections (a
#    realistic number of agents answering at once). With the access log, kehu's own handler time
#    (dur_us) is printed too, which separates the work from queueing on the shared cores.
# 2. Event ingestion: distinct ringing/answered/hangup events signed beforehand (HMAC-SHA256,
#    sign_events.py) and replayed once each by wrk; target 5,000 events/s. Every hangup writes a
#    call interaction, so this is also the rate of logged calls x 3.
# Called by bench/run.sh (on its 1M-customer database); standalone.sh runs it on its own.
# Environment: BENCH_DURATION (10), BENCH_CONNECTIONS (64), BENCH_THREADS (2).
# Exit status: 0 both targets met, 1 a target missed or a run had errors, 3 could not run.
set -euo pipefail
[[ $# -ge 3 && $# -le 4 ]] || { echo "usage: bench/telephony/run.sh KEHU_URL ADMIN_TOKEN AGENT [ACCESS_LOG]" >&2; exit 2; }
URL=$1 TOKEN=$2 AGENT=$3 ACCESS_LOG=${4:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
export LUA_PATH="$HERE/../load/?.lua;;"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
TMP=$(mktemp -d -t kehu-telephony.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
die() { echo "bench/telephony: $*" >&2; exit 3; }
api() {  # api METHOD PATH [BODY]
  curl -fsS -X "$1" "$URL$2" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    ${3:+-d "$3"}
}

# Phones: known customers (the first 500 by creation) and as many unknown numbers.
api GET '/api/v1/customers?limit=500&sort=created_at' | grep -o '"phones":\["[^"]*"' |
  sed 's/.*\["//; s/"$//' >"$TMP/known.txt" || die "cannot list customers"
[[ -s $TMP/known.txt ]] || die "no customer phones found"
for i in $(seq 1 500); do printf '1700%07d\n' "$i"; done >"$TMP/unknown.txt"
cat "$TMP/known.txt" "$TMP/unknown.txt" | sed 's/+/%2B/' | shuf --random-source=<(yes) >"$TMP/phones.txt"
cat "$TMP/known.txt" "$TMP/unknown.txt" >"$TMP/callers.txt"

KEY=$(api POST /api/v1/api-keys "{\"name\":\"bench-pbx-$$\",\"role\":\"service\"}" |
  sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
SECRET=$(api POST /api/v1/telephony/secret | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
[[ -n $KEY && -n $SECRET ]] || die "could not create the API key and the signing secret"

result() { grep '^KEHU_RESULT' "$1" || die "wrk printed no result line"; }
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# handler_ms ROUTE FROM_LINE: p50/p99 of dur_us for ROUTE in the access log after line FROM_LINE.
log_lines() { [[ -n $ACCESS_LOG ]] && wc -l <"$ACCESS_LOG" || echo 0; }
handler_ms() {
  [[ -n $ACCESS_LOG ]] || { echo "-"; return; }
  { tail -n +"$(($2 + 1))" "$ACCESS_LOG" | grep -F "route=\"$1\"" | grep -o 'dur_us=[0-9]*' || true; } | cut -d= -f2 |
    sort -n | awk '{v[NR] = $1} END { if (NR == 0) { print "-"; exit }
      i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
      printf "%.2f/%.2f", v[i50] / 1000, v[i99] / 1000 }'
}

echo
echo "== screen pop: wrk -t$THREADS -c8 -d${DURATION}s GET /api/v1/telephony/pop (8 connections)"
from=$(log_lines)
wrk -t"$THREADS" -c8 -d"${DURATION}s" --latency -s "$HERE/pop.lua" "$URL" -- "$TOKEN" "$TMP/phones.txt" \
  >"$TMP/pop8.txt" || die "wrk (pop, 8) failed"
pop8=$(result "$TMP/pop8.txt")
pop8_handler=$(handler_ms "GET /api/v1/telephony/pop" "$from")
echo "== screen pop: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s GET /api/v1/telephony/pop ($(wc -l <"$TMP/phones.txt") phones, saturation)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$HERE/pop.lua" "$URL" -- "$TOKEN" "$TMP/phones.txt" >/dev/null
from=$(log_lines)
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$HERE/pop.lua" "$URL" -- "$TOKEN" "$TMP/phones.txt" \
  >"$TMP/pop.txt" || die "wrk (pop) failed"
pop=$(result "$TMP/pop.txt")
pop_handler=$(handler_ms "GET /api/v1/telephony/pop" "$from")

# Under load: the server busy with other users' work below saturation (BG_CONNECTIONS connections
# of customer point reads, each pausing a random 0..2*BG_PACE_MS ms between requests) while agents'
# pops arrive on 8 connections pausing 0..2*POP_PACE_MS ms. The target is judged here: at
# saturation (the run above) every request, pops included, waits behind all the others, so its
# latency is the connection count divided by the throughput, not the pop's own cost.
BG_CONNECTIONS=${BENCH_BG_CONNECTIONS:-56}
BG_PACE_MS=${BENCH_BG_PACE_MS:-7}
POP_PACE_MS=${BENCH_POP_PACE_MS:-10}
first_id() {  # first_id SORT: the id of the first customer in that order.
  api GET "/api/v1/customers?limit=1&sort=$1" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2
}
MIN_ID=$(first_id created_at)
MAX_ID=$(first_id -created_at)
[[ -n $MIN_ID && -n $MAX_ID ]] || die "could not read the customer id range"
echo "== screen pop under load: $BG_CONNECTIONS connections of GET /customers/{id} (pause 0..$((2 * BG_PACE_MS)) ms)" \
  "+ 8 of GET /telephony/pop (pause 0..$((2 * POP_PACE_MS)) ms), ${DURATION}s"
from=$(log_lines)
KEHU_PACE_MS=$BG_PACE_MS wrk -t1 -c"$BG_CONNECTIONS" -d"$((DURATION + 2))s" --latency -s "$HERE/../load/get_customer.lua" \
  "$URL" -- "$TOKEN" "$MIN_ID" "$MAX_ID" >"$TMP/bg.txt" &
BG_PID=$!
sleep 1
KEHU_PACE_MS=$POP_PACE_MS wrk -t1 -c8 -d"${DURATION}s" --latency -s "$HERE/pop.lua" "$URL" -- "$TOKEN" "$TMP/phones.txt" \
  >"$TMP/popload.txt" || die "wrk (pop under load) failed"
wait "$BG_PID" || die "wrk (background load) failed"
popload=$(result "$TMP/popload.txt")
bg=$(result "$TMP/bg.txt")
popload_handler=$(handler_ms "GET /api/v1/telephony/pop" "$from")

COUNT=$((15000 * DURATION))
python3 "$HERE/sign_events.py" "$SECRET" "$AGENT" "$TMP/callers.txt" "$COUNT" "$TMP/events.tsv"
echo "== telephony events: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s POST /api/v1/telephony/events ($COUNT pre-signed)"
from=$(log_lines)
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$HERE/events.lua" "$URL" -- "$KEY" "$TMP/events.tsv" \
  "$THREADS" >"$TMP/events.txt" || die "wrk (events) failed"
ev=$(result "$TMP/events.txt")
ev_handler=$(handler_ms "POST /api/v1/telephony/events" "$from")

MISSED=0
p99=$(field p99_us "$popload")
pop_err=$(( $(field non2xx "$popload") + $(field socket_errors "$popload") + $(field non2xx "$bg") + $(field socket_errors "$bg") ))
rate=$(field rps "$ev")
ev_err=$(( $(field non2xx "$ev") + $(field socket_errors "$ev") ))
verdict() { if (($2 > 0)); then echo "ERRORS ($2)"; elif (($1)); then echo PASS; else echo MISS; fi; }
pop_ok=$(awk -v p="$p99" 'BEGIN { print (p < 5000) ? 1 : 0 }')
ev_ok=$(awk -v r="$rate" 'BEGIN { print (r >= 5000) ? 1 : 0 }')
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
row() { printf '%-34s %8s %8s %8s %8s %12s  %-18s %s\n' "$@"; }
row test req/s "p50 ms" "p99 ms" errors "handler ms" target result
row "GET /telephony/pop (8 conn.)" "$(printf '%.0f' "$(field rps "$pop8")")" "$(ms "$(field p50_us "$pop8")")" \
  "$(ms "$(field p99_us "$pop8")")" "$(( $(field non2xx "$pop8") + $(field socket_errors "$pop8") ))" "$pop8_handler" \
  "(information)" "-"
row "GET /telephony/pop ($CONNECTIONS conn.)" "$(printf '%.0f' "$(field rps "$pop")")" "$(ms "$(field p50_us "$pop")")" \
  "$(ms "$(field p99_us "$pop")")" "$(( $(field non2xx "$pop") + $(field socket_errors "$pop") ))" "$pop_handler" \
  "(saturation)" "-"
row "  background GET /customers/{id}" "$(printf '%.0f' "$(field rps "$bg")")" "$(ms "$(field p50_us "$bg")")" \
  "$(ms "$(field p99_us "$bg")")" "$(( $(field non2xx "$bg") + $(field socket_errors "$bg") ))" "-" "(the load)" "-"
row "  GET /telephony/pop under it" "$(printf '%.0f' "$(field rps "$popload")")" "$(ms "$(field p50_us "$popload")")" \
  "$(ms "$p99")" "$pop_err" "$popload_handler" "p99 < 5 ms" "$(verdict "$pop_ok" "$pop_err")"
echo "load: $(awk -v a="$(field rps "$bg")" -v b="$(field rps "$popload")" -v c="$(field rps "$pop")" \
  'BEGIN { printf "%.0f req/s = %.2f of the saturated pop rate", a + b, (a + b) / c }')"
row "POST /telephony/events" "$(printf '%.0f' "$rate")" "$(ms "$(field p50_us "$ev")")" "$(ms "$(field p99_us "$ev")")" \
  "$ev_err" "$ev_handler" ">= 5000 events/s" "$(verdict "$ev_ok" "$ev_err")"
echo "handler ms: p50/p99 of the time inside kehu's handler (dur_us in its access log)."
echo "pop ratio to target: $(awk -v p="$p99" 'BEGIN { printf "%.2f", p / 5000 }') (p99 / 5 ms);" \
  "ingestion ratio: $(awk -v r="$rate" 'BEGIN { printf "%.2f", r / 5000 }') (events/s / 5000)"
((pop_ok && pop_err == 0)) || MISSED=1
((ev_ok && ev_err == 0)) || MISSED=1
exit "$MISSED"
