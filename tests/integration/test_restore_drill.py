"""The restore drill: a backup is only as good as a restore that was tried.

Into a PostgreSQL database of its own (``safeguard_drill_src_<pid>``), with a
media folder of its own, the drill migrates and seeds the demo, uploads two
documents through the case page as the demo social worker (the demo seeds no
files), and runs ``scripts/backup.sh``. Then ``scripts/restore.sh`` restores it
into a fresh database and folder (and runs ``migrate --check`` and
``verify_audit`` there, which must pass), and the drill checks:

- every table has the same number of rows, and every sequence the same value
  (new rows must not collide with restored ones);
- every media file has the same SHA-256, and the application serves each
  uploaded document from the restored folder with the checksum recorded at
  upload;
- the demo social worker signs in with their password and lists the same cases
  through ``/api/v1/cases/``.

And that it bites: a backup missing a media file is refused by ``restore.sh``
on its manifest, and a dump missing a table (made as a broken backup would, with
a manifest that matches it) restores, but fails the row-count comparison.

Every process gets its own ``DATABASE_URL``, ``MEDIA_ROOT`` and settings with
Celery's queue in memory (``restore_drill_settings``); everything is dropped or
removed afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"
PROBE = HERE / "restore_drill_probe.py"
SHOWN = 15  # differences listed per check before "... and N more"


class Server:
    """The test run's PostgreSQL server, for databases of our own."""

    def __init__(self) -> None:
        from django.conf import settings

        db = settings.DATABASES["default"]
        self.params = {
            "host": db.get("HOST") or "127.0.0.1",
            "port": db.get("PORT") or 5432,
            "user": db.get("USER") or "postgres",
            "password": db.get("PASSWORD") or None,
        }

    def connect(self, name: str = "postgres"):
        import psycopg

        return psycopg.connect(dbname=name, autocommit=True, **self.params)

    def admin(self, sql: str) -> None:
        with self.connect() as conn:
            conn.execute(sql)

    def exists(self, name: str) -> bool:
        with self.connect() as conn:
            return bool(
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            )

    def url(self, name: str) -> str:
        p = self.params
        auth = p["user"] + (f":{p['password']}" if p["password"] else "")
        return f"postgres://{auth}@{p['host']}:{p['port']}/{name}"

    def snapshot(self, name: str) -> dict:
        """Exact row count of every table, and every sequence's value."""
        from psycopg import sql

        with self.connect(name) as conn:
            tables = [
                t
                for (t,) in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            ]
            counts = {
                t: conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))
                ).fetchone()[0]
                for t in tables
            }
            sequences = dict(
                conn.execute(
                    "SELECT sequencename, last_value FROM pg_sequences "
                    "WHERE schemaname = current_schema()"
                ).fetchall()
            )
        return {"counts": counts, "sequences": sequences}

    def leaf_tables(self, name: str) -> set[str]:
        """Tables no other table's foreign key points at: dropping one from a dump
        leaves a dump that still restores."""
        with self.connect(name) as conn:
            return {
                t
                for (t,) in conn.execute(
                    "SELECT c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind = 'r' AND n.nspname = current_schema() AND NOT EXISTS ("
                    "  SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' "
                    "  AND k.confrelid = c.oid AND k.conrelid <> c.oid)"
                )
            }


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _listed(items) -> str:
    items = sorted(items)
    shown = "; ".join(str(i) for i in items[:SHOWN])
    return shown + (f" ... and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def differences(before: dict, after: dict, files_before: dict, files_after: dict) -> list[str]:
    """What a restore lost or changed: tables, rows, sequences, files."""
    problems: list[str] = []
    old, new = before["counts"], after["counts"]
    for table in sorted(old):
        if table not in new:
            problems.append(f"table {table} ({old[table]} rows) is missing after the restore")
        elif new[table] != old[table]:
            problems.append(f"table {table}: {old[table]} rows backed up, {new[table]} restored")
    for table in sorted(set(new) - set(old)):
        problems.append(f"table {table} appeared in the restore")
    changed = {
        s: (v, after["sequences"].get(s))
        for s, v in before["sequences"].items()
        if after["sequences"].get(s) != v
    }
    if changed:
        problems.append(f"sequences (backed up, restored): {_listed(changed.items())}")
    missing = set(files_before) - set(files_after)
    if missing:
        problems.append(f"media files missing after the restore: {_listed(missing)}")
    altered = {f for f in set(files_before) & set(files_after) if files_before[f] != files_after[f]}
    if altered:
        problems.append(f"media files whose checksum changed: {_listed(altered)}")
    extra = set(files_after) - set(files_before)
    if extra:
        problems.append(f"media files that appeared: {_listed(extra)}")
    return problems


def run(args: list, env: dict, what: str, *, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if check and done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        pytest.fail(f"{what} failed (exit {done.returncode}):\n{tail}", pytrace=False)
    return done


@dataclass
class Drill:
    server: Server
    base: Path
    source_db: str
    source_media: Path
    backup: Path
    before: dict
    uploaded: dict
    timings: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)

    def env(self, database: str, media: Path) -> dict[str, str]:
        # No REDIS_URL: nothing started here may reach the Redis that other
        # integration tests' workers consume (the drill's settings queue in memory).
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("REDIS_URL", "PYTHONPATH", "MEDIA_ROOT", "DATABASE_URL")
        }
        env.update(
            DATABASE_URL=self.server.url(database),
            MEDIA_ROOT=str(media),
            DJANGO_SETTINGS_MODULE="tests.integration.restore_drill_settings",
            TWO_FACTOR_REQUIRED="false",
            CELERY_TASK_ALWAYS_EAGER="false",
            PYTHON=sys.executable,  # the interpreter backup.sh / restore.sh run manage.py with
            # The drill's own: checkpoints another test's beat wrote into the
            # checkout's var/ describe another database's audit chain.
            AUDIT_CHECKPOINT_DIR=str(self.base / "audit-checkpoints"),
        )
        return env

    def target(self, tag: str) -> tuple[str, Path]:
        """A database name (dropped at the end) and a media folder not yet made."""
        name = f"safeguard_drill_{tag}_{os.getpid()}"
        self.server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.databases.append(name)
        return name, self.base / f"{tag}-media"

    def timed(self, what: str, args: list, env: dict, **kwargs) -> subprocess.CompletedProcess:
        started = time.monotonic()
        done = run(args, env, what, **kwargs)
        self.timings.append(f"{what}: {time.monotonic() - started:.1f} s")
        return done

    def visit(self, database: str, media: Path, what: str) -> dict:
        out = self.base / f"visit-{database}.json"
        pairs = [f"{self.uploaded['case']}:{d}" for d in self.uploaded["documents"]]
        self.timed(what, [sys.executable, PROBE, "visit", out, *pairs], self.env(database, media))
        return json.loads(out.read_text())


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    server = Server()
    base = tmp_path_factory.mktemp("restore-drill")
    source_db = f"safeguard_drill_src_{os.getpid()}"
    source_media = base / "source-media"
    source_media.mkdir()
    d = Drill(server, base, source_db, source_media, base / "backups" / "drill", {}, {})
    d.databases.append(source_db)
    server.admin(f'DROP DATABASE IF EXISTS "{source_db}" WITH (FORCE)')
    try:
        server.admin(f'CREATE DATABASE "{source_db}"')
        env = d.env(source_db, source_media)
        python = sys.executable
        d.timed("migrate", [python, "manage.py", "migrate", "--no-input", "-v0"], env)
        d.timed("seed_demo", [python, "manage.py", "seed_demo", "-v0"], env)
        # Upload, then sign in and list cases and fetch the documents, all before
        # the backup, so the rows that writes are in it too.
        upload = base / "upload.json"
        d.timed(
            "upload two documents; sign in and list cases (source)",
            [python, PROBE, "upload", upload],
            env,
        )
        d.uploaded = json.loads(upload.read_text())
        assert len(d.uploaded["documents"]) == 2, d.uploaded
        assert d.uploaded["seen"]["documents"] == d.uploaded["documents"]
        d.before = server.snapshot(source_db)
        d.timed("backup.sh", [BACKUP, d.backup], env)
        yield d
    finally:
        for name in d.databases:
            server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(base, ignore_errors=True)
        print("\n".join(d.timings))  # shown with -rP, or on failure


