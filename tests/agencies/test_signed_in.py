"""Who is signed in is read with their roles and unread count in one
statement (agencies/signed_in.py), and never from an earlier request's copy:
a membership ended, a notification arrived or an account deactivated shows
on the very next page."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Membership
from agencies.services import membership_add, membership_deactivate
from agencies.signed_in import parse_memberships
from safeguard.notifications.services import notify
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def statements(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_page_reads_the_person_their_roles_and_unread_count_in_one_statement(client, world):
    client.force_login(world.manager)
    response, sqls = statements(client, "/cases/")
    assert response.status_code == 200
    people = [s for s in sqls if s.startswith('SELECT "auth_user"."id"')]
    assert len(people) == 1 and "signed_in_memberships" in people[0]
    # Neither read on its own any more.
    assert not [s for s in sqls if s.startswith('SELECT "agencies_membership"."role"')]
    assert not [s for s in sqls if 'COUNT(*) AS "__count" FROM "notifications_notification"' in s]


def test_an_ended_membership_is_gone_on_the_next_page(client, world):
    client.force_login(world.manager)
    page = client.get("/").content.decode()
    assert 'href="/dashboard/"' in page
    assert client.get("/dashboard/").status_code == 200

    membership = Membership.objects.get(user=world.manager, agency=world.la, role="manager")
    membership_deactivate(acting_user=world.la_admin, membership=membership)

    page = client.get("/").content.decode()
    assert 'href="/dashboard/"' not in page
    assert client.get("/dashboard/").status_code == 404


def test_a_role_given_shows_on_the_next_page(client, world):
    client.force_login(world.social_worker)
    assert 'href="/dashboard/"' not in client.get("/").content.decode()
    membership_add(
        acting_user=world.la_admin, user=world.social_worker, agency=world.la, role="manager"
    )
    assert 'href="/dashboard/"' in client.get("/").content.decode()


def test_the_unread_badge_counts_what_arrived_since_the_last_page(client, world):
    client.force_login(world.social_worker)
    assert "unread</span>" not in client.get("/cases/").content.decode()
    for n in range(3):
        notify(
            recipients=[world.social_worker],
            kind="action_added",
            dedupe_key=f"test-{n}",
            title=f"Action {n}",
            link_path="/cases/",
        )
    page = client.get("/cases/").content.decode()
    badge = '<span class="govuk-visually-hidden"> </span>3<span class="govuk-visually-hidden">'
    assert badge + " unread</span>" in page


def test_a_deactivated_account_is_signed_out_on_the_next_request(client, world):
    client.force_login(world.social_worker)
    assert client.get("/cases/").status_code == 200
    world.social_worker.is_active = False
    world.social_worker.save(update_fields=["is_active"])
    response = client.get("/cases/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_memberships_read_back_from_either_databases_text():
    agency = uuid.uuid4()
    # PostgreSQL casts a uuid with hyphens, SQLite stores 32 hex digits.
    for text in (str(agency), agency.hex):
        assert parse_memberships(
            f"manager|la-csc|social_care|{text};chair|la-csc|social_care|{text}"
        ) == [
            ("manager", "la-csc", "social_care", agency),
            ("chair", "la-csc", "social_care", agency),
        ]
    assert parse_memberships(None) == []


@pytest.mark.postgres  # compiled once on PostgreSQL; the SQLite demo compiles each time
def test_the_statement_compiled_once_is_bound_to_each_persons_own_id(world):
    """Compiled by the ORM once per process (safeguard.core.compiled), then
    bound per request: one person's read never carries another's roles."""
    from django.db.models.sql.query import Query

    from agencies.signed_in import SignedInUserBackend

    backend = SignedInUserBackend()
    backend.get_user(world.manager.pk)
    compiled = []
    original = Query.sql_with_params

    def counting(self):
        compiled.append(self.model)
        return original(self)

    Query.sql_with_params = counting
    try:
        read = {
            person.username: backend.get_user(person.pk)
            for person in (world.teacher, world.manager, world.officer)
        }
    finally:
        Query.sql_with_params = original
    assert compiled == []
    assert {name: [m[1] for m in user.preloaded_memberships] for name, user in read.items()} == {
        "practitioner@school": ["school"],
        "manager@la": ["la-csc"],
        "practitioner@police": ["police"],
    }
    assert backend.get_user(-1) is None
