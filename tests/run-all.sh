#!/usr/bin/env bash
# Runs every test through ctest inside a throwaway PostgreSQL server (started and always
# stopped by scripts/with-postgres.sh), then the browser tests. Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
# Tests and the server they start share this machine's cores; -j2 keeps it responsive.
scripts/with-postgres.sh ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 900
# Browser tests (Debian's Chromium via playwright-core against a real kehu); run.sh builds
# web/dist first (scripts/build-web.sh), so the Vitest run after it has node_modules.
tests/e2e/run.sh "$BUILD"
(cd web && npm test --silent)
