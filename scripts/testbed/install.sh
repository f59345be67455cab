#!/usr/bin/env bash
# Installs PostgreSQL and the Apache-licensed TimescaleDB 2.19.3 for the local test bed.
#   Debian 13: Debian's binary packages postgresql-17 and postgresql-17-timescaledb.
#   Debian 12: postgresql-15 from Debian, TimescaleDB built from Debian 13's source package
#              (see shared TESTBED.md), kept in $BACKFILL_CACHE so later runs do no work.
# Idempotent: when everything is in place it only checks and exits.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
say() { echo "install.sh: $*"; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

TSDB_VERSION=2.19.3
TSDB_DEB_VERSION=2.19.3+dfsg-1+deb13u1
debian_major="$(cut -d. -f1 /etc/debian_version 2>/dev/null || echo unknown)"
case "$debian_major" in
  13*|trixie*) pg=17 ;;
  *) pg=15 ;;
esac
pg_bin="/usr/lib/postgresql/$pg/bin"
mkdir -p "$BACKFILL_CACHE"

updated=""
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$updated" ]; then
    say "apt-get update"
    $SUDO apt-get update -qq >/dev/null
    updated=1
  fi
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

tsdb_installed() {
  local lib
  lib="$("$pg_bin/pg_config" --pkglibdir 2>/dev/null)/timescaledb-$TSDB_VERSION.so"
  [ -f "$lib" ] && [ -f "$("$pg_bin/pg_config" --sharedir)/extension/timescaledb--$TSDB_VERSION.sql" ]
}

apt_install "postgresql-$pg" "postgresql-client-$pg" time openssl ca-certificates
if [ ! -x "$pg_bin/pg_config" ]; then apt_install "postgresql-server-dev-$pg"; fi
if [ "$pg" = 17 ]; then
  apt_install postgresql-17-timescaledb
else
  if ! tsdb_installed; then
    apt_install "postgresql-server-dev-$pg" build-essential cmake dpkg-dev xz-utils libssl-dev libkrb5-dev
    src="$BACKFILL_CACHE/timescaledb-src"
    if [ ! -f "$src/.built-$TSDB_VERSION" ]; then
      # Debian 13's source package, fetched through the machine's own Debian mirror entry.
      sources_file="$(ls /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)"
      uri=""; signed=""
      if [ -n "$sources_file" ]; then
        uri="$(awk '/^URIs:/{print $2; exit}' "$sources_file")"
        signed="$(awk '/^Signed-By:/{print $2; exit}' "$sources_file")"
      fi
      if [ -z "$uri" ]; then
        uri="$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
      fi
      [ -n "$uri" ] || { say "cannot find the machine's Debian mirror in /etc/apt"; exit 1; }
      {
        echo "Types: deb-src"
        echo "URIs: $uri"
        echo "Suites: trixie"
        echo "Components: main"
        [ -n "$signed" ] && echo "Signed-By: $signed"
      } | $SUDO tee /etc/apt/sources.list.d/backfill-trixie-src.sources >/dev/null
      say "apt-get update (trixie sources)"
      $SUDO apt-get update -qq >/dev/null
      rm -rf "$src" && mkdir -p "$src"
      (cd "$src" && apt-get source --download-only "timescaledb=$TSDB_DEB_VERSION" >/dev/null 2>&1) || {
        say "could not download the timescaledb $TSDB_DEB_VERSION source package"; exit 1; }
      tar -C "$src" -xf "$src"/timescaledb_*.orig.tar.xz
      dir="$(find "$src" -maxdepth 1 -mindepth 1 -type d | head -n1)"
      say "building TimescaleDB $TSDB_VERSION (Apache-only) for PostgreSQL $pg"
      (cd "$dir" && ./bootstrap -DCMAKE_BUILD_TYPE=Release -DPG_CONFIG="$pg_bin/pg_config" \
          -DAPACHE_ONLY=1 -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
          -DSEND_TELEMETRY_DEFAULT=OFF -DUSE_TELEMETRY=OFF >"$src/bootstrap.log" 2>&1 \
        && make -C build -j"$(nproc)" >"$src/build.log" 2>&1) || {
        say "build failed; see $src/bootstrap.log and $src/build.log"; exit 1; }
      touch "$src/.built-$TSDB_VERSION"
    fi
    dir="$(find "$src" -maxdepth 1 -mindepth 1 -type d | head -n1)"
    $SUDO make -C "$dir/build" install >"$src/install.log" 2>&1
  fi
fi
tsdb_installed || { say "TimescaleDB $TSDB_VERSION is not installed for PostgreSQL $pg"; exit 1; }
printf 'PG_MAJOR=%s\nPG_BIN=%s\n' "$pg" "$pg_bin" >"$BACKFILL_CACHE/testbed.env"
say "PostgreSQL $pg with TimescaleDB $TSDB_VERSION is ready"
