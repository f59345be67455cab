#!/usr/bin/env bash
# What refreshing the carried cagg invalidations costs on the target, against re-materializing all
# history (a forced refresh of everything below the watermark), on one native TSL bed.
#
# Usage: scripts/cagg-refresh-cost.sh [VERSION] [DAYS] [CHANGES]
#   VERSION  a bed of scripts/testbed/tsl.sh (default 2.28.3); started if it is down
#   DAYS     days of history, one row a minute for 20 devices (default 90: 2.6 M rows)
#   CHANGES  changed regions left pending on the source at copy time (default 20), each an
#            update of one device's rows over one hour at a random time, in a transaction of its
#            own as an application would (SEED, default \$RANDOM, printed)
#
# The source: public.metrics -> public.hourly -> public.daily, refreshed up to DAYS-2; the target:
# the runbook's schema restore. Then the changes on the source, stage --cascade-up, copy -p 2, the
# source refreshes, refresh-caggs (its carried windows timed from its JSON events), and then on
# the same target a forced refresh of each cagg from the beginning to its watermark. Rows
# re-materialized: the materialized rows inside the refreshed windows. Uses databases
# cagg_cost_src and cagg_cost_tgt on the bed (dropped and re-created). Needs jq and the built jar.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
version=${1:-2.28.3}
days=${2:-90}
changes=${3:-20}
seed=${SEED:-$RANDOM}
. "$here/testbed/bed.sh"
S() { q "$sport" cagg_cost_src "$@"; }
T() { q "$tport" cagg_cost_tgt "$@"; }
src="postgres://postgres@127.0.0.1:$sport/cagg_cost_src"
tgt="postgres://postgres@127.0.0.1:$tport/cagg_cost_tgt"
tool() { java -jar "$jar" "$@"; }
ms() { date +%s%3N; }

for side in "$sport cagg_cost_src" "$tport cagg_cost_tgt"; do
  set -- $side
  q "$1" postgres -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" -c "CREATE DATABASE $2"
done
S -c 'CREATE EXTENSION timescaledb'
end="2024-01-01 00:00+00"
S <<SQL
CREATE TABLE public.metrics (time timestamptz NOT NULL, device int NOT NULL, val float8);
SELECT create_hypertable('public.metrics', 'time', chunk_time_interval => interval '1 day');
INSERT INTO public.metrics
SELECT t, d, (extract(epoch FROM t)::bigint / 60) % 97 + d
  FROM generate_series(timestamptz '$end' - interval '$days days', timestamptz '$end' - interval '1 minute',
                       '1 minute') t, generate_series(1, 20) d;
CREATE MATERIALIZED VIEW public.hourly WITH (timescaledb.continuous) AS
SELECT time_bucket('1 hour', time) AS bucket, device, count(*) AS n, sum(val) AS total
  FROM public.metrics GROUP BY 1, 2 WITH NO DATA;
CREATE MATERIALIZED VIEW public.daily WITH (timescaledb.continuous) AS
SELECT time_bucket('1 day', bucket) AS bucket, device, sum(n) AS n, sum(total) AS total
  FROM public.hourly GROUP BY 1, 2 WITH NO DATA;
SQL
S -c "CALL refresh_continuous_aggregate('public.hourly', NULL, timestamptz '$end' - interval '2 days')"
S -c "CALL refresh_continuous_aggregate('public.daily', NULL, timestamptz '$end' - interval '2 days')"
"$bin/pg_dump" -h 127.0.0.1 -p "$sport" -U postgres --no-owner --no-privileges --no-tablespaces \
  --quote-all-identifiers --exclude-table-data='_timescaledb_internal.*' cagg_cost_src 2>/dev/null >/tmp/cagg-cost-schema.sql
