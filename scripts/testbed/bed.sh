# shellcheck shell=bash
# Sourced by the measuring scripts that run on one native TSL bed. With $root (the repository) and
# $version (a bed of tsl.sh) set: builds the jar when missing (BACKFILL_JAR picks another), starts
# that bed if it is down, and sets jar, sport, tport (the bed's source and target ports), bin (its
# PostgreSQL's bin folder) and q PORT DB ARGS... (that psql: unaligned, tuples only, stopping at
# the first error).
jar="${BACKFILL_JAR:-$root/target/timescaledb-backfill.jar}"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -ntp package -DskipTests)
"$root/scripts/testbed/tsl.sh" start "$version" >/dev/null
read -r _ _ sport tport bin < <("$root/scripts/testbed/tsl.sh" list | awk -v v="$version" '$1 == v')
[ -n "${bin:-}" ] || { echo "no bed $version" >&2; exit 2; }
q() { local port=$1 db=$2; shift 2; PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"; }
