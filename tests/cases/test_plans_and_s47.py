"""Section 47 enquiries and child in need / child protection plans."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Plan, Section47Enquiry
from safeguard import workdays
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
    return w


def date_fields(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_a_child_in_need_plan_started_on_the_page_is_seen_by_involved_agencies(client, world):
    """A CP plan starts only at a conference (tests/cases/test_statutory_states.py)."""
    today = timezone.localdate()
    client.force_login(world.social_worker)
    url = reverse("case_plan", args=[world.case.pk, "start"])
    client.post(url, {"kind": "cin", **date_fields("start_date", today)})
    plan = Plan.objects.get()
    # Reviewed by the local standard (three months) unless someone set a date.
    assert plan.kind == "cin" and plan.next_review_on == workdays.due_date(
        "cin_review", plan.start_date
    )
    client.force_login(world.teacher)  # involved agencies see plans (SPEC 2)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Child in need plan" in page


def test_a_plan_cannot_end_before_it_starts(client, world):
    today = timezone.localdate()
    client.force_login(world.social_worker)
    client.post(
        reverse("case_plan", args=[world.case.pk, "start"]),
        {"kind": "cin", **date_fields("start_date", today)},
    )
    plan = Plan.objects.get()
    end_url = reverse("case_plan", args=[world.case.pk, "end"])
    client.post(end_url, {"plan": plan.pk, **date_fields("end_date", today - dt.timedelta(days=3))})
    plan.refresh_from_db()
    assert plan.end_date is None
    client.post(end_url, {"plan": plan.pk, **date_fields("end_date", today)})
    plan.refresh_from_db()
    assert plan.end_date == today


def test_section_47_started_and_completed(client, world):
    client.force_login(world.social_worker)
    client.post(
        reverse("case_section47", args=[world.case.pk, "start"]),
        date_fields("started_on", timezone.localdate()),
    )
    enquiry = Section47Enquiry.objects.get()
    client.post(
        reverse("case_section47", args=[world.case.pk, "complete"]),
        {
            "enquiry": enquiry.pk,
            "outcome": "icpc",
            "child_wishes": "I want to stay with my nan.",
        },
    )
    enquiry.refresh_from_db()
    assert enquiry.outcome == "icpc" and enquiry.completed_on
    client.force_login(world.teacher)
    response = client.post(
        reverse("case_section47", args=[world.case.pk, "start"]),
        date_fields("started_on", timezone.localdate()),
    )
    assert response.status_code == 404
