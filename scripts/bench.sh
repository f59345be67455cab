#!/usr/bin/env bash
# Benchmark of the tool against the raw psql COPY pipe, on the local test servers: the Apache bed
# (scripts/testbed/servers.sh) and a native Timescale License bed (scripts/testbed/tsl.sh).
#
# Usage: scripts/bench.sh [--bed apache|tsl|both] [--tsl-version V] [--cases LIST] [--rows N]
#                         [--chunks N] [--small-chunks N] [--parallelism "1 2 8"]
#                         [--dual-written | --both] [--repeat N] [--rtt-ms N] [--tool PATH]
#                         [--jfr] [--keep] [-h|--help]
#   --bed B          apache, tsl or both, one after the other (BENCH_BED, default both)
#   --tsl-version V  the TimescaleDB of the TSL bed, one of scripts/testbed/tsl.sh list
#                    (BENCH_TSL_VERSION, default the newest there); installed and started if needed
#   --cases LIST     space separated, of (BENCH_CASES, default "rows compressed small"):
#                      rows        --rows rows in --chunks daily chunks: the raw pipe into a fresh
#                                  target's hypertable and chunk by chunk into a schema-restored
#                                  one, against the tool's routed (fresh) and direct (restored) copy
#                      compressed  the same rows with all but the newest two chunks compressed on
#                                  the source (TSL bed only): the raw pipe of the decompressed rows
#                                  into a fresh target plus compress_chunk of the same chunks there,
#                                  against the tool's copy into a schema-restored target
#                      small       --small-chunks chunks of 100 rows, schema-restored target: the
#                                  tool's copy and verify, and their cost per chunk
#   --rows N         rows generated on the source (BENCH_ROWS, default 5000000)
#   --chunks N       daily chunks they are spread over (BENCH_CHUNKS, default 31)
#   --small-chunks N chunks of the small case (BENCH_SMALL_CHUNKS, default 3000)
#   --parallelism L  copy/verify parallelism levels, space separated (BENCH_PARALLELISM, "1 2 8")
#   --dual-written   the target already holds the dual-written rows newer than --until before every
#                    copy (BENCH_MODE=dual; rows case only); --until then falls 36 hours before
#                    the end of the data
#   --both           both modes, one after the other, on the same source data (BENCH_MODE=both)
#   --repeat N       rounds of raw pipes and tool cases (BENCH_REPEAT, default 1); each row's ratio
#                    is against the raw pipe of its own round, and with N > 1 a table of medians,
#                    minimums and maximums over the rounds follows (the box is noisy: one round
#                    can be 20 % off)
#   --rtt-ms N       every connection of the tool and of the raw pipes goes through a proxy
#                    (scripts/bench/rtt-proxy.py) that delays each direction by N/2 ms, so each
#                    round trip to either server takes N ms more (BENCH_RTT_MS, default 0: no
#                    proxy). With a proxy, each tool row also reports its round trips per chunk
#                    on both servers together (all of the command's, over the chunks it handled)
#   --tool PATH      the launcher to measure (BENCH_TOOL, default bin/timescaledb-backfill), e.g.
#                    an older build's, for before-and-after tables
#   --jfr            also run copy once more per path at parallelism 1 under Java Flight Recorder
#                    and print where the tool spends its CPU (BENCH_JFR=1)
#   --keep           keep the source databases and the work folder (logs, JFR files) at the end
# Quick smoke run: scripts/bench.sh --rows 200000 --small-chunks 100
#
# What it does: builds the jar if missing, starts the servers if down, generates each dataset
# (scripts/bench/dataset.sql: timestamptz, int, double precision, numeric, text, jsonb; two
# indexes) in a fresh source database, then measures on that same data, each case against a freshly
# prepared target database:
#   raw hypertable  psql COPY (SELECT ...) TO STDOUT (FORMAT binary) | psql COPY metrics FROM STDIN
#                   into the target hypertable (fresh target: hypertable created, no chunks)
#   raw chunks      the same pipe chunk by chunk into the empty chunks a schema restore leaves
#                   (scripts/testbed/schema-restore.sh)
#   raw chunks + ANALYZE  that pipe, then ANALYZE of every chunk, as copy does after each chunk
#                   (for reference: ratios stay against the pipe alone)
#   direct pN       the tool's stage + copy --parallelism N on a schema-restored target
#   routed pN       the tool's stage + copy --parallelism N on a fresh target (on a TSL bed the
#                   tool creates each chunk, loads it without indexes and attaches it)
#   raw decompressed + compress  (compressed case) the pipe of every chunk's rows, read through
#                   the hypertable, into a fresh target with the source's compression settings,
#                   then compress_chunk of the chunks compressed on the source; the ratio of
#                   "compressed pN" (stage + copy into a schema-restored target) is against it
#   small pN        (small case) stage + copy; "per chunk" in its notes is the copy's wall time less
#                   the JVM's start-up, over the chunks
#   verify ...      the tool's verify --parallelism N after each copy (ratio: verify/copy)
# It prints one table per bed and case: wall seconds, rows/s and MB/s (MB of the binary COPY stream
# of the copied rows, 10^6 bytes), the ratio to the raw pipe on the same path (direct vs raw
# chunks, routed vs raw hypertable; verify: its time over the copy's), CPU seconds (user+sys: the
# tool's JVM, or both psql processes of the pipe together) and peak RSS (GNU time); the note gives
# the size of the target chunks' indexes after each copy. Every case is checked: count and
# sum(hashtext(row::text)) of the copied range on the target must equal the source's, in the
# dual-written mode the rows at or after --until must be untouched, and in the compressed case the
# target must have as many compressed chunks as the source. Exits 1 if any case differs or fails.
# Databases are dropped at the end, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
bench=$root/scripts/bench

