#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a new database and media folder.
#
#   scripts/restore.sh [--force] [--skip-checks] DIR
#
# 1. Checks DIR against its MANIFEST.sha256 and refuses, touching nothing, on any
#    changed, missing or unlisted file.
# 2. Restores database.dump into the database named by DATABASE_URL, creating it
#    (the URL's user needs CREATEDB) unless it exists and is empty, and the files
#    into MEDIA_ROOT (else Django's setting), creating it unless it exists and is
#    empty. A database or folder that holds anything is refused: --force drops
#    that database and empties that folder first. Objects are owned by the URL's
#    user, without the backed-up grants (--no-owner --no-privileges): grant the
#    application's role again afterwards (README, "Deploy").
# 3. Checks the restored files against the manifest again, then, with the code
#    in this checkout: `manage.py migrate --check` (warns, and shows the plan, if
#    the backup predates this code's migrations: run `migrate` before serving)
#    and `manage.py verify_audit --restored` (the audit chain must verify).
#    --skip-checks leaves step 3's Django part out, for a machine with the
#    PostgreSQL tools but not the application (run both commands there after).
#
# Exit status: 0 restored and checked; 1 refused or failed (2 for usage);
# 3 restored, but the audit chain does not verify.
set -euo pipefail

# shellcheck source=scripts/backup-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/backup-lib.sh"

usage() {
  echo "usage: $0 [--force] [--skip-checks] DIR" >&2
  exit 2
}
force=false
checks=true
backup=""
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=true ;;
    --skip-checks) checks=false ;;
    -h | --help) usage ;;
    -*) usage ;;
    *)
      [ -z "$backup" ] || usage
      backup=${1%/}
      ;;
  esac
  shift
done
[ -n "$backup" ] || usage
started=$SECONDS

# -- 1. the backup is whole, or nothing happens --------------------------------
[ -d "$backup" ] || die "$backup is not a directory."
case "$backup" in
  *.partial) die "$backup is an unfinished backup (backup.sh renames it only when complete)." ;;
esac
for file in MANIFEST.sha256 database.dump metadata.txt; do
  [ -f "$backup/$file" ] || die "$backup has no $file: not a complete backup. Refusing."
done
say "checking $backup against its manifest"
if ! (cd "$backup" && sha256sum --check --strict --quiet MANIFEST.sha256) >&2; then
  die "$backup does not match its MANIFEST.sha256 (above: changed or missing files). Refusing to restore."
