"""Snapshot one Safeguard database for the upgrade test, from outside the code.

Run as a script by ``tests/upgrade/test_upgrade.py``, once with the previous
release's checkout and once with the current one::

    python tests/upgrade/snapshot.py --code OLD --out DIR --tag old prepare sql
    python tests/upgrade/snapshot.py --code OLD --out DIR --tag old walk
    python tests/upgrade/snapshot.py --code NEW --out DIR --tag new sql walk

Each step writes ``DIR/<tag>-<step>.json`` (``prepare``: ``DIR/prepare.json``).

It imports nothing from the project's own apps: models move between apps
across releases (``cases`` -> ``meetings`` / ``summaries``), so everything here
is SQL, Django's and guardian's own models, and the HTTP API (``/api/v1/``),
which every release serves. ``DJANGO_SETTINGS_MODULE`` and ``DATABASE_URL``
come from the caller.

- ``sql``: exact row count of every table; content types and permissions by
  model name (their app label may change); every guardian grant, generic or
  direct-FK, by permission codename and model, object id and grantee name;
  group and user model-level permissions; group memberships; applied
  migrations; content types that no installed model answers to.
- ``prepare`` (previous release only): ask for a PDF case summary through the
  API, so the summary tables hold rows to carry over (the demo seeds none).
- ``walk``: for every active user, signed in with the test client, the ids each
  list endpoint returns (following ``next``), the status of every meeting's
  detail page, and of each prepared summary whose case the user sees.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

LISTS = ("cases", "meetings", "concerns", "referrals")


def setup(code: Path) -> None:
    os.chdir(code)
    sys.path.insert(0, str(code))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    # The walk signs in with force_login: no second factor, no lockout.
    os.environ["TWO_FACTOR_REQUIRED"] = "false"
    import django

    django.setup()
    import logging

    # A 404 is an answer here, not news.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from celery import current_app
    from django.conf import settings
    from django.test.utils import setup_test_environment

    # 'testserver' allowed, e-mail kept in memory.
    setup_test_environment()
    settings.AXES_ENABLED = False
    # Whatever a request queues goes nowhere: never into the CI worker's Redis.
    current_app.conf.broker_url = "memory://"
    current_app.conf.task_always_eager = False


# -- sql ---------------------------------------------------------------------


def _rows(sql: str, params: tuple = ()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _tables_with(*columns: str) -> list[str]:
    found = None
    for column in columns:
        tables = {
            t
            for (t,) in _rows(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND column_name = %s",
                (column,),
            )
        }
        found = tables if found is None else found & tables
    return sorted(found or ())


def sql_snapshot() -> dict:
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    user_model = get_user_model()
    user_table = user_model._meta.db_table
    username = user_model.USERNAME_FIELD
    tables = sorted(
        t for (t,) in _rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    )
    counts = {
        t: _rows(f"SELECT count(*) FROM {connection.ops.quote_name(t)}")[0][0]  # noqa: S608
        for t in tables
    }

    grants: list[list] = []
    q = connection.ops.quote_name
    perm_join = (
        "JOIN auth_permission p ON p.id = g.permission_id "
        "JOIN django_content_type pct ON pct.id = p.content_type_id "
    )
    grantee = {
        "user_id": f"LEFT JOIN {q(user_table)} u ON u.id = g.user_id",
        "group_id": "LEFT JOIN auth_group u ON u.id = g.group_id",
    }
    grantee_name = {"user_id": f"u.{q(username)}", "group_id": "u.name"}
    # Direct-FK tables (CaseGroupObjectPermission...): content_object_id.
    for table in _tables_with("permission_id", "content_object_id"):
        who = "user_id" if table in _tables_with("user_id") else "group_id"
        for row in _rows(
            f"SELECT p.codename, pct.model, '', g.content_object_id::text, "  # noqa: S608
            f"{grantee_name[who]} FROM {q(table)} g {perm_join}{grantee[who]}"
        ):
            grants.append([table, who[:-3], *row])
    # guardian's generic tables: content_type_id + object_pk.
    for table in _tables_with("permission_id", "object_pk", "content_type_id"):
        who = "user_id" if table in _tables_with("user_id") else "group_id"
        for row in _rows(
            f"SELECT p.codename, pct.model, oct.model, g.object_pk, "  # noqa: S608
            f"{grantee_name[who]} FROM {q(table)} g {perm_join}"
            f"JOIN django_content_type oct ON oct.id = g.content_type_id {grantee[who]}"
        ):
            grants.append([table, who[:-3], *row])

    installed = {(m._meta.app_label, m._meta.model_name) for m in apps.get_models()}
    content_types = sorted(ContentType.objects.values_list("app_label", "model"))
    return {
        "counts": counts,
        "content_types": [list(ct) for ct in content_types],
        "stale_content_types": [list(ct) for ct in content_types if ct not in installed],
        "permissions": sorted(
            [m, c] for m, c in Permission.objects.values_list("content_type__model", "codename")
        ),
        "grants": sorted(grants),
        "group_permissions": sorted(
            list(r)
            for r in Group.permissions.through.objects.values_list(
                "group__name", "permission__content_type__model", "permission__codename"
            )
        ),
        "user_permissions": sorted(
            list(r)
            for r in user_model.user_permissions.through.objects.values_list(
                f"{user_model._meta.model_name}__{username}",
                "permission__content_type__model",
                "permission__codename",
            )
        ),
        "group_members": sorted(
            list(r)
            for r in user_model.groups.through.objects.values_list(
                f"{user_model._meta.model_name}__{username}", "group__name"
            )
        ),
        "migrations": sorted(list(r) for r in _rows("SELECT app, name FROM django_migrations")),
        # For the access changes a release means to make (test_upgrade.py,
        # INTENDED_ACCESS_CHANGES): each concern linked to a restricted case.
        "restricted_concern_cases": {
            str(concern): str(case)
            for concern, case in _rows(
                "SELECT concern.id, concern.case_id FROM cases_concern concern"
                " JOIN cases_case c ON c.id = concern.case_id WHERE c.is_restricted"
            )
        },
    }


# -- the API -----------------------------------------------------------------


def _active_users():
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    return list(user_model.objects.filter(is_active=True).order_by(user_model.USERNAME_FIELD))


def _client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _pages(client, path: str) -> Iterator[tuple[int, list]]:
    while path:
        response = client.get(path, HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            yield response.status_code, []
            return
        body = response.json()
        if isinstance(body, list):
            yield 200, body
            return
        yield 200, body["results"]
        nxt = body.get("next")
        path = None
        if nxt:
            parts = urlsplit(nxt)
            path = parts.path + ("?" + parts.query if parts.query else "")


def _list_ids(client, name: str) -> dict:
    ids: list[str] = []
    for status, items in _pages(client, f"/api/v1/{name}/"):
        if status != 200:
            return {"status": status, "ids": []}
        ids.extend(str(item["id"]) for item in items)
    return {"status": 200, "ids": sorted(ids)}


def prepare(wanted: int = 2) -> dict:
    """Ask for a summary of a different case as each of the first users allowed to."""
    summaries: list[list[str]] = []
    asked: set[str] = set()
    for user in _active_users():
        client = _client_for(user)
        for case_id in _list_ids(client, "cases")["ids"]:
            if case_id in asked:
                continue
            response = client.post(
                f"/api/v1/cases/{case_id}/summaries/", {}, content_type="application/json"
            )
            if response.status_code == 202:
                summaries.append([case_id, str(response.json()["id"])])
                asked.add(case_id)
            break  # one try per user: 404 means this user may not ask
        if len(summaries) >= wanted:
            break
    if len(summaries) < wanted:
        raise SystemExit(f"prepare: only {len(summaries)} summaries could be requested")
    return {"summaries": summaries}


def walk(summaries: list[list[str]]) -> dict:
    clients = {user.get_username(): _client_for(user) for user in _active_users()}
    visible = {name: {ls: _list_ids(c, ls) for ls in LISTS} for name, c in clients.items()}
    meetings = sorted({m for seen in visible.values() for m in seen["meetings"]["ids"]})
    # Detail pages ask the single-object checks (guardian's has_perm with the
    # model's app label), which the lists do not: every meeting anyone can
    # list, for every user.
    for name, client in clients.items():
        visible[name]["meeting_detail"] = {
            m: client.get(f"/api/v1/meetings/{m}/").status_code for m in meetings
        }
        # A summary is its requester's alone: asked as everyone who sees its case.
        cases = set(visible[name]["cases"]["ids"])
        visible[name]["summary_detail"] = {
            s: client.get(f"/api/v1/cases/{c}/summaries/{s}/").status_code
            for c, s in summaries
            if c in cases
        }
    return {"visible": visible}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, required=True, help="the checkout to run")
    parser.add_argument("--out", type=Path, required=True, help="folder for <tag>-<step>.json")
    parser.add_argument("--tag", required=True, help="old or new")
    parser.add_argument("steps", nargs="+", choices=["prepare", "walk", "sql"])
    args = parser.parse_args()
    out = args.out.resolve()
    setup(args.code.resolve())
    prepared = out / "prepare.json"  # the previous release's, read by both walks
    for step in args.steps:
        started = time.monotonic()
        if step == "prepare":
            result = prepare()
            target = prepared
        else:
            target = out / f"{args.tag}-{step}.json"
            if step == "sql":
                result = sql_snapshot()
            else:
                summaries = json.loads(prepared.read_text())["summaries"]
                result = walk(summaries)
        target.write_text(json.dumps(result, indent=1, sort_keys=True))
        print(f"{args.tag} {step}: {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