say() { echo "bench.sh: $*" >&2; }
die() { say "$*"; exit 2; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

beds=${BENCH_BED:-both}
tsl_version=${BENCH_TSL_VERSION:-}
cases=${BENCH_CASES:-rows compressed small}
rows=${BENCH_ROWS:-5000000}
chunks=${BENCH_CHUNKS:-31}
small_chunks=${BENCH_SMALL_CHUNKS:-3000}
levels=${BENCH_PARALLELISM:-1 2 8}
mode=${BENCH_MODE:-plain}
jfr=${BENCH_JFR:-0}
repeat=${BENCH_REPEAT:-1}
rtt_ms=${BENCH_RTT_MS:-0}
tool=${BENCH_TOOL:-$root/bin/timescaledb-backfill}
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --bed) [ $# -ge 2 ] || die "--bed needs a value"; beds=$2; shift ;;
    --tsl-version) [ $# -ge 2 ] || die "--tsl-version needs a value"; tsl_version=$2; shift ;;
    --cases) [ $# -ge 2 ] || die "--cases needs a value"; cases=$2; shift ;;
    --rows) [ $# -ge 2 ] || die "--rows needs a value"; rows=$2; shift ;;
    --chunks) [ $# -ge 2 ] || die "--chunks needs a value"; chunks=$2; shift ;;
    --small-chunks) [ $# -ge 2 ] || die "--small-chunks needs a value"; small_chunks=$2; shift ;;
    --parallelism) [ $# -ge 2 ] || die "--parallelism needs a value"; levels=$2; shift ;;
    --dual-written) mode=dual ;;
    --both) mode=both ;;
    --repeat) [ $# -ge 2 ] || die "--repeat needs a value"; repeat=$2; shift ;;
    --rtt-ms) [ $# -ge 2 ] || die "--rtt-ms needs a value"; rtt_ms=$2; shift ;;
    --tool) [ $# -ge 2 ] || die "--tool needs a value"; tool=$2; shift ;;
    --jfr) jfr=1 ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
case $beds in
  apache | tsl) bed_list=("$beds") ;;
  both) bed_list=(apache tsl) ;;
  *) die "--bed must be apache, tsl or both, not '$beds'" ;;
esac
for c in $cases; do
  case $c in rows | compressed | small) ;; *) die "--cases takes rows, compressed and small, not '$c'" ;; esac
done
[ -n "${cases// /}" ] || die "--cases needs at least one case"
[[ $rows =~ ^[1-9][0-9]*$ ]] || die "--rows must be a positive integer, not '$rows'"
[[ $chunks =~ ^[1-9][0-9]*$ ]] || die "--chunks must be a positive integer, not '$chunks'"
[[ $small_chunks =~ ^[1-9][0-9]*$ ]] || die "--small-chunks must be a positive integer, not '$small_chunks'"
[[ $repeat =~ ^[1-9][0-9]?$ ]] || die "--repeat must be 1 to 99, not '$repeat'"
[[ $rtt_ms =~ ^[0-9]+$ ]] && [ "$rtt_ms" -le 10000 ] || die "--rtt-ms must be 0 to 10000, not '$rtt_ms'"
[ -x "$tool" ] || die "--tool $tool is not an executable launcher"
for p in $levels; do
  if ! [[ $p =~ ^[1-9][0-9]*$ ]] || [ "$p" -gt 255 ]; then
    die "--parallelism levels must be 1 to 255, not '$p'"
  fi
done
[ -n "${levels// /}" ] || die "--parallelism needs at least one level"
case $mode in
  plain) modes=(plain) ;;
  dual) modes=(dual) ;;
  both) modes=(plain dual) ;;
  *) die "BENCH_MODE must be plain, dual or both, not '$mode'" ;;
esac
if [ "$mode" != plain ] && [ "$chunks" -lt 2 ]; then
  die "the dual-written mode needs --chunks 2 or more (--until falls 36 hours before the end)"
fi
if [[ " ${bed_list[*]} " == *" tsl "* ]]; then
  tsl_line="$(scripts/testbed/tsl.sh list | awk -v v="$tsl_version" 'v == "" || $1 == v' | tail -n 1)"
  [ -n "$tsl_line" ] || die "--tsl-version $tsl_version is not a TSL bed (scripts/testbed/tsl.sh list)"
  read -r tsl_version _ tsl_source_port tsl_target_port tsl_bin <<<"$tsl_line"
fi
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing: apt-get install time"
if [ "$rtt_ms" != 0 ]; then
  command -v python3 >/dev/null || die "--rtt-ms needs python3 for scripts/bench/rtt-proxy.py"
fi

# --- set-up -----------------------------------------------------------------------------------
# shellcheck disable=SC1091 # exports the Apache bed's ports and PG_BIN only
. scripts/testbed/env.sh
apache_source_port=$BACKFILL_SOURCE_PORT apache_target_port=$BACKFILL_TARGET_PORT apache_bin=$PG_BIN
if [ "$tool" = "$root/bin/timescaledb-backfill" ] && [ ! -f target/timescaledb-backfill.jar ]; then
  say "building target/timescaledb-backfill.jar"
  mvn -B -ntp -q -o package -DskipTests >&2
fi
# The launcher's class-data sharing archive, built now rather than in the background of the first
# measured run (BACKFILL_CDS=off measures without it).
if [ "${BACKFILL_CDS:-on}" != off ] && [ -z "${JAVA_OPTS:-}" ]; then
  BACKFILL_CDS=build "$tool" --version >/dev/null