fi
# Every file must be listed: names as sha256sum writes them (backslash and
# newline escaped), so a name with a newline is one line here too.
listed=$(sed -E 's/^\\?[0-9a-f]{64}  //' "$backup/MANIFEST.sha256" | LC_ALL=C sort -u)
present=$(
  cd "$backup"
  find . -type f ! -path ./MANIFEST.sha256 -print0 | while IFS= read -r -d '' name; do
    name=${name//\\/\\\\}
    printf '%s\n' "${name//$'\n'/\\n}"
  done | LC_ALL=C sort
)
if [ "$listed" != "$present" ]; then
  extra=$(LC_ALL=C comm -13 <(printf '%s\n' "$listed") <(printf '%s\n' "$present") | head -n 5)
  die "$backup holds files its manifest does not list (${extra//$'\n'/, }). Refusing to restore."
fi
grep -qxE '[0-9a-f]{64}  \./database\.dump' "$backup/MANIFEST.sha256" ||
  die "the manifest does not list database.dump. Refusing."

# -- where to: both targets checked before either is touched -------------------
url=$(libpq_url)
dbname=$(url_dbname "$url")
maintenance=$(url_with_db "$url" "${MAINTENANCE_DB:-postgres}")
media=$(media_root)
case "$media" in
  /*) ;;
  *) die "MEDIA_ROOT must be an absolute path (it is $media)." ;;
esac
[ "$media" != "/" ] || die "MEDIA_ROOT is /. Refusing."
for tool in pg_restore psql sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is not installed (the PostgreSQL client tools, coreutils)."
done
if $checks; then
  if ! python_bin >/dev/null || [ ! -f "$PROJECT_ROOT/manage.py" ]; then
    die "the checks need the application (manage.py and its Python); none at $PROJECT_ROOT. Use --skip-checks here and run 'manage.py migrate --check' and 'manage.py verify_audit --restored' where the application is."
  fi
fi

sql() { # sql DATABASE_URL <<< statements (with :'name' / :"name" for the database name)
  psql -X -A -t -q -v ON_ERROR_STOP=1 -v name="$dbname" --dbname="$1"
}

db_exists=$(sql "$maintenance" <<<"SELECT count(*) FROM pg_database WHERE datname = :'name';")
db_objects=0
if [ "$db_exists" != 0 ]; then
  db_objects=$(sql "$url" <<'SQL'
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f');
SQL
  )
fi
media_used=false
if [ -e "$media" ]; then
  [ -d "$media" ] || die "MEDIA_ROOT $media exists and is not a folder. Refusing."
  [ -z "$(find "$media" -mindepth 1 -print -quit)" ] || media_used=true
fi
if ! $force; then
  [ "$db_objects" = 0 ] ||
    die "database $dbname already holds $db_objects tables, views or sequences. Restore into a new database (set DATABASE_URL), or give --force to drop it and replace it."
  ! $media_used ||
    die "MEDIA_ROOT $media is not empty. Restore into a new folder (set MEDIA_ROOT), or give --force to empty it and replace it."
fi

# -- 2. restore ------------------------------------------------------------------
say "restoring the backup made $(sed -n 's/^created_at: //p' "$backup/metadata.txt" | head -n 1) into database $dbname ($(url_shown "$url"))"
if [ "$db_objects" != 0 ]; then
  say "--force: dropping database $dbname"
  sql "$maintenance" <<<'DROP DATABASE :"name" WITH (FORCE);'
  db_exists=0
fi
[ "$db_exists" != 0 ] || sql "$maintenance" <<<'CREATE DATABASE :"name";'
# One transaction: a dump that fails half way leaves an empty database, not half a one.
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$url" "$backup/database.dump"

say "restoring media into $media"
if $media_used; then
  say "--force: emptying $media"
  find "$media" -mindepth 1 -delete
fi
if [ -d "$media" ]; then
  cp -a -- "$backup/media/." "$media/"
else
  # A new folder appears whole, or not at all.
  mkdir -p -- "$(dirname "$media")"
  rm -rf -- "$media.restoring"
  cp -a -- "$backup/media" "$media.restoring"
  mv -T -- "$media.restoring" "$media"
fi
media_sums=$(sed -n 's#^\(\\\{0,1\}[0-9a-f]\{64\}  \)\./media/#\1./#p' "$backup/MANIFEST.sha256")
if [ -n "$media_sums" ]; then
  (cd "$media" && sha256sum --check --strict --quiet -) <<<"$media_sums" >&2 ||
    die "the files restored into $media do not match the manifest."
fi
say "database and media restored in $((SECONDS - started)) s"

# -- 3. does the application agree? ------------------------------------------------
if ! $checks; then
  say "--skip-checks: now run 'manage.py migrate --check' and 'manage.py verify_audit --restored' with DATABASE_URL=$(url_shown "$url")"
  exit 0
fi
export MEDIA_ROOT="$media"
say "migration state (manage.py migrate --check)"
if ! manage migrate --check --no-input -v0; then
  say "WARNING: this code has migrations the backup predates (unapplied below). Run 'manage.py migrate' before serving."
  manage showmigrations --plan | grep -F '[ ]' >&2 || true
fi
# --restored: a backup ends before the live service's newest audit checkpoint,
# and rows still waiting for the sealer when it was taken are expected; every
# checkpoint the restored chain reaches must still match.
say "audit chain (manage.py verify_audit --restored)"
if ! manage verify_audit --restored; then
  say "RESTORED, BUT THE AUDIT CHAIN DOES NOT VERIFY (above). Do not serve it until that is understood."
  exit 3
fi
say "restored and checked in $((SECONDS - started)) s"
