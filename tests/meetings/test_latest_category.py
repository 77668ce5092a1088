"""A review conference that continues a child protection plan may change its
category of abuse: the latest category moves, the initial one stays (census
InitialCategoryOfAbuse and LatestCategoryOfAbuse; issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.models import ChronologyEntry, Plan
from meetings import services as meetings
from meetings.models import Meeting
from tests.meetings.meeting_helpers import at, travel
from tests.meetings.test_meetings import finalise, held_icpc, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def review(w):
    with travel(at(dt.date(2027, 3, 1))):
        return meetings.meeting_schedule(
            acting_user=w.chair,
            kind=Meeting.Kind.RCPC,
            cases=[w.case],
            chair=w.chair,
            scheduled_at=at(dt.date(2027, 3, 15)),
            location="Civic Centre",
        )


def test_a_review_changes_the_latest_category_and_keeps_the_initial(world):  # noqa: F811
    held_icpc(world)
    finalise(
        world,
        review(world),
        at(dt.date(2027, 3, 15), 12),
        "continue_plan",
        category="EMO",
        review=dt.date(2027, 9, 1),
    )
    plan = Plan.objects.get(case=world.case)
    assert (plan.category, plan.latest_category, plan.end_date) == ("NEG", "EMO", None)
    assert ChronologyEntry.objects.filter(
        case=world.case, title__startswith="Child protection plan category now Emotional abuse"
    ).exists()


def test_a_review_with_no_category_leaves_it_as_it_was(world):  # noqa: F811
    held_icpc(world)
    finalise(
        world,
        review(world),
        at(dt.date(2027, 3, 15), 12),
        "continue_plan",
        review=dt.date(2027, 9, 1),
    )
    plan = Plan.objects.get(case=world.case)
    assert (plan.category, plan.latest_category, plan.current_category) == ("NEG", "", "NEG")
