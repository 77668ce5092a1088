"""Notifications over the API, as the notifications page has them: only your
own, newest first, unread ones on their own; reading one reads its group."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from safeguard.notifications.models import Notification
from safeguard.notifications.services import notify
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def tell(user, key: str, title: str, reference: str = "CAS-2026-000001", kind="action_added"):
    notify(
        recipients=[user],
        kind=kind,
        dedupe_key=key,
        title=title,
        reference=reference,
        link_path="/cases/",
    )


def every(client, url: str) -> list[dict]:
    rows = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url = response.json()["next"]
    return rows


def test_a_worker_reads_their_notifications_newest_first_and_reading_one_reads_its_group(world):
    tell(world.social_worker, "a1", "Action 1 added")
    tell(world.social_worker, "a2", "Action 2 added")
    tell(world.social_worker, "m1", "Meeting arranged", reference="MTG-2026-000001", kind="meeting")
    tell(world.teacher, "t1", "Not the social worker's")
    client = api(world.social_worker)

    rows = every(client, "/api/v1/notifications/")
    assert [r["title"] for r in rows] == ["Meeting arranged", "Action 2 added", "Action 1 added"]
    assert all(r["read_at"] is None for r in rows)

    # Reading one "new action" reads both (the page's one line for them), not the meeting.
    first = next(r for r in rows if r["title"] == "Action 1 added")
    response = client.post(f"/api/v1/notifications/{first['id']}/read/")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    unread = every(client, "/api/v1/notifications/?unread=true")
    assert [r["title"] for r in unread] == ["Meeting arranged"]
    read = every(client, "/api/v1/notifications/?unread=false")
    assert {r["title"] for r in read} == {"Action 1 added", "Action 2 added"}


def test_another_persons_notification_is_not_found_and_stays_unread(world):
    tell(world.teacher, "t1", "The teacher's")
    theirs = Notification.objects.get(recipient=world.teacher)
    client = api(world.social_worker)
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert every(client, "/api/v1/notifications/") == []
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_bad_filters_and_anonymous_callers_are_refused(world):
    response = api(world.social_worker).get("/api/v1/notifications/?unread=perhaps")
    assert response.status_code == 400 and "unread" in response.json()["errors"]
    assert APIClient().get("/api/v1/notifications/").status_code == 401


def test_the_list_pages_by_cursor_in_a_fixed_number_of_queries(
    world, monkeypatch, django_assert_max_num_queries
):
    from safeguard.core.pagination import KeysetCursorPagination

    monkeypatch.setattr(KeysetCursorPagination, "page_size", 2)
    for n in range(5):
        tell(world.social_worker, f"n{n}", f"Note {n}", reference=f"CAS-2026-00000{n}")
    client = api(world.social_worker)
    client.get("/api/v1/notifications/")  # the token's first use of the day
    url, seen = "/api/v1/notifications/", []
    while url:
        with django_assert_max_num_queries(6):
            body = client.get(url).json()
        seen += [r["title"] for r in body["results"]]
        url = body["next"]
    assert seen == [f"Note {n}" for n in reversed(range(5))]


def test_your_account_says_who_you_are_and_keeps_your_reminder_choice(world):
    client = api(world.social_worker)
    me = client.get("/api/v1/account/").json()
    assert me["username"] == "social_worker@la"
    assert me["memberships"] == [
        {"agency": "la-csc", "agency_name": "Lead Children's Services", "role": "social_worker"}
    ]
    key = Token.objects.get(user=world.social_worker).key
    assert me["token"]["ends"] == key[-4:]

    changed = client.patch("/api/v1/account/", {"reminder_email": "daily_digest"}, format="json")
    assert changed.status_code == 200 and changed.json()["reminder_email"] == "daily_digest"
    assert client.get("/api/v1/account/").json()["reminder_email"] == "daily_digest"
    refused = client.patch("/api/v1/account/", {"reminder_email": "never"}, format="json")
    assert refused.status_code == 400 and "reminder_email" in refused.json()["errors"]


def test_revoking_your_token_over_the_api_ends_it_and_is_audited(world):
    from safeguard.audit.models import AuditEvent

    client = api(world.social_worker)
    assert client.post("/api/v1/account/token/revoke/").status_code == 204
    assert client.get("/api/v1/account/").status_code == 401
    assert not Token.objects.filter(user=world.social_worker).exists()
    assert AuditEvent.objects.filter(
        event="api_token_revoked", detail__for="social_worker@la"
    ).exists()


def test_a_patch_that_changes_nothing_leaves_the_choice_as_it_was(world):
    client = api(world.social_worker)
    before = client.get("/api/v1/account/").json()["reminder_email"]
    response = client.patch("/api/v1/account/", {}, format="json")
    assert response.status_code == 200 and response.json()["reminder_email"] == before
