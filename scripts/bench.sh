#!/usr/bin/env bash
# Benchmark of the tool against the raw psql COPY pipe, on the two local test servers.
#
# Usage: scripts/bench.sh [--rows N] [--chunks N] [--parallelism "1 2 8"] [--dual-written | --both]
#                         [--repeat N] [--jfr] [--keep] [-h|--help]
#   --rows N         rows generated on the source (BENCH_ROWS, default 5000000)
#   --chunks N       daily chunks they are spread over (BENCH_CHUNKS, default 31)
#   --parallelism L  copy/verify parallelism levels, space separated (BENCH_PARALLELISM, "1 2 8")
#   --dual-written   the target already holds the dual-written rows newer than --until before every
#                    copy (BENCH_MODE=dual); --until then falls 36 hours before the end of the data
#   --both           both modes, one after the other, on the same source data (BENCH_MODE=both)
#   --repeat N       rounds of raw pipes and tool cases (BENCH_REPEAT, default 1); each row's ratio
#                    is against the raw pipe of its own round, and with N > 1 a table of medians
#                    over the rounds follows (the box is noisy: one round can be 20 % off)
#   --jfr            also run copy once more per path at parallelism 1 under Java Flight Recorder
#                    and print where the tool spends its CPU (BENCH_JFR=1)
#   --keep           keep the source database and the work folder (logs, JFR files) at the end
# Quick smoke run: scripts/bench.sh --rows 200000
#
# What it does: builds the jar if missing, starts the local servers if down, generates the dataset
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
#   routed pN       the tool's stage + copy --parallelism N on a fresh target
#   verify ...      the tool's verify --parallelism N after each copy ("not available in this
#                   build" while verify answers "not yet available")
# It prints one table: wall seconds, rows/s and MB/s (MB of the binary COPY stream of the copied
# rows, 10^6 bytes), the ratio to the raw pipe on the same path (direct vs raw chunks, routed vs raw
# hypertable; verify: its time over the copy's), CPU seconds (user+sys: the tool's JVM, or both
# psql processes of the pipe together) and peak RSS (GNU time); the note gives the size of the target
# chunks' indexes after each copy. Every case is checked: count and
# sum(hashtext(row::text)) of the copied range on the target must equal the source's, and in the
# dual-written mode the rows at or after --until must be untouched. Exits 1 if any case differs or
# fails. Databases are dropped at the end, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
bench=$root/scripts/bench

say() { echo "bench.sh: $*" >&2; }
die() { say "$*"; exit 2; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

rows=${BENCH_ROWS:-5000000}
chunks=${BENCH_CHUNKS:-31}
levels=${BENCH_PARALLELISM:-1 2 8}
mode=${BENCH_MODE:-plain}
jfr=${BENCH_JFR:-0}
repeat=${BENCH_REPEAT:-1}
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --rows) [ $# -ge 2 ] || die "--rows needs a value"; rows=$2; shift ;;
    --chunks) [ $# -ge 2 ] || die "--chunks needs a value"; chunks=$2; shift ;;
    --parallelism) [ $# -ge 2 ] || die "--parallelism needs a value"; levels=$2; shift ;;
    --dual-written) mode=dual ;;
    --both) mode=both ;;
    --repeat) [ $# -ge 2 ] || die "--repeat needs a value"; repeat=$2; shift ;;
    --jfr) jfr=1 ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
[[ $rows =~ ^[1-9][0-9]*$ ]] || die "--rows must be a positive integer, not '$rows'"
[[ $chunks =~ ^[1-9][0-9]*$ ]] || die "--chunks must be a positive integer, not '$chunks'"
[[ $repeat =~ ^[1-9][0-9]?$ ]] || die "--repeat must be 1 to 99, not '$repeat'"
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
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing: apt-get install time"

# --- set-up -----------------------------------------------------------------------------------
# shellcheck disable=SC1091 # exports the ports and PG_BIN only
. scripts/testbed/env.sh
scripts/testbed/servers.sh status >/dev/null 2>&1 || scripts/testbed/servers.sh start >&2
if [ ! -f target/timescaledb-backfill.jar ]; then
  say "building target/timescaledb-backfill.jar"
  mvn -B -ntp -q -o package -DskipTests >&2
