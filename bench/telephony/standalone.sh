#!/usr/bin/env bash
# Runs bench/telephony/run.sh on its own: a fresh SQLite database with BENCH_CUSTOMERS demo
# customers (default 100000), kehu on a free loopback port, a bench admin as the agent.
#   bench/telephony/standalone.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: bench/telephony/standalone.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KEHU=$BUILD/kehu
CUSTOMERS=${BENCH_CUSTOMERS:-100000}
TMP=$(mktemp -d -t kehu-telephony-sa.XXXXXX)
PID=""
cleanup() {
  if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
echo "== $(date -u '+%F %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $CUSTOMERS customers"
"$KEHU" demo --db "sqlite:$TMP/kehu.db" --customers "$CUSTOMERS" >/dev/null 2>&1
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$PASSWORD" | "$KEHU" user add agent --role admin --password-stdin --db "sqlite:$TMP/kehu.db" >/dev/null
: >"$TMP/kehu.log"
(cd "$TMP" && exec "$KEHU" serve --db "sqlite:$TMP/kehu.db" --listen 127.0.0.1:0 >"$TMP/kehu.log" 2>"$TMP/kehu.err") &
PID=$!
PORT=""
for _ in $(seq 1 600); do
  PORT=$(sed -n 's|^kehu listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$TMP/kehu.log" | head -n 1)
  [[ -n $PORT ]] && break
  sleep 0.1
done
[[ -n $PORT ]] || { echo "kehu did not start" >&2; exit 3; }
TOKEN=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\":\"agent\",\"password\":\"$PASSWORD\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
"$HERE/run.sh" "http://127.0.0.1:$PORT" "$TOKEN" agent "$TMP/kehu.err"
