"""Upgrading keeps every row, every grant and what every user sees.

Real councils upgrade; they never re-seed. So: check out the previous release
(``tests/upgrade/previous_release``) in a temporary git worktree, migrate and
seed a fresh PostgreSQL database with it, ask for two PDF summaries through the
API, and walk the API as every user; then migrate the same database with the
code under test and compare (``tests/upgrade/snapshot.py`` takes both
snapshots, from outside the apps, whose models move):

- every table keeps its exact row count (a new table must be empty);
- content types and permissions are the same per model name (the app label
  may change: a model moved app), and no content type is left without a model;
- every guardian grant, generic or direct-FK, and every group's and user's
  model-level permission and group membership is still there, no more, no less;
- every active user lists the same cases, meetings, concerns and referrals,
  and gets the same answer on every meeting, and on each summary of a case
  they see.

Both phases run with this checkout's Python environment: the previous release
must install from the same dependencies (if it ever does not, this test says so
when the old code fails to start). The database is its own
(``safeguard_upgrade_<pid>``), created and dropped here, never the test database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SNAPSHOT = HERE / "snapshot.py"
# django_migrations only grows; content types and permissions are compared by
# model name below, where a new model may add rows.
COMPARED_BY_MEANING = {"django_migrations", "django_content_type", "auth_permission"}
# A new table filled by a data migration (a deliberate backfill) goes here.
# oversight 0002: the open-case counts are counted from the cases when the
# counting trigger is installed.
NEW_TABLES_MAY_HAVE_ROWS: set[str] = {"cases_involvementreason", "oversight_opencasecount"}
# Deliberate merges by a migration: the table may only shrink, and every row it
# had lives on as one row of the other. cases 0022: each involvement became a
# reason, and an agency's duplicate involvements on a case became one.
MERGED_INTO = {"cases_involvement": "cases_involvementreason"}
SHOWN = 15  # differences listed per check before "... and N more"
# As tests/conftest.py: in CI nothing is skipped.
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def previous_release() -> str:
    if os.environ.get("UPGRADE_FROM"):
        return os.environ["UPGRADE_FROM"]
    lines = (HERE / "previous_release").read_text().splitlines()
    return next(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _run(args: list[str], *, cwd: Path, env: dict, what: str) -> None:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
        pytest.fail(f"{what} failed (exit {done.returncode}):\n{tail}", pytrace=False)


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def old_checkout():
    commit = previous_release()
    if _git("cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
        reason = (
            f"the previous release {commit} is not in this clone "
            "(a shallow clone? `git fetch --unshallow`)"
        )
        if IN_CI:
            pytest.fail(f"CI runs the upgrade test, but {reason}", pytrace=False)
        pytest.skip(reason)
    path = Path(tempfile.mkdtemp(prefix="safeguard-upgrade-")) / "previous"
    added = _git("worktree", "add", "--detach", "--quiet", str(path), commit)
    assert added.returncode == 0, added.stderr
    try:
        yield path
    finally:
        _git("worktree", "remove", "--force", str(path))
        _git("worktree", "prune")
        shutil.rmtree(path.parent, ignore_errors=True)


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

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as conn:
            conn.execute(sql)

    def url(self, name: str) -> str:
        p = self.params
        auth = p["user"] + (f":{p['password']}" if p["password"] else "")
        return f"postgres://{auth}@{p['host']}:{p['port']}/{name}"


@pytest.fixture
def databases():
    """Two database names of our own: 'old' stays at the previous release,
    'new' is copied from it and upgraded. Dropped afterwards."""
    server = Server()
    names = {tag: f"safeguard_upgrade_{tag}_{os.getpid()}" for tag in ("old", "new")}
    for name in names.values():
        server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    try:
        yield server, names
    finally:
        for name in names.values():
            server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_from_previous_release_keeps_rows_grants_and_visibility(
    old_checkout, databases, tmp_path
):
    server, names = databases
    old, new = old_checkout, ROOT
    # No REDIS_URL: what seed_demo queues lands in the old checkout's var/celery,
    # never in the Redis the integration tests' worker consumes.
    base_env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PYTHONPATH")}
    base_env.update(
        DJANGO_SETTINGS_MODULE="safeguard.settings",
        TWO_FACTOR_REQUIRED="false",
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    timings: list[str] = []

    def run(code: Path, db: str, what: str, *args: str) -> None:
        started = time.monotonic()
        label = f"{'previous release' if code == old else 'this checkout'} on {db}"
        env = {**base_env, "DATABASE_URL": server.url(names[db])}
        _run([sys.executable, *args], cwd=code, env=env, what=f"{label}: {what}")
        timings.append(f"{label}: {what}: {time.monotonic() - started:.1f} s")

    def snapshot(code: Path, db: str, tag: str, *steps: str) -> None:
        out = ["--code", str(code), "--out", str(tmp_path), "--tag", tag]
        run(code, db, " ".join(steps), str(SNAPSHOT), *out, *steps)

    old_db, new_db = names["old"], names["new"]
    server.admin(f'CREATE DATABASE "{old_db}"')
    run(old, "old", "migrate", "manage.py", "migrate", "--no-input", "-v0")
    run(old, "old", "seed_demo", "manage.py", "seed_demo", "-v0")
    snapshot(old, "old", "old", "prepare", "sql")
    # The upgrade runs on a copy, so the previous release's walk can run on the
    # original at the same time, and neither walk's audit rows reach the other.
    server.admin(f'CREATE DATABASE "{new_db}" TEMPLATE "{old_db}"')

    def upgrade() -> None:
        run(new, "new", "migrate", "manage.py", "migrate", "--no-input", "-v0")
        snapshot(new, "new", "new", "sql", "walk")

    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(snapshot, old, "old", "old", "walk"), pool.submit(upgrade)]
        for job in jobs:
            job.result()
    print("\n".join(timings))  # shown with -rP, or on failure

    def load(name: str) -> dict:
        return json.loads((tmp_path / f"{name}.json").read_text())

    before, after = load("old-sql"), load("new-sql")
    before_walk, after_walk = load("old-walk"), load("new-walk")
    problems = compare_sql(before, after) + compare_walks(
        before_walk, after_walk, intended=intended_access_changes(before)
    )
    if problems:
        pytest.fail(
            f"Upgrading a database from {previous_release()[:12]} changed it "
            f"(snapshots in {tmp_path}):\n  " + "\n  ".join(problems),
            pytrace=False,
        )
    # The comparison had something to compare: grants, meetings and summaries seen.
    seen = before_walk["visible"].values()
    assert before["grants"]
    assert any(v["meetings"]["ids"] for v in seen)
    assert any(200 in v["summary_detail"].values() for v in seen)


# -- comparison ----------------------------------------------------------------


def intended_access_changes(before_sql: dict):
    """Access this release takes away on purpose, each rule stated so that only
    the items it names may go: anything else lost is still a failure. Empty
    this when tests/upgrade/previous_release moves past the release that made
    the change.

    - Issue 11: a concern linked to a restricted case is as restricted as the
      case. A user may lose such a concern only if they did not see its case
      before the upgrade either (its reporter keeps it).
    """
    restricted = before_sql.get("restricted_concern_cases", {})

    def allowed(user: str, what: str, item: str, seen_before: dict) -> bool:
        if what != "concerns" or item not in restricted:
            return False
        return restricted[item] not in set(seen_before["cases"]["ids"])

    return allowed


def _listed(items) -> str:
    items = sorted(items)
    shown = "; ".join(str(i) for i in items[:SHOWN])
    return shown + (f" ... and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def _multiset(problems: list[str], what: str, old, new) -> None:
    old_c = Counter(tuple(r) for r in old)
    new_c = Counter(tuple(r) for r in new)
    lost, gained = old_c - new_c, new_c - old_c
    if lost:
        problems.append(f"{what}: {sum(lost.values())} lost: {_listed(lost.elements())}")
    if gained:
        problems.append(f"{what}: {sum(gained.values())} appeared: {_listed(gained.elements())}")


def compare_sql(old: dict, new: dict) -> list[str]:
    problems: list[str] = []
    for table, count in sorted(old["counts"].items()):
        if table in COMPARED_BY_MEANING:
            continue
        if table not in new["counts"]:
            problems.append(f"table {table} ({count} rows) is gone")
        elif table in MERGED_INTO:
            kept = new["counts"].get(MERGED_INTO[table], 0)
            if new["counts"][table] > count or kept != count:
                problems.append(
                    f"table {table}: {count} rows before, {new['counts'][table]} after, "
                    f"and {kept} in {MERGED_INTO[table]} (expected one for each row before)"
                )
        elif new["counts"][table] != count:
            problems.append(f"table {table}: {count} rows before, {new['counts'][table]} after")
    for table in sorted(set(new["counts"]) - set(old["counts"])):
        if new["counts"][table] and table not in NEW_TABLES_MAY_HAVE_ROWS:
            problems.append(f"new table {table} has {new['counts'][table]} rows (expected empty)")

    # Content types and permissions by model name: a moved model keeps one
    # content type (app label updated), not a second one beside a stale first.
    old_models = {model for _, model in old["content_types"]}
    old_ct = Counter(model for _, model in old["content_types"])
    new_ct = Counter(model for _, model in new["content_types"] if model in old_models)
    for model in sorted(old_ct.keys() | new_ct.keys()):
        if old_ct[model] != new_ct[model]:
            labels = [f"{a}.{m}" for a, m in new["content_types"] if m == model]
            problems.append(
                f"content type {model!r}: {old_ct[model]} before, now {labels or 'none'}"
            )
    stale = {tuple(ct) for ct in new["stale_content_types"]} - {
        tuple(ct) for ct in old["stale_content_types"]
    }
    if stale:
        problems.append(
            "content types with no model in the new code (their permissions and grants "
            f"are dead): {_listed(f'{a}.{m}' for a, m in stale)}"
        )
    _multiset(
        problems,
        "permissions (model, codename)",
        old["permissions"],
        [p for p in new["permissions"] if p[0] in old_models],
    )
    _multiset(
        problems,
        "guardian grants (table, user|group, codename, model, object model, object, grantee)",
        old["grants"],
        new["grants"],
    )
    _multiset(problems, "group permissions", old["group_permissions"], new["group_permissions"])
    _multiset(problems, "user permissions", old["user_permissions"], new["user_permissions"])
    _multiset(problems, "group memberships", old["group_members"], new["group_members"])
    forgotten = {tuple(m) for m in old["migrations"]} - {tuple(m) for m in new["migrations"]}
    if forgotten:
        problems.append(f"applied migrations no longer recorded: {_listed(forgotten)}")
    return problems


def compare_walks(old: dict, new: dict, intended=None) -> list[str]:
    problems: list[str] = []
    old_v, new_v = old["visible"], new["visible"]
    for user in sorted(old_v.keys() - new_v.keys()):
        problems.append(f"user {user} is no longer active")
    for user in sorted(new_v.keys() - old_v.keys()):
        problems.append(f"user {user} is newly active")
    for user in sorted(old_v.keys() & new_v.keys()):
        for what, was in sorted(old_v[user].items()):
            now = new_v[user].get(what)
            if now == was:
                continue
            if what.endswith("_detail"):
                now = now or {}
                changed = {k: (was.get(k), now.get(k)) for k in was.keys() | now.keys()}
                changed = {k: v for k, v in changed.items() if v[0] != v[1]}
                problems.append(f"{user} {what} status (before, after): {changed}")
            elif now is None or was["status"] != now["status"]:
                problems.append(f"{user} /api/v1/{what}/: status {was['status']} before, now {now}")
            else:
                lost = set(was["ids"]) - set(now["ids"])
                if intended is not None:
                    lost = {i for i in lost if not intended(user, what, i, old_v[user])}
                gained = set(now["ids"]) - set(was["ids"])
                if lost:
                    problems.append(f"{user} no longer sees {len(lost)} {what}: {_listed(lost)}")
                if gained:
                    problems.append(f"{user} newly sees {len(gained)} {what}: {_listed(gained)}")
    return problems