fi
export PGTZ=UTC PGOPTIONS="-c client_min_messages=warning"
psql_() { "${psql[@]}" "$@"; }
q_src() { psql_ "${src[@]}" -A -t -d "$@"; }
q_tgt() { psql_ "${tgt[@]}" -A -t -d "$@"; }
# The tool's and the raw pipes' way to the servers: through the delay proxies with --rtt-ms.
url() { echo "postgres://postgres@127.0.0.1:$1/$2?sslmode=disable"; }

tag="$$_$RANDOM"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")"
src_dbs=() tgt_dbs=() proxies=()
declare -A proxy_pid
failed=0

cleanup() {
  local rc=$? db
  trap - EXIT INT TERM
  # Each entry is PORT:DATABASE; psql of the Apache bed can drop a database on any bed's server.
  drop_at() {
    "$apache_bin/psql" -X -q -h 127.0.0.1 -p "${1%%:*}" -U postgres -d postgres \
      -c "DROP DATABASE IF EXISTS \"${1#*:}\" WITH (FORCE)" >/dev/null 2>&1 || true
  }
  for db in "${tgt_dbs[@]}"; do drop_at "$db"; done
  if [ "$keep" = 1 ]; then
    say "kept source database(s) ${src_dbs[*]} (port:name) and $work"
  else
    for db in "${src_dbs[@]}"; do drop_at "$db"; done
    rm -rf "$work"
  fi
  if [ "${#proxies[@]}" != 0 ]; then
    # A proxy writes its last counts on TERM and exits; one that has not within 5 s is killed.
    kill "${proxies[@]}" 2>/dev/null || true
    local deadline=$((SECONDS + 5))
    while kill -0 "${proxies[@]}" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -9 "${proxies[@]}" 2>/dev/null || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted; dropping the benchmark databases"; exit 130' INT TERM

now() { date +%s%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

# Runs a command under GNU time with its output in $work/NAME.log; sets run_rc, run_wall (s),
# run_cpu (user+sys s) and run_rss (peak, MB); with --rtt-ms also run_trips, the round trips to
# both servers while it ran.
timed() {
  local name=$1 t0 t1 before
  shift
  before=$(round_trips)
  t0=$(now)
  run_rc=0
  /usr/bin/time -f '%U %S %M' -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 || run_rc=$?
  t1=$(now)
  run_wall=$(seconds "$t0" "$t1")
  run_trips=$(($(round_trips) - before))
  read -r run_cpu run_rss < <(tail -n 1 "$work/$name.time" |
    awk '{ printf "%.2f %.0f\n", $1 + $2, $3 / 1024 }')
}

# --- the delay proxies -------------------------------------------------------------------------
# Starts a proxy to PORT on a free port and sets proxy_port to it. Its counts go to
# $work/proxy-PORT.stats.
start_proxy() {
  local server_port=$1 port deadline
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 "$bench/rtt-proxy.py" "$port" 127.0.0.1 "$server_port" "$((rtt_ms / 2))" \
    "$work/proxy-$port.stats" >>"$work/proxy.log" 2>&1 &
  proxies+=("$!")
  proxy_pid[$work/proxy-$port.stats]=$!
  deadline=$((SECONDS + 20))
  until [ -s "$work/proxy-$port.stats" ]; do
    [ $SECONDS -lt $deadline ] || die "the delay proxy to port $server_port did not start (see $work/proxy.log)"
    sleep 0.1
  done
  proxy_port=$port
}

# The round trips both proxies have counted so far (0 without proxies): asks each for fresh counts
# and waits until it has written them.
round_trips() {
  [ "$rtt_ms" != 0 ] || { echo 0; return; }
  local f total=0 before deadline
  for f in "$work/proxy-$via_source.stats" "$work/proxy-$via_target.stats"; do
    before=$(awk '$1 == "written" { print $2 }' "$f")
    kill -USR1 "${proxy_pid[$f]}"
    deadline=$((SECONDS + 20))
    while [ "$(awk '$1 == "written" { print $2 }' "$f")" = "$before" ]; do
      [ $SECONDS -lt $deadline ] || die "the delay proxy stopped answering ($f)"
      sleep 0.05
    done
    total=$((total + $(awk '$1 == "round_trips" { print $2 }' "$f")))
  done
  echo "$total"
}

# --- the beds ------------------------------------------------------------------------------------
# Chooses the servers and client programs of a bed, starting them if down: sets bed_name, src, tgt,
# psql, PG_BIN and the ports schema-restore.sh uses, and via_source/via_target, the ports the tool
# and the raw pipes connect to (the proxies' with --rtt-ms).
use_bed() {
  if [ "$1" = apache ]; then
    scripts/testbed/servers.sh status >/dev/null 2>&1 || scripts/testbed/servers.sh start >&2
    source_port=$apache_source_port target_port=$apache_target_port PG_BIN=$apache_bin
    bed_name="Apache bed (TimescaleDB $(ext_version "$apache_source_port"), Apache license)"
  else
    scripts/testbed/tsl.sh status "$tsl_version" >/dev/null 2>&1 || {
      scripts/testbed/tsl.sh install "$tsl_version" >&2
      scripts/testbed/tsl.sh start "$tsl_version" >&2
    }
    source_port=$tsl_source_port target_port=$tsl_target_port PG_BIN=$tsl_bin
    bed_name="TSL bed (TimescaleDB $tsl_version, Timescale License)"
  fi
  export PG_BIN BACKFILL_SOURCE_PORT=$source_port BACKFILL_TARGET_PORT=$target_port
  src=(-h 127.0.0.1 -p "$source_port" -U postgres)
  tgt=(-h 127.0.0.1 -p "$target_port" -U postgres)
  psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1)
  via_source=$source_port via_target=$target_port
  if [ "$rtt_ms" != 0 ]; then
    start_proxy "$source_port"
    via_source=$proxy_port
    start_proxy "$target_port"
    via_target=$proxy_port
    bed_name+=", $rtt_ms ms round trip to each server"
  fi
  via_src=(-h 127.0.0.1 -p "$via_source" -U postgres)
  via_tgt=(-h 127.0.0.1 -p "$via_target" -U postgres)
}
ext_version() {
  "$apache_bin/psql" -X -A -t -h 127.0.0.1 -p "$1" -U postgres -d postgres \
    -c "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'"
}

# --- source data --------------------------------------------------------------------------------
start_ts='2024-01-01 00:00:00+00'
# Generates NAME with ROWS rows over CHUNKS daily chunks (and sets cols, the column list).
new_source() {
  local db=$1 n=$2 c=$3 t0
  say "generating $n rows over $c daily chunks in $db (port $source_port)"
  t0=$(now)
  src_dbs+=("$source_port:$db")
  q_src postgres -c "CREATE DATABASE \"$db\""
  q_src "$db" -c 'CREATE EXTENSION timescaledb' \
    -v rows="$n" -v chunks="$c" -v start="$start_ts" -f "$bench/dataset.sql" >"$work/dataset.log"
  say "generated in $(seconds "$t0" "$(now)") s: $(q_src "$db" -c \
    "SELECT pg_size_pretty(hypertable_size('public.metrics')) || ', ' || count(*) || ' chunks'
       FROM show_chunks('public.metrics')")"
  # The generated gigabyte and its VACUUM are written back now, not during the first measured case.
  q_src "$db" -c 'CHECKPOINT'
  sync
  cols="$(q_src "$db" -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
    FROM pg_attribute WHERE attrelid = 'public.metrics'::regclass AND attnum > 0 AND NOT attisdropped")"
}
drop_source() {
  [ "$keep" = 1 ] || q_src postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
}

# The fingerprint of a range of public.metrics: "count hash".
fingerprint_sql() {
  echo "SELECT count(*) || ' ' || coalesce(sum(hashtext(m::text)::bigint), 0)
          FROM public.metrics m WHERE $1"
}

# --- one target database per case ----------------------------------------------------------------
new_target() { # NAME HOW(restored|fresh): creates the database and its schema
  local db=$1 how=$2
  tgt_dbs+=("$target_port:$db")
  if [ "$how" = restored ]; then
    scripts/testbed/schema-restore.sh "$src_db" "$db" >"$work/$db.restore.log" 2>&1 ||
      { cat "$work/$db.restore.log" >&2; die "schema restore into $db failed"; }
  else
    q_tgt postgres -c "CREATE DATABASE \"$db\""
    q_tgt "$db" -c 'CREATE EXTENSION timescaledb' -f "$bench/schema.sql" -f "$bench/indexes.sql" \
      >/dev/null
  fi
  if [ "$dual" = 1 ]; then # the application has written the rows since the cut-over to both sides
    psql_ "${src[@]}" -d "$src_db" \
      -c "COPY (SELECT $cols FROM public.metrics WHERE time >= '$until') TO STDOUT (FORMAT binary)" |
      psql_ "${tgt[@]}" -d "$db" -c "COPY public.metrics ($cols) FROM STDIN (FORMAT binary)"
  fi
  q_tgt "$db" -c 'CHECKPOINT' # no checkpoint debt from preparing lands in the measurement
  # With fsync off, CHECKPOINT leaves the pages dirty in the OS; sync, so the kernel writes back
  # the previous case's gigabyte before this case starts, not during it.
  sync
}

drop_target() {
  q_tgt postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
}

# Compares the target's copied range (and, dual-written, the rest) with the source; prints ok/DIFF.
check_target() {
  local db=$1 got rest
  got="$(q_tgt "$db" -c "$(fingerprint_sql "time < '$until'")")"
  if [ "$got" != "$want" ]; then
    say "$db: copied range differs: source has $want (rows hash), target has $got"
    echo DIFF
    return
  fi
  if [ "$dual" = 1 ]; then
    rest="$(q_tgt "$db" -c "$(fingerprint_sql "time >= '$until'")")"
    if [ "$rest" != "$want_rest" ]; then
      say "$db: dual-written rows changed: source has $want_rest, target has $rest"
      echo DIFF
      return
    fi
  fi
  if [ -n "${want_compressed:-}" ]; then
    got="$(q_tgt "$db" -c "SELECT count(*) FROM timescaledb_information.chunks
      WHERE hypertable_name = 'metrics' AND is_compressed")"
    if [ "$got" != "$want_compressed" ]; then
      say "$db: $got compressed chunks, the source has $want_compressed"
      echo DIFF
      return
    fi
  fi
  echo ok
}

# The size of the target's chunk indexes after a copy, in MB: the order rows arrive in decides how
# full the time index's pages are (copy --row-order, BACKFILL_ROW_ORDER).
index_mb() {
  q_tgt "$1" -c "SELECT round(coalesce(sum(pg_relation_size(i.indexrelid)), 0) / 1e6)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '_timescaledb_internal'"
}

# --- results ---------------------------------------------------------------------------------------
# Each row: case wall rows/s MB/s ratio cpu rss note (tab separated).
results=""
raw_wall_hypertable="" raw_wall_chunks=""
add_row() { # CASE WALL RATIO-TO CPU RSS NOTE
  local rate mbs ratio
  rate=$(awk -v r="$copied_rows" -v w="$2" 'BEGIN { printf "%.0f", (w > 0 ? r / w : 0) }')
  mbs=$(awk -v b="$stream_bytes" -v w="$2" 'BEGIN { printf "%.1f", (w > 0 ? b / 1e6 / w : 0) }')
  ratio=$(awk -v w="$2" -v r="$3" 'BEGIN { if (r > 0) printf "%.2f", w / r; else print "-" }')
  results+="$1	$2	$rate	$mbs	$ratio	$4	$5	$6"$'\n'
  printf '  %-22s %7ss  %s\n' "$1" "$2" "$6" >&2
}
fail_row() { # CASE NOTE
  failed=1
  results+="$1	-	-	-	-	-	-	$2"$'\n'
  say "$1: $2"
}

# The CPU seconds (user+sys) of all processes, and the largest peak RSS in MB, of a file of GNU
# time lines ('%U %S %M', one per process).
times_cpu() { awk 'NF == 3 && $1 ~ /^[0-9.]+$/ { c += $1 + $2 } END { printf "%.2f", c }' "$1"; }
times_rss() { awk 'NF == 3 && $3 > m { m = $3 } END { printf "%.0f", m / 1024 }' "$1"; }

# Ends a raw case on target $db: its failure row (false), or its row checked against the source,
# with the CPU and peak RSS of the psql processes in $work/TIMES.time and the index size.
raw_row() { # NAME RC WALL TIMES ERRORS NOTE
  local check
  if [ "$2" != 0 ]; then
    fail_row "$1" "FAILED (exit $2): $(head -n 1 "$work/$5.err")"
    return 1
  fi
  check=$(check_target "$db")
  [ "$check" = ok ] || failed=1
  add_row "$1" "$3" "" "$(times_cpu "$work/$4.time")" "$(times_rss "$work/$4.time")" \
    "$check; $6; indexes $(index_mb "$db") MB"
}

# --- the raw pipe --------------------------------------------------------------------------------
raw_hypertable() {
  local db="bench_tgt_${tag}_raw_ht" t0 t1 rc=0 check
  new_target "$db" fresh
  t0=$(now)
  /usr/bin/time -f '%U %S %M' -o "$work/raw-out.time" "${psql[@]}" "${via_src[@]}" -d "$src_db" \
    -c "COPY (SELECT $cols FROM public.metrics WHERE time < '$until') TO STDOUT (FORMAT binary)" |
    /usr/bin/time -f '%U %S %M' -o "$work/raw-in.time" "${psql[@]}" "${via_tgt[@]}" -d "$db" \
      -c "COPY public.metrics ($cols) FROM STDIN (FORMAT binary)" >/dev/null 2>"$work/raw-ht.err" ||
    rc=$?
  t1=$(now)
  if [ "$rc" != 0 ]; then
    fail_row "raw hypertable$round" "FAILED (exit $rc): $(head -n 1 "$work/raw-ht.err")"
  else
    raw_wall_hypertable=$(seconds "$t0" "$t1")
    check=$(check_target "$db")
    [ "$check" = ok ] || failed=1
    add_row "raw hypertable$round" "$raw_wall_hypertable" "" \
      "$(tail -qn 1 "$work/raw-out.time" "$work/raw-in.time" | awk '{ c += $1 + $2 } END { printf "%.2f", c }')" \
      "$(tail -qn 1 "$work/raw-out.time" "$work/raw-in.time" | awk '$3 > m { m = $3 } END { printf "%.0f", m / 1024 }')" \
      "$check; CPU of both psql; indexes $(index_mb "$db") MB"
  fi
  drop_target "$db"
}

raw_chunks() {
  local db="bench_tgt_${tag}_raw_ch" t0 t1 rc=0 chunk filter check
  new_target "$db" restored
  : >"$work/raw-chunks.time"
  t0=$(now)
  while IFS='|' read -r chunk filter _; do
    /usr/bin/time -f '%U %S %M' -a -o "$work/raw-chunks.time" "${psql[@]}" "${via_src[@]}" -d "$src_db" \
      -c "COPY (SELECT $cols FROM ONLY $chunk$filter) TO STDOUT (FORMAT binary)" </dev/null |
      /usr/bin/time -f '%U %S %M' -a -o "$work/raw-chunks.time" "${psql[@]}" "${via_tgt[@]}" -d "$db" \
        -c "COPY $chunk ($cols) FROM STDIN (FORMAT binary)" >/dev/null 2>"$work/raw-ch.err" ||
      { rc=$?; break; }
  done <<<"$chunk_list"
  t1=$(now)
  raw_wall_chunks=$(seconds "$t0" "$t1")
  if raw_row "raw chunks$round" "$rc" "$raw_wall_chunks" raw-chunks raw-ch \
    "CPU of all psql; $chunk_count chunk(s)"; then
    # copy ANALYZEs every chunk it loads; the pipe does not. What that costs the
    # servers: the same ANALYZE after the pipe, timed on its own (no ratio is taken against it).
    local analyze_sql="" t2
    while IFS='|' read -r chunk filter _; do analyze_sql+="ANALYZE $chunk; "; done <<<"$chunk_list"
    t1=$(now)
    # On standard input: with thousands of chunks the statements exceed the argument size limit.
    q_tgt "$db" -v ON_ERROR_STOP=1 <<<"$analyze_sql" >/dev/null
    t2=$(now)
    add_row "raw chunks + ANALYZE$round" \
      "$(awk -v a="$raw_wall_chunks" -v b="$(seconds "$t1" "$t2")" 'BEGIN { printf "%.2f", a + b }')" "" \
      "-" "-" "the pipe, then ANALYZE of each chunk as copy does: $(seconds "$t1" "$t2") s"
  else
    raw_wall_chunks=""
  fi
  drop_target "$db"
}

# --- the tool --------------------------------------------------------------------------------------
# PATH (direct|routed) P [jfr]: fresh target, stage, copy -p P, check, verify -p P, drop.
# PATH: direct and routed (rows case), compressed, small.
tool_case() {
  local path=$1 p=$2 profile=${3:-} how=fresh raw=$raw_wall_hypertable name db S T check
  local stage_note copy_wall copy_cpu extra=""
  case $path in
    direct) how=restored raw=$raw_wall_chunks ;;
    compressed) how=restored raw=$raw_wall_compress ;;
    small) how=restored raw="" ;;
  esac
  name="$path p$p${profile:+ +jfr}$round"
  db="bench_tgt_${tag}_${path}_p${p}${profile:+_jfr}"
  new_target "$db" "$how"
  S=$(url "$via_source" "$src_db") T=$(url "$via_target" "$db")

  timed "$db.stage" "$tool" stage --source "$S" --target "$T" --until "$until"
  if [ "$run_rc" != 0 ]; then
    fail_row "$name" "stage FAILED (exit $run_rc): $(grep -v '^Picked up' "$work/$db.stage.log" | head -n 1)"
    drop_target "$db"
    return
  fi
  stage_note="stage ${run_wall}s ${run_cpu} CPU-s$(trips_note "$run_trips" total)"

  if [ -n "$profile" ]; then
    JAVA_TOOL_OPTIONS="-XX:StartFlightRecording=filename=$work/$db.jfr,settings=profile" \
      timed "$db.copy" "$tool" copy --source "$S" --target "$T" --parallelism "$p"
  else
    timed "$db.copy" "$tool" copy --source "$S" --target "$T" --parallelism "$p"
  fi
  if [ "$run_rc" != 0 ]; then
    fail_row "$name" "copy FAILED (exit $run_rc): $(grep -v '^Picked up' "$work/$db.copy.log" | tail -n 1)"
    drop_target "$db"
    return
  fi
  copy_wall=$run_wall copy_cpu=$run_cpu
  check=$(check_target "$db")
  [ "$check" = ok ] || failed=1
  [ "$path" = small ] && extra="; $(per_chunk_ms "$copy_wall") ms per chunk"
  add_row "$name" "$copy_wall" "$raw" "$copy_cpu" "$run_rss" \
    "$check$(trips_note "$run_trips"); $stage_note; indexes $(index_mb "$db") MB$extra"

  if [ -n "$profile" ]; then
    jfr_report "$work/$db.jfr" "$name"
  else
    verify_case "$path" "$p" "$S" "$T" "$copy_wall"
  fi
  drop_target "$db"
}

