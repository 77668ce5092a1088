"""Indexes for the matcher's blocking queries (cases.matching.blocking_queries).

Each blocking key is its own bounded query; these make each one an index range
scan that stops after its limit, at a million children as at a thousand:

- date of birth alone, and its likely typos;
- a surname's (or first name's) phonetic key with the nearest dates of birth;
- the whole name's keys within a birth year (either way round).

They are created with raw SQL and are not in the model state (the model is
being split into a package on another branch): ``makemigrations`` does not see
them. Once ``cases/models`` settles they can move into ``Child.Meta.indexes``
with a ``SeparateDatabaseAndState`` migration of the same names. On PostgreSQL
they are built ``CONCURRENTLY``, so a live table keeps taking writes.
"""

from django.db import migrations

INDEXES = {
    "cases_child_match_dob": "date_of_birth",
    "cases_child_match_last_dob": "last_name_key, date_of_birth",
    "cases_child_match_first_dob": "first_name_key, date_of_birth",
    "cases_child_match_names_dob": "last_name_key, first_name_key, date_of_birth",
}


def _concurrently(schema_editor) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def create_indexes(apps, schema_editor):
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX{_concurrently(schema_editor)} IF NOT EXISTS {name} "
            f"ON cases_child ({columns})"
        )


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX{_concurrently(schema_editor)} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("cases", "0015_meetings_and_summaries_move_out"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
