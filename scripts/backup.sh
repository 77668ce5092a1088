#!/usr/bin/env bash
# Back up Safeguard: the PostgreSQL database and the media files, with a manifest.
#
#   scripts/backup.sh DIR
#
# DIR must not exist. It is written as DIR.partial and renamed to DIR only when
# everything is in it, so a DIR that exists is a complete backup; a failed run
# removes DIR.partial and exits non-zero. DIR then holds:
#
#   database.dump     pg_dump custom format (-Fc) of the database in DATABASE_URL
#   media/            a copy of MEDIA_ROOT (the uploaded documents)
#   metadata.txt      when, which code, which server, the applied migrations
#   MANIFEST.sha256   `sha256sum` of every other file; restore.sh checks it first
#
# The database is dumped first, then the files are copied: a document uploaded
# meanwhile is an extra file the database does not name, never the reverse.
#
# Environment: DATABASE_URL (PostgreSQL only: SQLite is refused); MEDIA_ROOT
# (else read from Django's settings); SAFEGUARD_COMMIT (recorded when git is not
# there to ask, as in a container). Needs pg_dump and psql no older than the
# server. Restore with scripts/restore.sh DIR (README, "Backups").
set -euo pipefail
umask 077 # a backup holds every child's record: readable by its owner only

# shellcheck source=scripts/backup-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/backup-lib.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
target=${1%/}
[ ! -e "$target" ] || die "$target already exists: give a new directory for each backup."
partial="$target.partial"
started=$SECONDS

url=$(libpq_url)
dbname=$(url_dbname "$url")
media=$(media_root)
[ -d "$media" ] || die "MEDIA_ROOT $media is not a directory. If this deployment has no files yet, create it (mkdir -p) so an empty folder is what gets backed up, knowingly."
for tool in pg_dump psql sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is not installed (the PostgreSQL client tools, coreutils)."
done

cleanup() {
  local status=$?
  if [ $status -ne 0 ]; then
    rm -rf -- "$partial"
    say "FAILED (exit $status): nothing was kept; $target was not written."
  fi
}
trap cleanup EXIT
# Stopped (a container stopping, Ctrl-C): still clean up on the way out.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -e "$partial" ]; then
  say "removing $partial, left by an interrupted backup"
  rm -rf -- "$partial"
fi
mkdir -p -- "$(dirname "$target")"
mkdir -- "$partial"

say "dumping database $dbname ($(url_shown "$url"))"
pg_dump --format=custom --compress=6 --file="$partial/database.dump" --dbname="$url"

say "copying media from $media"
mkdir -- "$partial/media"
cp -a -- "$media/." "$partial/media/"
odd=$(find "$partial/media" ! -type f ! -type d -print -quit)
[ -z "$odd" ] || die "MEDIA_ROOT holds something that is neither a file nor a folder (${odd#"$partial/media/"}): not supported."

commit=${SAFEGUARD_COMMIT:-}
if [ -z "$commit" ] && command -v git >/dev/null && git -C "$PROJECT_ROOT" rev-parse HEAD >/dev/null 2>&1; then
  commit=$(git -C "$PROJECT_ROOT" rev-parse HEAD)
  [ -z "$(git -C "$PROJECT_ROOT" status --porcelain --untracked-files=no)" ] || commit="$commit (with uncommitted changes)"
fi
{
  echo "format: safeguard-backup 1"
  echo "created_at: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(hostname 2>/dev/null || echo unknown)"
  echo "git_commit: ${commit:-unknown}"
  echo "database: $dbname at $(url_shown "$url")"
  echo "server_version: $(psql -X -A -t -v ON_ERROR_STOP=1 --dbname="$url" -c 'SHOW server_version')"
  echo "pg_dump_version: $(pg_dump --version)"
  echo "media_root: $media"
  echo "media_files: $(find "$partial/media" -type f -printf x | wc -c)"
  echo "media_bytes: $(du -sb "$partial/media" | cut -f1)"
  echo "seconds: $((SECONDS - started))"
  echo "migrations (from django_migrations, in the order applied):"
  psql -X -A -t -v ON_ERROR_STOP=1 --dbname="$url" \
    -c "SELECT '  ' || app || '.' || name FROM django_migrations ORDER BY applied, id"
} >"$partial/metadata.txt"

# Every file but the manifest itself, sorted so two backups of the same data
# give the same manifest. sha256sum escapes awkward names, and -c reads them back.
(
  cd "$partial"
  find . -type f ! -path './MANIFEST.sha256*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum --
) >"$partial/MANIFEST.sha256.tmp"
mv -- "$partial/MANIFEST.sha256.tmp" "$partial/MANIFEST.sha256"

sync
mv -T -- "$partial" "$target"
say "done in $((SECONDS - started)) s: $target ($(du -sh "$target" | cut -f1), $(find "$target/media" -type f -printf x | wc -c) media files)"
