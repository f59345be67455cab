#!/usr/bin/env bash
# Two local PostgreSQL + TimescaleDB clusters playing SOURCE and TARGET (run install.sh first):
#   bf_source on 127.0.0.1:$BACKFILL_SOURCE_PORT (default 55432)
#   bf_target on 127.0.0.1:$BACKFILL_TARGET_PORT (default 55433)
#   bf_standby on 127.0.0.1:$BACKFILL_STANDBY_PORT (default 55434): a hot standby of bf_source,
#     streaming from it through the physical replication slot bf_standby (made with
#     pg_basebackup -R the first time, and again when the source has dropped WAL it needs)
# Authentication over TCP: user "postgres" connects without a password (trust); every other user
# must give its password (scram-sha-256). The superuser role "backfill" with password
# "backfill-secret" exists so tests can check right and wrong passwords.
# Local sockets (/var/run/postgresql and /tmp) trust everyone.
# Durability is off (fsync, synchronous_commit, full_page_writes): throw-away test servers.
# Usage: servers.sh start|stop|restart|status [source|target|standby]   (default: all three)
# start is idempotent; it creates or fixes the clusters and waits until they accept connections.
# status exits 3 when a selected cluster is not running.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
say() { echo "servers.sh: $*"; }
die() { say "$*" >&2; exit 1; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
as_postgres() { if [ -n "$SUDO" ]; then sudo -u postgres "$@"; else runuser -u postgres -- "$@"; fi; }
if ! command -v pg_ctlcluster >/dev/null || [ ! -x "$PG_BIN/postgres" ]; then
  die "PostgreSQL $PG_MAJOR is not installed; run scripts/testbed/install.sh"
fi

case "${2:-}" in
  "") clusters=("bf_source:$BACKFILL_SOURCE_PORT" "bf_target:$BACKFILL_TARGET_PORT"
        "bf_standby:$BACKFILL_STANDBY_PORT") ;;
  source) clusters=("bf_source:$BACKFILL_SOURCE_PORT") ;;
  target) clusters=("bf_target:$BACKFILL_TARGET_PORT") ;;
  standby) clusters=("bf_standby:$BACKFILL_STANDBY_PORT") ;;
  *) echo "usage: $0 start|stop|restart|status [source|target|standby]" >&2; exit 2 ;;
esac

state() { # "online PORT", "down PORT" or "missing" (a standby's "online,recovery" is online)
  pg_lsclusters -h 2>/dev/null |
    awk -v v="$PG_MAJOR" -v n="$1" '$1 == v && $2 == n { s = $4 " " $3 } END { print s ? s : "missing" }' |
    sed 's/^online,recovery /online /'
}
running() { [ "$(state "$1")" = "online $2" ]; }

put() { # writes file $1 with content $2 when it differs, and then sets ${3:-changed}=1
  [ "$($SUDO cat "$1" 2>/dev/null)" != "$2" ] || return 0
  printf '%s\n' "$2" | $SUDO tee "$1" >/dev/null
  $SUDO chown postgres:postgres "$1"
  printf -v "${3:-changed}" 1
}

configure() { # creates the cluster or fixes its settings; sets changed=1 when they changed
  local name=$1 port=$2
  changed="" reload=""
  local conf="/etc/postgresql/$PG_MAJOR/$name"
  if [ "$(state "$name")" = missing ]; then
    say "creating cluster $name (PostgreSQL $PG_MAJOR) on port $port"
    $SUDO pg_createcluster "$PG_MAJOR" "$name" -p "$port" -- --auth=trust >/dev/null
  fi
  if [ "$($SUDO pg_conftool -s "$PG_MAJOR" "$name" show port)" != "$port" ]; then
    say "moving $name to port $port"
    $SUDO pg_conftool "$PG_MAJOR" "$name" set port "$port"
    changed=1
  fi
  $SUDO mkdir -p "$conf/conf.d"
  put "$conf/conf.d/backfill-testbed.conf" "\
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
password_encryption = 'scram-sha-256'"
  # The replication line lets the standby stream from the source. pg_hba.conf and the slot's WAL
  # limit take effect on reload: adding them never restarts a server others are testing against.
  put "$conf/pg_hba.conf" "\
local all all trust
host all postgres 127.0.0.1/32 trust
host replication postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256" reload
  if [ "$name" = bf_source ]; then
    put "$conf/conf.d/backfill-standby.conf" "\
# bf_standby's slot keeps at most this much WAL while the standby is down; beyond it servers.sh
# start makes the standby again.
max_slot_wal_keep_size = 2GB" reload
  fi
}