fi
tool=$root/bin/timescaledb-backfill
# The launcher's class-data sharing archive, built now rather than in the background of the first
# measured run (BACKFILL_CDS=off measures without it).
if [ "${BACKFILL_CDS:-on}" != off ] && [ -z "${JAVA_OPTS:-}" ]; then
  BACKFILL_CDS=build "$tool" --version >/dev/null
fi
export PGTZ=UTC PGOPTIONS="-c client_min_messages=warning"
src=(-h 127.0.0.1 -p "$BACKFILL_SOURCE_PORT" -U postgres)
tgt=(-h 127.0.0.1 -p "$BACKFILL_TARGET_PORT" -U postgres)
psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1)
psql_() { "${psql[@]}" "$@"; }
q_src() { psql_ "${src[@]}" -A -t -d "$@"; }
q_tgt() { psql_ "${tgt[@]}" -A -t -d "$@"; }
url() { echo "postgres://postgres@127.0.0.1:$1/$2?sslmode=disable"; }

tag="$$_$RANDOM"
src_db="bench_src_$tag"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")"
tgt_dbs=()
failed=0

cleanup() {
  local rc=$? db
  trap - EXIT INT TERM
  for db in "${tgt_dbs[@]}"; do
    q_tgt postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
  if [ "$keep" = 1 ]; then
    say "kept source database $src_db (port $BACKFILL_SOURCE_PORT) and $work"
  else
    q_src postgres -c "DROP DATABASE IF EXISTS \"$src_db\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted; dropping the benchmark databases"; exit 130' INT TERM

now() { date +%s%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

# Runs a command under GNU time with its output in $work/NAME.log; sets run_rc, run_wall (s),
# run_cpu (user+sys s) and run_rss (peak, MB).
timed() {
  local name=$1 t0 t1
  shift
  t0=$(now)
  run_rc=0
  /usr/bin/time -f '%U %S %M' -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 || run_rc=$?
  t1=$(now)
  run_wall=$(seconds "$t0" "$t1")
  read -r run_cpu run_rss < <(tail -n 1 "$work/$name.time" |
    awk '{ printf "%.2f %.0f\n", $1 + $2, $3 / 1024 }')
}

# --- source data --------------------------------------------------------------------------------
start_ts='2024-01-01 00:00:00+00'
say "generating $rows rows over $chunks daily chunks in $src_db (port $BACKFILL_SOURCE_PORT)"
t0=$(now)
q_src postgres -c "CREATE DATABASE \"$src_db\""
q_src "$src_db" -c 'CREATE EXTENSION timescaledb' \
  -v rows="$rows" -v chunks="$chunks" -v start="$start_ts" -f "$bench/dataset.sql" >"$work/dataset.log"
say "generated in $(seconds "$t0" "$(now)") s: $(q_src "$src_db" -c \
  "SELECT pg_size_pretty(hypertable_size('public.metrics')) || ', ' || count(*) || ' chunks'
     FROM show_chunks('public.metrics')")"
# The generated gigabyte and its VACUUM are written back now, not during the first measured case.
q_src "$src_db" -c 'CHECKPOINT'
sync
cols="$(q_src "$src_db" -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
  FROM pg_attribute WHERE attrelid = 'public.metrics'::regclass AND attnum > 0 AND NOT attisdropped")"

# The fingerprint of a range of public.metrics: "count hash".
fingerprint_sql() {
  echo "SELECT count(*) || ' ' || coalesce(sum(hashtext(m::text)::bigint), 0)
          FROM public.metrics m WHERE $1"
}

# --- one target database per case ----------------------------------------------------------------
new_target() { # NAME HOW(restored|fresh): creates the database and its schema
  local db=$1 how=$2
  tgt_dbs+=("$db")
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

# --- the raw pipe --------------------------------------------------------------------------------
raw_hypertable() {
  local db="bench_tgt_${tag}_raw_ht" t0 t1 rc=0 check
  new_target "$db" fresh
  t0=$(now)
  /usr/bin/time -f '%U %S %M' -o "$work/raw-out.time" "${psql[@]}" "${src[@]}" -d "$src_db" \
    -c "COPY (SELECT $cols FROM public.metrics WHERE time < '$until') TO STDOUT (FORMAT binary)" |
    /usr/bin/time -f '%U %S %M' -o "$work/raw-in.time" "${psql[@]}" "${tgt[@]}" -d "$db" \
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
  while IFS='|' read -r chunk filter; do
    /usr/bin/time -f '%U %S %M' -a -o "$work/raw-chunks.time" "${psql[@]}" "${src[@]}" -d "$src_db" \
      -c "COPY (SELECT $cols FROM ONLY $chunk$filter) TO STDOUT (FORMAT binary)" </dev/null |
      /usr/bin/time -f '%U %S %M' -a -o "$work/raw-chunks.time" "${psql[@]}" "${tgt[@]}" -d "$db" \
        -c "COPY $chunk ($cols) FROM STDIN (FORMAT binary)" >/dev/null 2>"$work/raw-ch.err" ||
      { rc=$?; break; }
  done <<<"$chunk_list"
  t1=$(now)
  if [ "$rc" != 0 ]; then
    fail_row "raw chunks$round" "FAILED (exit $rc): $(head -n 1 "$work/raw-ch.err")"
  else
    raw_wall_chunks=$(seconds "$t0" "$t1")
    check=$(check_target "$db")
    [ "$check" = ok ] || failed=1
    add_row "raw chunks$round" "$raw_wall_chunks" "" \
      "$(awk 'NF == 3 && $1 ~ /^[0-9.]+$/ { c += $1 + $2 } END { printf "%.2f", c }' "$work/raw-chunks.time")" \
      "$(awk 'NF == 3 && $3 > m { m = $3 } END { printf "%.0f", m / 1024 }' "$work/raw-chunks.time")" \
      "$check; CPU of all psql; $chunk_count chunk(s); indexes $(index_mb "$db") MB"
    # copy ANALYZEs every chunk it loads; the pipe does not. What that costs the
    # servers: the same ANALYZE after the pipe, timed on its own (no ratio is taken against it).
    local analyze_sql="" t2
    while IFS='|' read -r chunk filter; do analyze_sql+="ANALYZE $chunk; "; done <<<"$chunk_list"
    t1=$(now)
    # On standard input: with thousands of chunks the statements exceed the argument size limit.
    q_tgt "$db" -v ON_ERROR_STOP=1 <<<"$analyze_sql" >/dev/null
    t2=$(now)
    add_row "raw chunks + ANALYZE$round" \
      "$(awk -v a="$raw_wall_chunks" -v b="$(seconds "$t1" "$t2")" 'BEGIN { printf "%.2f", a + b }')" "" \
      "-" "-" "the pipe, then ANALYZE of each chunk as copy does: $(seconds "$t1" "$t2") s"
  fi
  drop_target "$db"
}

# --- the tool --------------------------------------------------------------------------------------
# PATH (direct|routed) P [jfr]: fresh target, stage, copy -p P, check, verify -p P, drop.
tool_case() {
  local path=$1 p=$2 profile=${3:-} how=fresh raw=$raw_wall_hypertable name db S T check
  local stage_note copy_wall copy_cpu
  [ "$path" = direct ] && how=restored raw=$raw_wall_chunks
  name="$path p$p${profile:+ +jfr}$round"
  db="bench_tgt_${tag}_${path}_p${p}${profile:+_jfr}"
  new_target "$db" "$how"
  S=$(url "$BACKFILL_SOURCE_PORT" "$src_db") T=$(url "$BACKFILL_TARGET_PORT" "$db")

  timed "$db.stage" "$tool" stage --source "$S" --target "$T" --until "$until"
  if [ "$run_rc" != 0 ]; then
    fail_row "$name" "stage FAILED (exit $run_rc): $(grep -v '^Picked up' "$work/$db.stage.log" | head -n 1)"
    drop_target "$db"
    return
  fi
  stage_note="stage ${run_wall}s ${run_cpu} CPU-s"

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
  add_row "$name" "$copy_wall" "$raw" "$copy_cpu" "$run_rss" \
    "$check; $stage_note; indexes $(index_mb "$db") MB"

  if [ -n "$profile" ]; then
    jfr_report "$work/$db.jfr" "$name"
  else
    verify_case "$path" "$p" "$S" "$T" "$copy_wall"
  fi
  drop_target "$db"
}

# verify -p P after a copy: exit 0 is a pass; "not yet available" is reported as such.
verify_case() {
  local name="verify $1 p$2$round"
  timed "verify-$1-$2" "$tool" verify --source "$3" --target "$4" --parallelism "$2"
  if [ "$run_rc" = 0 ]; then
    add_row "$name" "$run_wall" "$5" "$run_cpu" "$run_rss" "ok (ratio: verify/copy)"
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

# --- one mode --------------------------------------------------------------------------------------
run_mode() {
  local p
  dual=0
  [ "$1" = dual ] && dual=1
  # --until: the end of the data, or (dual-written) 36 hours before it, cutting a chunk in two.
  until="$(q_src "$src_db" -c "SELECT to_char(('$start_ts'::timestamptz + interval '1 hour' * (
      24 * $chunks - 36 * $dual)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")"
  # The source chunks the copy covers, newest first, with the row filter of a chunk cut by --until.
  chunk_list="$(q_src "$src_db" -F '|' -c "
    SELECT format('%I.%I', chunk_schema, chunk_name),
           CASE WHEN range_end > '$until' THEN ' WHERE time < ''$until''' ELSE '' END
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
  raw_wall_hypertable="" raw_wall_chunks=""
  : >"$work/jfr.txt"
  say "mode $1: --until $until, $copied_rows rows in $chunk_count chunks," \
    "$(awk -v b="$stream_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB of COPY data" \
    "$([ "$dual" = 1 ] && echo "; the target holds ${want_rest%% *} dual-written rows before each copy")"

  timed jvm-start "$tool" --version
  results+="tool --version	$run_wall	-	-	-	$run_cpu	$run_rss	JVM start-up alone (in every tool row)"$'\n'
  local r
  for r in $(seq 1 "$repeat"); do
    round=""
    [ "$repeat" -gt 1 ] && round=" #$r" && say "round $r of $repeat"
    raw_hypertable
    raw_chunks
    for p in $levels; do
      tool_case direct "$p"
      tool_case routed "$p"
    done
  done
  round=""
  if [ "$jfr" = 1 ]; then
    tool_case direct 1 jfr
    tool_case routed 1 jfr
  fi

  echo
  echo "== mode $1: $copied_rows rows, $chunk_count chunks, --until $until$(
    [ "$dual" = 1 ] && echo ", ${want_rest%% *} dual-written rows already in each target"
  ), $(awk -v b="$stream_bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB COPY stream"
  echo "   ratio: tool/raw on the same path (direct vs raw chunks, routed vs raw hypertable);" \
    "verify: verify/copy. CPU: user+sys s. RSS: peak MB."
  printf '%s' "$results" | awk -F '\t' '
    BEGIN { printf "%-22s %8s %10s %7s %6s %7s %6s  %s\n", "case", "wall s", "rows/s", "MB/s",
              "ratio", "CPU s", "RSS MB", "check / notes" }
    { printf "%-22s %8s %10s %7s %6s %7s %6s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
  if [ "$repeat" -gt 1 ]; then
    echo
    echo "   medians over $repeat rounds (wall, ratio and CPU each the median of its own column; RSS the" \
      "maximum; ratios: the lowest and highest round's, the spread a single run can show):"
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
        printf "%-22s %8s %6s %11s %7s %6s %7s\n", "case", "wall s", "ratio", "ratios", "CPU s",
          "RSS MB", "rounds"
        for (i = 1; i <= k; i++) {
          c = order[i]
          printf "%-22s %8s %6s %11s %7s %6s %7d\n", c, median(wall[c]), median(ratio[c]),
            range(ratio[c]), median(cpu[c]), (c in rss ? rss[c] : "-"), n[c]
        }
      }'
  fi
  cat "$work/jfr.txt"
}

for m in "${modes[@]}"; do
  run_mode "$m"
done
if [ "$failed" = 1 ]; then
  say "FAILED: a case failed or its copy differs from the source (see above)"
  exit 1
fi
