"""API tokens end: they expire, and password changes, lockouts and the end of a
person's last membership revoke them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from safeguard.audit.models import AuditEvent
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def api_get(client, key):
    return client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {key}")


def issue(client, user) -> str:
    client.force_login(user)
    response = client.post("/accounts/profile/", {"action": "issue"})
    client.logout()
    return response.context["new_key"]


def test_a_token_works_until_it_expires_and_the_account_page_says_when(client, world, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 90
    settings.API_TOKEN_IDLE_DAYS = 120  # the lifetime alone, here
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        key = issue(client, world.social_worker)
        assert api_get(client, key).status_code == 200
        client.force_login(world.social_worker)
        page = client.get("/accounts/profile/").content.decode()
        assert "It expires on 1 March 2027." in page
        client.logout()
        clock.move_to(start + dt.timedelta(days=89, hours=23))
        assert api_get(client, key).status_code == 200
        clock.move_to(start + dt.timedelta(days=90))
        response = api_get(client, key)
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]


def test_changing_the_password_revokes_the_token(client, world):
    key = issue(client, world.social_worker)
    client.force_login(world.social_worker)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert api_get(client, key).status_code == 401
    assert AuditEvent.objects.filter(event="api_token_revoked", detail__why="password changed")


@pytest.mark.lockout
def test_a_lockout_revokes_the_token_and_says_so(client, world, settings):
    from safeguard.notifications.models import Notification

    key = issue(client, world.social_worker)
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": world.social_worker.username, "password": "x"})
    assert api_get(client, key).status_code == 401
    note = Notification.objects.get(recipient=world.social_worker, kind="sign_in_locked")
    assert "Your API token has been revoked." in note.title


def test_ending_the_last_membership_revokes_the_token(client, world):
    from agencies.models import Membership
    from agencies.services import membership_deactivate

    key = issue(client, world.officer)
    membership = Membership.objects.get(user=world.officer, is_active=True)
    police_admin = world.officer.__class__.objects.create_user("admin@police", password=PASSWORD)
    from agencies.services import membership_add

    membership_add(acting_user=None, user=police_admin, agency=world.police, role="agency_admin")
    membership_deactivate(acting_user=police_admin, membership=membership)
    assert not Token.objects.filter(key=key).exists()
    assert api_get(client, key).status_code == 401


def test_issue_token_replaces_an_expired_token(world, capsys, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 1
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        call_command("issue_token", world.social_worker.username)
        first = capsys.readouterr().out.strip()
        call_command("issue_token", world.social_worker.username)
        assert capsys.readouterr().out.strip() == first  # still valid: the same token
        clock.shift(dt.timedelta(days=2))
        call_command("issue_token", world.social_worker.username)
        assert capsys.readouterr().out.strip() != first


def _used_rows(user):
    return AuditEvent.objects.filter(event="api_token_used", user=user)


def test_token_use_is_audited_once_a_day_and_shown_on_the_account_page(client, world):
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        key = issue(client, world.social_worker)
        client.force_login(world.social_worker)
        page = client.get("/accounts/profile/").content.decode()
        assert 'data-testid="token-last-used">Never<' in page
        client.logout()
        for minutes in (0, 1, 5, 30):
            clock.move_to(start + dt.timedelta(minutes=minutes))
            assert api_get(client, key).status_code == 200
        # One row for the day, naming the token by its last characters, never whole.
        row = _used_rows(world.social_worker).get()
        assert row.detail == {"token": f"…{key[-4:]}", "day": "2026-12-01"}
        assert key not in str(row.detail)
        # Every content read is audited as well, under the same person.
        assert (
            AuditEvent.objects.filter(user=world.social_worker, event="cases_listed").count() == 4
        )
        use = Token.objects.get(key=key).use
        assert use.last_used_at == start + dt.timedelta(minutes=30)
        assert use.last_used_from == "127.0.0.1"

        clock.move_to(start + dt.timedelta(minutes=30, seconds=20))
        api_get(client, key)  # within the minute: no write for the time
        assert Token.objects.get(key=key).use.last_used_at == start + dt.timedelta(minutes=30)

        clock.move_to(start + dt.timedelta(days=1))
        api_get(client, key)
        api_get(client, key)
        assert _used_rows(world.social_worker).count() == 2
        client.force_login(world.social_worker)
        page = client.get("/accounts/profile/").content.decode()
        assert "2 December 2026 at 09:00 from 127.0.0.1" in page
        # Unused from now, it would stop working 30 days on.
        assert "On 1 January 2027, if not used for 30 days" in page


def test_a_token_left_unused_past_the_idle_timeout_is_refused(client, world, settings):
    settings.API_TOKEN_IDLE_DAYS = 30
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        key = issue(client, world.social_worker)
        # Never used: the idle time counts from its creation.
        clock.move_to(start + dt.timedelta(days=29, hours=23))
        assert api_get(client, key).status_code == 200
        # Used: it counts from the last use.
        clock.move_to(start + dt.timedelta(days=59, hours=22))
        assert api_get(client, key).status_code == 200
        clock.move_to(start + dt.timedelta(days=89, hours=22, minutes=1))
        response = api_get(client, key)
        assert response.status_code == 401
        assert response.json() == {
            "detail": "Your API token was not used for 30 days and has lapsed. "
            "Create a new one on your account page.",
            "errors": {},
        }
        # A refused call is not a use: it stays lapsed.
        assert api_get(client, key).status_code == 401
        client.force_login(world.social_worker)
        page = client.get("/accounts/profile/").content.decode()
        assert "It lapsed on 1 March 2027 after 30 days unused" in page


def test_a_never_used_token_lapses_after_the_idle_timeout(client, world, settings):
    settings.API_TOKEN_IDLE_DAYS = 30
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        key = issue(client, world.social_worker)
        clock.move_to(start + dt.timedelta(days=30))
        assert api_get(client, key).status_code == 401


def test_the_account_page_lists_the_token_and_revokes_it(client, world):
    key = issue(client, world.social_worker)
    assert api_get(client, key).status_code == 200
    client.force_login(world.social_worker)
    page = client.get("/accounts/profile/").content.decode()
    assert 'data-testid="token-list"' in page and f"<code>{key[-4:]}</code>" in page
    response = client.post("/accounts/profile/", {"action": "revoke"}, follow=True)
    assert "Your API token has been revoked." in response.content.decode()
    assert "You have no API token." in response.content.decode()
    assert AuditEvent.objects.filter(event="api_token_revoked", user=world.social_worker)
    client.logout()
    assert api_get(client, key).status_code == 401


def test_token_authentication_costs_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    key = issue(client, world.social_worker)
    api_get(client, key)  # the first use of the day writes its rows
    with django_assert_max_num_queries(12):
        assert api_get(client, key).status_code == 200
