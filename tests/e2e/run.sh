#!/usr/bin/env bash
# Browser tests against a real server:  tests/e2e/run.sh BUILD_DIR [SUITE.test.mjs ...]
# (no SUITE: every tests/e2e/*.test.mjs; a SUITE is a file name in this folder or a path)
# Builds web/dist if needed, starts BUILD_DIR/kehu on a free loopback port with a fresh SQLite
# database and 50 demo customers, waits for /readyz, runs the node:test suites in this folder
# with Debian's Chromium, and always stops the server. Screenshots of failures go to
# tests/e2e/artifacts/. Exit status: the tests'.
# Set KEHU_E2E_SCREENSHOTS=1 to also refresh docs/screenshots/*.png.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:?usage: tests/e2e/run.sh BUILD_DIR [SUITE.test.mjs ...]}
shift
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
KEHU="$BUILD/kehu"
[ -x "$KEHU" ] || { echo "e2e: $KEHU not found; build it first" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "e2e: /usr/bin/chromium missing (apt-get install chromium)" >&2; exit 1; }

"$ROOT/scripts/build-web.sh"

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

: >"$tmp/server.out"  # exists before the background job opens it, so the polling can read it
"$KEHU" serve --db "sqlite:$tmp/kehu.db" --listen 127.0.0.1:0 --web-root "$ROOT/web/dist" \
  --demo-if-empty 50 --manual-clock >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!

# Wait for the "listening" line (demo data is created before it), then for /readyz.
url=""
for _ in $(seq 1 600); do
  url=$(sed -n 's/^kehu listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$tmp/server.out" | head -n1)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "e2e: the server did not start" >&2
  cat "$tmp/server.out" "$tmp/server.err" >&2
  exit 1
fi
ready=""
for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null "$url/readyz"; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || { echo "e2e: $url/readyz never answered 200" >&2; cat "$tmp/server.err" >&2; exit 1; }

password=$(sed -n 's/^admin password: *//p' "$tmp/server.out" | head -n1)
[ -n "$password" ] || { echo "e2e: no 'admin password:' line from the server" >&2; exit 1; }

export KEHU_URL="$url" KEHU_ADMIN_PASSWORD="$password" KEHU_E2E_ARTIFACTS="$ROOT/tests/e2e/artifacts"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
suites=("$ROOT"/tests/e2e/*.test.mjs)
if [ $# -gt 0 ]; then
  suites=()
  for s in "$@"; do
    case "$s" in */*) ;; *) s="$ROOT/tests/e2e/$s" ;; esac
    [ -f "$s" ] || { echo "e2e: no such suite: $s" >&2; exit 2; }
    suites+=("$s")
  done
fi
[ "${KEHU_E2E_SCREENSHOTS:-}" = 1 ] && suites+=("$ROOT/tests/e2e/screenshots.mjs")
set +e
node --test --test-concurrency=1 --test-reporter=spec "${suites[@]}" 2>&1 | tee "$tmp/tests.out"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "e2e: server log (stderr) tail (all of it: tests/e2e/artifacts/server.log):" >&2
  tail -n 40 "$tmp/server.err" >&2 || true
  mkdir -p "$KEHU_E2E_ARTIFACTS" && cp "$tmp/server.err" "$KEHU_E2E_ARTIFACTS/server.log" || true
  # The failures again, last, where a CI log's tail shows them (the reporter's own summary).
  echo "e2e: failures (screenshots in tests/e2e/artifacts/):" >&2
  sed -n '/failing tests:/,$p' "$tmp/tests.out" | head -n 150 >&2
fi
exit "$status"
