#!/usr/bin/env bash
# Whether parallel copies on the attach path (targets with the Timescale License) wait for each
# other, and how long an application inserting into new chunks meanwhile waits, on one native bed.
#
# Usage: scripts/attach-contention.sh [VERSION] [ROWS] [CHUNKS] [PARALLELISMS]
#   VERSION       a bed of scripts/testbed/tsl.sh (default 2.29.2); started if it is down
#   ROWS, CHUNKS  the benchmark data set (scripts/bench/dataset.sql): ROWS rows over CHUNKS daily
#                 chunks from 2024-01-01 (default 1500000 over 24)
#   PARALLELISMS  the copy runs, one per --parallelism (default "2 4 8")
#
# Per run: a fresh schema-restored target (every chunk exists, empty, as the runbook leaves it),
# stage, then copy with an application inserting meanwhile: one row at a time, each into a day
# after the backfilled range, so each insert creates a chunk (TimescaleDB's chunk-creation lock on
# the hypertable), at most 20 a second, in its own transaction, its latency (insert and commit)
# recorded on the target. Started before the copy, stopped when it ends.
# Lock waits: the target database logs every lock wait of 10 ms or more (log_lock_waits with
# deadlock_timeout 10ms, set on that database only); they are read back from the server log by
# database oid and split between the inserter's session and the copy's (of those, the waits on the
# tool's advisory lock apart). One chunk's attach: the longest a copy session held TimescaleDB's
# chunk-creation lock, from its create_chunk to its commit (log_min_duration_statement = 0 on that
# database). Retries: the copy's JSON retry events, those with SQLSTATE 55P03 (lock_timeout) apart. Every run checks that the copied
# range holds exactly the source's rows and that every task ended copied.
# Uses databases attach_cont_src and attach_cont_tgt on the bed (dropped at the end).
# Needs the built jar (built when missing; BACKFILL_JAR picks another) and jq.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
version=${1:-2.29.2}
rows=${2:-1500000}
chunks=${3:-24}
parallelisms=${4:-"2 4 8"}
. "$here/testbed/bed.sh"
S() { q "$sport" attach_cont_src "$@"; }
T() { q "$tport" attach_cont_tgt "$@"; }
src="postgres://postgres@127.0.0.1:$sport/attach_cont_src"
tgt="postgres://postgres@127.0.0.1:$tport/attach_cont_tgt"
ms() { date +%s%3N; }
work="$(mktemp -d "${TMPDIR:-/tmp}/attach-contention.XXXXXX")"
inserter=""
cleanup() {
  [ -z "$inserter" ] || kill "$inserter" 2>/dev/null || true
  q "$sport" postgres -c "DROP DATABASE IF EXISTS attach_cont_src WITH (FORCE)" || true
  q "$tport" postgres -c "DROP DATABASE IF EXISTS attach_cont_tgt WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT

start="2024-01-01 00:00:00+00"
until=$(date -u -d "2024-01-01 + $chunks days" +%Y-%m-%dT%H:%M:%SZ)
q "$sport" postgres -c "DROP DATABASE IF EXISTS attach_cont_src WITH (FORCE)" -c "CREATE DATABASE attach_cont_src"
S -c 'CREATE EXTENSION timescaledb'
(cd "$root/scripts/bench" && S -v rows="$rows" -v chunks="$chunks" -v start="$start" -f dataset.sql) >/dev/null
"$bin/pg_dump" -h 127.0.0.1 -p "$sport" -U postgres --no-owner --no-privileges --no-tablespaces \
  --quote-all-identifiers --exclude-table-data='_timescaledb_internal.*' attach_cont_src 2>/dev/null >"$work/schema.sql"
fingerprint="SELECT count(*) || ':' || sum(hashtext(m::text)::bigint) FROM public.metrics m WHERE time < '$until'"
expected="$(S -c "$fingerprint")"
echo "TimescaleDB $version: $rows rows over $chunks daily chunks (fingerprint $expected), copy --until $until"

# The application: one row a day after the backfilled range, each insert a new chunk.
inserter_sql="
CREATE SCHEMA contention;
CREATE TABLE contention.latency (i int PRIMARY KEY, pid int, ms float8);
CREATE TABLE contention.stop (at timestamptz);
CREATE PROCEDURE contention.insert_new_chunks(first timestamptz) LANGUAGE plpgsql AS \$\$
DECLARE i int := 0; t0 timestamptz;
BEGIN
  LOOP
    EXIT WHEN EXISTS (SELECT FROM contention.stop);
    t0 := clock_timestamp();
    INSERT INTO public.metrics (time, device_id, note) VALUES (first + i * interval '1 day', -1, 'app');
    COMMIT;
    INSERT INTO contention.latency VALUES (i, pg_backend_pid(), 1000 * extract(epoch FROM clock_timestamp() - t0));
    COMMIT;
    i := i + 1;
    PERFORM pg_sleep(0.05); -- a rate, not a wait for anything
  END LOOP;
END \$\$;"

printf '%-4s %7s %10s %11s %11s %9s %8s %8s %10s %12s %12s %12s\n' \
  "-p" "wall s" "attach ms" "waits(adv)" "longest ms" "timeouts" "retries" "inserts" "ins. waits" "ins. wait ms" "ins. max ms" "ins. med ms"
for p in $parallelisms; do
  q "$tport" postgres -c "DROP DATABASE IF EXISTS attach_cont_tgt WITH (FORCE)" -c "CREATE DATABASE attach_cont_tgt"
  T -c 'CREATE EXTENSION IF NOT EXISTS timescaledb' -c 'SELECT public.timescaledb_pre_restore()' >/dev/null
  T --single-transaction -f "$work/schema.sql" >/dev/null
  T -c 'SELECT public.timescaledb_post_restore()' >/dev/null
  T -c "$inserter_sql"
  q "$tport" postgres -c "ALTER DATABASE attach_cont_tgt SET log_lock_waits = on" \
    -c "ALTER DATABASE attach_cont_tgt SET deadlock_timeout = '10ms'" \
    -c "ALTER DATABASE attach_cont_tgt SET log_min_duration_statement = 0"
  dboid=$(T -c "SELECT oid FROM pg_database WHERE datname = current_database()")
  java -jar "$jar" stage --source "$src" --target "$tgt" --until "$until" -q >/dev/null

  log_from=$(T -c "SELECT size FROM pg_stat_file('server.log')")
  T -c "CALL contention.insert_new_chunks(timestamptz '$until' + interval '12 hours')" &
  inserter=$!
  deadline=$(($(ms) + 30000))
  until [ "$(T -c 'SELECT count(*) > 0 FROM contention.latency')" = t ]; do
    [ "$(ms)" -lt "$deadline" ] && kill -0 "$inserter" 2>/dev/null || { echo "the inserter did not start" >&2; exit 1; }
    sleep 0.1
  done
  t0=$(ms)
  rc=0
  java -jar "$jar" copy --source "$src" --target "$tgt" -p "$p" --progress-interval 0 --output json \
    >"$work/copy-$p.json" 2>"$work/copy-$p.err" || rc=$?
  t1=$(ms)
  T -c "INSERT INTO contention.stop VALUES (now())"
  wait "$inserter"
  inserter=""
  [ "$rc" = 0 ] || { echo "copy -p $p exited $rc:" >&2; tail -5 "$work/copy-$p.err" >&2; exit 1; }

  log_to=$(T -c "SELECT size FROM pg_stat_file('server.log')")
  T -c "SELECT pg_read_file('server.log', $log_from, $log_to - $log_from)" >"$work/server-$p.log"
  ins_pid=$(T -c "SELECT min(pid) FROM contention.latency")
  # "process N still waiting for MODE on OBJECT of database D after X ms", then "process N
  # acquired ... after Y ms" when it got the lock: per session, the waits and the longest; those on
  # an advisory lock ("advisory lock [D,...]": the tool's own queue for attaching) counted apart.
  read -r waits longest timeouts ins_waits ins_longest < <(awk -v db="$dboid" -v app="$ins_pid" '
    function pidof(line,  p) { p = line; sub(/.*process /, "", p); sub(/ .*/, "", p); return p }
    function ours(line) { return line ~ ("of database " db " ") || line ~ ("advisory lock \\[" db ",") }
    /still waiting for/ && ours($0) { pid = pidof($0); open[pid] = 1
      if (pid == app) iw++; else { waits++; if ($0 ~ /advisory lock/) adv++ } }
    /acquired/ && ours($0) { pid = pidof($0)
      if (open[pid]) { t = $0; sub(/.* after /, "", t); sub(/ ms.*/, "", t); t += 0
        if (pid == app) { if (t > imax) imax = t } else if (t > max) max = t; delete open[pid] } }
    /canceling statement due to lock timeout/ { pid = $0; sub(/^[^[]*\[/, "", pid); sub(/\].*/, "", pid); if (open[pid]) { to++; delete open[pid] } }
    END { printf "%d(%d) %.0f %d %d %.0f\n", waits, adv, max, to, iw, imax }' "$work/server-$p.log")
  # One chunk's attach: the longest time a copy session held the chunk-creation lock, from the
  # start of its create_chunk (its duration line, then the line of its parameters naming the
  # hypertable) to the end of its COMMIT.
  attach_max=$(awk '
    function at(line,  t, a) { t = line; sub(/^[^ ]* /, "", t); sub(/ .*/, "", t); split(t, a, ":"); return (a[1] * 3600 + a[2] * 60 + a[3]) * 1000 }
    function pidof(line,  p) { p = line; sub(/^[^[]*\[/, "", p); sub(/\].*/, "", p); return p }
    /duration: .* execute .*create_chunk\(/ { d = $0; sub(/.*duration: /, "", d); sub(/ ms.*/, "", d)
      cand_pid = pidof($0); cand = at($0) - d; next }
    cand_pid != "" && /[Pp]arameters: .*metrics/ && pidof($0) == cand_pid { since[cand_pid] = cand }
    { cand_pid = "" }
    /duration: .* execute .*: COMMIT/ { p = pidof($0); if (p in since) { h = at($0) - since[p]; if (h > max) max = h; delete since[p] } }
    END { printf "%.0f\n", max }' "$work/server-$p.log")
  retries=$(jq -s '[.[] | select(.event == "retry")] | length' "$work/copy-$p.json")
  lock_retries=$(jq -s '[.[] | select(.event == "retry" and (.error | test("\\[55P03\\]")))] | length' "$work/copy-$p.json")
  read -r n worst median < <(T -F ' ' -c "SELECT count(*), round(max(ms)::numeric, 1),
      round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1) FROM contention.latency")
  got="$(T -c "$fingerprint")"
  [ "$got" = "$expected" ] || { echo "copy -p $p: target rows $got, source $expected" >&2; exit 1; }
  left="$(T -c "SELECT count(*) FROM __backfill.task WHERE worked IS NULL OR copy_sqlstate IS NOT NULL")"
  [ "$left" = 0 ] || { echo "copy -p $p: $left tasks not copied" >&2; exit 1; }
  printf '%-4s %7.1f %10s %11s %11s %9s %8s %8s %10s %12s %12s %12s\n' "$p" "$(echo "($t1 - $t0) / 1000" | bc -l)" \
    "$attach_max" "$waits" "$longest" "$timeouts" "$lock_retries/$retries" "$n" "$ins_waits" "$ins_longest" "$worst" "$median"
  if [ -n "${ATTACH_CONTENTION_VERBOSE:-}" ]; then
    grep -E "still waiting|acquired|lock timeout" "$work/server-$p.log" | grep -E "\[$ins_pid\]" | head -40 >&2 || true
  fi
done
echo "attach ms: one chunk's attach, the longest a copy session held the chunk-creation lock (create_chunk to commit);"
echo "waits: lock waits of 10 ms or more by the copy's sessions, (adv): of them on the tool's advisory"
echo "lock; longest: of those that got the lock;"
echo "timeouts: those that ended in lock_timeout; retries: 55P03 retries / all retries of the copy;"
echo "ins.: the inserter's inserts into new chunks: its lock waits of 10 ms or more and the longest,"
echo "then the latency of insert and commit (lock waits and CPU)"
