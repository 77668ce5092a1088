"""Restriction and break-glass over the API: the page's services, permissions
and audit (SPEC 2; issue 16 item 1)."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import selectors
from cases.models import BreakGlass
from safeguard.audit.models import AuditEvent
from safeguard.notifications.models import Notification
from tests.cases.api_world import api, assert_error, case_world, end_police_involvement
from tests.factories import make_user

pytestmark = pytest.mark.django_db

REASON = "Child of a member of staff in the duty team."
GLASS = "Police report the child missing tonight; I need the safety plan now."


@pytest.fixture
def world():
    w = case_world()
    w.manager2 = make_user("manager2@la", w.la, "manager")
    w.named_worker = make_user("named_worker@la", w.la, "social_worker")
    return w


def restrict_url(world):
    return f"/api/v1/cases/{world.case.pk}/restriction/"


def glass_url(world):
    return f"/api/v1/cases/{world.case.pk}/break-glass/"


def restrict(world, user=None, **body):
    body = {"reason": REASON, "named_users": [world.manager.username, "named_worker@la"]} | body
    return api(user or world.manager).post(restrict_url(world), body, format="json")


def sees(user, case):
    return selectors.cases_for(user).filter(pk=case.pk).exists()


def test_a_lead_manager_restricts_and_lifts_over_the_api(world):
    response = restrict(world)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["is_restricted"] is True
    assert body["named_users"] == ["manager@la", "named_worker@la"]
    assert body["restriction_review_due"] is not None
    assert sees(world.named_worker, world.case) and not sees(world.social_worker, world.case)
    row = AuditEvent.objects.get(event="case_restricted")
    assert row.case_id == world.case.pk and row.reason == REASON
    # Already restricted: a conflict, nothing changed.
    assert_error(restrict(world, named_users=["manager@la"]), 409)
    assert sees(world.named_worker, world.case)

    lift = api(world.manager).post(
        restrict_url(world) + "lift/", {"reason": "Staff member left."}, format="json"
    )
    assert lift.status_code == 200, lift.content
    assert lift.json()["is_restricted"] is False and lift.json()["named_users"] == []
    assert lift.json()["restriction_review_due"] is None
    assert sees(world.social_worker, world.case) and sees(world.teacher, world.case)
    assert AuditEvent.objects.get(event="case_restriction_lifted").reason == "Staff member left."
    assert_error(api(world.manager).post(restrict_url(world) + "lift/", {"reason": "again"}), 409)


def test_bad_restrictions_are_refused_with_the_error_body(world):
    assert_error(restrict(world, reason=""), 400, "reason")
    assert_error(restrict(world, reason="Too short."), 400, "reason")
    assert_error(restrict(world, named_users=[]), 400, "named_users")
    # Only the lead agency's social workers and managers can be named, and an
    # unknown account reads the same as a known one from elsewhere.
    for outsider in (world.teacher.username, "nobody@nowhere"):
        assert_error(restrict(world, named_users=[outsider]), 400, "named_users")
    assert not world.case.named_access.exists()
    restrict(world)
    assert_error(api(world.manager).post(restrict_url(world) + "lift/", {}), 400, "reason")


def test_only_lead_managers_who_see_the_case_restrict(world):
    for user in (world.social_worker, world.teacher, world.officer, *world.unrelated_users()):
        assert_error(restrict(world, user), 404)
        assert_error(api(user).post(restrict_url(world) + "lift/", {"reason": "x"}), 404)
    restrict(world, named_users=["named_worker@la"])
    # The manager who restricted it without naming themselves no longer sees it.
    assert_error(api(world.manager).post(restrict_url(world) + "lift/", {"reason": "x"}), 404)


def test_an_ended_involvement_is_told_nothing(world):
    end_police_involvement(world)
    restrict(world)
    officer = api(world.officer)
    assert_error(officer.get(f"/api/v1/cases/{world.case.pk}/"), 404)  # not even the notice
    assert_error(officer.post(glass_url(world), {"reason": GLASS}), 404)
    assert_error(officer.get(glass_url(world)), 404)


def test_break_glass_over_the_api_is_time_limited_audited_and_told(world):
    restrict(world)
    client = api(world.manager2)
    assert_error(client.get(glass_url(world)), 404)  # no access yet
    response = client.post(glass_url(world), {"reason": GLASS}, format="json")
    assert response.status_code == 201, response.content
    glass = response.json()
    assert glass["reference"] == world.case.reference and glass["reason"] == GLASS
    stored = BreakGlass.objects.get(pk=glass["id"])
    assert stored.expires_at - stored.started_at == dt.timedelta(hours=4)
    assert AuditEvent.objects.get(event="break_glass").reason == GLASS
    assert Notification.objects.filter(recipient=world.manager, kind="break_glass").exists()
    # Its expiry, while it lasts; the case is readable, and the read is audited with the reason.
    current = client.get(glass_url(world))
    assert current.status_code == 200 and current.json()["expires_at"] == glass["expires_at"]
    assert client.get(f"/api/v1/cases/{world.case.pk}/").status_code == 200
    views = AuditEvent.objects.filter(username="manager2@la", event="case_viewed_break_glass")
    assert views.get().reason == GLASS
    # The case's parts read as lists carry the reason too.
    assert client.get(f"/api/v1/cases/{world.case.pk}/notes/").status_code == 200
    assert AuditEvent.objects.get(username="manager2@la", event="case_notes_listed").reason == GLASS
    # When the time is up, so is the access.
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_error(client.get(glass_url(world)), 404)
    assert client.get(f"/api/v1/cases/{world.case.pk}/").status_code == 403  # the notice


def test_break_glass_needs_a_reason_and_a_manager_told_of_the_case(world):
    restrict(world)
    assert_error(api(world.manager2).post(glass_url(world), {"reason": "need it"}), 400, "reason")
    assert_error(api(world.manager2).post(glass_url(world), {}), 400, "reason")
    # A social worker is told it exists but may not break glass; outsiders are not told.
    for user in (world.social_worker, world.teacher, *world.unrelated_users()):
        assert_error(api(user).post(glass_url(world), {"reason": GLASS}), 404)
    # Nothing to break on a case you already see, or one that is not restricted.
    assert_error(api(world.manager).post(glass_url(world), {"reason": GLASS}), 404)
    api(world.manager).post(restrict_url(world) + "lift/", {"reason": "Staff member left."})
    assert_error(api(world.manager2).post(glass_url(world), {"reason": GLASS}), 404)
    assert not BreakGlass.objects.exists()
