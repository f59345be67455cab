#!/usr/bin/env bash
# Native TimescaleDB beds with the Timescale License (TSL), one PostgreSQL tree per version.
#   install [VERSION...]          builds what is missing (cached: a second run does no work)
#   start|stop|status [VERSION...] a source/target cluster pair per version
#   list                          "VERSION PG_MAJOR SOURCE_PORT TARGET_PORT BINDIR" per bed
# Default VERSIONs: every bed below (BACKFILL_TSL_VERSIONS overrides, e.g. "2.29.2").
#
# Trees live under $BACKFILL_BEDS (default /opt/timescaledb-backfill-beds, readable by the
# postgres user that runs the clusters; a home folder under /root is not):
#   tree-<version>/            PostgreSQL binaries with that TimescaleDB installed into them
#   data-<version>/{source,target}
# TimescaleDB before 2.29 goes on Debian's own PostgreSQL (15 on Debian 12, 17 on Debian 13),
# copied per version: Debian's tree is relocatable, and a tree per version keeps each one's shared
# loader and default extension version apart. 2.29 needs PostgreSQL 16 or later: it goes on
# PostgreSQL 18 built from source.
# Sources come from ../shared/vendor when present (checked against its SHA256SUMS), else from the
# projects' official archives (PostgreSQL checked against the checksum file published beside it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
LIB_NAME=tsl.sh
. "$here/lib.sh"

BEDS="${BACKFILL_BEDS:-/opt/timescaledb-backfill-beds}"
VENDOR="${BACKFILL_VENDOR:-$(cd "$here/../../.." && pwd)/shared/vendor}"
PG18_VERSION=18.6
# version  source-port target-port (each pair its own; BACKFILL_TSL_PORT_BASE moves them all)
port_base="${BACKFILL_TSL_PORT_BASE:-55500}"
ALL_VERSIONS=(2.17.2 2.22.1 2.25.2 2.28.3 2.29.2)
ports() { # VERSION -> "SOURCE TARGET"
  local i
  for i in "${!ALL_VERSIONS[@]}"; do
    if [ "${ALL_VERSIONS[$i]}" = "$1" ]; then echo "$((port_base + 2 * i)) $((port_base + 2 * i + 1))"; return; fi
  done
  die "unknown TimescaleDB version $1 (beds: ${ALL_VERSIONS[*]})"
}
debian_pg() {
  case "$(cat /etc/debian_version 2>/dev/null)" in
    12*|bookworm*) echo 15 ;;
    13*|trixie*) echo 17 ;;
    *) die "unsupported system (need Debian 12 or 13)" ;;
  esac
}
pg_major_for() { # VERSION -> the PostgreSQL major it runs on here
  case "$1" in 2.29.*) echo 18 ;; *) debian_pg ;; esac
}
bindir() { # VERSION -> bin folder of its tree
  local pg; pg="$(pg_major_for "$1")"
  if [ "$pg" = 18 ]; then echo "$BEDS/tree-$1/bin"; else echo "$BEDS/tree-$1/usr/lib/postgresql/$pg/bin"; fi
}

# Puts the archive FILE in $BEDS/src, from the vendor folder or the official archive; prints its path.
fetch() {
  local file=$1 url=$2 dst="$BEDS/src/$1"
  $SUDO mkdir -p "$BEDS/src"
  if [ -f "$dst" ]; then echo "$dst"; return; fi
  if [ -f "$VENDOR/$file" ]; then
    (cd "$VENDOR" && grep " $file\$" SHA256SUMS | sha256sum -c --quiet -) >&2 ||
      die "$VENDOR/$file does not match $VENDOR/SHA256SUMS"
    $SUDO cp "$VENDOR/$file" "$dst.part"
  else
    # No vendor folder: the official archives. This path cannot run on machines without internet.
    say "downloading $url" >&2
    $SUDO curl -fsSL -o "$dst.part" "$url" || die "download failed: $url"
    case "$file" in
      postgresql-*)
        local sum
        sum="$(curl -fsSL "$url.sha256" | awk '{print $1}')" || die "no checksum at $url.sha256"
        [ "$(sha256sum "$dst.part" | awk '{print $1}')" = "$sum" ] || die "$file does not match $url.sha256"
        ;;
    esac
  fi
  $SUDO mv "$dst.part" "$dst"
  echo "$dst"
}

