#!/usr/bin/env bash
# The one-way dependency rule (../shared/CONVENTIONS.md): core, domain and analytics never see
# HTTP, SQL drivers or the front doors; only src/http/server.cc includes Beast/Asio; only
# src/store includes sqlite3.h / libpq-fe.h. Prints the offending lines and fails.
set -u
cd "$(dirname "$0")/../.."
fail=0
check() {
  local what=$1; shift
  local hits
  hits=$("$@" 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "layering: $what"
    echo "$hits" | sed 's/^/  /'
    fail=1
  fi
}
check "core/domain/analytics must not include HTTP, SQL or front-door headers" \
  grep -rnE '#include *[<"](boost/beast|boost/asio|sqlite3\.h|libpq-fe\.h|store/|http/|jobs/|cli/)' \
  src/core src/domain src/analytics
check "core must not depend on any other module" \
  grep -rnE '#include *"(domain|text|analytics|store|http|cli)/' src/core
check "analytics depends on core only" \
  grep -rnE '#include *"(domain|text|store|http|cli)/' src/analytics
check "only src/http/server.cc includes Beast or Asio" \
  bash -c "grep -rlE '#include *<boost/(beast|asio)' src | grep -v '^src/http/server.cc$'"
check "only src/store includes the database drivers" \
  bash -c "grep -rlE '#include *[<\"](sqlite3\.h|libpq-fe\.h)' src | grep -v '^src/store/'"
exit $fail
