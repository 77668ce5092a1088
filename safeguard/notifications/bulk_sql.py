"""Plain multi-row INSERTs for the sweep's hot path.

The ORM's ``bulk_create`` builds a model instance and prepares every value
field by field: at 100k reminders a sweep spent most of its minutes there, and
``executemany`` on Django's client-side-binding psycopg cursor still sends one
statement per row. The sweep knows its values' types, so it prepares them once
and sends multi-row ``VALUES`` lists, with ``ON CONFLICT DO NOTHING`` where a
unique key must make a second writer a no-op. PostgreSQL and SQLite alike.
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
    max_params = connection.features.max_query_params or 30_000
    per_statement = max(1, min(1000, max_params // len(fields)))
    rows = list(rows)
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