build_pg18() { # PostgreSQL 18 into tree-$1 (server, client programs, headers)
  local tree="$BEDS/tree-$1" work="$BEDS/build/postgresql-$PG18_VERSION" archive
  [ -x "$tree/bin/pg_config" ] && [ -x "$tree/bin/pg_dump" ] && return 0
  apt_install bison flex libssl-dev zlib1g-dev build-essential pkg-config curl
  archive="$(fetch "postgresql-$PG18_VERSION.tar.bz2" \
    "https://ftp.postgresql.org/pub/source/v$PG18_VERSION/postgresql-$PG18_VERSION.tar.bz2")"
  $SUDO rm -rf "$work" && $SUDO mkdir -p "$BEDS/build"
  $SUDO tar -C "$BEDS/build" -xjf "$archive"
  say "building PostgreSQL $PG18_VERSION into $tree (about 4 minutes)"
  local t0=$SECONDS
  (cd "$work" && $SUDO ./configure --prefix="$tree" --without-icu --without-readline --with-openssl &&
    $SUDO make -j"$(nproc)" -s && $SUDO make -s install) >"$BEDS/build/pg18.log" 2>&1 ||
    die "PostgreSQL $PG18_VERSION build failed; see $BEDS/build/pg18.log"
  $SUDO rm -rf "$work"
  say "PostgreSQL $PG18_VERSION built in $((SECONDS - t0)) s"
}

copy_debian_pg() { # Debian's PostgreSQL into tree-$1, same relative layout
  local pg tree="$BEDS/tree-$1"
  pg="$(debian_pg)"
  [ -x "$tree/usr/lib/postgresql/$pg/bin/pg_config" ] && return 0
  apt_install "postgresql-$pg" "postgresql-client-$pg" "postgresql-server-dev-$pg"
  $SUDO rm -rf "$tree.part" && $SUDO mkdir -p "$tree.part/usr/lib/postgresql" "$tree.part/usr/share/postgresql" "$tree.part/usr/include"
  $SUDO cp -a "/usr/lib/postgresql/$pg" "$tree.part/usr/lib/postgresql/"
  $SUDO cp -a "/usr/share/postgresql/$pg" "$tree.part/usr/share/postgresql/"
  $SUDO cp -a /usr/include/postgresql "$tree.part/usr/include/"
  $SUDO mv "$tree.part" "$tree"
}

build_tsdb() { # TimescaleDB $1 with TSL into its tree
  local v=$1 tree="$BEDS/tree-$1" bin archive work="$BEDS/build/timescaledb-$1"
  bin="$(bindir "$v")"
  [ -f "$tree/.timescaledb-$v" ] && return 0
  if [ "$(pg_major_for "$v")" = 18 ]; then build_pg18 "$v"; else copy_debian_pg "$v"; fi
  apt_install cmake build-essential libssl-dev libkrb5-dev curl
  archive="$(fetch "timescaledb-$v.tar.gz" "https://github.com/timescale/timescaledb/archive/refs/tags/$v.tar.gz")"
  $SUDO rm -rf "$work" && $SUDO mkdir -p "$BEDS/build"
  $SUDO tar -C "$BEDS/build" -xzf "$archive"
  [ -x "$work/bootstrap" ] || die "unexpected layout in $archive (no timescaledb-$v/bootstrap)"
  say "building TimescaleDB $v with TSL for PostgreSQL $(pg_major_for "$v") (about 2.5 minutes)"
  local t0=$SECONDS
  (cd "$work" && $SUDO ./bootstrap -DCMAKE_BUILD_TYPE=Release -DPG_CONFIG="$bin/pg_config" \
      -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
      -DSEND_TELEMETRY_DEFAULT=OFF -DUSE_TELEMETRY=OFF &&
    $SUDO make -C build -j"$(nproc)" -s install) >"$BEDS/build/timescaledb-$v.log" 2>&1 ||
    die "TimescaleDB $v build failed; see $BEDS/build/timescaledb-$v.log"
  $SUDO rm -rf "$work"
  $SUDO touch "$tree/.timescaledb-$v"
  say "TimescaleDB $v built in $((SECONDS - t0)) s"
}

install() {
  local v
  for v in "$@"; do build_tsdb "$v"; done
  $SUDO chmod 755 "$BEDS"
  $SUDO rm -rf "$BEDS/build"
  say "beds built: $*"
}

pgctl() { # VERSION DATADIR ARGS...: pg_ctl of that tree as the postgres user
  local bin; bin="$(bindir "$1")"
  (cd / && $SUDO runuser -u postgres -- "$bin/pg_ctl" -D "$2" "${@:3}")
}

conf_line() { # DATADIR KEY VALUE: sets "KEY = VALUE" in the server's config; false if it was set
  local file="$1/postgresql.auto.conf"
  ! $SUDO grep -qxF "$2 = $3" "$file" || return 1
  if $SUDO grep -q "^$2 = " "$file"; then
    $SUDO sed -i "/^$2 = /d" "$file"
  fi
  echo "$2 = $3" | $SUDO tee -a "$file" >/dev/null
}

