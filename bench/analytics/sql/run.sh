#!/usr/bin/env bash
# The same RFM aggregation in kehu's C++, SQLite and DuckDB, with the ratios (part of `make bench`).
#   bench/analytics/sql/run.sh BUILD_DIR [CUSTOMERS]     (default 1,000,000 customers, ~19.6M orders)
# The orders are generated once and cached in BUILD_DIR/bench-data (a SQLite file and a CSV,
# about 1 GB together); DuckDB comes from npm (this folder's package.json and lock file).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=$(cd "${1:?usage: run.sh BUILD_DIR [CUSTOMERS]}" && pwd)
CUSTOMERS=${2:-${BENCH_ANALYTICS_CUSTOMERS:-1000000}}
BIN=$BUILD_DIR/bench/analytics/rfm_sql_compare
[[ -x $BIN ]] || { echo "rfm-sql: $BIN not built" >&2; exit 3; }
if [[ ! -f $HERE/node_modules/.package-lock.json || $HERE/package-lock.json -nt $HERE/node_modules/.package-lock.json ]]; then
  (cd "$HERE" && npm_config_fund=false npm_config_audit=false npm ci --silent) ||
    { echo "rfm-sql: npm ci failed" >&2; exit 3; }
fi
DATA=$BUILD_DIR/bench-data/analytics
"$BIN" "$DATA" "$CUSTOMERS"
node "$HERE/rfm_duckdb.mjs" "$DATA"
