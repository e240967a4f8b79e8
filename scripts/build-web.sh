#!/usr/bin/env bash
# Builds the web workspace into web/dist (served by `kehu serve --web-root web/dist`).
# Idempotent and quiet: `npm ci` only when node_modules is missing or older than
# package-lock.json; the production build only when a source (web/ or docs/openapi.yaml) is
# newer than the last build. Needs only the npm registry; never downloads a browser.
#   scripts/build-web.sh           build if needed
#   scripts/build-web.sh --force   rebuild regardless
set -euo pipefail
cd "$(dirname "$0")/../web"

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

if ! command -v npm >/dev/null 2>&1; then
  echo "build-web: npm not found (Debian: apt-get install nodejs npm, Node 20+)" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {  # quiet on success, the whole output on failure
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "build-web: '$*' failed" >&2
    exit 1
  fi
}

# node_modules/.package-lock.json is written by every npm install/ci: its age is the install's.
# npm ci's postinstall applies web/patches (patch-package), so a newer patch reinstalls too.
newer_patch=$(find patches -newer node_modules/.package-lock.json -print -quit 2>/dev/null || true)
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ -n "$newer_patch" ]; then
  run npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi

stamp=dist/.build-stamp
if [ "${1:-}" != "--force" ] && [ -f "$stamp" ] && [ -f dist/index.html ]; then
  newer=$(find src plugins patches public index.html package.json package-lock.json vite.config.ts tsconfig.json \
    scripts ../docs/openapi.yaml -newer "$stamp" -not -name 'schema.d.ts' -print -quit 2>/dev/null || true)
  [ -z "$newer" ] && exit 0
fi

run npm run build
touch "$stamp"
