#!/usr/bin/env bash
# Runs the web server and a Celery worker (with embedded beat) together, and
# stops both on Ctrl-C. Without REDIS_URL the worker uses the filesystem
# transport under var/celery, so background work happens with no Redis.
set -euo pipefail
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export DEBUG=${DEBUG:-true}
# The demo only: production always requires two-factor sign-in.
export TWO_FACTOR_REQUIRED=${TWO_FACTOR_REQUIRED:-false}
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping Safeguard..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$BIN/celery" -A safeguard worker -B --pool=solo --loglevel=WARNING \
  --schedule var/celerybeat-schedule &
pids+=($!)
"$BIN/python" manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)

password=${DEMO_PASSWORD:-demo-password-change-me}
cat <<MSG

  Safeguard is running at http://$HOST:$PORT/
  A Celery worker with embedded beat does the background work.
  E-mails are written to var/mail/.

  Demo logins (password: $password):
    practitioner@hillside-primary   logs concerns (a school)
    social_worker@northshire-csc    triages at the front door
    manager@northshire-csc          authorises decisions
    chair@northshire-csc            chairs meetings
    agency_admin@northshire-police  manages an agency's members
    auditor@northshire-csc          reads the audit log
    social_worker@eastfield-csc     a neighbouring authority: sees none of Northshire
  Every agency has one user per role: <role>@<agency-slug>.

  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