# ", N round trips per chunk" (or, with "total", "N round trips") with --rtt-ms; nothing without.
trips_note() {
  [ "$rtt_ms" != 0 ] || return 0
  if [ "${2:-}" = total ]; then
    echo ", $1 round trips"
  else
    awk -v t="$1" -v c="$chunk_count" 'BEGIN { printf ", %.1f round trips per chunk", t / c }'
  fi
}
# Wall seconds less the JVM's start-up, over the chunks, in ms.
per_chunk_ms() {
  awk -v w="$1" -v j="$jvm_wall" -v c="$chunk_count" 'BEGIN { printf "%.1f", (w - j) * 1000 / c }'
}

# verify -p P after a copy: exit 0 is a pass; "not yet available" is reported as such.
verify_case() {
  local name="verify $1 p$2$round"
  timed "verify-$1-$2" "$tool" verify --source "$3" --target "$4" --parallelism "$2"
  if [ "$run_rc" = 0 ]; then
    add_row "$name" "$run_wall" "$5" "$run_cpu" "$run_rss" \
      "ok (ratio: verify/copy)$(trips_note "$run_trips"); $(per_chunk_ms "$run_wall") ms per chunk"
  elif [ "$run_rc" = 1 ] && grep -q 'not yet available' "$work/verify-$1-$2.log"; then
    results+="$name	-	-	-	-	-	-	verify: not available in this build"$'\n'
    say "$name: verify: not available in this build"
  else
    fail_row "$name" "verify FAILED (exit $run_rc): $(grep -v '^Picked up' "$work/verify-$1-$2.log" | tail -n 1)"
  fi
}

