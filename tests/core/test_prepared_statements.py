"""On PostgreSQL the values are bound by the server and a statement asked
again and again is prepared on its connection (safeguard/settings.py), so a
page read a second time is not parsed and planned from its text again."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def prepared() -> dict[str, tuple[int, int]]:
    """The connection's prepared statements: text -> (generic, custom) plans."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {sql: (generic, custom) for sql, generic, custom in cursor.fetchall()}


def test_a_page_read_again_runs_prepared_statements(client):
    world = World()
    case = open_case_from_concern(world, submit_concern(world))
    client.force_login(world.social_worker)
    for _ in range(8):
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    statements = prepared()
    person = [plans for sql, plans in statements.items() if "signed_in_memberships" in sql]
    assert len(person) == 1, "who is signed in is one statement, prepared"
    generic, custom = person[0]
    assert generic + custom == 3  # run 5 times, then prepared: pages 6 to 8
    # Every value is bound, none written into the text: the same statement
    # serves whoever opens whichever case.
    assert all(str(case.pk) not in sql for sql in statements)


def test_a_statement_with_values_is_one_statement():
    """With server-side binding a statement with parameters cannot carry a
    second one (the scale seed splits its own); asking for that is refused
    by PostgreSQL, not run in part."""
    with connection.cursor() as cursor, pytest.raises(Exception, match="multiple commands"):
        cursor.execute("SELECT %s::int; SELECT 2", [1])
