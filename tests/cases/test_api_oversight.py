"""Who has viewed a case, and why a person can see it, over the API: the lead
agency's managers and auditors only, every read audited (SPEC 2, 3.9)."""

import pytest

from safeguard.audit.models import AuditEvent
from tests.cases.api_world import api, assert_error, audit_rows, case_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return case_world()


def log_url(world):
    return f"/api/v1/cases/{world.case.pk}/access-log/"


def who_url(world, username=""):
    return f"/api/v1/cases/{world.case.pk}/who-can-see/?username={username}"


def test_the_lead_agencys_overseers_read_who_has_viewed_the_case(world):
    assert api(world.teacher).get(f"/api/v1/cases/{world.case.pk}/").status_code == 200
    for user in (world.manager, world.auditor):
        response = api(user).get(log_url(world))
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) >= {"next", "previous", "results"}
        viewed = [r for r in body["results"] if r["event"] == "case_viewed"]
        assert viewed[0]["username"] == "practitioner@school"
        assert "Amelia" not in response.content.decode()  # who looked, never what
        (row,) = audit_rows("access_log_viewed", user)
        assert row.case_id == world.case.pk


def test_they_are_told_why_a_person_can_see_it(world):
    response = api(world.auditor).get(who_url(world, "practitioner@police"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["account_found"] is True
    assert [r["level"] for r in body["reasons"]] == ["involved"]
    unknown = api(world.auditor).get(who_url(world, "nobody@nowhere")).json()
    assert unknown == {"username": "nobody@nowhere", "account_found": False, "reasons": []}
    outsider = api(world.auditor).get(who_url(world, "practitioner@other-school")).json()
    assert outsider["account_found"] is True and outsider["reasons"] == []
    abouts = [r.detail["about"] for r in audit_rows("access_explained", world.auditor)]
    assert abouts == ["practitioner@police", "nobody@nowhere", "practitioner@other-school"]
    assert_error(api(world.auditor).get(who_url(world)), 400, "username")


def test_nobody_else_oversees_the_case(world):
    for user in (world.social_worker, world.teacher, world.officer, *world.unrelated_users()):
        assert_error(api(user).get(log_url(world)), 404)
        assert_error(api(user).get(who_url(world, "practitioner@police")), 404)
    assert not AuditEvent.objects.filter(event__in=["access_log_viewed", "access_explained"])
