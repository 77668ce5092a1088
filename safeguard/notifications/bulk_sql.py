"""Plain multi-row INSERTs for the sweep's hot path.

The ORM's ``bulk_create`` builds a model instance and prepares every value
field by field: at 100k reminders a sweep spent most of its minutes there. The
sweep knows its values' types, so it prepares them once and inserts plain
rows, with ``ON CONFLICT DO NOTHING`` where a unique key must make a second
writer a no-op: on PostgreSQL one prepared statement with the rows pipelined
(Django's own cursor binds on the client and re-parses a long statement per
batch), on SQLite multi-row ``VALUES`` lists.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from django.db import connection, models


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    ignore_conflicts: bool = False,
) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    rows = list(rows)
    if not rows:
        return
    if connection.vendor == "postgresql":
        _insert_pipelined(model, columns, one_row, rows, ignore_conflicts=ignore_conflicts)
        return
    max_params = connection.features.max_query_params or 30_000
    per_statement = max(1, min(1000, max_params // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = (
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608 - names from the model; values are bound
                f"VALUES {', '.join([one_row] * len(chunk))}"
            )
            if ignore_conflicts:
                sql += " ON CONFLICT DO NOTHING"
            cursor.execute(sql, [value for row in chunk for value in row])


def db_uuid(value: uuid.UUID):
    return value if connection.features.has_native_uuid_field else value.hex


def db_datetime(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _insert_pipelined(
    model: type[models.Model], columns: str, one_row: str, rows: list, *, ignore_conflicts: bool
) -> None:
    """PostgreSQL: one prepared statement, rows pipelined with server-side binding.

    Django's psycopg cursor binds on the client, re-parsing a statement per
    row; a plain psycopg cursor on the same connection (and transaction)
    prepares once and streams the rows.
    """
    import psycopg

    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES {one_row}"  # noqa: S608 - names from the model; values bound
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.executemany(sql, rows)
