#!/usr/bin/env bash
# Run scripts/backup.sh every day, keeping the newest few: the compose `backup`
# service's command (README, "Backups").
#
#   scripts/backup-schedule.sh ROOT            the loop, in the foreground
#   scripts/backup-schedule.sh --healthy ROOT  exit 0 if a complete backup in ROOT
#                                              is younger than BACKUP_MAX_AGE_HOURS
#
# Each backup is ROOT/safeguard-<UTC time>. On start, one is taken at once unless
# one from the last 24 hours is there; then one every day at BACKUP_AT (HH:MM,
# UTC, default 02:00). A failed backup is retried every BACKUP_RETRY_SECONDS
# (default 3600) until one succeeds. After each success all but the newest
# BACKUP_KEEP (default 14) complete backups are deleted, and any *.partial
# left by a killed run. DATABASE_URL and MEDIA_ROOT as for backup.sh.
#
# This keeps backups on the volume it writes to, on the same host: copy ROOT
# somewhere else as well (another host, object storage), or a lost disk loses both.
set -euo pipefail
set -m # each backup in its own process group, so stopping stops pg_dump too

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
healthy=false
if [ "${1:-}" = "--healthy" ]; then
  healthy=true
  shift
fi
[ $# -eq 1 ] || {
  echo "usage: $0 [--healthy] ROOT" >&2
  exit 2
}
root=${1%/}
at=${BACKUP_AT:-02:00}
keep=${BACKUP_KEEP:-14}
retry=${BACKUP_RETRY_SECONDS:-3600}
max_hours=${BACKUP_MAX_AGE_HOURS:-26}
case "$keep" in
  '' | *[!0-9]* | 0) echo "$0: BACKUP_KEEP must be a whole number above 0" >&2 && exit 2 ;;
esac

log() { printf '%s backup-schedule: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# Complete backups (backup.sh renames a directory only when it is whole), oldest first.
complete() {
  find "$root" -mindepth 1 -maxdepth 1 -type d -name 'safeguard-*' ! -name '*.partial' |
    LC_ALL=C sort
}

recent() { # a complete backup younger than $1 hours?
  find "$root" -mindepth 2 -maxdepth 2 -name MANIFEST.sha256 -path "$root/safeguard-*" \
    ! -path '*.partial/*' -mmin "-$(($1 * 60))" | grep -q .
}

if $healthy; then
  recent "$max_hours"
  exit
fi

prune() {
  local old
  find "$root" -mindepth 1 -maxdepth 1 -type d -name 'safeguard-*.partial' -exec rm -rf -- {} +
  old=$(complete | head -n "-$keep")
  [ -z "$old" ] || while IFS= read -r dir; do
    log "deleting $dir (keeping the newest $keep)"
    rm -rf -- "$dir"
  done <<<"$old"
}

child=""
stop() {
  log "stopping"
  [ -z "$child" ] || kill -TERM -- "-$child" 2>/dev/null || true
  [ -z "$child" ] || wait "$child" 2>/dev/null || true
  exit 0
}
trap stop TERM INT

take() {
  local dir
  dir="$root/safeguard-$(date -u +%Y%m%dT%H%M%SZ)"
  log "backing up to $dir"
  bash "$here/backup.sh" "$dir" &
  child=$!
  if wait "$child"; then
    child=""
    log "backed up to $dir"
    prune
  else
    child=""
    log "BACKUP FAILED (see above); trying again in $retry s"
    return 1
  fi
}

pause() { # a sleep that a stop interrupts
  sleep "$1" &
  child=$!
  wait "$child" || true
  child=""
}

mkdir -p -- "$root"
log "daily at $at UTC into $root, keeping $keep"
if ! recent 24; then
  until take; do pause "$retry"; done
fi
while true; do
  now=$(date -u +%s)
  next=$(date -u -d "today $at" +%s)
  [ "$next" -gt "$now" ] || next=$(date -u -d "tomorrow $at" +%s)
  pause $((next - now))
  until take; do pause "$retry"; done
done
