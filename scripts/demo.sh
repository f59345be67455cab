#!/usr/bin/env bash
# The README's first command: a backfill on two local servers, as a runbook would do it.
# Builds the tool, starts the servers, creates a sample source (timestamptz and bigint
# hypertables), restores its schema on the target, dual-writes rows after the cut-over to both
# sides, then runs stage -> copy -> verify -> clean and compares both sides.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/testbed/install.sh
scripts/testbed/servers.sh start
. scripts/testbed/env.sh
[ -f target/timescaledb-backfill.jar ] || mvn -B -q -ntp package -DskipTests
SRC_DB=backfill_demo_source TGT_DB=backfill_demo_target
psql_s() { psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BACKFILL_SOURCE_PORT" -U postgres "$@"; }
psql_t() { psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BACKFILL_TARGET_PORT" -U postgres "$@"; }
psql_s -d postgres -c "DROP DATABASE IF EXISTS $SRC_DB WITH (FORCE)" -c "CREATE DATABASE $SRC_DB"
psql_t -d postgres -c "DROP DATABASE IF EXISTS $TGT_DB WITH (FORCE)" -c "CREATE DATABASE $TGT_DB"
psql_s -d "$SRC_DB" <<'SQL'
CREATE EXTENSION timescaledb;
CREATE TABLE public.conditions (time timestamptz NOT NULL, device text, temperature numeric, meta jsonb);
SELECT create_hypertable('public.conditions', 'time', chunk_time_interval => interval '1 day');
INSERT INTO public.conditions
SELECT t, 'dev-' || d, round((20 + 5 * sin(extract(epoch FROM t) / 3600) + d)::numeric, 2),
       jsonb_build_object('firmware', '1.' || d)
  FROM generate_series(now() - interval '10 days', now(), interval '1 minute') t, generate_series(1, 5) d;
CREATE TABLE public.events (id bigint NOT NULL, kind text);
SELECT create_hypertable('public.events', 'id', chunk_time_interval => 100000);
INSERT INTO public.events SELECT g, CASE WHEN g % 3 = 0 THEN 'click' ELSE 'view' END FROM generate_series(1, 500000) g;
SQL
scripts/testbed/schema-restore.sh "$SRC_DB" "$TGT_DB" >/dev/null
CUTOVER=$(psql_s -d "$SRC_DB" -Atc "SELECT date_trunc('hour', now() - interval '1 day')")
# The application dual-writes since the cut-over: the target already has those rows.
psql_s -d "$SRC_DB" -c "\copy (SELECT * FROM public.conditions WHERE time >= '$CUTOVER') TO '/tmp/backfill-demo-dual.csv' CSV"
psql_t -d "$TGT_DB" -c "\copy public.conditions FROM '/tmp/backfill-demo-dual.csv' CSV"
SOURCE="postgres://postgres@127.0.0.1:$BACKFILL_SOURCE_PORT/$SRC_DB?sslmode=disable"
TARGET="postgres://postgres@127.0.0.1:$BACKFILL_TARGET_PORT/$TGT_DB?sslmode=disable"
tool=bin/timescaledb-backfill
echo "== stage (cut-over $CUTOVER)"
$tool stage --source "$SOURCE" --target "$TARGET" --filter '^public\.conditions$' --until "$CUTOVER"
$tool stage --source "$SOURCE" --target "$TARGET" --filter '^public\.events$' --until 400000
echo "== copy"
$tool copy --source "$SOURCE" --target "$TARGET" --parallelism 2
echo "== verify"
$tool verify --source "$SOURCE" --target "$TARGET" --parallelism 2
echo "== clean"
$tool clean --target "$TARGET"
echo "== result (rows and an order-independent hash per side)"
q="SELECT 'conditions', count(*), sum(hashtext(c::text)::bigint) FROM public.conditions c
   UNION ALL SELECT 'events < 400000', count(*), sum(hashtext(e::text)::bigint) FROM public.events e WHERE id < 400000"
echo "source:"; psql_s -d "$SRC_DB" -Atc "$q"
echo "target:"; psql_t -d "$TGT_DB" -Atc "$q"