start_one() { # VERSION ROLE PORT
  local v=$1 role=$2 port=$3 bin data="$BEDS/data-$1/$2"
  bin="$(bindir "$v")"
  [ -f "$BEDS/tree-$v/.timescaledb-$v" ] || die "TimescaleDB $v is not built; run $0 install $v"
  if [ ! -f "$data/PG_VERSION" ]; then
    $SUDO mkdir -p "$data" && $SUDO chown postgres:postgres "$BEDS/data-$v" "$data"
    (cd / && $SUDO runuser -u postgres -- "$bin/initdb" -D "$data" -A trust -U postgres --no-sync) >/dev/null ||
      die "initdb of $data failed"
    printf '%s\n' \
      "shared_preload_libraries = 'timescaledb'" \
      "port = $port" \
      "listen_addresses = '127.0.0.1'" \
      "unix_socket_directories = '/tmp'" \
      "timescaledb.telemetry_level = off" \
      "timescaledb.max_background_workers = 16" \
      "max_worker_processes = 32" \
      "max_connections = 200" \
      "max_locks_per_transaction = 256" \
      "shared_buffers = 128MB" \
      "fsync = off" \
      "synchronous_commit = off" \
      "full_page_writes = off" \
      "wal_level = replica" \
      "max_wal_senders = 4" \
      "hot_standby = on" \
      "password_encryption = 'scram-sha-256'" | $SUDO tee "$data/postgresql.auto.conf" >/dev/null
    printf '%s\n' "local all all trust" "host all postgres 127.0.0.1/32 trust" \
      "host replication postgres 127.0.0.1/32 trust" "host all all 127.0.0.1/32 scram-sha-256" |
      $SUDO tee "$data/pg_hba.conf" >/dev/null
  fi
  # TimescaleDB 2.22 can keep cagg invalidations in the WAL (invalidate_using = 'wal'), decoded
  # through a logical replication slot by its own output plugin; its beds run wal_level = logical
  # and (where Debian's PostgreSQL restricts output plugins) allow that plugin, so the tests cover
  # it. Set on every start, so a bed made before gets it too (restarted if running).
  local changed=0
  if [[ $v == 2.22.* ]]; then
    conf_line "$data" wal_level logical && changed=1
    if "$bin/postgres" --describe-config 2>/dev/null | grep -q '^output_plugin_libraries'; then
      conf_line "$data" output_plugin_libraries \
        "'pgoutput, test_decoding, timescaledb-invalidations-$v'" && changed=1
    fi
  else
    conf_line "$data" wal_level replica && changed=1
  fi
  if [ "$changed" = 1 ]; then
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
      pgctl "$v" "$data" -l "$data/server.log" -m fast -w -t 60 restart >/dev/null ||
        die "TimescaleDB $v $role did not restart; see $data/server.log"
    fi
  fi
  if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    pgctl "$v" "$data" -l "$data/server.log" -w -t 60 start >/dev/null ||
      die "TimescaleDB $v $role did not start; see $data/server.log"
  fi
  "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'backfill') THEN CREATE ROLE backfill; END IF;
END $$;
ALTER ROLE backfill LOGIN SUPERUSER PASSWORD 'backfill-secret';
SQL
  say "TimescaleDB $v $role ready on 127.0.0.1:$port (PostgreSQL $(pg_major_for "$v"))"
}

start() {
  local v p
  for v in "$@"; do
    read -r -a p <<<"$(ports "$v")"
    start_one "$v" source "${p[0]}"
    start_one "$v" target "${p[1]}"
  done
}

stop() {
  local v role
  for v in "$@"; do
    for role in source target; do
      [ -f "$BEDS/data-$v/$role/postmaster.pid" ] && pgctl "$v" "$BEDS/data-$v/$role" -m fast -w stop >/dev/null || true
    done
    say "TimescaleDB $v stopped"
  done
}

status() {
  local v p rc=0
  for v in "$@"; do
    read -r -a p <<<"$(ports "$v")"
    if [ -f "$BEDS/tree-$v/.timescaledb-$v" ] && "$(bindir "$v")/pg_isready" -q -h 127.0.0.1 -p "${p[0]}" &&
      "$(bindir "$v")/pg_isready" -q -h 127.0.0.1 -p "${p[1]}"; then
      say "TimescaleDB $v: running on ${p[0]} (source) and ${p[1]} (target)"
    else
      say "TimescaleDB $v: not running"; rc=3
    fi
  done
  return $rc
}

list() {
  local v p
  for v in "$@"; do
    read -r -a p <<<"$(ports "$v")"
    echo "$v $(pg_major_for "$v") ${p[0]} ${p[1]} $(bindir "$v")"
  done
}

cmd="${1:-status}"
shift || true
if [ $# -eq 0 ]; then read -r -a versions <<<"${BACKFILL_TSL_VERSIONS:-${ALL_VERSIONS[*]}}"; else versions=("$@"); fi
case "$cmd" in
  install) install "${versions[@]}" ;;
  start) start "${versions[@]}" ;;
  stop) stop "${versions[@]}" ;;
  restart) stop "${versions[@]}"; start "${versions[@]}" ;;
  status) status "${versions[@]}" ;;
  list) list "${versions[@]}" ;;
  *) echo "usage: $0 install|start|stop|restart|status|list [VERSION...]" >&2; exit 2 ;;
esac
