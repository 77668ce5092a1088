"""Allocation and hand-written chronology entries over the API: the page's
services, permissions and audit (SPEC 3.3, 6; issue 16 item 1)."""

import datetime as dt

import pytest
from django.utils import timezone

from agencies.models import Team
from cases.models import ChronologyEntry
from safeguard.audit.models import AuditEvent
from safeguard.notifications.models import Notification
from tests.cases.api_world import api, assert_error, case_world, end_police_involvement
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = case_world()
    w.worker2 = make_user("worker2@la", w.la, "social_worker")
    w.team = Team.objects.create(agency=w.la, name="Assessment team", manager=w.manager)
    w.team.members.set([w.worker2])
    return w


def allocation_url(world):
    return f"/api/v1/cases/{world.case.pk}/allocation/"


def chronology_url(world):
    return f"/api/v1/cases/{world.case.pk}/chronology/"


# Allocation ---------------------------------------------------------------------


def test_a_manager_allocates_and_the_worker_is_told(world):
    response = api(world.manager).post(
        allocation_url(world), {"worker": "worker2@la", "team": str(world.team.pk)}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["allocated_worker"] == "worker2@la" and body["team_name"] == "Assessment team"
    assert response["ETag"] == f'"{world.case.pk}-v{body["version"]}"'
    world.case.refresh_from_db()
    assert world.case.allocated_worker == world.worker2
    assert Notification.objects.filter(recipient=world.worker2, kind="allocation").exists()
    assert AuditEvent.objects.filter(event="case_allocated", case_id=world.case.pk).exists()


def test_a_stale_allocation_is_refused_with_the_current_one(world):
    first = api(world.manager).post(allocation_url(world), {"worker": "worker2@la"})
    stale_etag = f'"{world.case.pk}-v{first.json()["version"] - 1}"'
    response = api(world.manager).post(
        allocation_url(world), {"worker": "social_worker@la"}, HTTP_IF_MATCH=stale_etag
    )
    body = assert_error(response, 412)
    assert body["current"]["allocated_worker"] == "worker2@la"
    world.case.refresh_from_db()
    assert world.case.allocated_worker == world.worker2
    fresh = api(world.manager).post(
        allocation_url(world), {"worker": "social_worker@la"}, HTTP_IF_MATCH=first["ETag"]
    )
    assert fresh.status_code == 200 and fresh.json()["allocated_worker"] == "social_worker@la"


def test_bad_allocations_are_refused_with_the_error_body(world):
    client = api(world.manager)
    assert_error(client.post(allocation_url(world), {}), 400, "worker")
    for outsider in ("practitioner@school", "nobody@nowhere", "auditor@la"):
        assert_error(client.post(allocation_url(world), {"worker": outsider}), 400, "worker")
    other_team = Team.objects.create(agency=world.other_la, name="Theirs")
    body = {"worker": "worker2@la", "team": str(other_team.pk)}
    assert_error(client.post(allocation_url(world), body), 400, "team")
    # The worker must be in the team.
    body = {"worker": "social_worker@la", "team": str(world.team.pk)}
    assert_error(client.post(allocation_url(world), body), 400, "worker")
    world.case.refresh_from_db()
    assert world.case.allocated_worker is None


def test_only_lead_managers_allocate(world):
    for user in (world.social_worker, world.teacher, world.officer, *world.unrelated_users()):
        assert_error(api(user).post(allocation_url(world), {"worker": "worker2@la"}), 404)
    world.case.refresh_from_db()
    assert world.case.allocated_worker is None


# Chronology entries by hand ------------------------------------------------------


def test_any_agency_on_the_case_adds_to_the_chronology(world):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = api(world.officer).post(
        chronology_url(world),
        {"occurred_on": yesterday, "title": "Called to the house", "body": "Raised voices."},
        format="json",
    )
    assert response.status_code == 201, response.content
    entry = ChronologyEntry.objects.get(pk=response.json()["id"])
    assert entry.agency == world.police and entry.visibility == "shared"
    assert timezone.localtime(entry.occurred_at).hour == 12  # a day alone is midday
    assert AuditEvent.objects.filter(event="chronology_entry_added", case_id=world.case.pk)
    listed = api(world.teacher).get(chronology_url(world)).json()["results"]
    assert response.json()["id"] in {e["id"] for e in listed}

    kept = api(world.social_worker).post(
        chronology_url(world),
        {"occurred_on": yesterday, "title": "Strategy discussion", "lead_only": True},
        format="json",
    )
    assert kept.status_code == 201 and kept.json()["visibility"] == "lead_only"
    listed = api(world.teacher).get(chronology_url(world)).json()["results"]
    assert kept.json()["id"] not in {e["id"] for e in listed}


def test_bad_chronology_entries_are_refused_with_the_error_body(world):
    client = api(world.officer)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert_error(client.post(chronology_url(world), {}), 400, "occurred_on", "title")
    for day in (tomorrow, "1899-12-31", "2026-02-30"):
        body = {"occurred_on": day, "title": "x"}
        assert_error(client.post(chronology_url(world), body), 400, "occurred_on")
    today = timezone.localdate().isoformat()
    body = {"occurred_on": today, "title": "x", "lead_only": True}
    assert_error(client.post(chronology_url(world), body, format="json"), 400, "lead_only")
    body = {"occurred_on": today, "title": "x", "agency": "la-csc"}
    assert_error(client.post(chronology_url(world), body), 400, "agency")
    assert not ChronologyEntry.objects.filter(created_by=world.officer).exists()


def test_a_chronology_you_cannot_see_takes_nothing(world):
    body = {"occurred_on": timezone.localdate().isoformat(), "title": "x"}
    for user in world.unrelated_users():
        assert_error(api(user).post(chronology_url(world), body), 404)
    end_police_involvement(world)
    assert_error(api(world.officer).post(chronology_url(world), body), 404)
    assert not ChronologyEntry.objects.filter(title="x").exists()
