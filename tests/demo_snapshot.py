"""The demo world (``seed_demo``), built once per test database and copied back
for each test that asks for it.

Building Northshire takes ~12 s (thousands of service calls, grants, audit
rows); copying its rows back takes a fraction of a second. On PostgreSQL the
first test that asks builds it and keeps a copy of every table in its own
schema; each test then gets exactly the rows ``seed_demo`` wrote, primary keys
and all. The copy is taken between tests, outside any test's transaction, and
the database is put back as it was before, so tests that do not ask for the
demo never see it, and a test that does cannot see another's leftovers: the
tables are emptied before the copy goes back in.

On SQLite (a laptop) this simply runs ``seed_demo``, as the tests did before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings

# What the shared copy was seeded with. A test that wants another password or
# hasher gets a real ``seed_demo`` instead of the copy.
PASSWORD = "e2e-demo-password"
HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SCHEMA = "demo_snapshot"
BASE_SCHEMA = "demo_snapshot_base"


@dataclass
class Snapshot:
    tables: list[str] = field(default_factory=list)
    # Per table, the columns to copy (stored generated columns are recomputed).
    columns: dict[str, str] = field(default_factory=dict)
    # Tables whose own trigger refuses DELETE (the audit log's guard): emptied
    # with TRUNCATE, which row triggers do not see.
    guarded: list[str] = field(default_factory=list)

    @classmethod
    def build(cls) -> Snapshot:
        """Seed, copy every table aside, then put the database back as it was."""
        snapshot = cls()
        with connection.cursor() as cursor:
            snapshot.tables = sorted(
                connection.introspection.django_table_names(only_existing=True)
            )
            for table in snapshot.tables:
                cursor.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = %s "
                    "AND is_generated = 'NEVER' ORDER BY ordinal_position",
                    [table],
                )
                names = [connection.ops.quote_name(row[0]) for row in cursor.fetchall()]
                snapshot.columns[table] = ", ".join(names)
            # tgtype bit 8: the trigger fires on DELETE; bit 2: before it, so
            # it can refuse it (an AFTER trigger, such as the open-case
            # counts', only follows it).
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgtype & 8 = 8 AND t.tgtype & 2 = 2"
            )
            guarded = {row[0] for row in cursor.fetchall()}
            snapshot.guarded = [table for table in snapshot.tables if table in guarded]
        snapshot._copy_out(BASE_SCHEMA)
        with override_settings(DEMO_PASSWORD=PASSWORD, PASSWORD_HASHERS=HASHERS):
            call_command("seed_demo", verbosity=0)
        snapshot._copy_out(SCHEMA)
        snapshot._copy_in(BASE_SCHEMA)
        return snapshot

    def restore(self) -> None:
        """The database as ``seed_demo`` left it, whatever was there before."""
        self._copy_in(SCHEMA)

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for schema in (SCHEMA, BASE_SCHEMA):
                cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    def _copy_out(self, schema: str) -> None:
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            cursor.execute(f"CREATE SCHEMA {schema}")
            for table in self.tables:
                # Names from introspection, quoted: no user input here.
                select = f"SELECT {self.columns[table]} FROM {quote(table)}"  # noqa: S608
                cursor.execute(f"CREATE TABLE {schema}.{quote(table)} AS {select}")

    def _copy_in(self, schema: str) -> None:
        quote = connection.ops.quote_name
        # Foreign keys are DEFERRABLE INITIALLY DEFERRED (Django's default on
        # PostgreSQL), so table order does not matter inside one transaction.
        # DELETE, not TRUNCATE: truncating the ~80 tables gave each table and
        # index a new file, 0.3 s of every test that asks for the demo, where
        # deleting their few thousand rows takes a few milliseconds. The
        # guarded tables come first: TRUNCATE refuses a table with pending
        # foreign-key checks, which the deletes would leave.
        with transaction.atomic(), connection.cursor() as cursor:
            # Rows put back as they were, without the triggers that derive
            # rows from them: the open-case counts (oversight.caseloads) are
            # copied back as a table, and appending to them as the cases go
            # and come back would count every case twice.
            cursor.execute("SET LOCAL session_replication_role = replica")
            if self.guarded:
                cursor.execute("TRUNCATE " + ", ".join(quote(t) for t in self.guarded))
            for table in self.tables:
                if table not in self.guarded:
                    cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            for table in self.tables:
                columns = self.columns[table]
                select = f"SELECT {columns} FROM {schema}.{quote(table)}"  # noqa: S608
                cursor.execute(f"INSERT INTO {quote(table)} ({columns}) {select}")
            # Rows came back with their own ids: each sequence goes on from
            # the highest, wherever a flush between tests left it (a trigger's
            # rows, oversight_opencasecount's, are the first written with
            # ids taken from a sequence right after a restore).
            models = [m for m in apps.get_models() if m._meta.db_table in self.tables]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        # Content type ids are the copy's now, not the ones cached in this process.
        ContentType.objects.clear_cache()


def can_snapshot() -> bool:
    return connection.vendor == "postgresql"


def matches_snapshot() -> bool:
    return settings.DEMO_PASSWORD == PASSWORD and list(settings.PASSWORD_HASHERS) == HASHERS
