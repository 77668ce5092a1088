"""The meetings API: the same rules as the pages, through the same services."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from cases.models import Plan
from meetings.models import Meeting
from tests.factories import World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import (
    LONDON,
    STRATEGY_DAY,
    at,
    held_strategy_discussion,
    travel,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        w = World()
        w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
    w.strategy = held_strategy_discussion(w, w.case)
    return w


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_conference_run_through_the_api(world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        chair = api(world.chair)
        created = chair.post(
            "/api/v1/meetings/",
            {
                "kind": "icpc",
                "cases": [str(world.case.pk)],
                "chair": world.chair.username,
                "scheduled_at": at(dt.date(2026, 12, 22)).isoformat(),
                "location": "Civic Centre",
                "follows": str(world.strategy.pk),
                "report_due_on": "2026-12-18",
                "invite": ["police", "school"],
                "invite_reason": "Police are a statutory partner (Working Together 2023)",
            },
            format="json",
        )
        assert created.status_code == 201, created.json()
        meeting = created.json()
        assert meeting["due_on"] == "2026-12-30" and meeting["is_late"] is False
        url = f"/api/v1/meetings/{meeting['id']}/"
        officer = api(world.officer)
        invitations = officer.get(url + "invitations/").json()
        police = next(i for i in invitations if i["agency"] == "police")
        reply = officer.post(
            url + f"invitations/{police['id']}/reply/", {"response": "attending"}, format="json"
        )
        assert reply.json()["response"] == "attending"
        report = officer.post(
            url + "reports/",
            {"agency": "police", "text": "Two call-outs.", "shared_with_invitees": True},
            format="json",
        )
        assert report.status_code == 201
        # The school cannot write the police's report.
        forged = api(world.teacher).post(
            url + "reports/", {"agency": "police", "text": "x"}, format="json"
        )
        assert forged.status_code == 403
    with travel(at(dt.date(2026, 12, 22), 12)):
        chair = api(world.chair)
        detail = chair.get(url).json()
        child = detail["meeting"]["children"][0]
        saved = chair.post(
            url + "record/",
            {
                "version": detail["meeting"]["version"],
                "attendance": {i["id"]: "present" for i in detail["invitations"]},
                "decisions": {
                    child["id"]: {
                        "decision": "plan",
                        "category": "NEG",
                        "next_review_on": "2027-03-19",
                        "first_core_group_on": "2027-01-05",
                    }
                },
            },
            format="json",
        )
        assert saved.status_code == 200, saved.json()
        stale = chair.post(url + "record/", {"version": 1}, format="json")
        assert stale.status_code == 409
        action = chair.post(
            url + "actions/",
            {
                "case": str(world.case.pk),
                "description": "Home visit",
                "agency": "police",
                "due_on": "2027-01-08",
            },
            format="json",
        )
        assert action.status_code == 201, action.json()
        assert chair.post(url + "finalise/").status_code == 200
        refused = chair.post(
            url + "record/", {"version": saved.json()["version"] + 1}, format="json"
        )
        # A conflict with the record's state, not a bad request: 409, saying who.
        assert refused.status_code == 409, refused.json()
        assert "finalised this record on" in refused.json()["detail"]
        late = chair.post(
            url + "dissents/",
            {
                "case": str(world.case.pk),
                "person_name": "DS Khan",
                "agency": "police",
                "reason": "Too late to say so.",
            },
            format="json",
        )
        assert late.status_code == 409, late.json()
        assert chair.post(url + "addenda/", {"text": "Spelling."}, format="json").status_code == 201
    plan = Plan.objects.get(case=world.case)
    assert plan.category == "NEG" and plan.next_review_on == dt.date(2027, 3, 19)


def test_people_outside_the_meeting_get_404_and_lists_leak_nothing(world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        for user in [world.other_teacher, world.other_social_worker, world.teacher]:
            client = api(user)
            body = client.get("/api/v1/meetings/").json()
            assert body["results"] == [], user
            response = client.get(f"/api/v1/meetings/{world.strategy.pk}/")
            assert response.status_code == 404
            assert client.get(f"/api/v1/meetings/{world.strategy.pk}/reports/").status_code == 404
        # Police were invited to the strategy discussion.
        assert len(api(world.officer).get("/api/v1/meetings/").json()["results"]) == 1


def test_a_conference_on_a_bank_holiday_is_refused_by_the_api(world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        response = api(world.chair).post(
            "/api/v1/meetings/",
            {
                "kind": "icpc",
                "cases": [str(world.case.pk)],
                "chair": world.chair.username,
                "scheduled_at": at(dt.date(2026, 12, 25)).isoformat(),
                "location": "Civic Centre",
            },
            format="json",
        )
    assert response.status_code == 400
    assert "Christmas Day" in str(response.json()["errors"]["scheduled_on"])
    assert not Meeting.objects.filter(kind="icpc").exists()