sql() { # runs SQL $2 as postgres on the server at port $1, prints the unaligned result
  "$PG_BIN/psql" -X -q -A -t -h 127.0.0.1 -p "$1" -U postgres -d postgres -v ON_ERROR_STOP=1 -c "$2"
}

standby_ok() { # true when bf_standby is a standby of bf_source whose slot still has its WAL
  local data
  data="$($SUDO pg_conftool -s "$PG_MAJOR" bf_standby show data_directory)"
  $SUDO test -f "$data/standby.signal" || return 1
  [ "$(sql "$BACKFILL_SOURCE_PORT" "SELECT wal_status FROM pg_replication_slots
        WHERE slot_name = 'bf_standby'")" != lost ] || return 1
  [ -n "$(sql "$BACKFILL_SOURCE_PORT" "SELECT 1 FROM pg_replication_slots
        WHERE slot_name = 'bf_standby'")" ]
}

make_standby() { # (re)makes bf_standby from a base backup of the running bf_source
  local data
  data="$($SUDO pg_conftool -s "$PG_MAJOR" bf_standby show data_directory)"
  running bf_source "$BACKFILL_SOURCE_PORT" ||
    die "bf_standby is made from bf_source, which is not running: servers.sh start source"
  say "making bf_standby a hot standby of bf_source (pg_basebackup -R)"
  if [[ "$(state bf_standby)" == online* ]]; then $SUDO pg_ctlcluster "$PG_MAJOR" bf_standby stop -m fast; fi
  sql "$BACKFILL_SOURCE_PORT" "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
        WHERE slot_name = 'bf_standby'" >/dev/null
  $SUDO rm -rf "$data"
  $SUDO install -d -o postgres -g postgres -m 700 "$data"
  as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$BACKFILL_SOURCE_PORT" -U postgres \
    -D "$data" -R -X stream -C -S bf_standby -c fast ||
    die "pg_basebackup of bf_source into $data failed"
}

start() {
  local c name port
  for c in "${clusters[@]}"; do
    name=${c%%:*} port=${c##*:}
    configure "$name" "$port"
    if [ "$name" = bf_standby ] && ! standby_ok; then
      make_standby
    fi
    if [ -n "$changed" ] && running "$name" "$port"; then
      say "restarting $name for its new settings"
      $SUDO pg_ctlcluster "$PG_MAJOR" "$name" restart -m fast
    elif ! running "$name" "$port"; then
      $SUDO pg_ctlcluster "$PG_MAJOR" "$name" start ||
        die "$name did not start; see /var/log/postgresql/postgresql-$PG_MAJOR-$name.log"
    elif [ -n "$reload" ]; then
      $SUDO pg_ctlcluster "$PG_MAJOR" "$name" reload
    fi
  done
  for c in "${clusters[@]}"; do
    name=${c%%:*} port=${c##*:}
    for _ in $(seq 1 60); do
      "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" && break
      sleep 0.5
    done
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" || die "$name on port $port does not accept connections"
    if [ "$name" = bf_standby ]; then
      say "$name ready on 127.0.0.1:$port (PostgreSQL $PG_MAJOR, hot standby of bf_source)"
      continue
    fi
    "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'backfill') THEN CREATE ROLE backfill; END IF;
END $$;
ALTER ROLE backfill LOGIN SUPERUSER PASSWORD 'backfill-secret';
SQL
    say "$name ready on 127.0.0.1:$port (PostgreSQL $PG_MAJOR)"
  done
}

stop() {
  local c name
  for c in "${clusters[@]}"; do
    name=${c%%:*}
    if [[ "$(state "$name")" == online* ]]; then $SUDO pg_ctlcluster "$PG_MAJOR" "$name" stop -m fast; fi
    say "$name stopped"
  done
}

status() {
  local c name port rc=0 s
  for c in "${clusters[@]}"; do
    name=${c%%:*} port=${c##*:}
    s="$(state "$name")"
    say "$name (PostgreSQL $PG_MAJOR) ${s/ /, port }"
    [ "$s" = "online $port" ] || rc=3
  done
  return $rc
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  *) echo "usage: $0 start|stop|restart|status [source|target]" >&2; exit 2 ;;
esac
