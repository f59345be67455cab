#!/usr/bin/env bash
# Starts, stops or shows the two local PostgreSQL clusters that play SOURCE and TARGET:
#   bf_source on 127.0.0.1:$BACKFILL_SOURCE_PORT (default 55432)
#   bf_target on 127.0.0.1:$BACKFILL_TARGET_PORT (default 55433)
# Authentication: user postgres connects over TCP without a password (trust); every other user
# needs its password (scram-sha-256), so tests can check wrong passwords with the role
# "backfill" (password "backfill-secret"). Durability is off: these are throw-away test servers.
# Usage: servers.sh start|stop|restart|status
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
say() { echo "servers.sh: $*"; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

clusters=("bf_source:$BACKFILL_SOURCE_PORT" "bf_target:$BACKFILL_TARGET_PORT")

configure() {
  local name=$1 port=$2
  local conf="/etc/postgresql/$PG_MAJOR/$name"
  if [ ! -d "$conf" ]; then
    say "creating cluster $name on port $port"
    pg_createcluster "$PG_MAJOR" "$name" -p "$port" -- --auth=trust >/dev/null
  fi
  if ! grep -q "^port = $port\b" "$conf/postgresql.conf"; then
    sed -i "s/^port = .*/port = $port/" "$conf/postgresql.conf"
  fi
  mkdir -p "$conf/conf.d"
  cat >"$conf/conf.d/backfill-testbed.conf" <<CONF
shared_preload_libraries = 'timescaledb'
listen_addresses = '127.0.0.1'
unix_socket_directories = '/var/run/postgresql,/tmp'
timescaledb.telemetry_level = off
timescaledb.max_background_workers = 16
max_worker_processes = 32
max_connections = 200
max_locks_per_transaction = 256
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
password_encryption = 'scram-sha-256'
CONF
  cat >"$conf/pg_hba.conf" <<HBA
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
host all postgres ::1/128 trust
host all all ::1/128 scram-sha-256
HBA
  chown -R postgres:postgres "$conf" 2>/dev/null || true
}

start() {
  for c in "${clusters[@]}"; do
    local name=${c%%:*} port=${c##*:}
    configure "$name" "$port"
    if ! pg_ctlcluster "$PG_MAJOR" "$name" status >/dev/null 2>&1; then
      pg_ctlcluster "$PG_MAJOR" "$name" start
    fi
  done
  for c in "${clusters[@]}"; do
    local port=${c##*:}
    for _ in $(seq 1 60); do
      "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
      sleep 0.5
    done
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" || { say "server on port $port did not start"; exit 1; }
    psql -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -c \
      "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'backfill') THEN
         CREATE ROLE backfill LOGIN SUPERUSER PASSWORD 'backfill-secret'; END IF; END \$\$" >/dev/null
  done
  say "source on 127.0.0.1:$BACKFILL_SOURCE_PORT, target on 127.0.0.1:$BACKFILL_TARGET_PORT (PostgreSQL $PG_MAJOR)"
}

stop() {
  for c in "${clusters[@]}"; do
    local name=${c%%:*}
    if pg_ctlcluster "$PG_MAJOR" "$name" status >/dev/null 2>&1; then
      pg_ctlcluster "$PG_MAJOR" "$name" stop -m fast
    fi
  done
  say "stopped"
}

status() {
  pg_lsclusters | awk -v a="bf_source" -v b="bf_target" 'NR == 1 || $2 == a || $2 == b'
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
esac
