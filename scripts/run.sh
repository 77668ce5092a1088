#!/usr/bin/env bash
# `make run`'s supervisor: the web server and a Celery worker with embedded beat,
# side by side; Ctrl-C (or either of them dying) stops both. Without REDIS_URL the
# worker uses kombu's filesystem transport under var/celery, so background work
# (e-mails, reminders, the outbox sweep) really happens with no Redis.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# The demo only: debug pages, and no two-factor step for the demo users.
# Production never sets these (see README, "Deploy").
export DEBUG=${DEBUG:-true}
export TWO_FACTOR_REQUIRED=${TWO_FACTOR_REQUIRED:-false}
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}

pids=()
stopping=

stop() {
  [ -n "$stopping" ] && return
  stopping=1
  echo
  echo "Stopping Safeguard..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  # The worker finishes the task in hand (warm shutdown); give up after 15 s.
  for _ in $(seq 1 150); do
    alive=
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  echo "Stopped."
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

# -Q: the default queue and "pdf", where case summaries are rendered (CELERY_TASK_ROUTES).
"$BIN/celery" -A safeguard worker -B --pool=solo --loglevel=INFO -Q celery,pdf &
pids+=($!)
"$BIN/python" manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)

# Wait until the web server answers before saying where it is.
probe=$HOST
case $probe in 0.0.0.0 | "" | "*") probe=127.0.0.1 ;; "::" | "[::]") probe=::1 ;; esac
probe=${probe#[}
probe=${probe%]}
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/$probe/$PORT") 2>/dev/null && break
  kill -0 "${pids[1]}" 2>/dev/null || break
  sleep 0.1
done

url_host=$HOST
case $url_host in *:*) [[ $url_host == \[* ]] || url_host="[$url_host]" ;; esac
password=${DEMO_PASSWORD:-demo-password-change-me}
if [ -n "${REDIS_URL:-}" ]; then transport="on Redis"; else transport="on the filesystem transport in var/celery/"; fi
kill -0 "${pids[1]}" 2>/dev/null && cat <<MSG

  Safeguard is running at http://$url_host:$PORT/
  A Celery worker with embedded beat does the background work
  ($transport).
  E-mails are written to var/mail/ unless EMAIL_URL says otherwise.

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

# Return when Ctrl-C arrives (the trap exits 0) or when either process ends.
wait -n "${pids[@]}"
status=$?
echo "A Safeguard process exited (status $status); stopping the other." >&2
exit "$status"
