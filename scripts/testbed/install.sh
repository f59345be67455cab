#!/usr/bin/env bash
# Installs what the local test bed needs: PostgreSQL and the Apache-licensed TimescaleDB 2.19.3.
#   Debian 13: Debian's binary packages postgresql-17 and postgresql-17-timescaledb.
#   Debian 12: postgresql-15 from Debian; TimescaleDB built from Debian 13's source package
#              (see TESTBED notes), the build kept in $BACKFILL_CACHE.
# Cached: when everything is in place it only checks files and exits (well under a second).
# Writes PG_MAJOR and PG_BIN to $BACKFILL_CACHE/testbed.env for the other scripts.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
LIB_NAME=install.sh
. "$here/lib.sh"

TSDB_VERSION=2.19.3
TSDB_DEB_VERSION=2.19.3+dfsg-1+deb13u1
case "$(cat /etc/debian_version 2>/dev/null)" in
  12*|bookworm*) pg=15 ;;
  13*|trixie*) pg=17 ;;
  *) die "unsupported system (need Debian 12 or 13): $(cat /etc/debian_version 2>/dev/null || echo unknown)" ;;
esac
pg_bin="/usr/lib/postgresql/$pg/bin"
apt_sources=/etc/apt/sources.list.d/timescaledb-backfill-trixie-src.sources

# The TimescaleDB version installed for PostgreSQL $pg, if its files are all there.
tsdb_installed() {
  local v
  v="$(sed -n "s/^default_version = '\(.*\)'$/\1/p" "/usr/share/postgresql/$pg/extension/timescaledb.control" 2>/dev/null)"
  [ -n "$v" ] && [ -f "/usr/lib/postgresql/$pg/lib/timescaledb-$v.so" ] &&
    [ -f "/usr/share/postgresql/$pg/extension/timescaledb--$v.sql" ] && echo "$v"
}
tsdb_ok() { # Debian 12: our pinned build; Debian 13: what Debian's package ships (2.19.3 today)
  local v
  v="$(tsdb_installed)" && { [ "$pg" = 17 ] || [ "$v" = "$TSDB_VERSION" ]; }
}
ready() {
  tsdb_ok && for b in postgres psql pg_dump pg_isready; do [ -x "$pg_bin/$b" ] || return 1; done &&
    command -v pg_createcluster >/dev/null && [ -x /usr/bin/time ] &&
    command -v openssl >/dev/null
}

# The machine's own Debian archive entry (URI and Signed-By) from its deb822 .sources files.
debian_mirror() {
  local codename
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
  local files=() f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && [ "$f" != "$apt_sources" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] && awk -v suite="$codename" '
    BEGIN { RS = ""; FS = "\n" }
    {
      t = u = s = k = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^#/ || $i !~ /^[A-Za-z-]+:/) continue
        key = substr($i, 1, index($i, ":") - 1); val = substr($i, index($i, ":") + 1)
        gsub(/^[ \t]+|[ \t]+$/, "", val)
        if (key == "Types") t = val; else if (key == "URIs") u = val
        else if (key == "Suites") s = val; else if (key == "Signed-By") k = val
      }
      if ((" " t " ") ~ / deb / && (" " s " ") ~ (" " suite " ")) {
        split(u, uris, " "); if (k !~ /^\//) k = ""
        print uris[1] "\t" k; exit
      }
    }' "${files[@]}"
}

build_timescaledb() {
  apt_install "postgresql-server-dev-$pg" build-essential cmake dpkg-dev xz-utils libssl-dev libkrb5-dev
  local src="$BACKFILL_CACHE/timescaledb-$TSDB_DEB_VERSION" dir
  dir="$src/timescaledb-$TSDB_VERSION"
  mkdir -p "$src"
  if [ ! -f "$dir/build/.built" ]; then
    if ! ls "$src"/timescaledb_*.orig.tar.xz >/dev/null 2>&1; then
      local mirror uri signed
      mirror="$(debian_mirror || true)"
      uri="${mirror%%$'\t'*}"; signed="${mirror#*$'\t'}"
      [ -n "$uri" ] || die "no Debian deb entry found in /etc/apt/sources.list.d/*.sources"
      { printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\n' "$uri"
        [ -z "$signed" ] || printf 'Signed-By: %s\n' "$signed"
      } | $SUDO tee "$apt_sources" >/dev/null
      say "downloading the timescaledb $TSDB_DEB_VERSION source package (Debian trixie)"
      $SUDO apt-get update -qq >"$src/download.log" 2>&1 || die "apt-get update failed; see $src/download.log"
      local ok=1
      (cd "$src" && apt-get source -qq --download-only "timescaledb=$TSDB_DEB_VERSION") >>"$src/download.log" 2>&1 || ok=""
      $SUDO rm -f "$apt_sources" # keep later apt-get updates free of the trixie index
      [ -n "$ok" ] || die "could not download timescaledb=$TSDB_DEB_VERSION; see $src/download.log"
    fi
    rm -rf "$dir"
    tar -C "$src" -xf "$src"/timescaledb_*.orig.tar.xz
    [ -x "$dir/bootstrap" ] || die "unexpected source layout in $src"
    say "building TimescaleDB $TSDB_VERSION (Apache-only) for PostgreSQL $pg"
    (cd "$dir" && ./bootstrap -DCMAKE_BUILD_TYPE=Release -DPG_CONFIG="$pg_bin/pg_config" \
        -DAPACHE_ONLY=1 -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
        -DSEND_TELEMETRY_DEFAULT=OFF -DUSE_TELEMETRY=OFF && make -C build -j"$(nproc)") \
      >"$src/build.log" 2>&1 || die "build failed; see $src/build.log"
    touch "$dir/build/.built"
  fi
  say "installing TimescaleDB $TSDB_VERSION from $dir/build"
  $SUDO make -C "$dir/build" install >"$src/install.log" 2>&1 || die "install failed; see $src/install.log"
}

mkdir -p "$BACKFILL_CACHE"
if ! ready; then
  apt_install "postgresql-$pg" "postgresql-client-$pg" postgresql-common time openssl
  if [ "$pg" = 17 ]; then
    apt_install postgresql-17-timescaledb
  elif ! tsdb_ok; then
    build_timescaledb
  fi
  ready || die "PostgreSQL $pg with TimescaleDB $TSDB_VERSION is still incomplete"
fi
env_file="$BACKFILL_CACHE/testbed.env"
if [ "$(cat "$env_file" 2>/dev/null)" != "$(printf 'PG_MAJOR=%s\nPG_BIN=%s' "$pg" "$pg_bin")" ]; then
  printf 'PG_MAJOR=%s\nPG_BIN=%s\n' "$pg" "$pg_bin" >"$env_file"
fi
say "PostgreSQL $pg ($pg_bin) with TimescaleDB $(tsdb_installed) is ready; PG_MAJOR=$pg"
