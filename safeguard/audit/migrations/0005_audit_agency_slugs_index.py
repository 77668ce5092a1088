"""An index of the agencies each audit row's actor belonged to, for the audit
search (``acting_for``): a school's or a police force's auditor asks for the
rows of their own agency's people, a few thousand among ten million, and
without it PostgreSQL could only walk the whole log to find them (2 s at 1.6
million rows; ``bench/RESULTS.md``, session 21).

A GIN index of ``string_to_array(agency_slugs, ',')``, the expression
``models.AgencySlugs`` writes, so a person of two agencies is found under
each. ``fastupdate`` is off: every page read writes an audit row, and the
pending list's occasional flush would fall on one of those requests. Built
``CONCURRENTLY`` on PostgreSQL, so a live log keeps taking rows; SQLite (the
demo) matches slugs with ``LIKE`` and needs no index.

And a fuller sample of who made the rows (``user_id``'s statistics): with the
default, a school's six people were each guessed to have made a thousand
rows, and PostgreSQL walked the whole log newest first expecting to meet them
soon (0.8 s for their two rows); sampled, it reads their rows off the indexes.
"""

from django.db import migrations

NAME = "audit_agency_slugs_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON audit_auditevent "
            "USING gin (string_to_array(agency_slugs, ',')) WITH (fastupdate = off)"
        )
        schema_editor.execute(
            "ALTER TABLE audit_auditevent ALTER COLUMN user_id SET STATISTICS 1000"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ALTER COLUMN user_id SET STATISTICS -1")
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("audit", "0004_audit_fewer_indexes"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
