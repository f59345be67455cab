#!/usr/bin/env bash
# The README's test command: installs what is missing (PostgreSQL, the Apache-licensed
# TimescaleDB, the native TimescaleDB builds with the Timescale License), starts every test
# server and runs the whole suite (unit, integration, end-to-end, the version matrix). Slow the
# first time on a fresh machine (the builds), fast after.
# Extra arguments go to Maven, e.g. scripts/test.sh -Dit.test=StageCopyIT
# BACKFILL_TSL_VERSIONS="2.29.2" limits the TSL beds (and so the matrix) to those versions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/testbed/install.sh
scripts/testbed/tsl.sh install
scripts/testbed/servers.sh start
scripts/testbed/tsl.sh start
. scripts/testbed/env.sh
BACKFILL_TEST_BEDS="$(scripts/testbed/tsl.sh list | paste -sd ';')"
export BACKFILL_TEST_BEDS
exec mvn -B -ntp verify "$@"
