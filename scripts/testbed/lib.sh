# shellcheck shell=bash
# Sourced by the test-bed scripts after env.sh: messages prefixed with the script's name, sudo
# when not root, and apt-get install of what is missing (one apt-get update per run at most).
# Each script sets LIB_NAME before sourcing this file.
say() { echo "${LIB_NAME:-testbed}: $*"; }
die() { say "$*" >&2; exit 1; }
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "run as root (sudo not found)"
  SUDO="sudo"
fi

apt_updated=""
apt_install() { # installs the packages that are not installed yet; log in $BACKFILL_CACHE/apt.log
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mkdir -p "$BACKFILL_CACHE"
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    $SUDO apt-get update -qq >>"$BACKFILL_CACHE/apt.log" 2>&1 || die "apt-get update failed; see $BACKFILL_CACHE/apt.log"
    apt_updated=1
  fi
  say "installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >>"$BACKFILL_CACHE/apt.log" 2>&1 || die "apt-get install failed; see $BACKFILL_CACHE/apt.log"
}