T -c 'CREATE EXTENSION IF NOT EXISTS timescaledb' -c 'SELECT public.timescaledb_pre_restore()' >/dev/null
T --single-transaction -f /tmp/cagg-cost-schema.sql >/dev/null
T -c 'SELECT public.timescaledb_post_restore()' >/dev/null
rm -f /tmp/cagg-cost-schema.sql

echo "seed $seed: $changes one-hour updates pending on the source over $days days"
S <<SQL >/dev/null
SELECT setseed(${seed} / 32768.0);
SELECT format('UPDATE public.metrics SET val = val + 1 WHERE time >= %L AND time < %L AND device = %s',
              c.h, c.h + interval '1 hour', c.d)
  FROM (SELECT date_trunc('hour', timestamptz '$end' - interval '$((days - 3)) days'
                 + random() * interval '$((days - 4)) days') AS h, 1 + floor(random() * 20)::int AS d
          FROM generate_series(1, $changes)) c
\\gexec
SQL

tool stage --source "$src" --target "$tgt" --until '2024-01-01T00:00:00Z' --filter '^public\.metrics$' --cascade-up -q >/dev/null
tool copy --source "$src" --target "$tgt" -p 2 -q --progress-interval 0 >/dev/null
S -c "CALL refresh_continuous_aggregate('public.hourly', NULL, timestamptz '$end' - interval '1 day')"
S -c "CALL refresh_continuous_aggregate('public.daily', NULL, timestamptz '$end' - interval '1 day')"

t0=$(ms)
tool refresh-caggs --source "$src" --target "$tgt" --output json >/tmp/cagg-cost-events.json 2>/dev/null
t1=$(ms)
carried_ms=$(jq -s '[.[] | select(.event == "cagg_refreshed" and .reason == "carried_invalidations") | .duration_ms] | add // 0' /tmp/cagg-cost-events.json)
gap_ms=$(jq -s '[.[] | select(.event == "cagg_refreshed" and .reason == "watermark_gap") | .duration_ms] | add // 0' /tmp/cagg-cost-events.json)
windows=$(jq -s '[.[] | select(.event == "cagg_refreshed" and .reason == "carried_invalidations")] | length' /tmp/cagg-cost-events.json)
carried_rows=0
while IFS=$'\t' read -r cagg start end; do
  n=$(T -c "SELECT count(*) FROM public.$cagg WHERE bucket >= '$start' AND bucket < '$end'")
  carried_rows=$((carried_rows + n))
done < <(jq -r 'select(.event == "cagg_refreshed" and .reason == "carried_invalidations") | [(.cagg | sub("^public\\."; "")), .start, .end] | @tsv' /tmp/cagg-cost-events.json)

full_ms=0
full_rows=0
for cagg in hourly daily; do
  wm=$(T -c "SELECT _timescaledb_functions.to_timestamp(w.watermark) FROM _timescaledb_catalog.continuous_aggs_watermark w JOIN _timescaledb_catalog.continuous_agg ca USING (mat_hypertable_id) WHERE ca.user_view_name = '$cagg'")
  a=$(ms)
  T -c "CALL refresh_continuous_aggregate('public.$cagg', NULL, '$wm', force => true)"
  b=$(ms)
  full_ms=$((full_ms + b - a))
  full_rows=$((full_rows + $(T -c "SELECT count(*) FROM public.$cagg WHERE bucket < '$wm'")))
done
rm -f /tmp/cagg-cost-events.json
printf 'refresh-caggs in %d ms: carried invalidations %d windows in %d ms, watermark gap in %d ms\n' \
  $((t1 - t0)) "$windows" "$carried_ms" "$gap_ms"
printf 'rows re-materialized: carried windows %d, full refresh %d (%.2f %%)\n' \
  "$carried_rows" "$full_rows" "$(echo "100 * $carried_rows / $full_rows" | bc -l)"
printf 'forced full refresh of both caggs: %d ms (carried windows: %.2f %% of it)\n' \
  "$full_ms" "$(echo "100 * $carried_ms / $full_ms" | bc -l)"