def test_a_restored_backup_has_every_row_file_and_case(drill):
    backup = drill.backup
    assert (backup / "database.dump").stat().st_size > 0
    files = checksums(drill.source_media)
    assert set(drill.uploaded["files"]) <= set(files)
    manifest = (backup / "MANIFEST.sha256").read_text()
    for name, digest in files.items():
        assert f"{digest}  ./media/{name}" in manifest
    assert "git_commit:" in (backup / "metadata.txt").read_text()

    database, media = drill.target("restored")
    done = drill.timed("restore.sh", [RESTORE, backup], drill.env(database, media))
    assert "Audit chain intact" in done.stdout + done.stderr

    after = drill.server.snapshot(database)
    problems = differences(drill.before, after, files, checksums(media))
    assert sum(drill.before["counts"].values()) > 1000  # the demo, not an empty shell
    assert not problems, "The restore lost or changed:\n  " + "\n  ".join(problems)

    seen_after = drill.visit(database, media, "sign in and list cases (restored)")
    assert seen_after["cases"], "the demo social worker sees no cases"
    assert seen_after["cases"] == drill.uploaded["seen"]["cases"]
    # Served by the application from the restored folder, as recorded at upload.
    assert seen_after["documents"] == drill.uploaded["documents"]


def test_restore_refuses_a_backup_with_a_media_file_missing(drill):
    broken = drill.base / "backups" / "missing-file"
    shutil.copytree(drill.backup, broken)
    lost = drill.uploaded["files"][0]
    (broken / "media" / lost).unlink()
    database, media = drill.target("nofile")

    done = drill.timed(
        "restore.sh (a file missing)", [RESTORE, broken], drill.env(database, media), check=False
    )

    assert done.returncode != 0
    assert "does not match its MANIFEST.sha256" in done.stderr
    assert f"./media/{lost}" in done.stderr
    # Refused before touching anything.
    assert not drill.server.exists(database)
    assert not media.exists()


