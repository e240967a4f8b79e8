#!/usr/bin/env bash
# with-postgres.sh CMD [ARGS...]
# Starts a throwaway PostgreSQL 15 on a free loopback port, exports
#   KEHU_TEST_PG_URL="host=127.0.0.1 port=$PORT dbname=postgres user=postgres"
# runs CMD, then always stops the server and deletes its files. Exits with CMD's status.
# Runs the server as the postgres user through runuser when we are root (postgres refuses to
# run as root); as anyone else it runs as that user. fsync is off: this data is disposable.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/pg_ctl" ]; then
  echo "with-postgres: $PGBIN/pg_ctl not found (apt-get install postgresql)" >&2
  exit 2
fi

if [ "$(id -u)" -eq 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/kehu-pg.XXXXXX")
started=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$started" -eq 1 ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGTMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM  # until CMD starts; then forward() takes over

if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$PGTMP"
fi

# A port nobody listens on now (bash's /dev/tcp connect fails). Another process could still
# take it before the server binds; then pg_ctl fails and we try another.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}

as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$PGTMP/initdb.log" 2>&1 || { cat "$PGTMP/initdb.log" >&2; exit 1; }

# From here on cleanup always tries pg_ctl stop: a start that timed out may still be running.
started=1
up=0
for attempt in 1 2 3 4 5; do
  PORT=$(free_port)
  if as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
    up=1
    break
  fi
  echo "with-postgres: start on port $PORT failed (attempt $attempt)" >&2
done
if [ "$up" -ne 1 ]; then
  cat "$PGTMP/log" >&2 || true
  exit 1
fi

export KEHU_TEST_PG_URL="host=127.0.0.1 port=$PORT dbname=postgres user=postgres"
# pg_trgm ships with the postgresql package (contrib). Install it once into public, so that
# tests working in their own schemas (search_path "theirs, public") share it instead of racing
# to create it, and so a missing contrib fails here, clearly.
if ! "$PGBIN/psql" -XAtq -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
    -c "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public" >/dev/null; then
  echo "with-postgres: cannot create the pg_trgm extension" >&2
  exit 1
fi

# CMD runs in the background so that a TERM or INT sent to this script is handled at once:
# it is passed on to CMD, and the EXIT trap then stops the server. CMD keeps our stdin.
child=
forward() {
  trap - INT TERM
  [ -n "$child" ] && kill -"$1" "$child" 2>/dev/null
  [ -n "$child" ] && wait "$child" 2>/dev/null
  exit $((128 + $2))
}
trap 'forward INT 2' INT
trap 'forward TERM 15' TERM
set +e
"$@" <&0 &
child=$!
wait "$child"
rc=$?
set -e
exit "$rc"
