#!/usr/bin/env bash
# The README's test command: installs what is missing (PostgreSQL, TimescaleDB, the TSL test
# server's npm packages), starts the two local servers and runs the whole suite (unit,
# integration, end-to-end). Slow the first time on a fresh machine, fast after.
# Extra arguments go to Maven, e.g. scripts/test.sh -Dit.test=StageCopyIT
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/testbed/install.sh
scripts/testbed/servers.sh start
(
  cd testsupport/tsl-server
  if ! npm ls --silent >/dev/null 2>&1; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
)
. scripts/testbed/env.sh
exec mvn -B -ntp verify "$@"
