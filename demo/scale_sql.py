"""SQL helpers for ``seed_scale``'s bulk loading (PostgreSQL)."""

from __future__ import annotations

import json

from django.db.models import JSONField
from django.utils import timezone


def insert_select(cursor, model, given: dict[str, str], rest: str, params=None) -> None:
    """``INSERT INTO model (...) SELECT <given>, <defaults> <rest>``: the columns
    not given take the field's default as Django would write it (auto_now
    columns: now)."""
    now = timezone.now()
    columns, values, defaults = [], [], []
    for f in model._meta.concrete_fields:
        if f.column in given:
            columns.append(f.column)
            values.append(given[f.column])
            continue
        if f.primary_key and f.get_internal_type() in ("AutoField", "BigAutoField"):
            continue  # the sequence gives it
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_default()
            if isinstance(f, JSONField):
                value = json.dumps(value)
        elif f.null:
            value = None
        elif f.empty_strings_allowed:
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{f.name} needs a value")
        columns.append(f.column)
        values.append("%s::jsonb" if isinstance(f, JSONField) else "%s")
        defaults.append(value)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} {rest}"
    )
    cursor.execute(sql, defaults + list(params or []))


def uuid_literal(value) -> str:
    """An id of ours as an SQL literal (never user input)."""
    return f"'{value}'::uuid"


def permission_ids(cursor, app_label: str, codenames: list[str]) -> dict[str, int]:
    cursor.execute(
        "SELECT p.codename, p.id FROM auth_permission p JOIN django_content_type t "
        "ON t.id = p.content_type_id WHERE t.app_label = %s AND p.codename = ANY(%s)",
        [app_label, codenames],
    )
    return dict(cursor.fetchall())


def drop_constraints_and_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop every index, unique constraint and foreign key on ``tables`` but
    the primary keys (other tables' foreign keys point at them); return the
    SQL that puts them back (constraints after indexes, so a foreign key
    finds the index it may lean on)."""
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
        "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')",
        [tables],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
        [tables],
    )
    indexes = cursor.fetchall()
    # Foreign keys first (a unique constraint may be what one of them needs).
    for table, name, _definition, _kind in sorted(constraints, key=lambda c: c[3] != "f"):
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for _table, name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    restore = [definition for _t, _n, definition in indexes]
    restore += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, kind in sorted(constraints, key=lambda c: c[3] == "f")
    ]
    return restore
