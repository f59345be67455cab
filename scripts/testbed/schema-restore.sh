#!/usr/bin/env bash
# The migration runbook's schema restore between the local test servers (servers.sh):
# pg_dump of database SRC_DB on the source without chunk data, restored into TGT_DB on the target
# between timescaledb_pre_restore() and timescaledb_post_restore(). Afterwards every source chunk
# exists on the target, empty, with the same name and slices; plain tables (outside
# _timescaledb_internal) come with their rows, as in the runbook.
# TGT_DB is created when missing and must not hold hypertables yet. The restore runs in one
# transaction with ON_ERROR_STOP, so a failure leaves TGT_DB as it was (post_restore still runs).
# Usage: schema-restore.sh SRC_DB TGT_DB
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
say() { echo "schema-restore.sh: $*"; }
die() { say "$*" >&2; exit 1; }
[ $# -eq 2 ] || { echo "usage: $0 SRC_DB TGT_DB" >&2; exit 2; }
src_db=$1 tgt_db=$2
src=(-h 127.0.0.1 -p "$BACKFILL_SOURCE_PORT" -U postgres)
tgt=(-h 127.0.0.1 -p "$BACKFILL_TARGET_PORT" -U postgres)
q() { PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
# Chunk count, then a digest of every chunk's name and time range (the public view: the catalog's
# tables differ between TimescaleDB versions).
chunks="SELECT count(*) || ' ' || coalesce(md5(string_agg(
    format('%s.%s %s %s %s %s', chunk_schema, chunk_name, range_start, range_end,
           range_start_integer, range_end_integer),
    ',' ORDER BY chunk_schema, chunk_name)), '-')
  FROM timescaledb_information.chunks"

dump="$(mktemp "${TMPDIR:-/tmp}/schema-restore.XXXXXX.sql")"
log="${dump%.sql}.log"
trap 'rm -f "$dump" "$log"' EXIT
# pg_dump warns about circular foreign keys among TimescaleDB's catalog tables; harmless.
"$PG_BIN/pg_dump" "${src[@]}" --no-owner --no-privileges --no-tablespaces --quote-all-identifiers \
  --exclude-table-data='_timescaledb_internal.*' --file="$dump" "$src_db" 2>"$log" ||
  die "pg_dump of $src_db failed: $(grep -v 'circular\|detail:\|hint:' "$log")"

if [ -z "$(q "${tgt[@]}" -d postgres -v db="$tgt_db" <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")" ]; then
  q "${tgt[@]}" -d postgres -v db="$tgt_db" <<<'CREATE DATABASE :"db"'
fi
q "${tgt[@]}" -d "$tgt_db" -c 'CREATE EXTENSION IF NOT EXISTS timescaledb'
[ "$(q "${tgt[@]}" -d "$tgt_db" -c 'SELECT count(*) FROM timescaledb_information.hypertables')" = 0 ] ||
  die "target database $tgt_db already has hypertables; restore into a fresh database"

q "${tgt[@]}" -d "$tgt_db" -c 'SELECT timescaledb_pre_restore()' >/dev/null
ok=1
q "${tgt[@]}" -d "$tgt_db" --single-transaction -f "$dump" >"$log" 2>&1 || ok=""
q "${tgt[@]}" -d "$tgt_db" -c 'SELECT timescaledb_post_restore()' >/dev/null
[ -n "$ok" ] || die "restore into $tgt_db failed: $(grep -m3 'ERROR' "$log")"

n_src="$(q "${src[@]}" -d "$src_db" -c "$chunks")"
n_tgt="$(q "${tgt[@]}" -d "$tgt_db" -c "$chunks")"
[ "$n_src" = "$n_tgt" ] || die "chunks differ: source $src_db has ${n_src%% *}, target $tgt_db has ${n_tgt%% *}"
say "restored $src_db (port $BACKFILL_SOURCE_PORT) into $tgt_db (port $BACKFILL_TARGET_PORT): ${n_tgt%% *} chunks, same slices"
