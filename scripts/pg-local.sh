#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on 127.0.0.1 for tests and benchmarks.
#   scripts/pg-local.sh start [DIR] [PORT]   → prints the DATABASE_URL to use
#   scripts/pg-local.sh stop  [DIR]
# Runs the server as the 'postgres' system user when started as root (PostgreSQL
# refuses to run as root). Needs Debian's postgresql package.
set -euo pipefail
cmd=${1:-start}
dir=${2:-/tmp/okno-pg}
port=${3:-5433}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed: apt-get install postgresql" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

case "$cmd" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      as_pg "$bin/initdb -D '$dir' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null"
      cat >> "$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
max_connections = 200
CONF
    fi
    if ! as_pg "$bin/pg_ctl -D '$dir' status" >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl -D '$dir' -l '$dir/server.log' -w start" >/dev/null
    fi
    as_pg "$bin/psql -h 127.0.0.1 -p $port -U postgres -tAc \"SELECT 1 FROM pg_roles WHERE rolname='okno'\"" | grep -q 1 ||
      as_pg "$bin/psql -h 127.0.0.1 -p $port -U postgres -qc \"CREATE ROLE okno LOGIN SUPERUSER PASSWORD 'okno'\""
    as_pg "$bin/psql -h 127.0.0.1 -p $port -U postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='okno'\"" | grep -q 1 ||
      as_pg "$bin/createdb -h 127.0.0.1 -p $port -U postgres -O okno okno"
    echo "postgres://okno:okno@127.0.0.1:$port/okno"
    ;;
  stop)
    as_pg "$bin/pg_ctl -D '$dir' -m fast stop" >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