# Where the copy spends CPU: the top frames of JFR's execution samples, GC pauses, allocation.
jfr_report() {
  local file=$1 name=$2
  command -v jfr >/dev/null || { say "jfr not found; the recording is $file"; return; }
  {
    echo
    echo "JFR profile of copy $name (settings=profile; $file):"
    jfr print --events jdk.ExecutionSample --stack-depth 1 "$file" | "$bench/jfr-top.awk" -v top=15
    jfr print --events jdk.GarbageCollection "$file" |
      awk '/sumOfPauses/ { n++; v = $3; if ($4 == "s") v *= 1000; else if ($4 == "us") v /= 1000;
             else if ($4 == "ns") v /= 1e6; ms += v }
           END { printf "  GC: %d collections, %.0f ms of pauses in total\n", n, ms }'
    jfr print --events jdk.ObjectAllocationSample --stack-depth 1 "$file" |
      "$bench/jfr-top.awk" -v top=5 -v weight=1
  } >>"$work/jfr.txt"
}

# --- one case -------------------------------------------------------------------------------------
# Sets until (the end of the data of N_CHUNKS daily chunks, or dual-written 36 hours before it),
# chunk_list, chunk_count, want, want_rest, copied_rows and stream_bytes for src_db.
prepare_range() {
  local n_chunks=$1
  until="$(q_src "$src_db" -c "SELECT to_char(('$start_ts'::timestamptz + interval '1 hour' * (
      24 * $n_chunks - 36 * $dual)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")"
  # The source chunks the copy covers, newest first, with the row filter of a chunk cut by --until
  # and the chunk's range.
  chunk_list="$(q_src "$src_db" -F '|' -c "
    SELECT format('%I.%I', chunk_schema, chunk_name),
           CASE WHEN range_end > '$until' THEN ' WHERE time < ''$until''' ELSE '' END,
           range_start, range_end
      FROM timescaledb_information.chunks
     WHERE hypertable_schema = 'public' AND hypertable_name = 'metrics' AND range_start < '$until'
     ORDER BY range_start DESC")"
  chunk_count=$(grep -c . <<<"$chunk_list")
  want="$(q_src "$src_db" -c "$(fingerprint_sql "time < '$until'")")"
  copied_rows=${want%% *}
  want_rest="$(q_src "$src_db" -c "$(fingerprint_sql "time >= '$until'")")"
  # The size of the binary COPY stream of those rows (also warms the source's cache for every case).
  stream_bytes="$(psql_ "${src[@]}" -d "$src_db" \
    -c "COPY (SELECT $cols FROM public.metrics WHERE time < '$until') TO STDOUT (FORMAT binary)" | wc -c)"
  results=""
  raw_wall_hypertable="" raw_wall_chunks="" raw_wall_compress=""
  timed jvm-start "$tool" --version
  jvm_wall=$run_wall
  results+="tool --version	$run_wall	-	-	-	$run_cpu	$run_rss	JVM start-up alone (in every tool row)"$'\n'
}

# Prints the table of $results under TITLE, and with --repeat the medians over the rounds.
print_table() {
  echo
  echo "== $bed_name: $1"
  echo "   $2 CPU: user+sys s. RSS: peak MB."
  printf '%s' "$results" | awk -F '\t' '
    BEGIN { printf "%-28s %8s %10s %7s %6s %7s %6s  %s\n", "case", "wall s", "rows/s", "MB/s",
              "ratio", "CPU s", "RSS MB", "check / notes" }
    { printf "%-28s %8s %10s %7s %6s %7s %6s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
  if [ "$repeat" -gt 1 ]; then
    echo
    echo "   over $repeat rounds: the median of each column, and the lowest and highest round's wall" \
      "time and ratio (the spread a single run can show); RSS the maximum:"
    printf '%s' "$results" | awk -F '\t' '
      function sorted(list, a,   n, i, j, t) {
        n = split(list, a, " ")
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n
      }
      function median(list,   n, a) {
        if (list == "") return "-"
        n = sorted(list, a)
        return n % 2 ? a[(n + 1) / 2] : sprintf("%.2f", (a[n / 2] + a[n / 2 + 1]) / 2)
      }
      function range(list,   n, a) {
        if (list == "") return "-"
        n = sorted(list, a)
        return a[1] "-" a[n]
      }
      $1 ~ / #[0-9]+$/ && $2 != "-" {
        name = $1; sub(/ #[0-9]+$/, "", name)
        if (!(name in seen)) { seen[name] = 1; order[++k] = name }
        wall[name] = wall[name] " " $2
        if ($6 != "-") cpu[name] = cpu[name] " " $6
        if ($5 != "-") ratio[name] = ratio[name] " " $5
        if ($7 != "-" && $7 + 0 > rss[name] + 0) rss[name] = $7
        n[name]++
      }
      END {
        printf "%-28s %8s %13s %6s %11s %7s %6s %7s\n", "case", "wall s", "wall min-max", "ratio",
          "ratio min-max", "CPU s", "RSS MB", "rounds"
        for (i = 1; i <= k; i++) {
          c = order[i]
          printf "%-28s %8s %13s %6s %11s %7s %6s %7d\n", c, median(wall[c]), range(wall[c]),
            median(ratio[c]), range(ratio[c]), median(cpu[c]), (c in rss ? rss[c] : "-"), n[c]
        }
      }'
  fi
}

rounds() { # FUNCTION...: runs the functions once per round, naming the rounds
  local r f
  for r in $(seq 1 "$repeat"); do
    round=""
    [ "$repeat" -gt 1 ] && round=" #$r" && say "round $r of $repeat"
    for f in "$@"; do "$f"; done
  done
  round=""
}

# --- the rows case ---------------------------------------------------------------------------------
rows_round() {
  local p
  raw_hypertable
  raw_chunks
  for p in $levels; do
    tool_case direct "$p"
    tool_case routed "$p"
  done
}
run_rows() {
  local m
  src_db="bench_src_$tag"
  new_source "$src_db" "$rows" "$chunks"
  for m in "${modes[@]}"; do
    dual=0
    [ "$m" = dual ] && dual=1
    prepare_range "$chunks"
    : >"$work/jfr.txt"
    say "$bed_name, rows case, mode $m: --until $until, $copied_rows rows in $chunk_count chunks," \
      "$(awk -v b="$stream_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB of COPY data" \
      "$([ "$dual" = 1 ] && echo "; the target holds ${want_rest%% *} dual-written rows before each copy")"
    rounds rows_round
    if [ "$jfr" = 1 ]; then
      tool_case direct 1 jfr
      tool_case routed 1 jfr
    fi
    print_table "rows case, mode $m: $copied_rows rows, $chunk_count chunks, --until $until$(
      [ "$dual" = 1 ] && echo ", ${want_rest%% *} dual-written rows already in each target"
    ), $(awk -v b="$stream_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB COPY stream" \
      "ratio: tool/raw on the same path (direct vs raw chunks, routed vs raw hypertable); verify: verify/copy."
    cat "$work/jfr.txt"
  done
  # The compressed case compresses these same rows rather than generating them again.
  [ "$compressed_next" = 1 ] || drop_source "$src_db"
}

# --- the compressed case ---------------------------------------------------------------------------
compressed_settings="timescaledb.compress, timescaledb.compress_segmentby = 'device_id',
  timescaledb.compress_orderby = 'time DESC'"

# Without the tool: every chunk's rows, decompressed by reading them through the hypertable, piped
# into a fresh target that has the source's compression settings, then compress_chunk of the same
# chunks there.
raw_compress() {
  local db="bench_tgt_${tag}_raw_cz" t0 t1 t2 rc=0 chunk filter lo hi check
  new_target "$db" fresh
  q_tgt "$db" -c "ALTER TABLE public.metrics SET ($compressed_settings)" >/dev/null
  : >"$work/raw-cz.time"
  t0=$(now)
  while IFS='|' read -r chunk filter lo hi; do
    /usr/bin/time -f '%U %S %M' -a -o "$work/raw-cz.time" "${psql[@]}" "${via_src[@]}" -d "$src_db" \
      -c "COPY (SELECT $cols FROM public.metrics
                 WHERE time >= '$lo' AND time < least('$hi'::timestamptz, '$until'))
          TO STDOUT (FORMAT binary)" </dev/null |
      /usr/bin/time -f '%U %S %M' -a -o "$work/raw-cz.time" "${psql[@]}" "${via_tgt[@]}" -d "$db" \
        -c "COPY public.metrics ($cols) FROM STDIN (FORMAT binary)" >/dev/null 2>"$work/raw-cz.err" ||
      { rc=$?; break; }
  done <<<"$chunk_list"
  t1=$(now)
  if [ "$rc" = 0 ]; then
    # The same chunks as on the source, by their time range (the target's chunk names differ).
    /usr/bin/time -f '%U %S %M' -a -o "$work/raw-cz.time" "${psql[@]}" "${via_tgt[@]}" -d "$db" \
      -c "SELECT count(compress_chunk(format('%I.%I', chunk_schema, chunk_name)::regclass))
            FROM timescaledb_information.chunks
           WHERE hypertable_name = 'metrics' AND range_start < '$compressed_before'" \
      >/dev/null 2>"$work/raw-cz.err" || rc=$?
  fi
  t2=$(now)
  raw_wall_compress=$(seconds "$t0" "$t2")
  raw_row "raw decompressed + compress$round" "$rc" "$raw_wall_compress" raw-cz raw-cz \
    "the pipe $(seconds "$t0" "$t1") s, compress_chunk $(seconds "$t1" "$t2") s; CPU of all psql" ||
    raw_wall_compress=""
  drop_target "$db"
}
compressed_round() {
  local p
  raw_compress
  for p in $levels; do tool_case compressed "$p"; done
}
run_compressed() {
  local t0 n_compressed
  dual=0
  if [ "${src_db:-}" != "bench_src_$tag" ] || [ "$compressed_next" != 1 ]; then
    src_db="bench_src_$tag"
    new_source "$src_db" "$rows" "$chunks"
  fi
  # All but the newest two chunks compressed, as a hypertable with a compression policy has them.
  compressed_before="$(q_src "$src_db" -c "SELECT range_start FROM timescaledb_information.chunks
    WHERE hypertable_name = 'metrics' ORDER BY range_start DESC OFFSET 1 LIMIT 1")"
  t0=$(now)
  q_src "$src_db" -c "ALTER TABLE public.metrics SET ($compressed_settings)" >/dev/null
  n_compressed="$(q_src "$src_db" -c "SELECT count(compress_chunk(format('%I.%I', chunk_schema, chunk_name)::regclass))
    FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics' AND range_start < '$compressed_before'" \
    2>>"$work/compress.log")"
  q_src "$src_db" -c 'VACUUM ANALYZE' -c 'CHECKPOINT'
  sync
  say "compressed $n_compressed chunks in $(seconds "$t0" "$(now)") s: $(q_src "$src_db" -c \
    "SELECT pg_size_pretty(hypertable_size('public.metrics'))")"
  prepare_range "$chunks"
  want_compressed=$n_compressed
  say "$bed_name, compressed case: $copied_rows rows in $chunk_count chunks, $n_compressed compressed"
  rounds compressed_round
  want_compressed=""
  print_table "compressed case: $copied_rows rows, $chunk_count chunks, $n_compressed of them compressed on the source" \
    "ratio: the tool's copy over the raw pipe plus compress_chunk; verify: verify/copy."
  drop_source "$src_db"
}

# --- the small chunks case -------------------------------------------------------------------------
small_round() {
  local p
  for p in $levels; do tool_case small "$p"; done
}
run_small() {
  dual=0
  src_db="bench_sm_$tag"
  new_source "$src_db" "$((small_chunks * 100))" "$small_chunks"
  prepare_range "$small_chunks"
  say "$bed_name, small case: $copied_rows rows in $chunk_count chunks"
  rounds small_round
  print_table "small chunks case: $copied_rows rows in $chunk_count chunks of about 100" \
    "ratio: verify/copy. Per chunk: the wall time less the JVM's start-up, over the chunks."
  drop_source "$src_db"
}

# --- main ------------------------------------------------------------------------------------------
for bed in "${bed_list[@]}"; do
  use_bed "$bed"
  compressed_next=0
  [ "$bed" = tsl ] && [[ " $cases " == *" rows "* ]] && [[ " $cases " == *" compressed "* ]] &&
    compressed_next=1
  src_db=""
  for c in rows compressed small; do # this order: the compressed case reuses the rows case's source
    [[ " $cases " == *" $c "* ]] || continue
    if [ "$c" = compressed ] && [ "$bed" = apache ]; then
      say "the compressed case needs the Timescale License: skipped on the Apache bed"
      continue
    fi
    "run_$c"
  done
done
if [ "$failed" = 1 ]; then
  say "FAILED: a case failed or its copy differs from the source (see above)"
  exit 1
fi
