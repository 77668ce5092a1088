# shellcheck shell=bash
# Shared by scripts/backup.sh and scripts/restore.sh (sourced, never run).
# Needs bash and the PostgreSQL client tools; Python only to ask Django for
# MEDIA_ROOT when it is not in the environment, and for restore.sh's checks.

SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT_ROOT=${SAFEGUARD_ROOT:-$(dirname "$SCRIPTS_DIR")}

die() {
  printf '%s: %s\n' "$(basename "$0")" "$*" >&2
  exit 1
}

say() {
  printf '%s: %s\n' "$(basename "$0")" "$*" >&2
}

# DATABASE_URL as libpq takes it. django-environ also accepts pgsql://, psql://
# and postgis:// for PostgreSQL; libpq knows only postgres:// and postgresql://.
# SQLite (the `make run` default) is refused: the backup is a PostgreSQL
# custom-format dump, the one thing restore.sh and the drill prove.
libpq_url() {
  local url=${DATABASE_URL:-}
  case "$url" in
    "")
      die "DATABASE_URL is not set. Backups are of PostgreSQL only (the SQLite default under var/ is the demo's)."
      ;;
    sqlite:* | spatialite:*)
      die "DATABASE_URL is SQLite ($url). Backups are of PostgreSQL only: the SQLite default under var/ is the demo's (to keep it anyway, stop the app and copy the file)."
      ;;
    postgres://* | postgresql://*) ;;
    pgsql://* | psql://* | postgis://*) url="postgresql://${url#*://}" ;;
    *) die "DATABASE_URL is not a PostgreSQL URL (postgres://user:password@host:port/name)." ;;
  esac
  printf '%s\n' "$url"
}

_url_rest() { # everything after scheme:// up to the query
  local rest=${1#*://}
  rest=${rest%%\#*}
  printf '%s\n' "${rest%%\?*}"
}

_url_query() {
  case "$1" in
    *\?*) printf '?%s\n' "${1#*\?}" ;;
    *) printf '\n' ;;
  esac
}

# The database name in a URL, percent-decoded.
url_dbname() {
  local rest path
  rest=$(_url_rest "$1")
  case "$rest" in
    */*) path=${rest#*/} ;;
    *) path="" ;;
  esac
  [ -n "$path" ] || die "DATABASE_URL names no database."
  printf '%b\n' "${path//%/\\x}"
}

# The same server and credentials, another database (for CREATE/DROP DATABASE).
url_with_db() {
  local rest
  rest=$(_url_rest "$1")
  printf 'postgresql://%s/%s%s\n' "${rest%%/*}" "$2" "$(_url_query "$1")"
}

# The URL with its password hidden, for messages and metadata.
url_shown() {
  printf '%s\n' "$1" | sed -E 's#^([a-z]+://[^:/@]*):[^@/]*@#\1:***@#'
}

python_bin() {
  if [ -n "${PYTHON:-}" ]; then
    printf '%s\n' "$PYTHON"
  elif [ -x "$PROJECT_ROOT/.venv/bin/python" ]; then
    printf '%s\n' "$PROJECT_ROOT/.venv/bin/python"
  elif command -v python3 >/dev/null 2>&1; then
    command -v python3
  else
    return 1
  fi
}

# Run manage.py from the project root with the environment as it is.
manage() {
  local py
  py=$(python_bin) || die "no Python found to run manage.py (set PYTHON=, or SAFEGUARD_ROOT= to the project)."
  [ -f "$PROJECT_ROOT/manage.py" ] || die "no manage.py in $PROJECT_ROOT (set SAFEGUARD_ROOT=)."
  (cd "$PROJECT_ROOT" && "$py" manage.py "$@")
}

# MEDIA_ROOT from the environment, else from Django's settings (settings.py
# reads the same variable, with var/media as its default).
media_root() {
  if [ -n "${MEDIA_ROOT:-}" ]; then
    printf '%s\n' "$MEDIA_ROOT"
    return
  fi
  local out
  out=$(manage shell -c 'from django.conf import settings; print(settings.MEDIA_ROOT)') ||
    die "could not read MEDIA_ROOT from Django's settings; set MEDIA_ROOT."
  printf '%s\n' "$out" | tail -n 1
}