def test_the_drill_notices_a_table_missing_from_the_dump(drill):
    rows = drill.before["counts"]
    candidates = sorted(t for t in drill.server.leaf_tables(drill.source_db) if rows.get(t))
    assert candidates
    # Preferably the table holding the uploaded documents' rows.
    documents = [t for t in candidates if t.endswith("casedocument")]
    left_out = (documents or candidates)[0]
    # A backup as a broken backup.sh would make it: the dump lacks a table, and
    # the manifest matches what was written, so restore.sh has nothing to refuse.
    broken = drill.base / "backups" / "missing-table"
    shutil.copytree(drill.backup, broken)
    subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            f"--exclude-table={left_out}",
            f"--file={broken / 'database.dump'}",
            f"--dbname={drill.server.url(drill.source_db)}",
        ],
        check=True,
    )
    manifest = checksums(broken)
    del manifest["MANIFEST.sha256"]
    (broken / "MANIFEST.sha256").write_text(
        "".join(f"{digest}  ./{name}\n" for name, digest in sorted(manifest.items()))
    )
    database, media = drill.target("notable")

    # The Django checks are the first test's business: this one is about rows.
    drill.timed(
        "restore.sh (a table missing)",
        [RESTORE, "--skip-checks", broken],
        drill.env(database, media),
    )

    after = drill.server.snapshot(database)
    problems = differences(drill.before, after, checksums(drill.source_media), checksums(media))
    assert f"table {left_out} ({rows[left_out]} rows) is missing after the restore" in problems


def test_restore_refuses_an_occupied_database_unless_forced(drill):
    database, media = drill.target("occupied")
    drill.server.admin(f'CREATE DATABASE "{database}"')
    with drill.server.connect(database) as conn:
        conn.execute("CREATE TABLE someone_elses (id int)")
    env = drill.env(database, media)

    refused = drill.timed("restore.sh (occupied)", [RESTORE, drill.backup], env, check=False)

    assert refused.returncode == 1
    assert f"database {database} already holds 1 tables" in refused.stderr
    assert drill.server.snapshot(database)["counts"] == {"someone_elses": 0}
    assert not media.exists()

    drill.timed("restore.sh --force", [RESTORE, "--force", "--skip-checks", drill.backup], env)

    assert drill.server.snapshot(database) == drill.before
    assert checksums(media) == checksums(drill.source_media)


def test_a_deployment_with_no_files_yet_backs_up_and_restores(drill):
    empty = drill.base / "no-files-yet"
    empty.mkdir()
    backup = drill.base / "backups" / "no-files"
    drill.timed("backup.sh (no files)", [BACKUP, backup], drill.env(drill.source_db, empty))
    database, media = drill.target("nofiles")

    drill.timed(
        "restore.sh (no files)", [RESTORE, "--skip-checks", backup], drill.env(database, media)
    )

    assert media.is_dir()
    assert not any(media.iterdir())
    assert drill.server.snapshot(database)["counts"] == drill.before["counts"]


def test_backup_refuses_sqlite_and_an_existing_directory(drill, tmp_path):
    env = drill.env(drill.source_db, drill.source_media)

    sqlite = run([BACKUP, tmp_path / "a"], {**env, "DATABASE_URL": "sqlite:///x"}, "", check=False)
    again = run([BACKUP, drill.backup], env, "", check=False)

    assert sqlite.returncode == 1
    assert "PostgreSQL only" in sqlite.stderr
    assert not (tmp_path / "a").exists()
    assert again.returncode == 1
    assert "already exists" in again.stderr
