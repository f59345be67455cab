# shellcheck shell=bash
# Sourced by the test-bed scripts: ports, cache folder, and the PostgreSQL the install chose.
# Override BACKFILL_SOURCE_PORT / BACKFILL_TARGET_PORT / BACKFILL_STANDBY_PORT / BACKFILL_CACHE
# in the environment.
export BACKFILL_CACHE="${BACKFILL_CACHE:-$HOME/.cache/timescaledb-backfill}"
export BACKFILL_SOURCE_PORT="${BACKFILL_SOURCE_PORT:-55432}"
export BACKFILL_TARGET_PORT="${BACKFILL_TARGET_PORT:-55433}"
export BACKFILL_STANDBY_PORT="${BACKFILL_STANDBY_PORT:-55434}"
if [ -f "$BACKFILL_CACHE/testbed.env" ]; then
  # The install's choice is the default; a PG_BIN set by the caller (another bed's client programs,
  # as scripts/bench.sh sets for the TSL beds) wins.
  caller_pg_bin="${PG_BIN:-}"
  # shellcheck disable=SC1091
  . "$BACKFILL_CACHE/testbed.env"
  PG_BIN="${caller_pg_bin:-$PG_BIN}"
  unset caller_pg_bin
fi
export PG_MAJOR="${PG_MAJOR:-15}"
export PG_BIN="${PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}"
export BACKFILL_TEST_SOURCE_URL="${BACKFILL_TEST_SOURCE_URL:-postgres://postgres@127.0.0.1:$BACKFILL_SOURCE_PORT/postgres}"
export BACKFILL_TEST_TARGET_URL="${BACKFILL_TEST_TARGET_URL:-postgres://postgres@127.0.0.1:$BACKFILL_TARGET_PORT/postgres}"
export BACKFILL_TEST_STANDBY_URL="${BACKFILL_TEST_STANDBY_URL:-postgres://postgres@127.0.0.1:$BACKFILL_STANDBY_PORT/postgres}"
